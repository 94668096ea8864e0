import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from logistics.models import LogisticsLine
from readiness.models import TPS, Contest, DailyReport, ReportStatus, Role
from readiness.selectors import local_today

from ..factories import DailyReportFactory, RegionFactory, UserFactory

URL = reverse("logistics_report", args=["64.71.06"])
ITEMS = [
    "surat-suara",
    "kotak-suara",
    "bilik-suara",
    "tinta",
    "segel",
    "formulir",
    "perlengkapan-pendukung",
]


def form_data(**overrides) -> dict[str, str]:
    """A full kecamatan form, every figure blank unless overridden ("surat-suara__received_ppk")."""
    data = {
        f"{item}__{field}": ""
        for item in ITEMS
        for field in ("received_ppk", "distributed_pps", "received_kpps", "damaged", "short")
    }
    data.update(overrides)
    return data


def test_form_shows_required_quantities_and_the_kecamatan_stages(client, officer):
    client.force_login(officer)
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<td class="num required" data-label="Kebutuhan">5.052</td>' in body  # 6 × 421 × 2
    for header in [
        "Diterima PPK",
        "Didistribusikan ke PPS",
        "Diterima KPPS/TPS",
        "Rusak",
        "Kurang",
    ]:
        assert f">{header}</th>" in body
    assert "gudang" not in body
    assert body.count('inputmode="numeric"') == 7 * 5
    assert 'name="surat-suara__received_ppk"' in body
    assert not DailyReport.objects.exists()  # looking does not create a draft


def test_kabkota_form_counts_the_warehouse(client, city_officer):
    client.force_login(city_officer)
    body = client.get(reverse("logistics_report", args=["64.71"])).content.decode()
    assert ">Di gudang KPU kab/kota</th>" in body
    assert "Diterima PPK" not in body
    assert body.count('inputmode="numeric"') == 7 * 3
    assert "10.104" in body  # 12 TPS × 421 × 2 contests


def test_posting_saves_and_the_page_shows_progress(client, officer):
    client.force_login(officer)
    response = client.post(
        URL,
        form_data(
            **{
                "surat-suara__received_ppk": "5052",
                "surat-suara__distributed_pps": "2526",
                "kotak-suara__received_ppk": "3",
                "kotak-suara__damaged": "1",
            }
        ),
    )
    assert response.status_code == 302
    assert response.url == URL
    report = DailyReport.objects.get()
    assert (report.region_id, report.day) == ("64.71.06", local_today("64.71.06"))
    line = LogisticsLine.objects.get(report=report, item__code="surat-suara")
    assert (line.received_ppk, line.distributed_pps, line.received_kpps) == (5052, 2526, None)
    assert LogisticsLine.objects.filter(report=report).count() == 7

    body = client.get(URL).content.decode()
    assert "Laporan logistik tersimpan." in body
    row = _row(body, "surat-suara")
    assert 'value="5052"' in row  # never "5.052": the input must read back what it sent
    assert "100%" in row and "50%" in row
    assert "25%" in _row(body, "kotak-suara")  # 3 of 12


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "Jumlah tidak boleh negatif."),
        ("dua", "Tulis bilangan bulat tanpa titik atau koma, mis. 1250."),
        ("1.000", "Tulis bilangan bulat tanpa titik atau koma, mis. 1250."),
        ("12,5", "Tulis bilangan bulat tanpa titik atau koma, mis. 1250."),
    ],
)
def test_bad_numbers_are_refused_on_their_field_and_typed_values_kept(
    client, officer, value, message
):
    client.force_login(officer)
    data = form_data(**{"tinta__received_ppk": "12", "segel__damaged": value})
    response = client.post(URL, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in _row(body, "segel")
    assert f'value="{value}"' in _row(body, "segel")
    assert 'value="12"' in _row(body, "tinta")
    assert not DailyReport.objects.exists()
    assert not LogisticsLine.objects.exists()


def test_a_stage_above_the_previous_one_is_flagged_and_nothing_saved(client, officer):
    client.force_login(officer)
    response = client.post(
        URL,
        form_data(
            **{
                "surat-suara__received_ppk": "100",
                "surat-suara__distributed_pps": "150",
                "tinta__received_ppk": "12",
            }
        ),
    )
    body = response.content.decode()
    assert response.status_code == 400
    row = _row(body, "surat-suara")
    assert "Melebihi tahap sebelumnya (Diterima PPK: 100)." in row
    assert 'value="150"' in row and 'aria-invalid="true"' in row
    # The draft created for the save is rolled back with the refused lines.
    assert not DailyReport.objects.exists()
    assert not LogisticsLine.objects.exists()


def test_a_verified_report_is_shown_but_not_changed(client, officer):
    report = DailyReportFactory(
        region=officer.region,
        day=local_today("64.71.06"),
        submitted_by=officer,
        status=ReportStatus.VERIFIED,
    )
    LogisticsLine.objects.create(
        report=report, item_id=_item_id("tinta"), received_ppk=12, updated_by=officer
    )
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert "sudah diverifikasi" in page
    assert "disabled" in _row(page, "tinta") and 'value="12"' in _row(page, "tinta")
    assert "Simpan logistik" not in page

    response = client.post(URL, form_data(**{"tinta__received_ppk": "99"}))
    assert response.status_code == 400
    assert "sudah diverifikasi dan tidak dapat diubah" in response.content.decode()
    assert LogisticsLine.objects.get().received_ppk == 12


def test_a_day_outside_every_reporting_period_is_refused(client, officer):
    Contest.objects.all().delete()
    client.force_login(officer)
    response = client.post(URL, form_data(**{"tinta__received_ppk": "12"}))
    assert response.status_code == 400
    assert "di luar periode laporan" in response.content.decode()
    assert not DailyReport.objects.exists()


def test_form_starts_from_the_latest_earlier_report(client, officer):
    yesterday = local_today("64.71.06") - dt.timedelta(days=1)
    report = DailyReportFactory(region=officer.region, day=yesterday, submitted_by=officer)
    LogisticsLine.objects.create(
        report=report, item_id=_item_id("surat-suara"), received_ppk=4000, updated_by=officer
    )
    client.force_login(officer)
    body = client.get(URL).content.decode()
    assert "Angka diisi dari laporan" in body
    assert 'value="4000"' in _row(body, "surat-suara")


def test_outside_the_region_is_not_found(client, neighbour_officer):
    client.force_login(neighbour_officer)
    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data()).status_code == 404


