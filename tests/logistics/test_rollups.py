"""The logistics rollup (logistics/rollups.py), held to the semantics in its docstring.

Explicit cases on the tree of tests/conftest.py first, then a property: random trees, contests,
reports and lines over three days, against a naive reference computed here in plain Python, for
calls of one level (a rebuild) and of mixed levels (a submission's chain, any set of regions).

Most explicit cases keep two items active, so that the figures stay readable: kotak-suara
(1 per TPS per contest) and tinta (2 per TPS). With the tree's three contests on `day`
(governor of 64, mayors of 64.71 and 64.72), 64.71.01 and 64.71.06 (6 TPS each) need 12 boxes
and 12 bottles each, 64.72.01 (2 TPS) needs 4 and 4.
"""

import datetime as dt
import json
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from logistics.models import (
    QUANTITY_FIELDS,
    STAGES_BY_LEVEL,
    LogisticsItem,
    LogisticsLine,
    LogisticsRollup,
    QuantityRule,
)
from logistics.rollups import FIGURE_FIELDS, logistics_rollup, logistics_rollup_figures
from logistics.selectors import logistics_required, logistics_rollup_rows
from readiness import codes, sections
from readiness.models import (
    COUNTED_STATUSES,
    TPS,
    Contest,
    ContestKind,
    DailyReport,
    Region,
    ReportStatus,
    Role,
    User,
)

from ..factories import (
    DailyReportFactory,
    RegionFactory,
    TPSFactory,
    UserFactory,
    regions_bulk_create,
)
from ..rollup_checks import assert_chains_add_up_stored_children


def rollup_everything(day):
    """What a rebuild does: every active region of each level, kecamatan first, one call each."""
    for level in (3, 2, 1):
        logistics_rollup(
            region_codes=list(
                Region.objects.filter(level=level, is_active=True).values_list("code", flat=True)
            ),
            day=day,
        )


def chain_of(code):
    """The region and its ancestors, coarsest first: [provinsi, kab/kota, kecamatan]."""
    return [*codes.ancestor_codes(code), code]


def rollup_chain(code, day):
    """What one submission does: the region and its ancestors, in one call."""
    logistics_rollup(region_codes=chain_of(code), day=day)


def rollup_levels_apart(code, day):
    """The chain as the engine used to roll it up: one call per level, kecamatan first."""
    for ancestor in reversed(chain_of(code)):
        logistics_rollup(region_codes=[ancestor], day=day)


def stored(day, *fields):
    fields = fields or FIGURE_FIELDS
    return {
        (row["region_id"], row["item__code"]): tuple(row[field] for field in fields)
        for row in LogisticsRollup.objects.filter(day=day).values(
            "region_id", "item__code", *fields
        )
    }


@pytest.fixture
def two_items(db):
    LogisticsItem.objects.exclude(code__in=["kotak-suara", "tinta"]).update(is_active=False)


@pytest.fixture
def desk(tree):
    return UserFactory(username="desk.rollup", role=Role.OFFICER, region=tree["64"])


@pytest.fixture
def file(tree, desk):
    """file(code, day, status=…, item=figures, …): a report of that status with those lines."""

    def make(code, day, status=ReportStatus.SUBMITTED, **lines):
        report = DailyReportFactory(
            region=tree[code],
            day=day,
            status=status,
            submitted_by=desk,
            submitted_at=None if status == ReportStatus.DRAFT else dt.datetime.now(dt.UTC),
            updated_at=dt.datetime.now(dt.UTC),
        )
        for item, figures in lines.items():
            LogisticsLine.objects.create(
                report=report,
                item=LogisticsItem.objects.get(code=item.replace("_", "-")),
                updated_by=desk,
                **figures,
            )
        return report

    return make


def kpps(quantity):
    return {"received_ppk": quantity, "distributed_pps": quantity, "received_kpps": quantity}


def test_required_equals_logistics_required_for_every_region(tree, day):
    rollup_everything(day)
    rows = stored(day, "required")
    assert {code for code, _item in rows} == {
        "64",
        "64.71",
        "64.72",
        "64.71.01",
        "64.71.06",
        "64.72.01",
    }
    for code in ("64", "64.71", "64.72", "64.71.06"):
        for item, quantity in logistics_required(region_code=code, day=day).items():
            assert rows[code, item] == (quantity,), (code, item)


