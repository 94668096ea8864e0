import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from logistics.models import LogisticsItem, LogisticsLine
from logistics.selectors import logistics_submit_problems
from logistics.services import logistics_lines_save
from readiness import sections
from readiness.models import ReportStatus
from readiness.selectors import local_today
from readiness.services import ReportLocked

from ..factories import DailyReportFactory

GOOD = {"received_ppk": 100, "distributed_pps": 80, "received_kpps": 60, "damaged": 2, "short": 0}


@pytest.fixture
def report(officer):
    return DailyReportFactory(
        region=officer.region, day=local_today(officer.region_id), submitted_by=officer
    )


@pytest.fixture
def city_report(city_officer):
    return DailyReportFactory(
        region=city_officer.region, day=local_today("64.71"), submitted_by=city_officer
    )


def save(officer, report, **lines):
    return logistics_lines_save(
        officer=officer,
        report=report,
        lines={code.replace("_", "-"): v for code, v in lines.items()},
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_officer_saves_lines_and_saving_again_updates_them(officer, report):
    lines = save(officer, report, surat_suara=GOOD, tinta={"received_ppk": 12})
    assert [(line.item.code, line.received_kpps) for line in lines] == [
        ("surat-suara", 60),
        ("tinta", None),
    ]
    save(officer, report, surat_suara={**GOOD, "received_kpps": 80})
    assert LogisticsLine.objects.count() == 2
    line = LogisticsLine.objects.get(item__code="surat-suara")
    assert (line.received_ppk, line.received_kpps, line.damaged, line.updated_by) == (
        100,
        80,
        2,
        officer,
    )
    assert line.warehouse is None  # not a kecamatan stage


def test_kabkota_counts_the_warehouse_stage_only(city_officer, city_report):
    save(city_officer, city_report, kotak_suara={"warehouse": 24, "damaged": 1})
    assert LogisticsLine.objects.get().warehouse == 24

    with pytest.raises(ValidationError) as excinfo:
        save(city_officer, city_report, kotak_suara={"received_ppk": 24})
    assert errors_of(excinfo)[NON_FIELD_ERRORS] == [
        "Diterima PPK: Kotak suara tidak diisi oleh desk tingkat ini."
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "Jumlah tidak boleh negatif."),
        (1.5, "Jumlah harus bilangan bulat."),
        ("12", "Jumlah harus bilangan bulat."),
        (True, "Jumlah harus bilangan bulat."),
        (10**9, "Jumlah terlalu besar."),
    ],
)
def test_bad_quantities_get_a_field_message_and_nothing_is_saved(officer, report, value, message):
    with pytest.raises(ValidationError) as excinfo:
        # The first item is fine: it must not be saved either.
        save(officer, report, tinta={"received_ppk": 5}, segel={**GOOD, "damaged": value})
    assert errors_of(excinfo) == {"segel__damaged": [message]}
    assert not LogisticsLine.objects.exists()


def test_a_stage_above_the_previous_one_is_refused_on_that_field(officer, report):
    with pytest.raises(ValidationError) as excinfo:
        save(
            officer,
            report,
            surat_suara={"received_ppk": 100, "distributed_pps": 120, "received_kpps": 90},
            kotak_suara={"distributed_pps": 3},
        )
    assert errors_of(excinfo) == {
        "surat-suara__distributed_pps": ["Melebihi tahap sebelumnya (Diterima PPK: 100)."],
        "kotak-suara__distributed_pps": ["Melebihi tahap sebelumnya (Diterima PPK: belum diisi)."],
    }
    assert not LogisticsLine.objects.exists()


def test_a_refused_save_leaves_earlier_lines_as_they_were(officer, report):
    save(officer, report, surat_suara=GOOD)
    with pytest.raises(ValidationError):
        save(officer, report, surat_suara={**GOOD, "received_ppk": 1}, tinta={"received_ppk": 4})
    assert list(LogisticsLine.objects.values_list("item__code", "received_ppk")) == [
        ("surat-suara", 100)
    ]


def test_unknown_and_inactive_items_are_refused(officer, report):
    LogisticsItem.objects.filter(code="tinta").update(is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        save(officer, report, spanduk={"received_ppk": 1}, tinta={"received_ppk": 1})
    assert errors_of(excinfo)[NON_FIELD_ERRORS] == [
        "Barang logistik tidak dikenal: spanduk.",
        "Barang logistik tidak dikenal: tinta.",
    ]


def test_only_the_regions_officer_may_save(
    report, neighbour_officer, city_officer, province_viewer
):
    for user in (neighbour_officer, city_officer, province_viewer):
        with pytest.raises(PermissionDenied):
            save(user, report, surat_suara=GOOD)
    assert not LogisticsLine.objects.exists()


def test_a_verified_report_is_not_changed(officer, report):
    report.status = ReportStatus.VERIFIED
    report.save()
    with pytest.raises(ReportLocked):
        save(officer, report, surat_suara=GOOD)
    assert not LogisticsLine.objects.exists()


def test_the_database_refuses_a_stage_above_the_previous_one_too(officer, report):
    item = LogisticsItem.objects.get(code="tinta")
    with pytest.raises(IntegrityError), transaction.atomic():
        LogisticsLine.objects.create(
            report=report, item=item, updated_by=officer, received_ppk=None, distributed_pps=5
        )


def test_logistics_is_a_registered_report_section_with_nothing_to_block(officer, report):
    save(officer, report, surat_suara=GOOD)
    assert "logistics" in [section.key for section in sections.registered()]
    assert logistics_submit_problems(report) == []


def test_a_bad_figure_is_not_also_reported_as_a_stage_problem(officer, report):
    with pytest.raises(ValidationError) as excinfo:
        save(officer, report, tinta={"received_ppk": -1, "distributed_pps": 5})
    assert errors_of(excinfo) == {"tinta__received_ppk": ["Jumlah tidak boleh negatif."]}
