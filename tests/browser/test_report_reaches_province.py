"""A kecamatan desk files today's report in the browser; the Sekda sees it on the province page.

Runs against the demo desk (readiness.demo) on pytest-django's live server, with two separate
browser contexts, so the two people share nothing but the server. Celery runs eagerly in tests
and the rollup is enqueued with transaction.on_commit, which fires for real here (live_server
is transactional): the province page must show the figure as soon as the form says it is saved.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from readiness import demo, selectors
from readiness.models import TPS, DailyReport, DailyRollup, Region, RegionLevel

PROVINCE = "64"
KOTA = "64.71"  # KOTA BALIKPAPAN
KECAMATAN = "64.71.06"  # Balikpapan Kota
OFFICER = "desk.balikpapan-kota"
SEKDA = "sekda.kaltim"
SAVED = "Laporan hari ini tersimpan."
NOTE = "Uji browser: logistik tiba di semua kelurahan."


def id_number(value: int) -> str:
    """An integer as the pages show it in Bahasa Indonesia: 1.234."""
    return f"{value:,}".replace(",", ".")


def kecamatan_tps_ready(*, day, under: str, excluding: str) -> int:
    """Today's kecamatan reports under `under`, leaving out the one the test is about to file."""
    return (
        DailyReport.objects.filter(day=day, region__level=RegionLevel.KECAMATAN)
        .filter(region__code__startswith=f"{under}.")
        .exclude(region_id=excluding)
        .aggregate(total=Sum("tps_ready"))["total"]
        or 0
    )


def log_in(context, username: str):
    page = context.new_page()
    page.goto("/masuk/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_load_state()
    if "/masuk/" in page.url:
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


@pytest.mark.browser
def test_kecamatan_report_reaches_province_page(
    transactional_db, live_server, chromium, artifacts_dir
):
    from playwright.sync_api import expect

    # --- The demo desk, and what the pages should show — all before Playwright starts. ---
    cache.clear()  # province time zones are cached across tests
    today = timezone.localdate(timezone=demo.DEMO_ZONE)
    demo.demo_seed(today=today)
    cache.clear()

    kecamatan = Region.objects.get(code=KECAMATAN)
    assert selectors.local_today(KECAMATAN) == today, "demo province is not in WITA"
    assert not DailyReport.objects.filter(region=kecamatan, day=today).exists(), (
        f"the demo should leave {KECAMATAN} unreported today (demo.UNREPORTED_TODAY)"
    )
    kecamatan_total = selectors.region_tps_total(kecamatan)
    assert kecamatan_total > 10, f"{KECAMATAN} has only {kecamatan_total} TPS in the demo"
    tps_ready = kecamatan_total - 7  # any figure the form accepts; not the whole, not zero

    kota_total = TPS.objects.filter(is_active=True).within(KOTA).count()
    kota_before = kecamatan_tps_ready(day=today, under=KOTA, excluding=KECAMATAN)
    province_before = kecamatan_tps_ready(day=today, under=PROVINCE, excluding=KECAMATAN)
    rollup_before = DailyRollup.objects.get(region_id=KOTA, day=today)
    assert rollup_before.tps_ready == kota_before, (
        f"demo rollup of {KOTA} says {rollup_before.tps_ready} TPS ready, "
        f"its kecamatan reports add up to {kota_before}"
    )
    kota_expected = f"{id_number(kota_before + tps_ready)} / {id_number(kota_total)}"
    kecamatan_expected = f"{id_number(tps_ready)} / {id_number(kecamatan_total)}"
    province_expected = id_number(province_before + tps_ready)

    errors: list[str] = []

    # --- The kecamatan desk officer files today's report. ---
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

    form = officer.locator("#report-form")
    form.locator("[name=tps_ready]").fill(str(tps_ready))
    form.locator("[name=note]").fill(NOTE)
    with officer.expect_response(
        lambda response: response.request.method == "POST" and "/laporan/" in response.url
    ) as posted:
        form.get_by_role("button", name="Kirim laporan").click()
    response = posted.value
    assert response.request.headers.get("hx-request") == "true", (
        "the report form was posted without htmx (a full-page POST); "
        f"status {response.status}, errors: {errors}"
    )
    assert response.status == 200, f"report POST answered {response.status}; errors: {errors}"
    assert "report-saved" in (response.headers.get("hx-trigger") or ""), (
        f"no report-saved event in HX-Trigger: {response.headers.get('hx-trigger')!r}"
    )
    expect(
        officer.locator("#report-form [role=status]"),
        "the form should swap itself and say the report is saved",
    ).to_have_text(SAVED)
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
        f"(before: {kota_before} of {kota_total})",
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