def test_viewers_and_officers_of_other_levels_are_forbidden(client, province_viewer, city_officer):
    for user in (province_viewer, city_officer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, form_data(**{"tinta__received_ppk": "1"})).status_code == 403
    assert not LogisticsLine.objects.exists()


def test_a_province_desk_has_no_logistics_form(client, tree):
    client.force_login(UserFactory(username="desk.kaltim", role=Role.OFFICER, region=tree["64"]))
    assert client.get(reverse("logistics_report", args=["64"])).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, tree):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_htmx_post_gets_the_form_fragment_and_an_event(client, officer):
    client.force_login(officer)
    response = client.post(
        URL, form_data(**{"tinta__received_ppk": "12"}), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == '{"report-saved": {}}'
    assert body.lstrip().startswith('<form id="logistics-form"')
    assert "<html" not in body
    assert "Laporan logistik tersimpan." in body
    assert LogisticsLine.objects.get(item__code="tinta").received_ppk == 12


def test_htmx_post_with_errors_returns_the_fragment_without_event(client, officer):
    client.force_login(officer)
    response = client.post(
        URL, form_data(**{"tinta__received_ppk": "-1"}), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200  # htmx swaps 2xx only: the errors must be shown
    assert "HX-Trigger" not in response.headers
    assert response.content.decode().lstrip().startswith('<form id="logistics-form"')
    assert "tidak boleh negatif" in response.content.decode()


def test_queries_are_bounded_and_do_not_grow_with_the_tps_count(
    client, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(URL)  # warm the session and the zone cache
    data = form_data(**{"surat-suara__received_ppk": "10", "tinta__received_ppk": "2"})

    def queries(method, *args, **kwargs) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert getattr(client, method)(*args, **kwargs).status_code in (200, 302)
        return len(captured)

    with django_assert_max_num_queries(12):
        client.get(URL)
    with django_assert_max_num_queries(
        27
    ):  # 6 savepoints; 3 tell the report (version, re-read, rollup)
        client.post(URL, data, headers={"HX-Request": "true"})
    before = (queries("get", URL), queries("post", URL, data, headers={"HX-Request": "true"}))

    desa = RegionFactory(code="64.71.06.1003")
    TPS.objects.bulk_create(
        TPS(desa=desa, number=number, dpt_male=200, dpt_female=210) for number in range(1, 301)
    )
    after = (queries("get", URL), queries("post", URL, data, headers={"HX-Request": "true"}))
    assert after == before
    assert "5.052" not in client.get(URL).content.decode()  # the 300 TPS are counted…
    assert "257.652" in client.get(URL).content.decode()  # …306 TPS × 421 × 2 ballots


def _item_id(code: str) -> int:
    from logistics.models import LogisticsItem

    return LogisticsItem.objects.get(code=code).pk


def _row(html: str, item: str) -> str:
    start = html.index(f'data-item="{item}"')
    return html[start : html.index("</tr>", start)]