def test_a_stale_figure_counts_and_is_marked_stale(two_items, file, day):
    file("64.71.06", day - dt.timedelta(days=1), kotak_suara=kpps(12))
    rollup_chain("64.71.06", day)
    figures = stored(day, "received_kpps", "units_reporting", "stale_units", "units_complete")
    assert figures["64.71.06", "kotak-suara"] == (12, 1, 1, 1)
    assert figures["64.71", "kotak-suara"] == (12, 1, 1, 1)
    assert figures["64.71.06", "tinta"] == (0, 0, 0, 0)  # no line: nothing said about ink


def test_the_latest_counted_report_is_the_desks_whole_word(two_items, file, day):
    file("64.71.06", day - dt.timedelta(days=1), kotak_suara=kpps(12), tinta=kpps(12))
    file("64.71.06", day, kotak_suara=kpps(10))  # today's report says nothing about ink
    rollup_chain("64.71.06", day)
    figures = stored(day, "received_kpps", "stale_units")
    assert figures["64.71.06", "kotak-suara"] == (10, 0)
    assert figures["64.71.06", "tinta"] == (0, 0)


@pytest.mark.parametrize("status", [ReportStatus.RETURNED, ReportStatus.DRAFT])
def test_a_returned_or_draft_report_does_not_count(two_items, file, day, status):
    file("64.71.06", day - dt.timedelta(days=1), kotak_suara=kpps(5))
    file("64.71.06", day, status=status, kotak_suara=kpps(12))
    rollup_chain("64.71.06", day)
    # The previous counted report stands: 5 boxes, from yesterday.
    assert stored(day, "received_kpps", "stale_units")["64.71.06", "kotak-suara"] == (5, 1)


def test_the_warehouse_comes_only_from_the_kabkota_desk(two_items, file, day):
    file("64.71", day, kotak_suara={"warehouse": 100, "damaged": 1})
    # A kecamatan line with a warehouse figure (written around the service) is not counted.
    file("64.71.06", day, kotak_suara={**kpps(12), "warehouse": 50, "damaged": 2})
    rollup_chain("64.71.06", day)
    figures = stored(day, "warehouse", "received_kpps", "damaged", "units_reporting")
    assert figures["64.71.06", "kotak-suara"] == (0, 12, 2, 1)
    assert figures["64.71", "kotak-suara"] == (100, 12, 3, 2)
    assert figures["64", "kotak-suara"] == (100, 12, 3, 2)


def test_a_kabkota_is_its_kecamatan_plus_its_warehouse_and_a_province_its_kabkota(
    two_items, file, day
):
    file("64.71", day, tinta={"warehouse": 30, "short": 4})
    file("64.72", day, tinta={"warehouse": 7})
    file("64.71.01", day, tinta={"received_ppk": 12, "distributed_pps": 11, "received_kpps": 9})
    file("64.71.06", day, tinta=kpps(12))
    file("64.72.01", day, tinta={"received_ppk": 4, "short": 1})
    rollup_everything(day)
    fields = ("required", "warehouse", "received_ppk", "distributed_pps", "received_kpps", "short")
    figures = stored(day, *fields)
    assert figures["64.71", "tinta"] == (24, 30, 24, 23, 21, 4)
    assert figures["64.72", "tinta"] == (4, 7, 4, 0, 0, 1)
    assert figures["64", "tinta"] == tuple(
        a + b for a, b in zip(figures["64.71", "tinta"], figures["64.72", "tinta"], strict=True)
    )


@pytest.mark.parametrize(
    ("received", "complete"),
    [
        # (64.71.01, 64.71.06, 64.72.01) boxes and bottles at the TPS → lengkap (64.71, 64)
        ((0, 0, 0), (False, False)),
        ((12, 11, 4), (False, False)),  # 64.71.06 one short
        ((12, 12, 3), (True, False)),  # Balikpapan complete, Samarinda not
        ((12, 13, 4), (True, True)),
    ],
)
def test_logistik_lengkap_counts_each_kecamatan(two_items, file, day, received, complete):
    for code, quantity in zip(("64.71.01", "64.71.06", "64.72.01"), received, strict=True):
        file(code, day, kotak_suara=kpps(quantity), tinta=kpps(quantity))
    rollup_everything(day)
    figures = logistics_rollup_figures(region_codes=["64.71", "64"], day=day)
    assert (figures["64.71"]["complete"], figures["64"]["complete"]) == complete
    units = stored(day, "units_complete", "units_expected")
    assert units["64", "tinta"][1] == 3
    assert units["64", "tinta"][0] == sum(
        quantity >= need for quantity, need in zip(received, (12, 12, 4), strict=True)
    )


