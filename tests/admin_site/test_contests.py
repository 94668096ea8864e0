"""Contests in the admin: the kind follows the region (gubernur for a province, bupati for a
kabupaten, wali kota for a kota), the reporting period defaults to H-30 … H+7, a contest may
be single-candidate, and a re-run is held at the same TPS as the contest it repeats."""

import datetime as dt

import pytest
from django.urls import reverse

from logistics.selectors import logistics_required
from readiness.models import TPS, Contest, ContestKind, contest_reporting_period_default

from ..factories import ContestFactory, RegionFactory

ADD = reverse("admin:readiness_contest_add")


def contest_data(**fields):
    return {"voting_day": "2029-11-28", "daily_deadline": "16:00", **fields}


@pytest.fixture
def kabupaten(tree):
    return RegionFactory(code="64.08", name="Kab. Kutai Timur")


@pytest.mark.parametrize(
    ("region", "kind", "expected"),
    [
        ("64.71", ContestKind.GOVERNOR, "Wali Kota dan Wakil Wali Kota"),
        ("64.71", ContestKind.REGENT, "Wali Kota dan Wakil Wali Kota"),
        ("64.08", ContestKind.MAYOR, "Bupati dan Wakil Bupati"),
        ("64", ContestKind.REGENT, "Gubernur dan Wakil Gubernur"),
    ],
)
def test_the_kind_must_match_the_region(client, national_admin, kabupaten, region, kind, expected):
    client.force_login(national_admin)
    response = client.post(ADD, contest_data(region=region, kind=kind))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert expected in errors["kind"][0]
    assert not Contest.objects.filter(voting_day=dt.date(2029, 11, 28)).exists()


def test_a_kecamatan_holds_no_contest(client, national_admin, tree):
    client.force_login(national_admin)
    response = client.post(ADD, contest_data(region="64.71.06", kind=ContestKind.MAYOR))
    assert "region" in response.context["adminform"].form.errors


def test_a_blank_reporting_period_defaults_to_h_minus_30_to_h_plus_7(
    client, national_admin, kabupaten
):
    client.force_login(national_admin)
    response = client.post(ADD, contest_data(region="64.08", kind=ContestKind.REGENT))
    assert response.status_code == 302
    contest = Contest.objects.get(region_id="64.08")
    assert (contest.reporting_start, contest.reporting_end) == (
        dt.date(2029, 10, 29),
        dt.date(2029, 12, 5),
    )
    assert (contest.reporting_start, contest.reporting_end) == contest_reporting_period_default(
        voting_day=contest.voting_day
    )
    assert not contest.single_candidate and contest.rerun_of is None


def test_a_given_reporting_period_is_kept_and_must_span_voting_day(
    client, national_admin, kabupaten
):
    client.force_login(national_admin)
    data = contest_data(region="64.08", kind=ContestKind.REGENT, reporting_start="2029-11-01")
    assert client.post(ADD, data).status_code == 302
    contest = Contest.objects.get(region_id="64.08")
    assert (contest.reporting_start, contest.reporting_end) == (
        dt.date(2029, 11, 1),
        dt.date(2029, 12, 5),
    )
    late = {**data, "voting_day": "2030-01-15", "reporting_start": "2030-01-16"}
    response = client.post(ADD, late)
    assert "mencakup hari pemungutan suara" in response.content.decode()


def test_single_candidate_contest_is_flagged(client, national_admin, tree):
    contest = Contest.objects.get(region_id="64.72")
    client.force_login(national_admin)
    url = reverse("admin:readiness_contest_change", args=[contest.pk])
    data = contest_data(
        region="64.72",
        kind=ContestKind.MAYOR,
        voting_day=contest.voting_day.isoformat(),
        reporting_start=contest.reporting_start.isoformat(),
        reporting_end=contest.reporting_end.isoformat(),
        single_candidate="on",
    )
    assert client.post(url, data).status_code == 302
    contest.refresh_from_db()
    assert contest.single_candidate


def test_a_rerun_must_repeat_the_same_region_and_kind_later(client, national_admin, tree):
    original = Contest.objects.get(region_id="64.71")
    client.force_login(national_admin)
    later = (original.voting_day + dt.timedelta(days=120)).isoformat()
    response = client.post(
        ADD,
        contest_data(
            region="64.72", kind=ContestKind.MAYOR, voting_day=later, rerun_of=original.pk
        ),
    )
    assert "wilayah dan jenis pemilihan yang sama" in response.content.decode()
    response = client.post(
        ADD,
        contest_data(
            region="64.71",
            kind=ContestKind.MAYOR,
            voting_day=(original.voting_day - dt.timedelta(days=1)).isoformat(),
            rerun_of=original.pk,
        ),
    )
    assert "harus sesudah" in response.content.decode()
    response = client.post(
        ADD,
        contest_data(
            region="64.71", kind=ContestKind.MAYOR, voting_day=later, rerun_of=original.pk
        ),
    )
    assert response.status_code == 302
    assert original.reruns.get().voting_day.isoformat() == later


def test_a_rerun_needs_logistics_for_the_same_tps(tree):
    """Pangkalpinang 2025: the empty column won, the mayoral contest was re-run. The re-run has
    no TPS of its own: its required logistics come from the same registry, counted once (only
    the re-run is held that day, not the governor's contest)."""
    original = Contest.objects.get(region_id="64.71")
    rerun = ContestFactory(
        region=tree["64.71"],
        kind=ContestKind.MAYOR,
        voting_day=original.voting_day + dt.timedelta(days=120),
        rerun_of=original,
        single_candidate=True,
    )
    stations = TPS.objects.filter(is_active=True).within("64.71")
    on_voting_day = logistics_required(region_code="64.71", day=original.voting_day)
    on_rerun_day = logistics_required(region_code="64.71", day=rerun.voting_day)

    assert on_rerun_day["kotak-suara"] == stations.count() == 12  # one box per TPS, one contest
    assert on_voting_day["kotak-suara"] == 2 * 12  # governor and mayor
    # Ballots: the same TPS and DPT, one contest instead of two.
    assert on_rerun_day["surat-suara"] * 2 == on_voting_day["surat-suara"]
    assert on_rerun_day["surat-suara"] == 12 * 421  # ceil(410 × 1.025) per TPS
    # Neighbouring Samarinda holds nothing that day.
    assert logistics_required(region_code="64.72", day=rerun.voting_day)["kotak-suara"] == 0
