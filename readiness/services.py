"""Writes of the readiness app. Views and tasks call these; nothing else writes reports."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from . import rollups
from .models import DailyReport, Region, RegionLevel, Role, User


def daily_report_submit(
    *,
    officer: User,
    region: Region,
    day: dt.date,
    tps_ready: int | None,
    note: str,
) -> DailyReport:
    """File (or correct) the region's report for `day`: one report per region per day.

    Atomic. Only the region's own desk officer may call it. TPS figures are kept only for
    kecamatan desks; the rollup of the region and its ancestors is enqueued after commit.
    """
    if officer.role != Role.OFFICER or officer.region_id != region.code:
        raise PermissionDenied("Hanya petugas desk wilayah ini yang dapat mengirim laporannya.")
    if region.level != RegionLevel.KECAMATAN:
        tps_ready = None

    with transaction.atomic():
        report, _created = DailyReport.objects.update_or_create(
            region=region,
            day=day,
            defaults={
                "tps_ready": tps_ready,
                "note": note,
                "submitted_by": officer,
                "submitted_at": timezone.now(),
            },
        )
        rollups.rollup_enqueue(region_code=region.code, day=day)
    return report
