"""Rollups of the other indicators (indicators.rollups): explicit cases, the engine's hook, a
bounded query count, and a property test against a deliberately naive reference."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from indicators.models import Aggregation, Indicator, IndicatorRollup, IndicatorValue
from indicators.rollups import indicator_rollup, indicator_rollup_figures
from indicators.selectors import indicator_rollup_rows
from readiness import codes, sections
from readiness.models import (
    Contest,
    ContestKind,
    DailyReport,
    ReportStatus,
    Role,
    User,
)
from readiness.rollups import rollup_rebuild_day, rollup_region_and_ancestors

from ..factories import ContestFactory, RegionFactory, UserFactory, regions_bulk_create
from ..rollup_checks import assert_chains_add_up_stored_children

D = dt.date(2024, 11, 23)
DAYS = [D - dt.timedelta(days=2), D - dt.timedelta(days=1), D]
KECAMATAN = ["64.71.01", "64.71.06", "64.72.01"]


# ---- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def desk(db):
    return UserFactory(username="desk.rollup", role=Role.ADMIN, region=None)


@pytest.fixture
def country(db):
    """64 → 64.71 (kecamatan 01, 06) and 64.72 (kecamatan 01); a governor contest whose
    reporting period runs from three weeks before D to after the vote."""
    for code in ["64", "64.71", "64.72", *KECAMATAN]:
        RegionFactory(code=code)
    ContestFactory(
        region_id="64",
        kind=ContestKind.GOVERNOR,
        voting_day=dt.date(2024, 11, 27),
        reporting_start=dt.date(2024, 11, 1),
        reporting_end=dt.date(2024, 12, 4),
    )


@pytest.fixture
def catalogue(db):
    """One indicator of each aggregation, reported by every level."""
    levels = {"for_kecamatan": True, "for_kabkota": True, "for_provinsi": True}
    return {
        aggregation: Indicator.objects.create(
            code=f"uji-{aggregation}",
            name=f"Uji {aggregation}",
            unit="kegiatan",
            aggregation=aggregation,
            decimal_places=2,
            **levels,
        )
        for aggregation in Aggregation.values
    }


def report(desk, code, day, status=ReportStatus.SUBMITTED, **values):
    """A report of `code` on `day` with the given values by aggregation (sum=3, latest=…)."""
    submitted = status != ReportStatus.DRAFT
    at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    made = DailyReport.objects.create(
        region_id=code,
        day=day,
        status=status,
        created_by=desk,
        updated_by=desk,
        updated_at=at,
        submitted_by=desk if submitted else None,
        submitted_at=at if submitted else None,
    )
    for aggregation, value in values.items():
        IndicatorValue.objects.create(
            report=made,
            indicator=Indicator.objects.get(code=f"uji-{aggregation}"),
            value=Decimal(value),
            updated_by=desk,
        )
    return made


def roll(day=D, codes_by_level=None):
    """Every level, kecamatan first, as the engine does."""
    codes_by_level = codes_by_level or {3: KECAMATAN, 2: ["64.71", "64.72"], 1: ["64"]}
    for level in (3, 2, 1):
        indicator_rollup(region_codes=codes_by_level[level], day=day)


def figures(day=D):
    """{(region, aggregation): (value, day_value, units, stale)}."""
    return {
        (row.region_id, row.indicator.aggregation): (
            row.value,
            row.day_value,
            row.units_reporting,
            row.stale_units,
        )
        for row in IndicatorRollup.objects.filter(day=day).select_related("indicator")
    }


# ---- explicit cases ----------------------------------------------------------------------------


def test_a_flow_is_the_total_so_far_and_keeps_the_days_own_value(desk, country, catalogue):
    report(desk, "64.71.01", DAYS[0], sum=3)
    report(desk, "64.71.01", DAYS[1], sum=2)
    report(desk, "64.71.01", D, sum=4)
    report(desk, "64.71.06", DAYS[1], sum=5)  # nothing today: its total stands, stale
    roll()
    assert figures()[("64.71.01", "sum")] == (9, 4, 1, 0)
    assert figures()[("64.71.06", "sum")] == (5, 0, 1, 1)
    assert figures()[("64.71", "sum")] == (14, 4, 2, 1)
    assert figures()[("64", "sum")] == (14, 4, 2, 1)
    assert ("64.72", "sum") not in figures()  # no desk there has a figure: no row


def test_a_flow_counts_only_from_the_start_of_the_contest_period(desk, country, catalogue):
    Contest.objects.update(reporting_start=DAYS[1])
    report(desk, "64.71.01", DAYS[0], sum=3)  # before the period: not in today's total
    report(desk, "64.71.01", D, sum=4)
    roll()
    assert figures()[("64.71.01", "sum")] == (4, 4, 1, 0)


def test_a_flow_has_no_figure_outside_every_contest_period(desk, country, catalogue):
    report(desk, "64.71.01", D, sum=4, latest=7)
    Contest.objects.update(
        reporting_start=D - dt.timedelta(days=30), voting_day=DAYS[0], reporting_end=DAYS[1]
    )
    roll()
    assert ("64.71.01", "sum") not in figures()
    assert figures()[("64.71.01", "latest")] == (7, None, 1, 0)  # a stock stays true


def test_a_stock_is_the_latest_position_and_an_older_one_is_stale(desk, country, catalogue):
    report(desk, "64.71.01", DAYS[0], latest="1000")
    report(desk, "64.71.01", DAYS[1], latest="2500.50")
    report(desk, "64.71.06", DAYS[0], latest=700)
    report(desk, "64.71.06", D, sum=1)  # today's report leaves the stock out: 700 stands
    roll()
    assert figures()[("64.71.01", "latest")] == (Decimal("2500.50"), None, 1, 1)
    assert figures()[("64.71.06", "latest")] == (700, None, 1, 1)
    assert figures()[("64.71", "latest")] == (Decimal("3200.50"), None, 2, 2)


def test_a_peak_is_the_highest_day_of_each_desk(desk, country, catalogue):
    report(desk, "64.71.01", DAYS[0], max=5)
    report(desk, "64.71.01", DAYS[1], max=9)
    report(desk, "64.71.01", D, max=7)
    report(desk, "64.71.06", DAYS[0], max=9)
    report(desk, "64.71.06", DAYS[1], max=9)  # an equal high counts once
    roll()
    assert figures()[("64.71.01", "max")] == (9, None, 1, 0)  # reported today: not stale
    assert figures()[("64.71.06", "max")] == (9, None, 1, 1)
    assert figures()[("64.71", "max")] == (18, None, 2, 1)


def test_a_kabkota_adds_its_own_desks_figure_once(desk, country, catalogue):
    report(desk, "64.71", D, sum=10, latest=100)
    report(desk, "64.71.01", D, sum=3, latest=30)
    report(desk, "64.71.06", D, sum=4, latest=40)
    report(desk, "64", D, sum=1000)
    roll()
    assert figures()[("64.71", "sum")] == (17, 17, 3, 0)
    assert figures()[("64.71", "latest")] == (170, None, 3, 0)
    assert figures()[("64", "sum")] == (1017, 1017, 4, 0)
    assert figures()[("64", "latest")] == (170, None, 3, 0)
    assert ("64.71.01", "sum") in figures() and figures()[("64.71.01", "sum")][0] == 3


def test_drafts_and_returned_reports_do_not_count_and_their_rows_go(desk, country, catalogue):
    submitted = report(desk, "64.71.01", D, sum=3, latest=5, max=6)
    report(desk, "64.71.06", D, ReportStatus.DRAFT, sum=100, latest=100, max=100)
    roll()
    assert figures()[("64.71", "sum")] == (3, 3, 1, 0)
    assert ("64.71.06", "sum") not in figures()

    DailyReport.objects.filter(pk=submitted.pk).update(status=ReportStatus.RETURNED)
    roll()
    assert figures() == {}


def test_a_level_the_catalogue_takes_off_an_indicator_stops_counting(desk, country, catalogue):
    report(desk, "64.71", D, sum=10)
    report(desk, "64.71.01", D, sum=3)
    Indicator.objects.filter(code="uji-sum").update(for_kabkota=False)
    roll()
    assert figures()[("64.71", "sum")] == (3, 3, 1, 0)


def test_running_twice_leaves_the_same_rows(desk, country, catalogue):
    report(desk, "64.71.01", DAYS[0], sum=3, latest=5, max=6)
    report(desk, "64.71.06", D, sum=1, latest=2, max=3)
    report(desk, "64.71", D, latest=8)
    roll()
    first = dict(IndicatorRollup.objects.values_list("id", "computed_at"))
    before = figures()
    roll()
    assert figures() == before
    # Right rows are left alone, computed_at included: it says when the figures last changed.
    assert dict(IndicatorRollup.objects.values_list("id", "computed_at")) == first

    IndicatorValue.objects.filter(report__region_id="64.71", indicator__code="uji-latest").update(
        value=9
    )
    roll()
    moved = {
        row.region_id for row in IndicatorRollup.objects.all() if row.computed_at != first[row.pk]
    }
    assert moved == {"64.71", "64"}  # the kab/kota and the province; kecamatan unchanged
    assert figures()[("64.71", "latest")] == (16, None, 3, 1)  # 5 (stale) + 2 + 9


def test_only_the_given_regions_are_written(desk, country, catalogue):
    report(desk, "64.71.01", D, sum=3)
    report(desk, "64.72.01", D, sum=4)
    indicator_rollup(region_codes=["64.71.01"], day=D)
    assert set(IndicatorRollup.objects.values_list("region_id", flat=True)) == {"64.71.01"}


def chain_of(code):
    """A submission's chain as the engine passes it: the region and its ancestors, one call."""
    return sorted({*codes.ancestor_codes(code), code})