def test_a_surplus_in_one_kecamatan_does_not_hide_a_shortfall_in_another(two_items, file, day):
    file("64.71.01", day, kotak_suara=kpps(20), tinta=kpps(20))
    file("64.71.06", day, kotak_suara=kpps(4), tinta=kpps(12))
    rollup_everything(day)
    region = logistics_rollup_rows(region_codes=["64.71"], day=day)["64.71"]
    boxes = next(item for item in region.items if item.item.code == "kotak-suara")
    assert (boxes.received_kpps, boxes.required, boxes.percents["received_kpps"]) == (24, 24, 100)
    assert (boxes.units_complete, boxes.units_expected, boxes.is_complete) == (1, 2, False)
    assert not region.is_complete


def test_nothing_required_is_not_lengkap(two_items, tree, day):
    Contest.objects.all().delete()
    rollup_everything(day)
    assert logistics_rollup_figures(region_codes=["64"], day=day)["64"]["complete"] is False


def test_rows_give_percentages_rounded_down_and_the_stages_of_the_level(two_items, file, day):
    file("64.71", day, tinta={"warehouse": 23})
    file("64.71.06", day, tinta={"received_ppk": 11, "distributed_pps": 8})
    rollup_everything(day)
    rows = logistics_rollup_rows(region_codes=["64.71.06", "64.71", "64.99"], day=day)
    assert set(rows) == {"64.71.06", "64.71"}
    kecamatan = next(item for item in rows["64.71.06"].items if item.item.code == "tinta")
    assert kecamatan.percents == {"received_ppk": 91, "distributed_pps": 66, "received_kpps": 0}
    kabkota = next(item for item in rows["64.71"].items if item.item.code == "tinta")
    assert kabkota.percents["warehouse"] == 95  # 23 of 24: never rounded up to 100
    assert [item.item.code for item in rows["64.71"].items] == ["kotak-suara", "tinta"]


def test_figures_are_flat_and_json_safe(two_items, file, day):
    file("64.71.06", day, tinta=kpps(12))
    rollup_chain("64.71.06", day)
    figures = logistics_rollup_figures(region_codes=["64.71.06", "64.72.01"], day=day)
    assert set(figures) == {"64.71.06"}
    assert figures["64.71.06"]["tinta.received_kpps"] == 12
    assert figures["64.71.06"]["tinta.required"] == 12
    assert figures["64.71.06"]["complete"] is False  # the boxes are missing
    assert json.loads(json.dumps(figures)) == figures
    merged = sections.section_rollup_figures(region_codes=["64.71.06"], day=day)
    assert merged["64.71.06"]["logistics.tinta.units_complete"] == 1


def test_running_twice_gives_the_same_rows(file, day):
    file("64.71", day, surat_suara={"warehouse": 9000})
    file("64.71.06", day, surat_suara=kpps(5052), tinta={"received_ppk": 3})
    rollup_everything(day)
    first = stored(day)
    rollup_everything(day)
    rollup_chain("64.71.06", day)
    assert stored(day) == first
    assert LogisticsRollup.objects.filter(day=day).count() == 6 * 7


def test_inactive_items_and_regions_have_no_rows(file, day, tree):
    rollup_everything(day)
    LogisticsItem.objects.filter(code="segel").update(is_active=False)
    Region.objects.filter(code="64.71.01").update(is_active=False)
    TPS.objects.filter(desa_id="64.71.06.1001").update(is_active=False)
    rollup_everything(day)
    rows = stored(day, "required", "units_expected")
    assert {code for code, item in rows if item == "segel"} == {"64.71.01"}
    # 64.71.01's rows are left from before: an inactive region is not recomputed any more.
    # 64.71.06 has 3 active TPS left; 64.71.01 no longer counts in its kota.
    assert rows["64.71", "tinta"] == (6, 1)
    assert rows["64", "tinta"] == (6 + 4, 2)
    logistics_rollup(region_codes=["64.71.01"], day=day + dt.timedelta(days=1))
    assert not LogisticsRollup.objects.filter(day=day + dt.timedelta(days=1)).exists()


