"""Real Chromium (Debian's package) driven by Playwright, for the browser tests. No browser is
downloaded: Playwright launches /usr/bin/chromium. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, Playwright, Route, async_playwright

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def launch() -> tuple[Playwright, Browser]:
    # Requests a service worker passes on to the network are routed too (lose_signal's abort must reach the
    # clinician app's, which Chromium's offline emulation does not stop: playwright issue 2311).
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    playwright = await async_playwright().start()
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return playwright, browser


async def new_desk(browser: Browser, width: int = 1440, height: int = 900) -> BrowserContext:
    """A hub phone-desk screen."""
    return await browser.new_context(viewport={"width": width, "height": height}, locale="en-GB", timezone_id="Europe/London")


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def sign_in(page: Page, origin: str, name: str, start: str = "/hub/") -> None:
    """Open the app and sign in on the issuer's page by choosing the demo user called `name`."""
    await page.goto(f"{origin}{start}")
    await page.get_by_role("button", name=name).click()
    await page.wait_for_url(f"{origin}/hub/**")


API = "**/api/**"


async def _no_signal(route: Route) -> None:
    await route.abort("internetdisconnected")


async def lose_signal(context: BrowserContext) -> None:
    """No signal: Chromium's offline emulation, and the API's requests failing as they would, the page's and
    those its service worker passes on. The emulation alone leaks: a page reloaded with no signal (served
    by its service worker) may start with `navigator.onLine` true, and what it sends goes out through the
    worker, which the emulation does not cover (playwright issue 2311)."""
    await context.route(API, _no_signal)
    await context.set_offline(True)


async def regain_signal(context: BrowserContext) -> None:
    await context.unroute(API, _no_signal)
    await context.set_offline(False)