def test_one_call_for_a_chain_writes_what_the_calls_per_level_write(desk, country, catalogue):
    report(desk, "64", D, sum=1000, latest=500)
    report(desk, "64.71", DAYS[0], sum=10, latest=100, max=4)
    report(desk, "64.71.01", DAYS[0], sum=3, latest=30, max=9)
    report(desk, "64.71.01", D, sum=4, max=7)  # its peak is older than today's value
    report(desk, "64.71.06", DAYS[1], sum=5, latest=40, max=6)
    report(desk, "64.72.01", D, sum=6, latest=60, max=2)
    roll()
    per_level = figures()
    IndicatorRollup.objects.update(value=Decimal(999), day_value=None, stale_units=9)

    indicator_rollup(region_codes=chain_of("64.71.01"), day=D)
    assert {key: row for key, row in figures().items() if key[0] in chain_of("64.71.01")} == {
        key: row for key, row in per_level.items() if key[0] in chain_of("64.71.01")
    }
    assert figures()[("64.71.06", "sum")][0] == 999  # not in the chain: left alone
    # Peaks: 64.71's own 4 and 64.71.06's 6 stale, 64.71.01's 9 (older than today's 7) fresh.
    assert figures()[("64", "max")] == (4 + 9 + 6 + 2, None, 4, 2)

    for code in ["64.71.06", "64.72.01"]:
        indicator_rollup(region_codes=chain_of(code), day=D)
    assert figures() == per_level