def test_many_targets_are_filtered_by_province_and_give_the_same_rows(tree, desk, day):
    kecamatan = [f"64.71.{number:02d}" for number in range(10, 70)]
    for code in kecamatan:
        RegionFactory(code=code)
        TPSFactory(desa=RegionFactory(code=f"{code}.1001"), number=1)
    for index, code in enumerate(kecamatan[::3]):
        report = DailyReportFactory(region_id=code, day=day, submitted_by=desk)
        LogisticsLine.objects.create(
            report=report,
            item=LogisticsItem.objects.get(code="tinta"),
            updated_by=desk,
            **kpps(index),
        )
    logistics_rollup(region_codes=kecamatan[:55], day=day)  # > 50: province prefixes
    at_once = stored(day)
    assert {code for code, _item in at_once} == set(kecamatan[:55])
    LogisticsRollup.objects.all().delete()
    for code in kecamatan[:55]:
        logistics_rollup(region_codes=[code], day=day)
    assert stored(day) == at_once


def test_query_count_does_not_grow_with_the_number_of_regions(
    tree, desk, day, django_assert_max_num_queries
):
    kecamatan = [f"64.72.{number:02d}" for number in range(10, 40)]
    for code in kecamatan:
        RegionFactory(code=code)
        desa = RegionFactory(code=f"{code}.1001")
        TPSFactory(desa=desa, number=1)
        report = DailyReportFactory(region_id=code, day=day, submitted_by=desk)
        LogisticsLine.objects.create(
            report=report,
            item=LogisticsItem.objects.get(code="tinta"),
            updated_by=desk,
            **kpps(2),
        )
    # items, regions, TPS, contests, lines, delete, upsert (+ savepoint and release)
    with django_assert_max_num_queries(9):
        logistics_rollup(region_codes=kecamatan[:3], day=day)
    with django_assert_max_num_queries(9):
        logistics_rollup(region_codes=kecamatan, day=day)
    with django_assert_max_num_queries(9):
        logistics_rollup(region_codes=["64.71", "64.72"], day=day)
    with django_assert_max_num_queries(9):
        logistics_rollup(region_codes=["64", "64.71", "64.72", *kecamatan], day=day)
    with django_assert_max_num_queries(1):
        logistics_rollup_rows(region_codes=kecamatan, day=day)
    with django_assert_max_num_queries(1):
        logistics_rollup_figures(region_codes=kecamatan, day=day)
    assert len(stored(day)) == (30 + 2 + 1) * 7


@pytest.fixture
def reports_everywhere(file, day):
    """Lines from every desk of the tree, today and yesterday, warehouse strays included."""
    yesterday = day - dt.timedelta(days=1)
    file("64.71", day, kotak_suara={"warehouse": 20, "damaged": 1}, tinta={"warehouse": 9})
    file("64.72", yesterday, tinta={"warehouse": 3, "short": 2})
    file("64.71.01", day, kotak_suara=kpps(12), tinta={**kpps(11), "warehouse": 40})
    file("64.71.06", yesterday, kotak_suara=kpps(13), tinta={"received_ppk": 5})
    file("64.71.06", day, status=ReportStatus.RETURNED, kotak_suara=kpps(1))
    file("64.72.01", day, kotak_suara={**kpps(4), "short": 1}, tinta=kpps(4))


@pytest.mark.parametrize("kecamatan", ["64.71.01", "64.71.06", "64.72.01"])
@pytest.mark.parametrize("inactive", [None, "64.71", "64.71.06", "64"])
def test_a_chain_in_one_call_writes_what_the_levels_apart_write(
    two_items, reports_everywhere, day, kecamatan, inactive
):
    if inactive:
        Region.objects.filter(code=inactive).update(is_active=False)
    rollup_levels_apart(kecamatan, day)
    apart = stored(day)
    assert {code for code, _item in apart} == {
        code for code in chain_of(kecamatan) if code != inactive
    }
    LogisticsRollup.objects.all().delete()
    rollup_chain(kecamatan, day)
    assert stored(day) == apart
    # In any order, with the chain's inactive regions still in the list: the same rows.
    LogisticsRollup.objects.all().delete()
    logistics_rollup(region_codes=list(reversed(chain_of(kecamatan))), day=day)
    assert stored(day) == apart


