import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, IndicatorValue
from readiness.models import Contest, DailyReport, ReportStatus, Role
from readiness.selectors import local_today

from ..factories import DailyReportFactory, UserFactory
from .conftest import KABKOTA_CODES, KECAMATAN_CODES, make_indicators

URL = reverse("indicators_report", args=["64.71.06"])
CITY_URL = reverse("indicators_report", args=["64.71"])


def form_data(codes=KECAMATAN_CODES, **overrides) -> dict[str, str]:
    """Every figure and note blank unless overridden (by field name: "sosialisasi")."""
    data = {key: "" for code in codes for key in (code, f"{code}__note")}
    data.update(overrides)
    return data


def test_form_shows_the_indicators_of_the_desks_level(client, officer):
    client.force_login(officer)
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    for code in KECAMATAN_CODES:
        assert f'name="{code}"' in body and f'name="{code}__note"' in body
    assert "hibah" not in body  # grants are reported by kab/kota and province desks
    assert body.count('inputmode="decimal"') == len(KECAMATAN_CODES)
    assert "Isi jumlah hari ini saja." in _row(body, "sosialisasi")
    assert "Isi posisi terakhir" in _row(body, "pemilih-pindahan")
    assert not DailyReport.objects.exists()  # looking does not create a draft


def test_kabkota_desk_types_a_grant_the_indonesian_way(client, city_officer):
    client.force_login(city_officer)
    page = client.get(CITY_URL).content.decode()
    assert page.count('inputmode="decimal"') == len(KABKOTA_CODES)

    response = client.post(
        CITY_URL,
        form_data(
            KABKOTA_CODES,
            **{
                "hibah-kpu": "23.950.284.000",
                "hibah-kpu__note": "tersalur penuh",
                "hibah-tni": "Rp 3.205.756.840,00",
            },
        ),
    )
    assert response.status_code == 302 and response.url == CITY_URL
    report = DailyReport.objects.get()
    assert (report.region_id, report.day, report.status) == (
        "64.71",
        local_today("64.71"),
        ReportStatus.DRAFT,
    )
    assert dict(IndicatorValue.objects.values_list("indicator__code", "value")) == {
        "hibah-kpu": Decimal("23950284000"),
        "hibah-tni": Decimal("3205756840"),
    }

    body = client.get(CITY_URL).content.decode()
    assert "Indikator tersimpan." in body
    row = _row(body, "hibah-kpu")
    # Shown Indonesian-style, and the same text posts back as the same figure.
    assert 'value="23.950.284.000"' in row and 'value="tersalur penuh"' in row
    assert 'value="3.205.756.840"' in _row(body, "hibah-tni")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "Tidak boleh negatif."),
        ("dua", "Tulis angka saja, mis. 1.250 atau 23.950.284.000."),
        ("12.5", "Angka ini bisa dibaca dua cara."),
        ("1,234", "Angka ini bisa dibaca dua cara."),
        ("2,5", "Harus bilangan bulat, tanpa angka di belakang koma."),
        ("501", "Tidak wajar: paling banyak 500 kegiatan."),
        ("9" * 31, "Terlalu panjang: paling banyak 30 karakter."),
    ],
)
def test_bad_figures_are_refused_on_their_field_and_typed_values_kept(
    client, officer, value, message
):
    client.force_login(officer)
    data = form_data(
        **{"sosialisasi": value, "pemilih-pindahan": "247", "pemilih-pindahan__note": "data KPU"}
    )
    response = client.post(URL, data)
    body = response.content.decode()
    assert response.status_code == 400
    row = _row(body, "sosialisasi")
    assert message in row and 'aria-invalid="true"' in row
    assert f'value="{value}"' in row
    kept = _row(body, "pemilih-pindahan")
    assert 'value="247"' in kept and 'value="data KPU"' in kept
    assert not DailyReport.objects.exists()
    assert not IndicatorValue.objects.exists()