def test_one_call_for_a_chain_deletes_the_rows_whose_figures_went(desk, country, catalogue):
    submitted = report(desk, "64.71.01", D, sum=3, latest=5, max=6)
    report(desk, "64.72.01", D, latest=7)
    indicator_rollup(region_codes=chain_of("64.71.01"), day=D)
    assert figures()[("64", "latest")] == (12, None, 2, 0)  # 64.72.01 is in the province
    assert {region for region, _aggregation in figures()} == {"64", "64.71", "64.71.01"}
    DailyReport.objects.filter(pk=submitted.pk).update(status=ReportStatus.RETURNED)
    indicator_rollup(region_codes=chain_of("64.71.01"), day=D)
    assert figures() == {("64", "latest"): (7, None, 1, 0)}


def test_a_chain_runs_no_more_statements_than_one_level_did(desk, catalogue):
    kecamatan = _many_kecamatan(desk, 30)
    # One kecamatan call against the same rows, for the count of a single-level call.
    with CaptureQueriesContext(connection) as one_level:
        indicator_rollup(region_codes=kecamatan[:1], day=D)
    IndicatorRollup.objects.all().delete()
    with CaptureQueriesContext(connection) as chain:
        indicator_rollup(region_codes=chain_of(kecamatan[0]), day=D)
    # The contests, the figures, the rows there and the upsert, in a savepoint: the whole chain
    # in fewer statements than one level's call used to need (the catalogue, the contests, one
    # per aggregation, the peaks' day, the rows there, the upsert), once per level.
    assert len(chain) <= len(one_level) <= 6
    assert set(IndicatorRollup.objects.values_list("region_id", flat=True)) == set(
        chain_of(kecamatan[0])
    )


