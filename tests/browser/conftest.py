"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Screenshots of the key screens are saved under ``test-artifacts/`` as the tests' artifacts.
Each page visited is checked with axe-core for serious and critical accessibility problems.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests make
# between browser steps are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
PASSWORD = "pw-for-tests-123"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; `make test` installs it (scripts/system-deps.sh)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Session:
    """A signed-in user in a browser tab, with screenshots and accessibility checks."""

    def __init__(
        self, browser: Any, live_server: Any, username: str, folder: Path, viewport: dict[str, int]
    ) -> None:
        self.context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
        self.page = self.context.new_page()
        # Irreversible actions ask first (static/js/confirm.js): the person agrees, and the
        # question asked is kept for the tests to read.
        self.dialogs: list[str] = []
        self.page.on("dialog", self._agree)
        self.base = live_server.url
        self.folder = folder
        self.shots = 0
        self.page.goto(f"{self.base}/dang-nhap/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.locator("main button[type=submit]").click()
        self.page.wait_for_url(f"{self.base}/")

    def _agree(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    def go(self, path: str) -> Any:
        self.page.goto(f"{self.base}{path}")
        return self.page

    def shot(self, name: str) -> Path:
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def accessibility_problems(self) -> list[str]:
        """Serious and critical axe-core violations of the current page."""
        inject_axe(self.page)
        result = self.page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser: Any, live_server: Any, request: Any) -> Iterator[Any]:
    folder = ARTIFACTS / re.sub(r"[^\w-]+", "_", request.node.name).strip("_")
    shutil.rmtree(folder, ignore_errors=True)  # this run's screenshots only
    folder.mkdir(parents=True)
    sessions: list[Session] = []

    def start(user: Any, viewport: dict[str, int] | None = None) -> Session:
        session = Session(browser, live_server, user.username, folder, viewport or DESKTOP)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.close()


def inject_axe(page: Any) -> None:
    """Load axe-core into the page through the DevTools protocol: the page's Content
    Security Policy (which forbids injected scripts) stays on during the tests."""
    page.evaluate(AXE.read_text(encoding="utf-8"))


def pretty(problems: list[str]) -> str:
    return json.dumps(problems, ensure_ascii=False, indent=1)
