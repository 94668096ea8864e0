import pytest

from indicators.models import Aggregation, Indicator
from readiness.selectors import local_today
from readiness.services import daily_report_draft

# The seeded catalogue (migration 0002), by the levels that report each indicator.
KECAMATAN_CODES = ["sosialisasi", "bimtek-sirekap", "apk-dibersihkan", "pemilih-pindahan"]
KABKOTA_CODES = [
    "hibah-kpu",
    "hibah-bawaslu",
    "hibah-polri",
    "hibah-tni",
    *KECAMATAN_CODES,
]


@pytest.fixture
def draft(officer):
    """Today's draft report of kecamatan Balikpapan Kota."""
    return daily_report_draft(
        officer=officer, region=officer.region, day=local_today(officer.region_id)
    )


@pytest.fixture
def city_draft(city_officer):
    """Today's draft report of Kota Balikpapan."""
    return daily_report_draft(
        officer=city_officer, region=city_officer.region, day=local_today("64.71")
    )


def make_indicators(count: int, *, start: int = 0, **fields) -> list[Indicator]:
    """`count` extra kecamatan indicators ("extra-0", "extra-1", …), counted per day."""
    defaults = {
        "unit": "kegiatan",
        "aggregation": Aggregation.SUM,
        "for_kecamatan": True,
        "sort_order": 900,
        **fields,
    }
    return Indicator.objects.bulk_create(
        Indicator(code=f"extra-{n}", name=f"Indikator tambahan {n}", **defaults)
        for n in range(start, start + count)
    )
