"""A real stack (broker, four services, the console) and Debian's Chromium driven by Playwright.

One stack per module keeps the suite lean; every test saves screenshots under the artifacts directory
(``XYD_TEST_ARTIFACTS``, default ``var/test-artifacts``) so a failure can be looked at afterwards.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))  # the project's tools/ (stack launcher)
from tools.stack import Stack  # noqa: E402

CHROMIUM = os.environ.get("XYD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
expect.set_options(timeout=15_000)  # pages wait on services that wait on events
ARTIFACTS = Path(os.environ.get("XYD_TEST_ARTIFACTS", Path(__file__).resolve().parents[4] / "var" / "test-artifacts")) / "console"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Broker, the four services and the console as processes on free ports (dev mode, 0-day notices)."""
    running = Stack(tmp_path_factory.mktemp("console-stack"), console=True)
    try:
        running.wait_ready(120)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium (tools/ensure_sysdeps.sh)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class People:
    """One browser context per person (separate cookies), each page saving numbered screenshots."""

    def __init__(self, browser: Browser, base_url: str, name: str) -> None:
        self.browser, self.base_url, self.name = browser, base_url, name
        self.contexts: list[BrowserContext] = []
        self.shots = 0
        (ARTIFACTS / name).mkdir(parents=True, exist_ok=True)

    def page(self, *, phone: bool = False) -> Page:
        options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True} if phone else {"viewport": {"width": 1280, "height": 900}}
        context = self.browser.new_context(base_url=self.base_url, locale="zh-CN", **options)
        context.set_default_timeout(20_000)
        self.contexts.append(context)
        return context.new_page()

    def officer(self, org_id: str, person: str) -> Page:
        page = self.page()
        page.goto("/sign-in")
        page.select_option("#f-org_id", org_id)
        page.fill("#f-person", person)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/work$"))
        return page

    def enterprise(self, uscc: str, name: str, person: str) -> Page:
        page = self.page()
        page.goto("/sign-in")
        page.select_option("#f-org_id", "enterprise")
        page.fill("#f-person", person)
        page.fill("#f-uscc", uscc)
        page.fill("#f-enterprise_name", name)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/work$"))
        return page

    def shot(self, page: Page, what: str) -> None:
        self.shots += 1
        page.screenshot(path=str(ARTIFACTS / self.name / f"{self.shots:02d}-{what}.png"), full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser: Browser, stack: Stack, request: pytest.FixtureRequest) -> Iterator[People]:
    crowd = People(browser, stack.urls["console"], request.node.name)
    yield crowd
    crowd.close()
