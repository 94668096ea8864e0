import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators.models import Indicator, IndicatorValue
from indicators.selectors import indicator_values_for, indicator_values_latest
from indicators.services import indicator_values_save
from readiness import sections
from readiness.models import DailyReport, ReportStatus, Role
from readiness.selectors import local_today
from readiness.services import ReportLocked, daily_report_draft

from ..factories import DailyReportFactory, UserFactory


def save(officer, report, notes=None, **values):
    return indicator_values_save(
        officer=officer,
        report=report,
        values={code.replace("_", "-"): value for code, value in values.items()},
        notes=notes,
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def stored() -> dict[str, Decimal]:
    return dict(IndicatorValue.objects.values_list("indicator__code", "value"))


def test_officer_saves_figures_and_saving_again_updates_them(officer, draft):
    values = save(
        officer,
        draft,
        notes={"pemilih-pindahan": "data KPU per hari ini"},
        sosialisasi=3,
        pemilih_pindahan=Decimal(247),
    )
    assert {code: value.value for code, value in values.items()} == {
        "sosialisasi": 3,
        "pemilih-pindahan": 247,
    }
    assert values["pemilih-pindahan"].note == "data KPU per hari ini"

    save(officer, draft, sosialisasi=5)
    assert stored() == {"sosialisasi": 5, "pemilih-pindahan": 247}  # untouched keeps its row
    assert IndicatorValue.objects.get(indicator__code="sosialisasi").updated_by == officer


def test_kabkota_saves_a_grant_in_rupiah(city_officer, city_draft):
    save(city_officer, city_draft, hibah_kpu=Decimal("23950284000"), hibah_bawaslu=6364656000)
    assert stored() == {"hibah-kpu": Decimal("23950284000"), "hibah-bawaslu": 6364656000}


def test_none_takes_the_figure_off_the_report(officer, draft):
    save(officer, draft, notes={"sosialisasi": "di 3 kelurahan"}, sosialisasi=3, apk_dibersihkan=40)
    save(officer, draft, sosialisasi=None)
    assert stored() == {"apk-dibersihkan": 40}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "Tidak boleh negatif."),
        (Decimal("-0.5"), "Tidak boleh negatif."),
        ("12", "Harus berupa angka."),
        (1.5, "Harus berupa angka."),  # floats are not exact: send a Decimal
        (True, "Harus berupa angka."),
        (Decimal("NaN"), "Harus berupa angka."),
        (Decimal("Infinity"), "Harus berupa angka."),
        (Decimal("2.5"), "Harus bilangan bulat, tanpa angka di belakang koma."),
        (501, "Tidak wajar: paling banyak 500 kegiatan. Periksa jumlah digitnya."),
    ],
)
def test_bad_figures_are_refused_on_their_field(officer, draft, value, message):
    with pytest.raises(ValidationError) as excinfo:
        save(officer, draft, sosialisasi=value)
    assert errors_of(excinfo) == {"sosialisasi": [message]}
    assert not IndicatorValue.objects.exists()


def test_the_plausible_maximum_is_shown_with_its_unit(city_officer, city_draft):
    with pytest.raises(ValidationError) as excinfo:
        save(city_officer, city_draft, hibah_kpu=Decimal("23950284000000"))  # three 0 too many
    assert errors_of(excinfo) == {
        "hibah-kpu": ["Tidak wajar: paling banyak Rp 5.000.000.000.000. Periksa jumlah digitnya."]
    }


def test_without_a_maximum_only_the_column_limits_the_figure(officer, draft):
    Indicator.objects.filter(code="pemilih-pindahan").update(plausible_max=None)
    save(officer, draft, pemilih_pindahan=Decimal("9999999999999"))
    assert stored() == {"pemilih-pindahan": Decimal("9999999999999")}  # exact, even on SQLite
    with pytest.raises(ValidationError) as excinfo:
        save(officer, draft, pemilih_pindahan=10**13)
    assert errors_of(excinfo) == {"pemilih-pindahan": ["Angka terlalu besar."]}


def test_decimals_are_allowed_up_to_the_indicators_places(officer, draft):
    Indicator.objects.filter(code="pemilih-pindahan").update(decimal_places=1, unit="%")
    save(officer, draft, pemilih_pindahan=Decimal("86.5"))
    with pytest.raises(ValidationError) as excinfo:
        save(officer, draft, pemilih_pindahan=Decimal("86.55"))
    assert errors_of(excinfo) == {"pemilih-pindahan": ["Paling banyak 1 angka di belakang koma."]}


