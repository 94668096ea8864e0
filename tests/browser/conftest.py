"""Browser fixtures: Playwright's sync API driving Debian's chromium, never a downloaded browser.

The machine that runs these has no network beyond localhost, so the browser is launched from
/usr/bin/chromium with everything that would phone home switched off. When that chromium is
missing the tests are skipped, or failed when DESK_REQUIRE_SERVICES=1 (CI wants the real thing).

Playwright's sync API keeps an asyncio event loop running in the test thread, and Django's ORM
refuses to run there (SynchronousOnlyOperation). So the `chromium` fixture starts nothing until
the test asks for its first context: seed and read the database first, then drive the browser.
While the browser is up, async-unsafe calls are allowed (DJANGO_ALLOW_ASYNC_UNSAFE, restored
afterwards) so that a late query still works. The fixture depends on `live_server`, so the
browser and the event loop are gone before pytest-django flushes the database.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a loaded CI machine; a real hang still fails within the minute.
TIMEOUT_MS = 15_000
# A phone as the officers in the field hold it: pass to `chromium.new_context(**PHONE)`.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"


def _unavailable(reason: str) -> None:
    """Skip, or fail when DESK_REQUIRE_SERVICES=1 says the service must be there."""
    if os.environ.get("DESK_REQUIRE_SERVICES") == "1":
        pytest.fail(f"DESK_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def chromium_path() -> Path:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) "
            "to run the browser tests"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    return CHROMIUM


@pytest.fixture
def artifacts_dir() -> Path:
    """test-artifacts/ at the repository root (git-ignored): screenshots for humans."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


class LazyChromium:
    """Starts Playwright and chromium on first use, so a test can seed the database first."""

    def __init__(self, executable: Path, base_url: str):
        self.executable = executable
        self.base_url = base_url
        self._playwright = None
        self._browser = None
        self._contexts: list = []
        self._previous_async_unsafe: str | None = None

    def new_context(self, **options):
        """A fresh browser context (own cookies, own session) pointed at the live server.

        A desk screen by default; `options` are Playwright's new_context arguments and win
        over the defaults (e.g. `**PHONE`).
        """
        if self._browser is None:
            self._start()
        context = self._browser.new_context(
            **{
                "base_url": self.base_url,
                "locale": "id-ID",
                "timezone_id": "Asia/Makassar",
                "viewport": {"width": 1280, "height": 900},
                **options,
            }
        )
        context.set_default_timeout(TIMEOUT_MS)
        self._contexts.append(context)
        return context

    def _start(self) -> None:
        from playwright.sync_api import expect, sync_playwright

        self._previous_async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        self._playwright = sync_playwright().start()
        expect.set_options(timeout=TIMEOUT_MS)
        self._browser = self._playwright.chromium.launch(
            executable_path=str(self.executable),
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=60_000,
        )

    def stop(self) -> None:
        if self._playwright is None:
            return
        try:
            for context in self._contexts:
                context.close()
            if self._browser is not None:
                self._browser.close()
        finally:
            self._playwright.stop()
            self._playwright = None
            if self._previous_async_unsafe is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._previous_async_unsafe


@pytest.fixture
def chromium(chromium_path, live_server) -> Iterator[LazyChromium]:
    """Headless Debian chromium for one test, started by the first `chromium.new_context()`.

    Depends on `live_server`, so it is stopped (and Playwright's event loop with it) before
    pytest-django flushes the database.
    """
    launcher = LazyChromium(chromium_path, live_server.url)
    yield launcher
    launcher.stop()


# The data migrations that seed the catalogues the report's sections are built from.
CATALOGUE_MIGRATIONS = (
    "logistics.migrations.0002_seed_catalogue",
    "security.migrations.0002_seed_catalogues",
    "indicators.migrations.0002_seed_catalogue",
)


@pytest.fixture
def seeded_catalogues(transactional_db) -> None:
    """The logistics, personnel, incident and indicator catalogues, as the migrations seed them.

    They are rows written by data migrations, so the flush after any earlier transactional test
    has removed them. Their seed functions only create what is missing (get_or_create by code);
    run here against the current models. (serialized_rollback would restore them too, but
    clashes with the content types that a plain flush recreates.)
    """
    from django.apps import apps

    for module in CATALOGUE_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)