def test_figures_are_json_safe_and_exact(desk, country, catalogue):
    report(desk, "64.71.01", D, sum=3, latest="2500.50")
    roll()
    found = indicator_rollup_figures(region_codes=["64.71", "64.72"], day=D)
    assert found == {"64.71": {"uji-sum": 3, "uji-sum.day": 3, "uji-latest": "2500.5"}}
    assert json.loads(json.dumps(found)) == found


def test_the_engine_rolls_indicators_up_with_its_own_figures(desk, country, catalogue):
    assert any(section.key == "indicators" for section in sections.rolled_up())
    report(desk, "64.71.01", D, sum=3)
    rollup_region_and_ancestors(region_code="64.71.01", day=D)
    assert figures()[("64", "sum")] == (3, 3, 1, 0)
    merged = sections.section_rollup_figures(region_codes=["64.71"], day=D)["64.71"]
    assert {key: value for key, value in merged.items() if key.startswith("indicators.")} == {
        "indicators.uji-sum": 3,
        "indicators.uji-sum.day": 3,
    }

    IndicatorRollup.objects.all().delete()
    rollup_rebuild_day(day=D)
    assert figures()[("64", "sum")] == (3, 3, 1, 0)


def test_dashboard_rows_come_in_one_query(desk, country, catalogue, django_assert_num_queries):
    report(desk, "64.71.01", D, sum=3, latest=5)
    roll()
    with django_assert_num_queries(1):
        rows = indicator_rollup_rows(region_codes=["64.71", "64.72"], day=D)
        names = [row.indicator.code for row in rows["64.71"]]
    assert names == ["uji-latest", "uji-sum"]  # catalogue order (sort_order, then code)
    assert rows["64.72"] == []


def _many_kecamatan(desk, count):
    """`count` kecamatan in two provinces (so that 50+ codes take the whole-province path),
    each with a report carrying every kind of value today and the day before."""
    provinces = ["64", "65"]
    created = []
    for province in provinces:
        RegionFactory(code=province)
        RegionFactory(code=f"{province}.01")
        ContestFactory(
            region_id=province,
            kind=ContestKind.GOVERNOR,
            voting_day=dt.date(2024, 11, 27),
            reporting_start=dt.date(2024, 11, 1),
            reporting_end=dt.date(2024, 12, 4),
        )
    for index in range(count):
        code = f"{provinces[index % 2]}.01.{index // 2 + 1:02d}"
        RegionFactory(code=code)
        report(desk, code, DAYS[1], sum=1, latest=2, max=3)
        report(desk, code, D, sum=1, latest=2, max=3)
        created.append(code)
    return created


@pytest.mark.parametrize("count", [3, 30])
def test_queries_do_not_grow_with_the_number_of_regions(
    desk, catalogue, django_assert_max_num_queries, count
):
    kecamatan = _many_kecamatan(desk, count)
    # The contests, the figures, the rows already there, delete, upsert; plus the savepoint of
    # its atomic block and its release.
    with django_assert_max_num_queries(7):
        indicator_rollup(region_codes=kecamatan, day=D)
    with django_assert_max_num_queries(7):
        indicator_rollup(region_codes=["64.01", "65.01"], day=D)
    with django_assert_max_num_queries(7):
        indicator_rollup(region_codes=["64", "64.01", *kecamatan[:2]], day=D)
    assert IndicatorRollup.objects.filter(region_id__in=kecamatan).count() == 3 * count


def test_the_same_queries_for_3_and_30_kecamatan(desk, catalogue):
    kecamatan = _many_kecamatan(desk, 30)
    counts = []
    for targets in (kecamatan[:3], kecamatan):
        with CaptureQueriesContext(connection) as captured:
            indicator_rollup(region_codes=targets, day=D)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_many_regions_at_once_equal_one_by_one(desk, catalogue):
    kecamatan = _many_kecamatan(desk, 60)  # more than 50: whole provinces are read
    report(desk, "64.01", D, sum=10, latest=10, max=10)  # a kab/kota desk, not a target
    indicator_rollup(region_codes=kecamatan, day=D)
    at_once = figures()
    IndicatorRollup.objects.all().delete()
    for code in kecamatan:
        indicator_rollup(region_codes=[code], day=D)
    assert figures() == at_once
    assert len(at_once) == 3 * 60
    assert not IndicatorRollup.objects.filter(region_id="64.01").exists()


