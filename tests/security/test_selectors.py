"""Required personnel, computed from the registry and the catalogue's norms."""

import pytest

from readiness.models import Vulnerability
from security.models import PersonnelCategory
from security.selectors import personnel_required, personnel_section

from ..factories import TPSFactory

# The tree (tests/conftest.py) with TPS 2 rawan and TPS 3 sangat rawan in 64.71.06.1001, the
# other 12 TPS kurang rawan. Seeded norms: KPPS 7/TPS, Linmas 2/TPS, Pengawas 1/TPS, PPS 3/desa,
# PPK 5/kecamatan, Polri 1/2/2 and TNI 0/1/2 per TPS by class, Satpol PP and BPBD none.
EXPECTED = {
    # 6 TPS (4 + 1 rawan + 1 sangat rawan), 2 kelurahan, 1 kecamatan.
    "64.71.06": {
        "kpps": 42,
        "linmas": 12,
        "pengawas-tps": 6,
        "pps": 6,
        "ppk": 5,
        "polri": 4 * 1 + 2 + 2,
        "tni": 4 * 0 + 1 + 2,
        "satpol-pp": 0,
        "bpbd": 0,
    },
    # 12 TPS (10 + 1 + 1), 4 kelurahan, 2 kecamatan.
    "64.71": {
        "kpps": 84,
        "linmas": 24,
        "pengawas-tps": 12,
        "pps": 12,
        "ppk": 10,
        "polri": 10 + 2 + 2,
        "tni": 0 + 1 + 2,
        "satpol-pp": 0,
        "bpbd": 0,
    },
    # 14 TPS (12 + 1 + 1), 5 kelurahan, 3 kecamatan.
    "64": {
        "kpps": 98,
        "linmas": 28,
        "pengawas-tps": 14,
        "pps": 15,
        "ppk": 15,
        "polri": 12 + 2 + 2,
        "tni": 0 + 1 + 2,
        "satpol-pp": 0,
        "bpbd": 0,
    },
    # A kelurahan: 3 TPS (1 + 1 + 1), itself, no kecamatan.
    "64.71.06.1001": {
        "kpps": 21,
        "linmas": 6,
        "pengawas-tps": 3,
        "pps": 3,
        "ppk": 0,
        "polri": 1 + 2 + 2,
        "tni": 0 + 1 + 2,
        "satpol-pp": 0,
        "bpbd": 0,
    },
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_required_personnel_for_a_small_tree(vulnerable_tree, code, django_assert_num_queries):
    with django_assert_num_queries(3):
        assert personnel_required(region_code=code) == EXPECTED[code]


def test_required_personnel_takes_three_queries_however_big_the_region(
    vulnerable_tree, django_assert_num_queries
):
    for number in range(4, 40):
        TPSFactory(
            desa=vulnerable_tree["64.71.06.1002"],
            number=number,
            vulnerability=Vulnerability.VULNERABLE,
        )
    with django_assert_num_queries(3):
        required = personnel_required(region_code="64")
    assert required["kpps"] == 7 * (14 + 36)
    assert required["polri"] == 16 + 2 * 36


def test_inactive_tps_regions_and_categories_do_not_count(vulnerable_tree):
    tps = vulnerable_tree["64.71.06.1002"].tps_set.first()
    tps.is_active = False
    tps.save()
    desa = vulnerable_tree["64.71.06.1002"]
    desa.is_active = False
    desa.save()
    PersonnelCategory.objects.filter(code="bpbd").update(is_active=False)

    required = personnel_required(region_code="64.71.06")
    assert (required["kpps"], required["pps"]) == (35, 3)
    assert "bpbd" not in required


def test_norms_are_configurable(vulnerable_tree):
    PersonnelCategory.objects.filter(code="polri").update(
        per_tps_low=0, per_tps_vulnerable=3, per_tps_highly_vulnerable=4
    )
    assert personnel_required(region_code="64.71.06")["polri"] == 3 + 4


def test_section_rows_carry_required_and_a_plausible_maximum(vulnerable_tree):
    section = personnel_section(region_code="64.71.06", report=None)
    rows = {row.category.code: row for row in section.rows}
    assert [row.category.code for row in section.rows][:3] == ["kpps", "linmas", "pengawas-tps"]
    assert rows["kpps"].required == 42
    assert rows["kpps"].maximum == 3 * 42
    assert rows["bpbd"].maximum == 50  # no norm: the floor
    assert section.counts.tps == 6
