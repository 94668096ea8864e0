"""The demo's logistics (logistics/demo.py): the seeds' story, the stage order, idempotence."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from logistics.models import LogisticsItem, LogisticsLine, Stage
from logistics.selectors import logistics_lines_latest, logistics_required
from readiness.models import COUNTED_STATUSES, DailyReport, Region, RegionLevel
from readiness.selectors import local_today

FINAL_STAGE = {RegionLevel.KABKOTA: Stage.WAREHOUSE, RegionLevel.KECAMATAN: Stage.RECEIVED_KPPS}


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return local_today("64")


def complete(kabkota: Region, day) -> bool:
    """Every item at or above its requirement at the final stage, for the kab/kota's warehouse
    and each of its kecamatan, as their desks last counted on or before `day`."""
    for region in [kabkota, *Region.objects.filter(parent=kabkota)]:
        counted = logistics_lines_latest(region=region, day=day).lines
        stage = FINAL_STAGE[region.level]
        for code, needed in logistics_required(region_code=region.code, day=day).items():
            line = counted.get(code)
            if line is None or (getattr(line, stage) or 0) < needed:
                return False
    return True


def test_only_mahakam_ulu_is_complete_on_the_latest_day(demo):
    kabkota = Region.objects.filter(level=RegionLevel.KABKOTA, code__startswith="64.")
    status = {region.code: complete(region, demo) for region in kabkota}

    assert len(status) == 10
    assert status.pop("64.11") is True
    assert not any(status.values()), "the nine other kab/kota are still in progress"


def test_every_demo_report_has_a_line_per_item_in_stage_order(demo):
    items = LogisticsItem.objects.filter(is_active=True).count()
    per_report = DailyReport.objects.filter(
        region__level__in=[RegionLevel.KABKOTA, RegionLevel.KECAMATAN],
        status__in=COUNTED_STATUSES,
    ).annotate(lines=Count("logistics_lines"))
    assert per_report.exists()
    assert set(per_report.values_list("lines", flat=True)) == {items}

    lines = LogisticsLine.objects.select_related("report__region")
    for line in lines:
        if line.report.region.level == RegionLevel.KABKOTA:
            assert line.warehouse is not None
            assert (line.received_ppk, line.distributed_pps, line.received_kpps) == (None,) * 3
        else:
            assert line.warehouse is None
            assert line.received_ppk >= line.distributed_pps >= line.received_kpps >= 0, line


def test_quantities_grow_over_the_week_and_issues_are_reported(demo):
    previous: dict[tuple[str, int], tuple] = {}
    for line in LogisticsLine.objects.select_related("report").order_by("report__day"):
        key = (line.report.region_id, line.item_id)
        figures = (line.warehouse or 0, line.received_ppk or 0, line.received_kpps or 0)
        if key in previous:
            assert all(now >= before for now, before in zip(figures, previous[key], strict=True))
        previous[key] = figures

    latest = LogisticsLine.objects.filter(report__day=demo)
    assert latest.filter(damaged__gt=0).exists()
    assert latest.filter(short__gt=0).exists()
    assert not LogisticsLine.objects.filter(
        report__region__code__startswith="64.11.", report__day=demo, short__gt=0
    ).exists()


def test_a_second_seed_changes_nothing(demo):
    def snapshot():
        return sorted(
            LogisticsLine.objects.values_list(
                "report__region_id", "report__day", "item__code", *Stage.values, "damaged", "short"
            )
        )

    before = snapshot()
    call_command("seed_demo")

    assert snapshot() == before