def test_many_regions_of_several_levels_at_once_equal_level_by_level(desk, catalogue):
    kecamatan = _many_kecamatan(desk, 60)
    report(desk, "64.01", D, sum=10, latest=10, max=10)
    report(desk, "65", DAYS[1], sum=100, latest=100, max=100)
    every = {3: kecamatan, 2: ["64.01", "65.01"], 1: ["64", "65"]}
    for level in (3, 2, 1):
        indicator_rollup(region_codes=every[level], day=D)
    by_level = figures()
    IndicatorRollup.objects.all().delete()
    indicator_rollup(region_codes=[code for level in (1, 2, 3) for code in every[level]], day=D)
    assert figures() == by_level
    assert len(by_level) == 3 * (60 + 4)


# ---- property ---------------------------------------------------------------------------------

VALUE = st.one_of(st.none(), st.integers(0, 40).map(Decimal), st.just(Decimal("2.5")))
STATUSES = ReportStatus.values
AGGREGATIONS = Aggregation.values


@st.composite
def worlds(draw):
    """Random small trees (1-2 provinces → kab/kota → kecamatan, some inactive), contests with
    random period starts, level flags per indicator, and reports of random statuses with random
    values over three days."""
    regions = []
    for province_index in range(draw(st.integers(1, 2))):
        province = f"{61 + province_index}"
        regions.append((province, True))
        for kab_index in range(draw(st.integers(1, 3))):
            kab = f"{province}.{kab_index + 1:02d}"
            regions.append((kab, draw(st.booleans()) or kab_index == 0))
            for kec_index in range(draw(st.integers(1, 3))):
                regions.append((f"{kab}.{kec_index + 1:02d}", draw(st.integers(0, 4)) > 0))
    codes_ = [code for code, _active in regions]
    # Contests: (region, start) with the start among the days (or before them all).
    starts = st.sampled_from([DAYS[0] - dt.timedelta(days=5), *DAYS])
    contests = draw(
        st.dictionaries(
            st.sampled_from([code for code in codes_ if codes.level_of(code) <= 2]),
            starts,
            max_size=4,
        )
    )
    flags = {
        aggregation: draw(
            st.tuples(st.booleans(), st.booleans(), st.booleans()).filter(any)
        )  # (provinsi, kab/kota, kecamatan)
        for aggregation in AGGREGATIONS
    }
    reports = draw(
        st.dictionaries(
            st.tuples(st.sampled_from(codes_), st.sampled_from(DAYS)),
            st.tuples(st.sampled_from(STATUSES), st.tuples(VALUE, VALUE, VALUE)),
            max_size=30,
        )
    )
    return regions, contests, flags, reports


def naive(regions, contests, flags, reports, day):
    """{(region, aggregation): (value, day_value, units, stale)}, the slow and obvious way."""
    counted = (ReportStatus.SUBMITTED, ReportStatus.VERIFIED)
    expected = {}
    for region, is_active in regions:
        if not is_active:
            continue
        desks = [code for code, _ in regions if code == region or code.startswith(region + ".")]
        for index, aggregation in enumerate(AGGREGATIONS):
            total, today, units, stale = Decimal(0), Decimal(0), 0, 0
            for desk in desks:
                if not flags[aggregation][codes.level_of(desk) - 1]:
                    continue
                said = sorted(
                    (report_day, values[index])
                    for (code, report_day), (status, values) in reports.items()
                    if code == desk
                    and status in counted
                    and report_day <= day
                    and values[index] is not None
                )
                if aggregation == "sum":
                    covering = [
                        start
                        for holder, start in contests.items()
                        if desk == holder or desk.startswith(holder + ".")
                    ]
                    if not covering:
                        continue
                    said = [(d, v) for d, v in said if d >= min(covering)]
                if not said:
                    continue
                units += 1
                stale += said[-1][0] < day
                if aggregation == "sum":
                    total += sum(v for _d, v in said)
                    today += sum(v for d, v in said if d == day)
                elif aggregation == "latest":
                    total += said[-1][1]
                else:
                    total += max(v for _d, v in said)
            if units:
                expected[region, aggregation] = (
                    total,
                    today if aggregation == "sum" else None,
                    units,
                    stale,
                )
    return expected


