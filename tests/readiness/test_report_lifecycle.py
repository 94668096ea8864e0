"""The life of a daily report: draft → submitted (on time or late) → returned → verified."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from readiness import services
from readiness.models import (
    Contest,
    DailyReport,
    DailyReportVersion,
    DailyRollup,
    ReportAction,
    ReportStatus,
)
from readiness.selectors import local_today


@pytest.fixture
def day(tree):
    return local_today("64.71.06")


def submit(officer, tree, day, **data):
    return services.daily_report_submit(
        officer=officer, region=tree["64.71.06"], day=day, data={"no_incidents": True, **data}
    )


def test_draft_save_keeps_fields_without_submitting(officer, tree, day):
    report = services.daily_report_save(
        officer=officer,
        region=tree["64.71.06"],
        day=day,
        data={"note": "v2"},
        expected_version=None,
    )
    assert report.status == ReportStatus.DRAFT
    assert report.submitted_at is None
    assert DailyReport.objects.get().note == "v2"
    assert not DailyReportVersion.objects.exists()  # drafts are not history yet


def test_submission_before_deadline_is_on_time_and_recorded(officer, tree, day):
    report = submit(officer, tree, day, note="v3")
    assert report.status == ReportStatus.SUBMITTED
    assert report.is_late is (timezone.now() > _deadline(day))
    step = report.versions.get()
    assert (step.action, step.changed_by, step.changes["note"]) == (
        ReportAction.SUBMITTED,
        officer,
        ["", "v3"],
    )
    assert step.changes["tps_ready"] == [None, 0]  # counted from the TPS table
    assert step.changes["status"] == ["draft", "submitted"]


def test_submission_after_deadline_is_accepted_and_marked_late(officer, tree, day):
    # A deadline that has passed for sure: midnight local time.
    Contest.objects.update(daily_deadline=dt.time(0, 0))
    report = submit(officer, tree, day, note="v3")
    assert report.status == ReportStatus.SUBMITTED
    assert report.is_late


def test_replayed_submission_key_returns_the_first_result(officer, tree, day):
    key = uuid.uuid4()
    first = services.daily_report_submit(
        officer=officer,
        region=tree["64.71.06"],
        day=day,
        data={"note": "v1", "no_incidents": True},
        submission_key=key,
    )
    replay = services.daily_report_submit(
        officer=officer,
        region=tree["64.71.06"],
        day=day,
        data={"note": "v6", "no_incidents": True},
        submission_key=key,
    )
    assert replay.pk == first.pk
    assert DailyReport.objects.get().note == "v1"
    assert DailyReportVersion.objects.count() == 1


def test_save_based_on_an_old_version_is_refused_with_who_and_when(officer, tree, day):
    report = submit(officer, tree, day, note="v1")
    stale_version = report.version
    services.daily_report_save(
        officer=officer,
        region=tree["64.71.06"],
        day=day,
        data={"note": "v2"},
        expected_version=stale_version,
    )
    with pytest.raises(services.ReportConflict) as refused:
        services.daily_report_save(
            officer=officer,
            region=tree["64.71.06"],
            day=day,
            data={"note": "v5"},
            expected_version=stale_version,
        )
    assert "sudah disimpan oleh" in str(refused.value)
    assert refused.value.saved_by == officer
    assert DailyReport.objects.get().note == "v2"


def test_parent_desk_returns_then_verifies_and_only_it_reopens(
    officer, city_officer, tree, day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(officer, tree, day, note="v4")
    assert DailyRollup.objects.get(region_id="64.71.06", day=day).has_own_report

    with pytest.raises(ValidationError):
        services.daily_report_return(reviewer=city_officer, report=report, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        returned = services.daily_report_return(
            reviewer=city_officer, report=report, reason="Angka TPS tidak cocok dengan PPK"
        )
    assert returned.status == ReportStatus.RETURNED
    # A returned report stops counting until it is submitted again.
    assert not DailyRollup.objects.filter(region_id="64.71.06", has_own_report=True).exists()

    resubmitted = submit(officer, tree, day, note="v5")
    verified = services.daily_report_verify(reviewer=city_officer, report=resubmitted)
    assert verified.status == ReportStatus.VERIFIED

    with pytest.raises(services.ReportLocked):
        submit(officer, tree, day, note="v6")
    with pytest.raises(PermissionDenied):
        services.daily_report_reopen(reviewer=officer, report=verified, reason="saya mau ubah")

    reopened = services.daily_report_reopen(
        reviewer=city_officer, report=verified, reason="Koreksi DPT dari KPU"
    )
    assert reopened.status == ReportStatus.RETURNED
    actions = list(report.versions.order_by("version").values_list("action", flat=True))
    assert actions == ["submitted", "returned", "submitted", "verified", "reopened"]


def test_neighbour_and_province_cannot_review(
    officer, neighbour_officer, province_viewer, tree, day
):
    report = submit(officer, tree, day, note="v4")
    for outsider in (neighbour_officer, province_viewer):
        with pytest.raises(PermissionDenied):
            services.daily_report_verify(reviewer=outsider, report=report)


def test_day_outside_every_reporting_period_is_refused(officer, tree):
    with pytest.raises(ValidationError, match="di luar periode laporan"):
        submit(officer, tree, dt.date(2020, 1, 1), note="v1")
    assert not DailyReport.objects.exists()


def test_draft_does_not_count_in_rollups(
    officer, neighbour_officer, tree, day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.daily_report_save(
            officer=officer,
            region=tree["64.71.06"],
            day=day,
            data={"note": "v6"},
            expected_version=None,
        )
        services.daily_report_submit(
            officer=neighbour_officer, region=tree["64.71.01"], day=day, data={"no_incidents": True}
        )
    city = DailyRollup.objects.get(region_id="64.71", day=day)
    assert city.kecamatan_reported == 1  # the neighbour's submission, not the draft
    assert not DailyRollup.objects.filter(region_id="64.71.06", has_own_report=True).exists()


# --- views ---


def test_conflicting_save_in_the_browser_keeps_the_typed_input(client, officer, tree, day):
    report = submit(officer, tree, day, note="v1")
    services.daily_report_save(
        officer=officer,
        region=tree["64.71.06"],
        day=day,
        data={"note": "v2"},
        expected_version=report.version,
    )
    client.force_login(officer)
    response = client.post(
        reverse("daily_report", args=["64.71.06"]),
        {
            "note": "isian kedua",
            "version": report.version,
            "action": "submit",
            "no_incidents": "on",
        },
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "sudah disimpan oleh" in body
    assert "isian kedua" in body
    assert DailyReport.objects.get().note == "v2"


def test_autosave_keeps_valid_fields_when_another_is_wrong(client, officer, tree):
    client.force_login(officer)
    response = client.post(
        reverse("daily_report", args=["64.71.06"]),
        {"help_needed": "x" * 2001, "note": "Banjir di Klandasan Ilir"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Paling banyak 2000 karakter." in response.content.decode()
    report = DailyReport.objects.get()
    assert (report.status, report.note, report.help_needed) == (
        "draft",
        "Banjir di Klandasan Ilir",
        "",
    )


def test_returned_report_shows_the_reason_on_the_officer_home(
    client, officer, city_officer, tree, day
):
    report = submit(officer, tree, day, note="v4")
    services.daily_report_return(
        reviewer=city_officer, report=report, reason="Lengkapi catatan banjir"
    )
    client.force_login(officer)
    body = client.get(reverse("region_dashboard", args=["64.71.06"])).content.decode()
    assert "Lengkapi catatan banjir" in body


def test_review_page_for_parent_desk(client, officer, city_officer, province_viewer, tree, day):
    submit(officer, tree, day, note="v4")
    url = reverse("report_review", args=["64.71.06"])

    client.force_login(province_viewer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "verify"}).status_code == 403

    client.force_login(city_officer)
    refused = client.post(url, {"action": "return", "reason": ""})
    assert refused.status_code == 400
    assert "Tuliskan alasannya" in refused.content.decode()
    assert client.post(url, {"action": "verify"}).status_code == 302
    assert DailyReport.objects.get().status == ReportStatus.VERIFIED

    client.force_login(officer)
    assert client.get(reverse("report_review", args=["64.71.01"])).status_code == 404


def _deadline(day):
    from readiness.selectors import report_deadline

    return report_deadline(region_code="64.71.06", day=day)


def test_section_change_moves_the_version_and_is_history_once_submitted(officer, tree, day):
    draft = services.daily_report_draft(officer=officer, region=tree["64.71.06"], day=day)
    services.daily_report_section_saved(
        officer=officer, report=draft, section="logistik", changes={"bilik.received_ppk": [None, 4]}
    )
    draft.refresh_from_db()
    assert draft.version == 2
    assert not draft.versions.exists()  # a draft has no history yet

    report = submit(officer, tree, day, note="kirim")
    services.daily_report_section_saved(
        officer=officer, report=report, section="logistik", changes={"bilik.received_ppk": [4, 8]}
    )
    step = report.versions.order_by("-version").first()
    assert (step.action, step.changes) == ("saved", {"logistik.bilik.received_ppk": [4, 8]})

    # A form opened before the section change is now stale.
    with pytest.raises(services.ReportConflict):
        services.daily_report_save(
            officer=officer,
            region=tree["64.71.06"],
            day=day,
            data={"note": "lama"},
            expected_version=report.version - 1,
        )


def test_section_without_changes_leaves_the_report_alone(officer, tree, day):
    report = submit(officer, tree, day, note="kirim")
    services.daily_report_section_saved(
        officer=officer, report=report, section="logistik", changes={}
    )
    report.refresh_from_db()
    assert report.versions.count() == 1


def test_history_reads_as_the_form_speaks(client, officer, tree, day):
    submit(officer, tree, day, note="kondusif", situation="waspada")
    client.force_login(officer)
    page = client.get(reverse("daily_report", args=["64.71.06"])).content.decode()
    assert "Nihil insiden: tidak → ya" in page
    assert "Situasi: — → Waspada" in page
    assert "Status: Draf → Terkirim" in page
    assert "<li>no_incidents" not in page