def test_an_overlong_note_or_a_note_without_figure_is_refused(client, officer):
    client.force_login(officer)
    long_note = "catatan " * 30
    response = client.post(
        URL,
        form_data(
            **{
                "sosialisasi": "2",
                "sosialisasi__note": long_note,
                "apk-dibersihkan__note": "belum dihitung",
            }
        ),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Catatan paling banyak 200 karakter (sekarang 239)." in _row(body, "sosialisasi")
    assert "Isi angkanya bila menulis catatan." in _row(body, "apk-dibersihkan")
    assert long_note.strip() in _row(body, "sosialisasi")
    assert not IndicatorValue.objects.exists()


def test_a_verified_report_is_shown_but_not_changed(client, officer):
    report = DailyReportFactory(
        region=officer.region,
        day=local_today("64.71.06"),
        submitted_by=officer,
        status=ReportStatus.VERIFIED,
    )
    IndicatorValue.objects.create(
        report=report, indicator=_indicator("sosialisasi"), value=4, updated_by=officer
    )
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert "sudah diverifikasi" in page
    row = _row(page, "sosialisasi")
    assert "disabled" in row and 'value="4"' in row
    assert "Simpan indikator" not in page

    response = client.post(URL, form_data(sosialisasi="9"))
    assert response.status_code == 400
    assert "sudah diverifikasi dan tidak dapat diubah" in response.content.decode()
    assert IndicatorValue.objects.get().value == 4


def test_a_day_outside_every_reporting_period_is_refused(client, officer):
    Contest.objects.all().delete()
    client.force_login(officer)
    response = client.post(URL, form_data(sosialisasi="1"))
    assert response.status_code == 400
    assert "di luar periode laporan" in response.content.decode()
    assert not DailyReport.objects.exists()


def test_form_starts_from_the_latest_earlier_report_for_stocks_only(client, officer):
    yesterday = local_today("64.71.06") - dt.timedelta(days=1)
    report = DailyReportFactory(region=officer.region, day=yesterday, submitted_by=officer)
    for code, value in (("pemilih-pindahan", 247), ("sosialisasi", 3)):
        IndicatorValue.objects.create(
            report=report, indicator=_indicator(code), value=value, updated_by=officer
        )
    client.force_login(officer)
    body = client.get(URL).content.decode()
    assert "Posisi terakhir diisi dari laporan" in body
    assert 'value="247"' in _row(body, "pemilih-pindahan") and "↺" in _row(body, "pemilih-pindahan")
    # Yesterday's three events are not today's: the daily count starts blank.
    assert 'value="3"' not in _row(body, "sosialisasi") and "↺" not in _row(body, "sosialisasi")


def test_outside_the_region_is_not_found(client, neighbour_officer):
    client.force_login(neighbour_officer)
    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data(sosialisasi="1")).status_code == 404


def test_viewers_and_officers_of_other_levels_are_forbidden(client, province_viewer, city_officer):
    for user in (province_viewer, city_officer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, form_data(sosialisasi="1")).status_code == 403
    assert not IndicatorValue.objects.exists()


def test_a_desa_has_no_indicators_page(client, tree):
    lurah = UserFactory(username="lurah", role=Role.OFFICER, region=tree["64.71.06.1001"])
    client.force_login(lurah)
    assert client.get(reverse("indicators_report", args=["64.71.06.1001"])).status_code == 404


def test_a_province_desk_reports_its_own_grants(client, tree):
    client.force_login(UserFactory(username="desk.kaltim", role=Role.OFFICER, region=tree["64"]))
    body = client.get(reverse("indicators_report", args=["64"])).content.decode()
    assert 'name="hibah-kpu"' in body
    assert 'name="sosialisasi"' not in body


def test_anonymous_users_are_sent_to_log_in(client, tree):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_htmx_post_gets_the_form_fragment_and_an_event(client, city_officer):
    client.force_login(city_officer)
    response = client.post(
        CITY_URL,
        form_data(KABKOTA_CODES, **{"hibah-bawaslu": "6364656000"}),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == '{"report-saved": {}}'
    assert body.lstrip().startswith('<form id="indicators-form"')
    assert "<html" not in body
    assert "Indikator tersimpan." in body
    assert 'value="6.364.656.000"' in _row(body, "hibah-bawaslu")  # shown as saved
    assert IndicatorValue.objects.get().value == 6364656000


def test_htmx_post_with_errors_returns_the_fragment_without_event(client, officer):
    client.force_login(officer)
    response = client.post(URL, form_data(sosialisasi="-1"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx only: the errors must be shown
    assert "HX-Trigger" not in response.headers
    assert body.lstrip().startswith('<form id="indicators-form"')
    assert "Tidak boleh negatif." in body


def test_the_report_page_links_the_section(client, officer):
    client.force_login(officer)
    body = client.get(reverse("daily_report", args=["64.71.06"])).content.decode()
    assert URL in body


def test_queries_are_bounded_and_do_not_grow_with_the_catalogue(
    client, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(URL)  # warm the session and the zone cache

    def queries(method, *args, **kwargs) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert getattr(client, method)(*args, **kwargs).status_code == 200
        return len(captured)

    def filled(codes) -> dict[str, str]:
        # A new figure in every field on every post, so every row is written each time.
        filled.round += 1
        return form_data(
            codes, **{code: str(filled.round) for code in codes if code != "pemilih-pindahan"}
        )

    filled.round = 0
    htmx = {"headers": {"HX-Request": "true"}}
    codes = [*KECAMATAN_CODES, *(i.code for i in make_indicators(1))]  # 5 indicators
    with django_assert_max_num_queries(10):
        client.get(URL)
    with django_assert_max_num_queries(25):  # the first post also creates the draft
        client.post(URL, filled(codes), **htmx)
    before = (queries("get", URL), queries("post", URL, filled(codes), **htmx))

    codes += [i.code for i in make_indicators(25, start=1)]  # 30 indicators
    after = (queries("get", URL), queries("post", URL, filled(codes), **htmx))
    assert after == before
    assert IndicatorValue.objects.count() == 29  # all but pemilih-pindahan


def _indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def _row(html: str, code: str) -> str:
    start = html.index(f'data-indicator="{code}"')
    return html[start : html.index("</li>", start)]
