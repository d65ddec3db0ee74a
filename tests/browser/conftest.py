"""Browser tests of the sandbox's messenger page: Playwright drives Debian's Chromium.

The sandbox and the real bot run in the test's event loop (the e2e fixtures, on SQLite only);
the page is opened at the sandbox's address and used as a person would use it.

Without Chromium (`/usr/bin/chromium` or `chromium` on PATH) the tests that need it are skipped
with the reason. With REQUIRE_BROWSER=1 (CI: .ci/run installs Chromium) a missing browser fails
them instead, and any skipped browser test fails the run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Playwright, async_playwright, expect

from tests.e2e.conftest import admin, stack, staff  # noqa: F401  (fixtures used here)
from tests.harness import Stack

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def find_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = find_chromium()
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
SAVE_SCREENSHOTS = os.environ.get("SAVE_SCREENSHOTS") == "1"
SKIP_REASON = "Chromium not installed: `apt-get install chromium` (.ci/run does it) — browser tests skipped"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 780}

expect.set_options(timeout=10_000)


def _needs_browser(item: pytest.Item) -> bool:
    return "browser" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM or REQUIRE_BROWSER:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if _needs_browser(item):
            item.add_marker(skip)


_skipped_browser_tests: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "tests/browser/" in report.nodeid:
        _skipped_browser_tests.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if REQUIRE_BROWSER and _skipped_browser_tests:
        print(
            f"\nREQUIRE_BROWSER=1 but {len(_skipped_browser_tests)} browser test(s) were skipped: "
            + ", ".join(_skipped_browser_tests)
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The bot's database: SQLite only (the page does not care which database the bot uses)."""
    return f"sqlite://{tmp_path / 'bot.sqlite3'}"


async def _launch() -> tuple[Playwright, Browser]:
    assert CHROMIUM is not None
    playwright = await async_playwright().start()
    try:
        return playwright, await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except BaseException:
        await playwright.stop()
        raise


@pytest.fixture(autouse=True)
async def _chromium_starting(request: pytest.FixtureRequest) -> AsyncIterator[asyncio.Task | None]:  # type: ignore[type-arg]
    """Set up first, so Chromium starts while the sandbox and the bot do (saves a second a test)."""
    if "browser" not in request.fixturenames:
        yield None
        return
    if CHROMIUM is None:
        pytest.fail(f"REQUIRE_BROWSER=1: {SKIP_REASON}")
    launching = asyncio.create_task(_launch())
    try:
        yield launching
    finally:
        playwright, launched = await launching
        await launched.close()
        await playwright.stop()


@pytest.fixture
async def browser(_chromium_starting: asyncio.Task) -> Browser:  # type: ignore[type-arg]
    """Debian's Chromium, headless, fresh for each test."""
    _playwright, launched = await _chromium_starting
    return launched


async def open_page(browser: Browser, stack: Stack, viewport: dict[str, int]) -> tuple[Page, list[str]]:
    """A fresh context (no cookies, no storage) with the page loaded; and its script errors
    (CSP refusals included)."""
    context = await browser.new_context(
        viewport=viewport, locale="ru-RU", timezone_id="Europe/Moscow", accept_downloads=True
    )
    context.set_default_timeout(10_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # the page's Content-Security-Policy refusing something the page does is an error too
    page.on("console", lambda message: "Content Security Policy" in message.text
            and errors.append(message.text))
    await page.goto(stack.sandbox.base_url + "/")
    return page, errors


@pytest.fixture
async def page(browser: Browser, stack: Stack) -> AsyncIterator[Page]:
    """The page in a desktop-sized window, against this test's sandbox and bot."""
    opened, errors = await open_page(browser, stack, DESKTOP)
    try:
        yield opened
    finally:
        await opened.context.close()
    assert not errors, f"errors in the page's scripts: {errors}"


@pytest.fixture
async def phone_page(browser: Browser, stack: Stack) -> AsyncIterator[Page]:
    """The page in a phone-sized window."""
    opened, errors = await open_page(browser, stack, PHONE)
    try:
        yield opened
    finally:
        await opened.context.close()
    assert not errors, f"errors in the page's scripts: {errors}"


async def screenshot(page: Page, name: str) -> None:
    """Save docs/<name> for the README when SAVE_SCREENSHOTS=1."""
    if SAVE_SCREENSHOTS:
        await page.mouse.move(0, 0)  # no hover or focus rings in the picture
        await page.evaluate("document.activeElement && document.activeElement.blur()")
        await page.screenshot(path=str(DOCS / name))