def test_regions_of_mixed_levels_from_different_subtrees_in_one_call(
    two_items, reports_everywhere, day
):
    rollup_everything(day)
    everything = stored(day)
    for mixed in (["64.72", "64.71.06"], ["64", "64.71.01"], ["64.71", "64.72", "64.72.01"]):
        LogisticsRollup.objects.all().delete()
        logistics_rollup(region_codes=mixed, day=day)
        assert stored(day) == {key: row for key, row in everything.items() if key[0] in mixed}
    figures = everything["64.71", "kotak-suara"]
    # 64.71's own warehouse; 64.71.01's stray warehouse on tinta is not counted.
    assert dict(zip(FIGURE_FIELDS, figures, strict=True)) == {
        **dict.fromkeys(FIGURE_FIELDS, 0),
        "required": 24,
        "warehouse": 20,
        "received_ppk": 25,
        "distributed_pps": 25,
        "received_kpps": 25,
        "damaged": 1,
        "units_reporting": 3,
        "stale_units": 1,
        "units_expected": 2,
        "units_complete": 2,
    }
    assert everything["64.71", "tinta"][FIGURE_FIELDS.index("warehouse")] == 9


def test_a_chain_runs_the_statements_of_one_level_not_three(
    two_items, reports_everywhere, day, django_assert_max_num_queries
):
    single = {}
    for code in chain_of("64.71.06"):
        with CaptureQueriesContext(connection) as captured:
            logistics_rollup(region_codes=[code], day=day)
        single[code] = len(captured)
    assert len(set(single.values())) == 1, single  # as many for each level
    LogisticsRollup.objects.all().delete()
    with django_assert_max_num_queries(min(single.values())):
        rollup_chain("64.71.06", day)
    assert {code for code, _item in stored(day)} == set(chain_of("64.71.06"))


def test_the_readiness_engine_rolls_logistics_up(two_items, file, day):
    from readiness.rollups import rollup_region_and_ancestors

    file("64.71.06", day, tinta=kpps(12))
    rollup_region_and_ancestors(region_code="64.71.06", day=day)
    figures = stored(day, "received_kpps")
    assert {code for code, _item in figures} == {"64", "64.71", "64.71.06"}
    assert figures["64", "tinta"] == (12,)

    from readiness.rollups import rollup_rebuild_day

    rollup_rebuild_day(day=day)
    rebuilt = stored(day)
    assert len(rebuilt) == 6 * 2
    rollup_everything(day)
    assert stored(day) == rebuilt


# ---- property: the rollup equals a naive reference -------------------------------------------

DAYS = [dt.date(2024, 11, 21), dt.date(2024, 11, 22), dt.date(2024, 11, 23)]
ACTIVE_ITEMS = ["surat-suara", "kotak-suara", "tinta"]
LINE_ITEMS = [*ACTIVE_ITEMS, "segel"]  # segel is made inactive: its lines must not count
STATUSES = list(ReportStatus.values)


@st.composite
def chain_figures(draw):
    """(warehouse, received_ppk, distributed_pps, received_kpps, damaged, short), stages in order
    as the check constraints want; a stray warehouse on a kecamatan line too."""
    maybe = st.none() | st.integers(0, 40)
    ppk = draw(maybe)
    pps = draw(st.none() | st.integers(0, ppk or 0))
    kpps = draw(st.none() | st.integers(0, pps or 0))
    return (draw(maybe), ppk, pps, kpps, draw(maybe), draw(maybe))


