import datetime as dt

import pytest
from django.utils import timezone

from readiness.models import ReportStatus, Vulnerability
from readiness.selectors import local_today, province_zone
from security import services
from security.models import Incident, IncidentCategory, Severity

from ..factories import DailyReportFactory


@pytest.fixture
def day(tree):
    return local_today("64.71.06")


@pytest.fixture
def vulnerable_tree(tree):
    """The tree with, in kelurahan 64.71.06.1001, TPS 2 rawan and TPS 3 sangat rawan."""
    tps = {t.number: t for t in tree["64.71.06.1001"].tps_set.all()}
    tps[2].vulnerability = Vulnerability.VULNERABLE
    tps[3].vulnerability = Vulnerability.HIGHLY_VULNERABLE
    for t in (tps[2], tps[3]):
        t.save()
    return tree


@pytest.fixture
def draft(officer, tree, day):
    return DailyReportFactory(
        region=tree["64.71.06"],
        day=day,
        status=ReportStatus.DRAFT,
        submitted_by=None,
        submitted_at=None,
        created_by=officer,
        updated_by=officer,
        updated_at=timezone.now(),
    )


@pytest.fixture
def hoaks(db):
    return IncidentCategory.objects.get(code="hoaks")


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of `day` in Kalimantan Timur's local time (WITA)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=province_zone("64"))


def an_hour_ago() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=1)


def file_incident(officer, region, **overrides):
    data = {
        "category": IncidentCategory.objects.get(code="hoaks"),
        "severity": Severity.LOW,
        "occurred_at": an_hour_ago(),
        "description": "Pesan berantai soal TPS pindah lokasi.",
        "actions_taken": "Klarifikasi lewat grup WA kelurahan.",
        **overrides,
    }
    return services.incident_report(officer=officer, region=region, **data)


def make_incident(reporter, region_code, occurred_at, **fields):
    """An incident written straight to the table (for reads that do not care how it was filed)."""
    return Incident.objects.create(
        region_id=region_code,
        category=fields.pop("category", None) or IncidentCategory.objects.get(code="hoaks"),
        severity=fields.pop("severity", Severity.LOW),
        occurred_at=occurred_at,
        description=fields.pop("description", "Sesuatu terjadi."),
        reported_by=reporter,
        **fields,
    )
