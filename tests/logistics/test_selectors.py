"""Required quantities, hand-computed from the tree of tests/conftest.py.

The tree's contests: governor of 64, mayors of 64.71 and 64.72, all on `day`. Every TPS there
has DPT 200 + 210 = 410, so one contest needs ceil(410 × 1.025) = ceil(420.25)
= 421 ballots per TPS. Catalogue (the seeded defaults): ballots DPT + 2.5% per contest, box 1
per contest, booth 4, ink 2, seal 10 per contest, forms 1 set per contest, supplies 1 set.
"""

import datetime as dt
from decimal import Decimal

import pytest

from logistics.models import LogisticsItem, QuantityRule
from logistics.selectors import logistics_required, stage_order_problems
from readiness.models import TPS, Contest, ContestKind

from ..factories import ContestFactory, RegionFactory, TPSFactory


def required(region_code, day):
    return logistics_required(region_code=region_code, day=day)


def test_kecamatan_with_one_contest(governor_only):
    # 6 TPS in kecamatan 64.71.06, one contest (governor).
    assert required("64.71.06", governor_only) == {
        "surat-suara": 6 * 421,
        "kotak-suara": 6,
        "bilik-suara": 6 * 4,
        "tinta": 6 * 2,
        "segel": 6 * 10,
        "formulir": 6,
        "perlengkapan-pendukung": 6,
    }


def test_kecamatan_with_two_contests(day):
    # The same 6 TPS also elect Balikpapan's mayor: per-contest items double, the rest do not.
    assert required("64.71.06", day) == {
        "surat-suara": 5052,  # 6 × 421 × 2
        "kotak-suara": 12,
        "bilik-suara": 24,
        "tinta": 12,
        "segel": 120,
        "formulir": 12,
        "perlengkapan-pendukung": 6,
    }


def test_kabkota_sums_its_kecamatan(day):
    result = required("64.71", day)  # 12 TPS, two contests
    assert (result["surat-suara"], result["kotak-suara"], result["bilik-suara"]) == (10104, 24, 48)


def test_province_mixes_kabkota_with_different_contest_counts(day):
    # 64.71: 12 TPS × 2 contests; 64.72, once its mayor election is gone: 2 TPS × 1 contest.
    Contest.objects.filter(region_id="64.72").delete()
    result = required("64", day)
    assert result["surat-suara"] == 12 * 421 * 2 + 2 * 421 == 10946
    assert result["kotak-suara"] == 24 + 2
    assert result["segel"] == 240 + 20
    assert result["bilik-suara"] == 14 * 4


def test_ballot_reserve_is_rounded_up_per_tps(tree, governor_only):
    kecamatan = RegionFactory(code="64.71.02")
    desa = RegionFactory(code="64.71.02.1001")
    for number in (1, 2):
        TPSFactory(desa=desa, number=number, dpt_male=200, dpt_female=201)
    TPSFactory(desa=desa, number=3, dpt_male=200, dpt_female=200)  # 410 exactly, no rounding
    # 401 × 1.025 = 411.025 → 412 each; summing first would give ceil(802 × 1.025) = 823.
    assert required(kecamatan.code, governor_only)["surat-suara"] == 412 + 412 + 410


def test_only_contests_running_that_day_count(tree, governor_only):
    day = governor_only
    ContestFactory(  # a re-run whose reporting period starts later
        region=tree["64.71"],
        kind=ContestKind.MAYOR,
        voting_day=day + dt.timedelta(days=60),
        reporting_start=day + dt.timedelta(days=20),
    )
    ContestFactory(region=tree["64.72"], kind=ContestKind.MAYOR, voting_day=day)  # next door
    assert required("64.71.06", day)["kotak-suara"] == 6


def test_nothing_is_required_without_a_contest(tree):
    result = logistics_required(region_code="64.71.06", day=dt.date(2024, 11, 27))
    assert set(result.values()) == {0}
    assert len(result) == 7


def test_inactive_tps_and_inactive_items_are_left_out(governor_only):
    TPS.objects.filter(desa_id="64.71.06.1001", number=1).update(is_active=False)
    LogisticsItem.objects.filter(code="tinta").update(is_active=False)
    result = required("64.71.06", governor_only)
    assert result["kotak-suara"] == 5
    assert "tinta" not in result


def test_items_with_different_reserves_are_summed_separately(governor_only):
    LogisticsItem.objects.create(
        code="surat-suara-latihan",
        name="Surat suara latihan",
        unit="lembar",
        rule=QuantityRule.DPT_PLUS_PERCENT_PER_CONTEST,
        parameter=Decimal("10"),
    )
    result = required("64.71.06", governor_only)
    assert result["surat-suara-latihan"] == 6 * 451  # 410 × 1.1 = 451
    assert result["surat-suara"] == 6 * 421


def test_required_takes_three_queries_whatever_the_number_of_tps(day, django_assert_num_queries):
    with django_assert_num_queries(3):
        required("64", day)
    desa = RegionFactory(code="64.71.06.1003")
    TPS.objects.bulk_create(
        TPS(desa=desa, number=number, dpt_male=200, dpt_female=210) for number in range(1, 301)
    )
    with django_assert_num_queries(3):
        result = required("64", day)
    assert result["kotak-suara"] == 24 + 4 + 300 * 2  # 64.71: 12 TPS × 2; 64.72: 2 TPS × 2


@pytest.mark.parametrize(
    ("values", "flagged"),
    [
        ({"received_ppk": 10, "distributed_pps": 10, "received_kpps": 9}, []),
        ({"received_ppk": 10, "distributed_pps": 11, "received_kpps": 11}, ["distributed_pps"]),
        ({"received_ppk": None, "distributed_pps": 5}, ["distributed_pps"]),
        ({"received_ppk": None, "distributed_pps": 0}, []),
        ({"received_ppk": 3, "distributed_pps": None, "received_kpps": 1}, ["received_kpps"]),
    ],
)
def test_stage_order(values, flagged):
    stages = ("received_ppk", "distributed_pps", "received_kpps")
    assert list(stage_order_problems(stages=stages, values=values)) == flagged