@st.composite
def worlds(draw):
    """A forest of 1-2 provinces with contests, TPS, reports and lines over three days."""
    regions, stations, contests = [], [], {}
    for province_index in range(draw(st.integers(1, 2))):
        province = f"{61 + province_index}"
        regions.append((province, True))
        contests[province] = draw(st.none() | st.tuples(st.integers(0, 2), st.integers(0, 2)))
        for kab_index in range(draw(st.integers(1, 2))):
            kab = f"{province}.{kab_index + 1:02d}"
            regions.append((kab, draw(st.integers(0, 3)) > 0))
            contests[kab] = draw(st.none() | st.tuples(st.integers(0, 2), st.integers(0, 2)))
            for kec_index in range(draw(st.integers(1, 3))):
                kec = f"{kab}.{kec_index + 1:02d}"
                regions.append((kec, draw(st.integers(0, 4)) > 0))
                desa = f"{kec}.2001"
                regions.append((desa, True))
                for number in range(1, draw(st.integers(0, 3)) + 1):
                    stations.append(
                        (desa, number, draw(st.integers(0, 12)), draw(st.integers(0, 4)) > 0)
                    )
    desks = [code for code, _active in regions if codes.level_of(code) in (2, 3)]
    reports = draw(
        st.dictionaries(
            st.tuples(st.sampled_from(desks), st.sampled_from(DAYS)),
            st.sampled_from(STATUSES),
            max_size=20,
        )
    )
    lines = {}
    for desk_code, day in reports:
        for item in draw(st.sets(st.sampled_from(LINE_ITEMS), max_size=4)):
            figures = draw(chain_figures())
            if codes.level_of(desk_code) == 2:  # a kab/kota desk: warehouse and issues
                figures = (figures[0], None, None, None, *figures[4:])
            lines[desk_code, day, item] = figures
    return regions, stations, contests, reports, lines


def naive_rollups(world, items, day):
    """{(region, item): figures} for every active region of levels 1-3, the slow obvious way."""
    regions, stations, contests, reports, lines = world

    def under(code, region):
        return code == region or code.startswith(f"{region}.")

    def held(desa):
        return sum(
            1
            for holder, period in contests.items()
            if period
            and holder in (desa[:2], desa[:5])
            and DAYS[min(period)] <= day <= DAYS[max(period)]
        )

    def need(item, kecamatan):
        total = 0
        for desa, _number, dpt, on in stations:
            if not on or not under(desa, kecamatan) or not held(desa):
                continue
            if item.rule == QuantityRule.PER_TPS:
                total += int(item.parameter)
            elif item.rule == QuantityRule.PER_TPS_PER_CONTEST:
                total += int(item.parameter) * held(desa)
            else:
                total += math.ceil(Decimal(dpt) * (1 + item.parameter / 100)) * held(desa)
        return total

    def latest(desk):
        days = [
            d for (c, d), s in reports.items() if c == desk and d <= day and s in COUNTED_STATUSES
        ]
        return max(days, default=None)

    expected = {}
    for region, is_active in regions:
        if not is_active or codes.level_of(region) > 3:
            continue
        kecamatan = [k for k, on in regions if on and codes.level_of(k) == 3 and under(k, region)]
        desks = [d for d, on in regions if on and codes.level_of(d) in (2, 3) and under(d, region)]
        for item in items:
            figures = dict.fromkeys(FIGURE_FIELDS, 0)
            kpps = {}
            for desk in desks:
                report_day = latest(desk)
                line = lines.get((desk, report_day, item.code))
                if line is None:
                    continue
                own = dict(zip(QUANTITY_FIELDS, line, strict=True))
                mine = STAGES_BY_LEVEL[codes.level_of(desk)] + ("damaged", "short")
                own = {field: value for field, value in own.items() if field in mine}
                if all(value is None for value in own.values()):
                    continue
                for field, value in own.items():
                    figures[field] += value or 0
                figures["units_reporting"] += 1
                figures["stale_units"] += report_day < day
                kpps[desk] = own.get("received_kpps") or 0
            for k in kecamatan:
                needed = need(item, k)
                figures["required"] += needed
                if needed:
                    figures["units_expected"] += 1
                    figures["units_complete"] += kpps.get(k, 0) >= needed
            expected[region, item.code] = tuple(figures[field] for field in FIGURE_FIELDS)
    return expected


