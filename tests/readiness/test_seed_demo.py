from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from readiness.demo import ACCOUNTS, DEMO_PASSWORD
from readiness.models import TPS, Contest, DailyReport, DailyRollup, Region, RegionLevel
from readiness.selectors import local_today


@pytest.mark.django_db
def test_seed_demo_builds_kalimantan_timur_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Region.objects.count(), TPS.objects.count(), DailyReport.objects.count())
    call_command("seed_demo")

    assert (Region.objects.count(), TPS.objects.count(), DailyReport.objects.count()) == counts
    per_level = Counter(Region.objects.values_list("level", flat=True))
    assert per_level[RegionLevel.PROVINSI] == 1
    assert per_level[RegionLevel.KABKOTA] == 10
    assert Region.objects.filter(parent_id="64.71").count() == 6
    assert TPS.objects.within("64.71").count() == 998
    assert TPS.objects.within("64.11").count() == 77

    today = local_today("64")
    voting_days = set(Contest.objects.values_list("voting_day", flat=True))
    assert len(voting_days) == 1 and (voting_days.pop() - today).days == 4
    assert Contest.objects.filter(region_id="64.71", kind="wali_kota").exists()
    assert DailyReport.objects.filter(day__lt=today).exists()
    assert not DailyReport.objects.filter(region_id="64.71.06", day=today).exists()
    assert DailyRollup.objects.filter(region_id="64", day=today).exists()


@pytest.mark.django_db
def test_every_demo_account_can_log_in(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    for username, *_ in ACCOUNTS:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD), username
        assert client.get("/", follow=True).status_code == 200, username


@pytest.mark.django_db
def test_province_page_of_the_demo_uses_indonesian_number_format(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    client = Client()
    client.login(username="sekda.kaltim", password=DEMO_PASSWORD)
    body = client.get("/wilayah/64/").content.decode()
    assert "/ 6.264" in body  # thousands separated by a dot
    assert "WITA" in body
    assert "H-4" in body


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=false"):
        call_command("seed_demo")
    assert not Region.objects.exists()
