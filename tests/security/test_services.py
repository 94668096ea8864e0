"""Writes: personnel lines, filing incidents, and the life of an incident."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from readiness.models import ReportStatus
from readiness.services import ReportLocked
from security import services
from security.models import Incident, IncidentStatus, IncidentUpdate, PersonnelLine, Severity
from security.services import PersonnelCounts

from .conftest import file_incident

S = IncidentStatus


# Personnel ---------------------------------------------------------------------------------


def test_officer_saves_lines_and_saving_again_updates_them(officer, draft):
    services.personnel_lines_save(
        officer=officer,
        report=draft,
        lines={"kpps": PersonnelCounts(40, 1, 1), "ppk": PersonnelCounts(5)},
    )
    services.personnel_lines_save(
        officer=officer, report=draft, lines={"kpps": PersonnelCounts(41, 1, 0)}
    )
    lines = {line.category.code: line for line in PersonnelLine.objects.select_related("category")}
    assert set(lines) == {"kpps", "ppk"}  # categories not mentioned are kept
    assert (lines["kpps"].ready, lines["kpps"].unavailable_sick, lines["kpps"].unavailable) == (
        41,
        1,
        1,
    )


def test_a_category_set_to_none_loses_its_line(officer, draft):
    services.personnel_lines_save(
        officer=officer, report=draft, lines={"kpps": PersonnelCounts(40)}
    )
    services.personnel_lines_save(officer=officer, report=draft, lines={"kpps": None})
    assert not PersonnelLine.objects.exists()


@pytest.mark.parametrize(
    ("counts", "field", "message"),
    [
        (PersonnelCounts(-1), "kpps-ready", "Tidak boleh negatif."),
        (PersonnelCounts(1.5), "kpps-ready", "bilangan bulat"),
        (PersonnelCounts(10, 0, 500), "kpps-absent", "paling banyak 126"),
        (PersonnelCounts(100, 20, 10), "kpps-ready", "melebihi batas wajar"),
    ],
)
def test_bad_figures_are_refused_and_nothing_is_saved(officer, draft, counts, field, message):
    with pytest.raises(ValidationError) as refused:
        services.personnel_lines_save(
            officer=officer, report=draft, lines={"ppk": PersonnelCounts(5), "kpps": counts}
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not PersonnelLine.objects.exists()  # not even the good PPK line


def test_unknown_category_is_refused(officer, draft):
    with pytest.raises(ValidationError, match="tidak dikenal"):
        services.personnel_lines_save(
            officer=officer, report=draft, lines={"brimob": PersonnelCounts(1)}
        )


def test_only_the_regions_officer_may_save_personnel(neighbour_officer, city_officer, draft):
    for user in (neighbour_officer, city_officer):
        with pytest.raises(PermissionDenied):
            services.personnel_lines_save(
                officer=user, report=draft, lines={"kpps": PersonnelCounts(1)}
            )


def test_a_verified_report_is_locked(officer, draft):
    draft.status = ReportStatus.VERIFIED
    draft.submitted_by, draft.submitted_at = officer, timezone.now()
    draft.save()
    with pytest.raises(ReportLocked):
        services.personnel_lines_save(
            officer=officer, report=draft, lines={"kpps": PersonnelCounts(1)}
        )
    assert not PersonnelLine.objects.exists()


# Filing incidents --------------------------------------------------------------------------


def test_filing_an_incident_starts_its_timeline(officer, tree):
    incident = file_incident(officer, tree["64.71.06"])
    assert (incident.status, incident.region_id, incident.reported_by) == (
        S.REPORTED,
        "64.71.06",
        officer,
    )
    step = incident.updates.get()
    assert (step.status_from, step.status_to, step.by) == ("", S.REPORTED, officer)


def test_an_incident_at_a_tps_is_placed_at_its_desa(officer, tree):
    tps = tree["64.71.06.1002"].tps_set.get(number=2)
    incident = file_incident(officer, tree["64.71.06"], tps=tps)
    assert (incident.region_id, incident.tps) == ("64.71.06.1002", tps)


def test_a_tps_outside_the_place_is_refused(officer, tree):
    elsewhere = tree["64.71.01.1001"].tps_set.first()
    with pytest.raises(ValidationError) as refused:
        file_incident(officer, tree["64.71.06"], tps=elsewhere)
    assert "tps" in refused.value.message_dict
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": timezone.now() + dt.timedelta(hours=2)}, "occurred_at"),
        ({"occurred_at": dt.datetime(2024, 11, 20, 10, 0)}, "occurred_at"),  # naive
        ({"description": "   "}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"actions_taken": "x" * 4001}, "actions_taken"),
        ({"severity": "darurat"}, "severity"),
    ],
)
def test_bad_incidents_are_refused_field_by_field(officer, tree, overrides, field):
    with pytest.raises(ValidationError) as refused:
        file_incident(officer, tree["64.71.06"], **overrides)
    assert field in refused.value.message_dict
    assert not Incident.objects.exists() and not IncidentUpdate.objects.exists()


def test_the_kabkota_desk_files_in_its_kecamatan_and_desa(city_officer, tree):
    assert file_incident(city_officer, tree["64.71.06"]).region_id == "64.71.06"
    assert file_incident(city_officer, tree["64.71.01.1002"]).region_id == "64.71.01.1002"


@pytest.mark.parametrize(
    ("user", "place"),
    [
        ("neighbour_officer", "64.71.06"),  # next door
        ("officer", "64.72.01"),  # another kota
        ("province_viewer", "64.71.06"),  # reads only
        ("city_officer", "64.71"),  # incidents happen at a kecamatan, desa or TPS
    ],
)
def test_who_may_not_file(request, tree, user, place):
    with pytest.raises(PermissionDenied):
        file_incident(request.getfixturevalue(user), tree[place])


def test_the_province_desk_does_not_file_itself(tree):
    from readiness.models import Role

    from ..factories import UserFactory

    province_officer = UserFactory(username="desk.kaltim", role=Role.OFFICER, region=tree["64"])
    with pytest.raises(PermissionDenied):
        file_incident(province_officer, tree["64.71.06"])


# The life of an incident -------------------------------------------------------------------


def test_an_incident_goes_through_its_life_and_the_timeline_records_each_step(
    officer, city_officer, tree
):
    incident = file_incident(officer, tree["64.71.06"])
    services.incident_update_status(
        user=officer, incident=incident, status=S.VERIFIED, note="Dicek"
    )
    services.incident_update_status(
        user=city_officer, incident=incident, status=S.REFERRED, note="Dirujuk ke Bawaslu"
    )
    services.incident_update_status(user=officer, incident=incident, status=S.CLOSED, note="")

    incident.refresh_from_db()
    assert incident.status == S.CLOSED
    steps = list(
        incident.updates.order_by("at", "id").values_list("status_from", "status_to", "by")
    )
    assert steps == [
        ("", S.REPORTED, officer.pk),
        (S.REPORTED, S.VERIFIED, officer.pk),
        (S.VERIFIED, S.REFERRED, city_officer.pk),
        (S.REFERRED, S.CLOSED, officer.pk),
    ]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], S.HANDLED),  # reported → handled skips verification
        ([], S.REFERRED),
        ([S.VERIFIED], S.CLOSED),  # verified must be handled or referred first
        ([S.VERIFIED], S.REPORTED),  # no way back
        ([S.VERIFIED, S.HANDLED, S.CLOSED], S.HANDLED),  # closed is final
        ([], "hilang"),
    ],
)
def test_disallowed_transitions_are_refused(officer, tree, path, refused):
    incident = file_incident(officer, tree["64.71.06"])
    for status in path:
        services.incident_update_status(user=officer, incident=incident, status=status, note="ok")
    before = incident.updates.count()
    with pytest.raises(ValidationError) as error:
        services.incident_update_status(user=officer, incident=incident, status=refused, note="x")
    assert "status" in error.value.message_dict
    assert incident.updates.count() == before


def test_some_steps_need_a_note(officer, tree):
    incident = file_incident(officer, tree["64.71.06"])
    with pytest.raises(ValidationError, match="alasan"):
        services.incident_update_status(user=officer, incident=incident, status=S.CLOSED, note=" ")
    services.incident_update_status(user=officer, incident=incident, status=S.VERIFIED, note="")
    with pytest.raises(ValidationError, match="ke mana"):
        services.incident_update_status(user=officer, incident=incident, status=S.REFERRED, note="")


def test_a_note_without_a_change_goes_on_the_timeline(officer, tree):
    incident = file_incident(officer, tree["64.71.06"])
    services.incident_update_status(
        user=officer, incident=incident, status=S.REPORTED, note="Warga dikumpulkan di balai."
    )
    step = incident.updates.order_by("-id").first()
    assert (step.status_from, step.status_to, step.note) == (
        S.REPORTED,
        S.REPORTED,
        "Warga dikumpulkan di balai.",
    )
    with pytest.raises(ValidationError, match="catatan"):
        services.incident_update_status(user=officer, incident=incident, status=S.REPORTED, note="")


def test_only_the_places_desks_may_update(officer, neighbour_officer, province_viewer, tree):
    incident = file_incident(officer, tree["64.71.06.1001"], severity=Severity.HIGH)
    for user in (neighbour_officer, province_viewer):
        with pytest.raises(PermissionDenied):
            services.incident_update_status(
                user=user, incident=incident, status=S.VERIFIED, note=""
            )
    assert incident.updates.count() == 1