def naive_lengkap(expected):
    by_region = {}
    for (region, _item), figures in expected.items():
        by_region.setdefault(region, []).append(dict(zip(FIGURE_FIELDS, figures, strict=True)))
    return {
        region: all(f["units_complete"] == f["units_expected"] for f in rows)
        and any(f["units_expected"] for f in rows)
        for region, rows in by_region.items()
    }


class LogisticsRollupEqualsNaiveReference(TestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(worlds(), st.data())
    def test_rebuild_and_incremental_equal_the_reference(self, world, data):
        regions, stations, contests, reports, lines = world
        LogisticsItem.objects.exclude(code__in=ACTIVE_ITEMS).update(is_active=False)
        items = list(LogisticsItem.objects.filter(is_active=True))
        desk = User.objects.create(username="desk", role=Role.ADMIN, region=None)
        regions_bulk_create(regions)
        TPS.objects.bulk_create(
            TPS(desa_id=desa, number=number, dpt_male=dpt, dpt_female=0, is_active=on)
            for desa, number, dpt, on in stations
        )
        Contest.objects.bulk_create(
            Contest(
                region_id=holder,
                kind=ContestKind.GOVERNOR if "." not in holder else ContestKind.REGENT,
                voting_day=DAYS[min(period)],
                reporting_start=DAYS[min(period)],
                reporting_end=DAYS[max(period)],
            )
            for holder, period in contests.items()
            if period
        )
        now = dt.datetime(2024, 11, 23, 8, tzinfo=dt.UTC)
        saved = {
            (report.region_id, report.day): report
            for report in DailyReport.objects.bulk_create(
                DailyReport(
                    region_id=code,
                    day=day,
                    status=status,
                    created_by=desk,
                    updated_by=desk,
                    updated_at=now,
                    submitted_by=None if status == ReportStatus.DRAFT else desk,
                    submitted_at=None if status == ReportStatus.DRAFT else now,
                )
                for (code, day), status in reports.items()
            )
        }
        catalogue = {item.code: item for item in LogisticsItem.objects.all()}
        LogisticsLine.objects.bulk_create(
            LogisticsLine(
                report_id=saved[code, day].pk,
                item=catalogue[item],
                updated_by=desk,
                **dict(zip(QUANTITY_FIELDS, figures, strict=True)),
            )
            for (code, day, item), figures in lines.items()
        )

        rolled_up = [code for code, _on in regions if codes.level_of(code) <= 3]
        active = [code for code, on in regions if on and codes.level_of(code) <= 3]
        for day in DAYS:
            expected = naive_rollups(world, items, day)

            rollup_everything(day)
            self.assertEqual(stored(day), expected, f"rebuild of {day}")
            figures = logistics_rollup_figures(region_codes=active, day=day)
            self.assertEqual(
                {code: f["complete"] for code, f in figures.items()},
                naive_lengkap(expected),
                f"lengkap on {day}",
            )

            # One submission's chain, in one call of mixed levels: exactly its active regions'
            # rows, those of the reference (so those of the levels apart), and no other rows.
            for code in rolled_up:
                if codes.level_of(code) != 3:
                    continue
                LogisticsRollup.objects.filter(day=day).delete()
                rollup_chain(code, day)
                chain = set(chain_of(code))
                self.assertEqual(
                    stored(day),
                    {key: row for key, row in expected.items() if key[0] in chain},
                    f"chain of {code} in one call on {day}",
                )

            # Any regions of any levels at once, inactive ones among them, in any order.
            mixed = data.draw(st.lists(st.sampled_from(rolled_up), unique=True), label="mixed")
            LogisticsRollup.objects.filter(day=day).delete()
            logistics_rollup(region_codes=mixed, day=day)
            self.assertEqual(
                stored(day),
                {key: row for key, row in expected.items() if key[0] in mixed},
                f"mixed call {mixed} on {day}",
            )

            LogisticsRollup.objects.filter(day=day).delete()
            for code in active:
                if codes.level_of(code) == 3:
                    rollup_levels_apart(code, day)
            for code in active:
                logistics_rollup(region_codes=[code], day=day)
            self.assertEqual(stored(day), expected, f"incremental rollups of {day}")

            if day == DAYS[-1]:  # the engine's path, once per example (a rebuild per chain)
                assert_chains_add_up_stored_children(
                    self, LogisticsRollup, stored, expected, regions, day
                )