def test_indicators_of_another_level_unknown_or_inactive_are_refused(officer, draft):
    Indicator.objects.filter(code="apk-dibersihkan").update(is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        save(officer, draft, hibah_kpu=1000, tidak_ada=1, apk_dibersihkan=3)
    assert errors_of(excinfo) == {
        "hibah-kpu": ["Hibah tersalur ke KPU tidak dilaporkan oleh desk tingkat ini."],
        "tidak-ada": ["Indikator tidak dikenal: tidak-ada."],
        "apk-dibersihkan": ["Indikator tidak dikenal: apk-dibersihkan."],
    }


def test_notes_have_a_limit_and_need_a_figure(officer, draft):
    with pytest.raises(ValidationError) as excinfo:
        save(
            officer,
            draft,
            notes={"sosialisasi": "x" * 201, "apk-dibersihkan": "belum dihitung"},
            sosialisasi=2,
            apk_dibersihkan=None,
        )
    assert errors_of(excinfo) == {
        "sosialisasi__note": ["Catatan paling banyak 200 karakter (sekarang 201)."],
        "apk-dibersihkan__note": ["Isi angkanya bila menulis catatan."],
    }


def test_one_bad_figure_saves_nothing_and_every_problem_is_named(officer, draft):
    save(officer, draft, sosialisasi=1)
    with pytest.raises(ValidationError) as excinfo:
        save(officer, draft, sosialisasi=4, bimtek_sirekap=-2, apk_dibersihkan=Decimal("0.5"))
    assert set(errors_of(excinfo)) == {"bimtek-sirekap", "apk-dibersihkan"}
    assert stored() == {"sosialisasi": 1}
    draft.refresh_from_db()
    assert draft.version == 2  # the first save only


def test_a_verified_report_is_locked(officer, draft):
    save(officer, draft, sosialisasi=1)
    DailyReport.objects.filter(pk=draft.pk).update(
        status=ReportStatus.VERIFIED, submitted_by=officer, submitted_at=draft.updated_at
    )
    # The caller's copy still says draft: the service re-reads the row under a lock.
    with pytest.raises(ReportLocked):
        save(officer, draft, sosialisasi=9)
    assert stored() == {"sosialisasi": 1}


def test_only_the_regions_officer_may_save(officer, neighbour_officer, province_viewer, draft):
    for user in (neighbour_officer, province_viewer):
        with pytest.raises(PermissionDenied):
            save(user, draft, sosialisasi=1)
    assert not IndicatorValue.objects.exists()


def test_desa_reports_no_indicators(tree, officer):
    desa_officer = UserFactory(username="lurah", role=Role.OFFICER, region=tree["64.71.06.1001"])
    report = DailyReportFactory(
        region=desa_officer.region, day=local_today("64.71.06"), submitted_by=desa_officer
    )
    with pytest.raises(ValidationError) as excinfo:
        save(desa_officer, report, sosialisasi=1)
    assert excinfo.value.messages == ["Desk tingkat ini tidak melaporkan indikator lain."]


def test_a_draft_changes_move_the_version_without_history(officer, draft):
    save(officer, draft, sosialisasi=3)
    save(officer, draft, sosialisasi=3)  # the same figures again: nothing to tell
    draft.refresh_from_db()
    assert draft.version == 2
    assert not draft.versions.exists()


def test_changes_to_a_submitted_report_are_history(officer):
    report = DailyReportFactory(
        region=officer.region, day=local_today("64.71.06"), submitted_by=officer
    )
    save(officer, report, sosialisasi=3, pemilih_pindahan=Decimal(247))
    save(officer, report, notes={"sosialisasi": "2 di Prapatan"}, sosialisasi=5)
    save(officer, report, pemilih_pindahan=None)
    report.refresh_from_db()
    assert report.version == 4
    assert [step.changes for step in report.versions.order_by("version")] == [
        {"indikator.sosialisasi": [None, "3"], "indikator.pemilih-pindahan": [None, "247"]},
        {
            "indikator.sosialisasi": ["3", "5"],
            "indikator.sosialisasi__note": ["", "2 di Prapatan"],
        },
        {"indikator.pemilih-pindahan": ["247", None]},
    ]


def test_stocks_carry_over_to_the_next_day_and_daily_counts_do_not(officer):
    today = local_today("64.71.06")
    yesterday = DailyReportFactory(
        region=officer.region, day=today - dt.timedelta(days=1), submitted_by=officer
    )
    save(officer, yesterday, sosialisasi=3, pemilih_pindahan=Decimal(247))

    starting = indicator_values_latest(region=officer.region, day=today)
    assert starting.day == yesterday.day and starting.carried_over(today)
    assert list(starting.values) == ["pemilih-pindahan"]

    report = daily_report_draft(officer=officer, region=officer.region, day=today)
    save(officer, report, sosialisasi=1)
    starting = indicator_values_latest(region=officer.region, day=today)
    assert not starting.carried_over(today)
    assert list(starting.values) == ["sosialisasi"]  # today's own values only
    assert list(indicator_values_for(report=yesterday)) == ["sosialisasi", "pemilih-pindahan"]


def test_the_section_never_blocks_submission(officer, draft):
    (section,) = [section for section in sections.registered() if section.key == "indicators"]
    assert section.submit_problems(draft) == []
    assert section.url_name == "indicators_report"
    assert section in sections.linked_for_level(3) and section in sections.linked_for_level(1)
