"""The demo's personnel and incidents (security/demo.py)."""

from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from readiness.models import COUNTED_STATUSES, DailyReport
from readiness.selectors import local_today, province_zone
from security.models import (
    Incident,
    IncidentStatus,
    IncidentUpdate,
    PersonnelCategory,
    PersonnelLine,
    Severity,
)
from security.selectors import incidents_submit_problems, personnel_required
from security.services import allowed_next_statuses

OPEN = [IncidentStatus.REPORTED, IncidentStatus.VERIFIED]
SERIOUS = [Severity.HIGH, Severity.CRITICAL]


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return local_today("64")


def test_every_demo_report_has_personnel_close_to_required(demo):
    categories = PersonnelCategory.objects.filter(is_active=True).count()
    per_report = DailyReport.objects.filter(status__in=COUNTED_STATUSES).annotate(
        lines=Count("personnel_lines")
    )
    assert per_report.exists()
    assert set(per_report.values_list("lines", flat=True)) == {categories}

    report = DailyReport.objects.filter(region_id="64.08").latest("day")
    required = personnel_required(region_code="64.08")
    for line in report.personnel_lines.select_related("category"):
        needed = required[line.category.code]
        if needed:
            assert 0.9 * needed <= line.ready + line.unavailable <= needed, line
    assert PersonnelLine.objects.filter(unavailable_sick__gt=0).exists()
    assert PersonnelLine.objects.filter(unavailable_absent__gt=0).exists()


def test_a_dozen_incidents_some_open_and_serious_each_with_its_timeline(demo):
    incidents = Incident.objects.all()
    assert incidents.count() >= 12
    open_serious = incidents.filter(status__in=OPEN, severity__in=SERIOUS)
    assert open_serious.filter(region__code__startswith="64.08.").count() >= 2
    assert open_serious.filter(region__code__startswith="64.72.").exists()
    assert incidents.filter(status__in=[IncidentStatus.HANDLED, IncidentStatus.CLOSED]).exists()
    assert incidents.exclude(tps=None).exists()

    zone = province_zone("64")
    now = timezone.now()
    for incident in incidents.prefetch_related("updates"):
        assert incident.occurred_at <= now
        assert 0 <= (demo - incident.occurred_at.astimezone(zone).date()).days <= 7
        if incident.tps_id:
            assert incident.tps.desa_id == incident.region_id
        steps = list(incident.updates.order_by("at", "id"))
        assert steps[0].status_from == "" and steps[0].status_to == IncidentStatus.REPORTED
        for before, after in pairwise(steps):
            assert after.status_from == before.status_to
            assert after.status_to in (*allowed_next_statuses(before.status_to), before.status_to)
            assert after.at >= before.at >= incident.occurred_at
        assert steps[-1].status_to == incident.status


def test_no_demo_report_contradicts_its_incidents(demo):
    reports = list(DailyReport.objects.filter(status__in=COUNTED_STATUSES))

    assert {problem for report in reports for problem in incidents_submit_problems(report)} == set()
    said_nihil = {report.no_incidents for report in reports}
    assert said_nihil == {True, False}
    # The province desk's report says so too on a day with incidents anywhere below it.
    assert DailyReport.objects.filter(region_id="64", no_incidents=False).exists()


def test_a_second_seed_changes_nothing(demo):
    def snapshot():
        return (
            sorted(
                PersonnelLine.objects.values_list(
                    "report__region_id",
                    "report__day",
                    "category__code",
                    "ready",
                    "unavailable_sick",
                    "unavailable_absent",
                )
            ),
            sorted(Incident.objects.values_list("id", "region_id", "tps_id", "status", "severity")),
            IncidentUpdate.objects.count(),
            sorted(DailyReport.objects.values_list("region_id", "day", "no_incidents")),
        )

    before = snapshot()
    call_command("seed_demo")

    assert snapshot() == before