def build_world(world):
    """The world's regions, contests, catalogue and reports in the database; the active codes."""
    regions, contests, flags, reports = world
    officer = User.objects.create(username="desk", role=Role.ADMIN, region=None)
    regions_bulk_create(regions)
    Contest.objects.bulk_create(
        Contest(
            region_id=code,
            kind=ContestKind.GOVERNOR if "." not in code else ContestKind.REGENT,
            voting_day=dt.date(2024, 11, 27),
            reporting_start=start,
            reporting_end=dt.date(2024, 12, 4),
        )
        for code, start in contests.items()
    )
    indicators = [
        Indicator.objects.create(
            code=f"uji-{aggregation}",
            name=aggregation,
            unit="kegiatan",
            aggregation=aggregation,
            decimal_places=1,
            for_provinsi=flags[aggregation][0],
            for_kabkota=flags[aggregation][1],
            for_kecamatan=flags[aggregation][2],
        )
        for aggregation in AGGREGATIONS
    ]
    at = dt.datetime(2024, 11, 23, 8, tzinfo=dt.UTC)
    for (code, day), (status, values) in reports.items():
        made = DailyReport.objects.create(
            region_id=code,
            day=day,
            status=status,
            created_by=officer,
            updated_by=officer,
            updated_at=at,
            submitted_by=None if status == ReportStatus.DRAFT else officer,
            submitted_at=None if status == ReportStatus.DRAFT else at,
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(report=made, indicator=indicator, value=value, updated_by=officer)
            for indicator, value in zip(indicators, values, strict=True)
            if value is not None
        )
    return [code for code, is_active in regions if is_active]


class IndicatorRollupEqualsNaiveReference(TestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(worlds())
    def test_whole_levels_and_single_regions_equal_the_reference(self, world):
        regions, contests, flags, reports = world
        active = build_world(world)

        for day in DAYS:
            expected = naive(regions, contests, flags, reports, day)

            # Whole levels at once, as a rebuild passes them.
            for level in (3, 2, 1):
                targets = [code for code in active if codes.level_of(code) == level]
                indicator_rollup(region_codes=targets, day=day)
            self.assertEqual(figures(day), expected, f"whole levels on {day}")

            # One region at a time (a chain of one); over wrong rows left on purpose.
            IndicatorRollup.objects.filter(day=day).update(value=Decimal(999), stale_units=9)
            for code in active:
                indicator_rollup(region_codes=[code], day=day)
            self.assertEqual(figures(day), expected, f"one region at a time on {day}")

        # Through the engine (every section, so once): the same rows again.
        IndicatorRollup.objects.filter(day=D).delete()
        rollup_rebuild_day(day=D)
        self.assertEqual(figures(D), naive(regions, contests, flags, reports, D), "engine")

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(worlds(), st.randoms(use_true_random=False))
    def test_one_call_per_chain_equals_the_reference(self, world, shuffler):
        """One call for a submission's chain (its active kecamatan, kab/kota and province at
        once, as the engine makes it) writes the rows that the calls per level write."""
        regions, contests, flags, reports = world
        active = build_world(world)

        for day in DAYS:
            expected = naive(regions, contests, flags, reports, day)
            for level in (3, 2, 1):
                targets = [code for code in active if codes.level_of(code) == level]
                indicator_rollup(region_codes=targets, day=day)
            self.assertEqual(figures(day), expected, f"whole levels on {day}")

            # Every active region's chain in turn, in a random order, over wrong rows.
            IndicatorRollup.objects.filter(day=day).update(value=Decimal(999), stale_units=9)
            for code in shuffler.sample(active, len(active)):
                chain = [c for c in chain_of(code) if c in active]
                indicator_rollup(region_codes=chain, day=day)
                written = {key: row for key, row in figures(day).items() if key[0] in chain}
                self.assertEqual(
                    written,
                    {key: row for key, row in expected.items() if key[0] in chain},
                    f"the chain of {code} on {day}",
                )
            self.assertEqual(figures(day), expected, f"every chain on {day}")

            # Every active region of every level in one call.
            IndicatorRollup.objects.filter(day=day).delete()
            indicator_rollup(region_codes=shuffler.sample(active, len(active)), day=day)
            self.assertEqual(figures(day), expected, f"every level at once on {day}")

            # Through the engine, each chain adding up its children's stored rows.
            if day == DAYS[-1]:  # the engine's path, once per example (a rebuild per chain)
                assert_chains_add_up_stored_children(
                    self, IndicatorRollup, figures, expected, regions, day
                )
