"""A kecamatan desk reports its ready TPS in the browser; the Sekda sees them on the province page.

Runs against the demo desk (readiness.demo) on pytest-django's live server, with two separate
browser contexts, so the two people share nothing but the server.

The officer of kecamatan Balikpapan Kota (64.71.06) marks every TPS of one kelurahan *siap* in
the TPS table, then submits today's report, which copies the table's count (N TPS siap). Celery
runs eagerly in tests and the rollup is enqueued with transaction.on_commit, which fires for real
here (live_server is transactional): the Sekda's province page must include N as soon as the
form says the report is sent, and the kota page must show "N / total" for the kecamatan.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from readiness import demo, tps
from readiness.models import TPS, DailyReport, DailyRollup, Region, TPSReadiness
from security.selectors import incidents_on_day

PROVINCE = "64"
KOTA = "64.71"  # KOTA BALIKPAPAN
KECAMATAN = "64.71.06"  # Balikpapan Kota
OFFICER = "desk.balikpapan-kota"
SEKDA = "sekda.kaltim"
SENT = "Laporan hari ini terkirim."
NOTE = "Uji browser: logistik tiba di semua kelurahan."


def id_number(value: int) -> str:
    """An integer as the pages show it in Bahasa Indonesia: 1.234."""
    return f"{value:,}".replace(",", ".")


def log_in(context, username: str):
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page = context.new_page()
    page.goto("/masuk/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    try:
        page.wait_for_url(lambda url: "/masuk/" not in url)
    except PlaywrightTimeoutError:
        alert = page.locator("[role=alert]")
        shown = alert.inner_text() if alert.count() else "(no error shown)"
        pytest.fail(f"login as {username!r} did not leave {page.url}: {shown}", pytrace=False)
    return page


def watch_for_errors(page, errors: list[str]) -> None:
    """Collect script errors and failed requests, to report them alongside any assertion."""
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: script error: {exc}"))
    page.on(
        "response",
        lambda response: (
            errors.append(f"HTTP {response.status} for {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )


def kelurahan_to_mark(kecamatan: str) -> tuple[Region, int, int]:
    """The kelurahan with the most TPS not yet siap: (it, its TPS, how many are not siap)."""
    per_desa = (
        TPS.objects.filter(is_active=True)
        .within(kecamatan)
        .values("desa_id")
        .annotate(
            total=Count("id"),
            not_ready=Count("id", filter=~Q(status__readiness=TPSReadiness.READY)),
        )
        .order_by("-not_ready", "desa_id")
    )
    best = per_desa.first()
    assert best and best["not_ready"], f"every TPS of {kecamatan} is already siap in the demo"
    return Region.objects.get(code=best["desa_id"]), best["total"], best["not_ready"]


@pytest.mark.browser
def test_kecamatan_report_reaches_province_page(
    transactional_db, live_server, chromium, artifacts_dir
):
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect

    # --- The demo desk, and what the pages should show — all before Playwright starts. ---
    cache.clear()  # province time zones are cached across tests
    today = timezone.localdate(timezone=demo.DEMO_ZONE)
    demo.demo_seed(today=today)
    cache.clear()

    assert not DailyReport.objects.filter(region_id=KECAMATAN, day=today).exists(), (
        f"the demo should leave {KECAMATAN} unreported today (demo.UNREPORTED_TODAY)"
    )
    counts_before = tps.tps_counts(region_code=KECAMATAN)
    kelurahan, kelurahan_tps, marked = kelurahan_to_mark(KECAMATAN)
    tps_ready = counts_before.ready + marked  # N: what the report will carry
    kecamatan_expected = counts_before.total
    incidents_today = incidents_on_day(region_code=KECAMATAN, day=today).count()

    # Expected = what the app showed before, with 64.71.06's figures replaced by N: until it
    # reports today, it counts with its latest earlier report (stock figures).
    kota_total = TPS.objects.filter(is_active=True).within(KOTA).count()
    kota_before = DailyRollup.objects.get(region_id=KOTA, day=today).tps_ready
    kecamatan_before = DailyRollup.objects.get(region_id=KECAMATAN, day=today).tps_ready
    province_before = DailyRollup.objects.filter(day=today, region__parent_id=PROVINCE).aggregate(
        total=Sum("tps_ready")
    )["total"]
    kota_expected = (
        f"{id_number(kota_before - kecamatan_before + tps_ready)} / {id_number(kota_total)}"
    )
    kecamatan_expected = f"{id_number(tps_ready)} / {id_number(kecamatan_expected)}"
    province_expected = id_number(province_before - kecamatan_before + tps_ready)

    errors: list[str] = []

    # --- The kecamatan desk officer opens today's report. ---
    officer = log_in(chromium.new_context(), OFFICER)
    watch_for_errors(officer, errors)
    expect(officer, "the officer should land on their kecamatan page").to_have_url(
        re.compile(rf"/wilayah/{re.escape(KECAMATAN)}/$")
    )
    officer.get_by_role("link", name="Isi laporan hari ini").click()
    expect(officer).to_have_url(re.compile(rf"/wilayah/{re.escape(KECAMATAN)}/laporan/$"))
    assert officer.evaluate("typeof window.htmx") == "object", (
        f"htmx did not load on the report form (static files?); errors: {errors}"
    )
    expect(officer.locator("#report-form .tps-counts")).to_contain_text(
        f"TPS: {id_number(counts_before.ready)} siap"
    )

    # --- It marks every TPS of one kelurahan siap in the TPS table. ---
    officer.get_by_role("link", name="Perbarui status TPS").click()
    expect(officer).to_have_url(re.compile(rf"/wilayah/{re.escape(KECAMATAN)}/tps/"))
    officer.locator("form.filters select[name=desa]").select_option(kelurahan.code)
    expect(officer, "the desa filter should be pushed to the URL").to_have_url(
        re.compile(rf"desa={re.escape(kelurahan.code)}")
    )
    boxes = officer.locator("#tps-table tbody input[name=tps]")
    expect(boxes, f"the table filtered to {kelurahan.name} should list its TPS").to_have_count(
        kelurahan_tps
    )
    for box in boxes.all():
        box.check()
    officer.locator("#tps-bulk select[name=readiness]").select_option(TPSReadiness.READY)
    officer.locator("#tps-bulk").get_by_role("button", name="Terapkan").click()
    expect(
        officer.locator("#tps-table .figures-line"),
        f"{marked} TPS of {kelurahan.name} should now count as siap",
    ).to_contain_text(f"Siap {id_number(tps_ready)}")

    # --- Back on the report: the count comes along; it is sent. ---
    officer.goto(f"/wilayah/{KECAMATAN}/laporan/")
    form = officer.locator("#report-form")
    expect(form.locator(".tps-counts")).to_contain_text(f"TPS: {id_number(tps_ready)} siap")
    report_posts: list[str] = []  # the form also autosaves drafts (htmx, change delay:800ms)
    officer.on(
        "request",
        lambda request: (
            report_posts.append(re.sub(r"csrfmiddlewaretoken=[^&]*&?", "", request.post_data or ""))
            if request.method == "POST" and request.url.endswith("/laporan/")
            else None
        ),
    )
    if not incidents_today:
        form.locator("[name=no_incidents]").check()
    form.locator("[name=note]").fill(NOTE)
    try:
        with officer.expect_response(
            lambda response: (
                response.request.method == "POST"
                and response.url.endswith("/laporan/")
                and "action=submit" in (response.request.post_data or "")
            )
        ) as posted:
            form.get_by_role("button", name="Kirim laporan").click()
        response = posted.value
    except PlaywrightTimeoutError:
        pytest.fail(
            "clicking 'Kirim laporan' sent no submit; report POSTs seen: "
            f"{report_posts or 'none'}; state shown: "
            f"{form.locator('.report-state').all_inner_texts()}; errors: {errors}",
            pytrace=False,
        )
    assert response.request.headers.get("hx-request") == "true", (
        "the report form was posted without htmx (a full-page POST); "
        f"status {response.status}, errors: {errors}"
    )
    assert response.status == 200, f"report POST answered {response.status}; errors: {errors}"
    expect(
        officer.locator("#report-form .flash-success"),
        "the form should swap itself and say the report is sent; errors shown: "
        f"{officer.locator('#report-form .error').all_inner_texts()}",
    ).to_have_text(SENT)
    expect(officer.locator("#report-form .error")).to_have_count(0)
    expect(officer, "an htmx swap stays on the form's page").to_have_url(re.compile(r"/laporan/$"))

    # --- The Sekda, in a browser of their own, reads the province page. ---
    sekda = log_in(chromium.new_context(), SEKDA)
    watch_for_errors(sekda, errors)
    sekda.goto(f"/wilayah/{PROVINCE}/")
    sekda.screenshot(path=artifacts_dir / "province.png", full_page=True)

    kota_row = sekda.locator(f'tr[data-code="{KOTA}"]')
    expect(kota_row, f"province page has no row for {KOTA}").to_have_count(1)
    expect(kota_row.locator("th")).to_have_text("KOTA BALIKPAPAN")
    expect(
        kota_row.locator("td").first,
        f"KOTA BALIKPAPAN should count the {tps_ready} TPS just reported "
        f"(before: {kota_before} of {kota_total}, {kecamatan_before} of them from {KECAMATAN})",
    ).to_have_text(kota_expected)
    expect(
        sekda.get_by_test_id("tps-ready"),
        f"the province total should include the {tps_ready} TPS just reported",
    ).to_have_text(province_expected)

    # --- Drill down to the kota: the kecamatan's own row. ---
    kota_row.get_by_role("link", name="KOTA BALIKPAPAN").click()
    expect(sekda).to_have_url(re.compile(rf"/wilayah/{re.escape(KOTA)}/$"))
    kecamatan_row = sekda.locator(f'tr[data-code="{KECAMATAN}"]')
    expect(kecamatan_row, f"kota page has no row for {KECAMATAN}").to_have_count(1)
    expect(kecamatan_row.locator("td").first).to_have_text(kecamatan_expected)
    expect(
        kecamatan_row.locator("td").last, "the kecamatan desk has now reported today"
    ).to_contain_text("Sudah")

    assert not errors, "the pages reported errors:\n" + "\n".join(errors)
