"""Two desks' browsers saving at the same moment, each on its own PostgreSQL connection."""

import datetime as dt
import threading
import time
import uuid
from unittest import mock

import pytest
from django.db import connection, connections

from readiness import rollups, services
from readiness.models import DailyReport, DailyReportVersion, DailyRollup, ReportSubmission
from readiness.rollups import rollup_rebuild_day, rollup_region_and_ancestors
from readiness.selectors import local_today

from ..conftest import service_unavailable
from ..factories import DailyReportFactory


@pytest.fixture
def postgresql(transactional_db):
    if connection.vendor != "postgresql":
        service_unavailable("concurrency tests need PostgreSQL (set DATABASE_URL=postgres://…)")


def run_together(*calls):
    """Run each call in its own thread (and so its own database connection), released at once."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except Exception as exc:  # the outcome is what the test inspects
            outcomes[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_saves_of_the_same_version_one_wins_one_is_refused(postgresql, officer, tree):
    region, day = tree["64.71.06"], local_today("64.71.06")
    report = services.daily_report_submit(
        officer=officer, region=region, day=day, data={"note": "pertama", "no_incidents": True}
    )

    def save(value):
        return lambda: services.daily_report_save(
            officer=officer,
            region=region,
            day=day,
            data={"note": value},
            expected_version=report.version,
        )

    outcomes = run_together(save("dari desk A"), save("dari desk B"))

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    refused = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(refused, services.ReportConflict)
    winner = next(value for kind, value in outcomes if kind == "ok")
    assert DailyReport.objects.get().note == winner.note


def test_a_double_submit_with_one_key_files_once(postgresql, officer, tree):
    region, day = tree["64.71.06"], local_today("64.71.06")
    key = uuid.uuid4()

    def submit():
        return services.daily_report_submit(
            officer=officer,
            region=region,
            day=day,
            data={"tps_ready": 3, "no_incidents": True},
            submission_key=key,
        )

    outcomes = run_together(submit, submit)

    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert outcomes[0][1].pk == outcomes[1][1].pk
    assert DailyReport.objects.count() == 1
    assert ReportSubmission.objects.count() == 1
    assert DailyReportVersion.objects.count() == 1


def test_two_rollups_of_the_same_region_at_once_agree(postgresql, officer, tree):
    from readiness.models import DailyRollup
    from readiness.rollups import rollup_region_and_ancestors

    region, day = tree["64.71.06"], local_today("64.71.06")
    services.daily_report_submit(
        officer=officer, region=region, day=day, data={"no_incidents": True}
    )

    def rollup():
        return rollup_region_and_ancestors(region_code="64.71.06", day=day)

    outcomes = run_together(rollup, rollup, rollup)
    assert [kind for kind, _ in outcomes] == ["ok", "ok", "ok"], outcomes
    rows = {
        row.region_id: (row.tps_total, row.kecamatan_reported, row.has_own_report)
        for row in DailyRollup.objects.filter(day=day)
    }
    assert rows == {"64.71.06": (6, 1, True), "64.71": (12, 1, False), "64": (14, 1, False)}


def test_sibling_chains_at_once_each_add_up_the_others_committed_row(postgresql, officer, tree):
    """Two kecamatan of one kab/kota submit at the same moment; each chain adds its kab/kota and
    province up from stored rows. The chains lock their upper rows first, so the second waits
    for the first and adds up its committed row rather than the one from before."""
    day = dt.date(2024, 11, 23)
    for code in ("64.71.01", "64.71.06"):
        DailyReportFactory(region=tree[code], day=day, tps_ready=1, submitted_by=officer)
    rollup_rebuild_day(day=day)
    DailyReport.objects.filter(day=day).update(tps_ready=3)

    add_up = rollups._readiness_from_children

    def slowly(**kwargs):
        time.sleep(0.5)  # both chains are past their own kecamatan before either adds up
        return add_up(**kwargs)

    with mock.patch.object(rollups, "_readiness_from_children", slowly):
        outcomes = run_together(
            *(
                lambda code=code: rollup_region_and_ancestors(region_code=code, day=day)
                for code in ("64.71.01", "64.71.06")
            )
        )

    assert [outcome for outcome, _result in outcomes] == ["ok", "ok"], outcomes
    totals = dict(DailyRollup.objects.filter(day=day).values_list("region_id", "tps_ready"))
    assert (totals["64.71"], totals["64"]) == (6, 6)
