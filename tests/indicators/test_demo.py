import pytest
from django.core.management import call_command

from indicators.models import IndicatorRollup, IndicatorValue
from indicators.rollups import indicator_rollup_figures
from readiness.selectors import local_today


@pytest.mark.django_db
def test_the_demo_reports_indicators_and_they_roll_up(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    values = IndicatorValue.objects.count()
    call_command("seed_demo")

    assert values and IndicatorValue.objects.count() == values  # idempotent
    # Grants come from the kab/kota and province desks, events from kecamatan and kab/kota.
    assert not IndicatorValue.objects.filter(
        indicator__code="hibah-kpu", report__region__level=3
    ).exists()
    assert IndicatorValue.objects.filter(
        indicator__code="sosialisasi", report__region__level=3
    ).exists()
    assert IndicatorRollup.objects.filter(region_id="64").exists()
    figures = indicator_rollup_figures(region_codes=["64"], day=local_today("64"))["64"]
    assert figures["hibah-kpu"] > 0 and figures["sosialisasi"] >= figures["sosialisasi.day"]
