"""The Sekda keeps the province dashboard open; a kecamatan desk submits in another browser; the
dashboard shows the new figures by itself (its live part polls the server), and the kota's daily
brief downloads as a PDF that carries the table's figures.

Runs against the demo desk on pytest-django's live server, with two browser contexts that share
nothing but the server. The refresh interval is shortened to 2 s for the test (it is 60 s in
production, DESK_DASHBOARD_REFRESH_SECONDS).
"""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from readiness import demo, tps
from readiness.models import DailyReport, DailyRollup, TPSReadiness, User
from security.selectors import incidents_on_day

from .conftest import PHONE
from .test_full_report_on_a_phone import OVERFLOW_JS, PHONE_WIDTH
from .test_report_reaches_province import (
    KECAMATAN,
    KOTA,
    OFFICER,
    PROVINCE,
    SEKDA,
    SENT,
    id_number,
    kelurahan_to_mark,
    log_in,
    watch_for_errors,
)


@pytest.mark.browser
def test_province_dashboard_updates_live_and_the_brief_downloads(
    transactional_db, live_server, chromium, artifacts_dir, settings
):
    from playwright.sync_api import expect
    from pypdf import PdfReader

    settings.DESK_DASHBOARD_REFRESH_SECONDS = 2
    cache.clear()
    today = timezone.localdate(timezone=demo.DEMO_ZONE)
    demo.demo_seed(today=today)
    cache.clear()
    assert not DailyReport.objects.filter(region_id=KECAMATAN, day=today).exists()

    # The desk's TPS table moves on before the report (one kelurahan marked siap), so the
    # report will carry a figure the province does not show yet: it still counts 64.71.06 with
    # its latest earlier report.
    officer_user = User.objects.get(username=OFFICER)
    kelurahan, _total, _marked = kelurahan_to_mark(KECAMATAN)
    tps.tps_status_set(
        officer=officer_user,
        region=officer_user.region,
        tps_ids=list(
            tps.tps_rows(region=officer_user.region, desa_code=kelurahan.code).values_list(
                "pk", flat=True
            )
        ),
        readiness=TPSReadiness.READY,
    )
    reported_now = tps.tps_counts(region_code=KECAMATAN).ready
    kecamatan_before = DailyRollup.objects.get(region_id=KECAMATAN, day=today).tps_ready
    province_before = DailyRollup.objects.filter(day=today, region__parent_id=PROVINCE).aggregate(
        total=Sum("tps_ready")
    )["total"]
    province_after = province_before - kecamatan_before + reported_now
    assert province_after != province_before, "the test needs a figure that moves"
    needs_nihil = not incidents_on_day(region_code=KECAMATAN, day=today).exists()

    errors: list[str] = []
    sekda = log_in(chromium.new_context(), SEKDA)
    watch_for_errors(sekda, errors)
    sekda.goto(f"/wilayah/{PROVINCE}/")
    expect(sekda.get_by_test_id("tps-ready")).to_have_text(id_number(province_before))

    # --- The kecamatan desk, in its own browser, submits today's report. ---
    officer = log_in(chromium.new_context(), OFFICER)
    watch_for_errors(officer, errors)
    officer.goto(f"/wilayah/{KECAMATAN}/laporan/")
    form = officer.locator("#report-form")
    if needs_nihil:
        form.locator("[name=no_incidents]").check()
    form.get_by_role("button", name="Kirim laporan").click()
    expect(form.locator(".flash-success")).to_have_text(SENT)

    # --- Without a reload, the Sekda's page catches up on its next poll. ---
    url_before = sekda.url
    expect(
        sekda.get_by_test_id("tps-ready"),
        "the province dashboard should show the submitted figure within a few polls",
    ).to_have_text(id_number(province_after), timeout=15_000)
    assert sekda.url == url_before
    sekda.screenshot(path=artifacts_dir / "province-live.png", full_page=True)

    # --- The kota's daily brief as a PDF, straight from its dashboard. ---
    sekda.goto(f"/wilayah/{KOTA}/")
    row_figure = sekda.locator(f'tr[data-code="{KECAMATAN}"] td').first.inner_text()
    with sekda.expect_download() as downloading:
        sekda.locator(".exports").get_by_role("link", name="PDF").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(download.path().read_bytes()))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "BALIKPAPAN" in text.upper()
    assert row_figure.split(" / ")[0] in text, f"the PDF should carry {row_figure!r}"

    # --- The same dashboards on the Sekda's phone: no sideways scrolling (tables scroll in
    # their own box), in normal and in meeting mode. ---
    phone = log_in(chromium.new_context(**PHONE), SEKDA)
    watch_for_errors(phone, errors)
    for path in (f"/wilayah/{PROVINCE}/", f"/wilayah/{KOTA}/", f"/wilayah/{PROVINCE}/?rapat=1"):
        phone.goto(path)
        sizes = phone.evaluate(OVERFLOW_JS)
        assert sizes["scrollWidth"] <= min(sizes["clientWidth"], PHONE_WIDTH) + 1, (
            f"{path} scrolls sideways on a {PHONE_WIDTH}px phone: {sizes}"
        )

    assert not errors, "the pages reported errors:\n" + "\n".join(errors)
