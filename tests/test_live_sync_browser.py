"""Issue 8: the hub's live board and a clinician's phone updating live from the same event, in real
Chromium. Two screens are open at once: the live board (/hub/#/board, a hub clinician, desk size) and
the clinician app (/app/, Nurse Amara Okafor, a 390 x 844 phone), and one event changes both without
a reload.

The event is Amara's arrival at a new referral's first visit: `visit.started`, published by scheduling
through its outbox when she records "Arrived" (here from her other device, so her phone learns it only
from the live stream). It is the honest choice: the board's status "first-contact-made" and its met
clock come from that event alone (the referral service's projection; `response-clock.met` follows it),
and the phone's visit turns "In progress" from it. A `visit.assigned` would not do: when the referral
is accepted the planner has usually sent someone already, so the board says "first visit planned"
before any reassignment, and it keeps the first planned time (the projection's COALESCE).

Both screens' copies of the stream are read as they arrive (a tap on `fetch` set before the pages
load), so the test also checks that the two screens got it as the same Server-Sent Event (the same
`id`, the feed position of the one `visit.started`). Then the phone loses its signal, Amara completes
the visit from her other device, the board hears `visit.completed` at once, and when the signal
returns the phone resumes with `Last-Event-ID`, gets the missed event once and shows the visit
completed: no reload, no duplicate. Screenshots: artifacts/screenshots/live-sync-*.png."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, BrowserContext, Page, expect

from .support.browser import new_desk, screenshot, sign_in
from .support.system import RunningSystem
from .support.visits import AMARA, a_person, a_visit_for
from .support.waiting import eventually

LONDON = ZoneInfo("Europe/London")
NURSE, NURSE_LOGIN, HUB = "Nurse Amara Okafor", "amara.okafor", "Ruth Ellis"
STREAM = "/api/notifications/stream"

# Set before any page script runs: wraps fetch so that each response of the live stream is read twice,
# once by the page (unchanged) and once here, recording every Server-Sent Event (id, event, data) and
# the Last-Event-ID each connection asked to resume from. `__dropStreams()` breaks the open streams as
# a lost signal does: Chromium's offline emulation (`set_offline`) stops new requests but leaves a
# response that is already streaming open. Test instrumentation only: the page's own code, its CSP
# and the server are untouched.
SSE_TAP = """
(() => {
  const original = window.fetch.bind(window);
  window.__sse = [];
  window.__sseConnects = [];
  window.__loadedAt = Date.now();
  const lines = new Set();
  window.__dropStreams = () => {
    for (const line of [...lines]) line.abort(new DOMException("signal lost", "NetworkError"));
  };
  const record = (block) => {
    const message = { id: null, event: null, data: "" };
    for (const line of block.split("\\n")) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const field = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") message.id = value;
      else if (field === "event") message.event = value;
      else if (field === "data") message.data += value;
    }
    if (message.id !== null || message.event !== null) window.__sse.push({ ...message, at: Date.now() });
  };
  window.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes("__STREAM__")) return original(input, init);
    window.__sseConnects.push({ at: Date.now(), lastEventId: new Headers(init && init.headers).get("Last-Event-ID") });
    const line = new AbortController();
    if (init && init.signal) init.signal.addEventListener("abort", () => line.abort(init.signal.reason));
    lines.add(line);
    line.signal.addEventListener("abort", () => lines.delete(line));
    const response = await original(input, { ...init, signal: line.signal });
    if (response.body === null) return response;
    const [forPage, forTest] = response.body.tee();
    (async () => {
      const reader = forTest.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buffer = (buffer + value).replace(/\\r\\n?/g, "\\n");
          let cut;
          while ((cut = buffer.indexOf("\\n\\n")) >= 0) {
            record(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
          }
        }
      } catch {
        /* the page aborted the stream (offline, reconnect): it reconnects on its own */
      }
    })();
    return new Response(forPage, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
})();
""".replace("__STREAM__", STREAM)


async def _phone(browser: Browser) -> BrowserContext:
    return await browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        timezone_id="Europe/London",
    )


async def _a_start_still_today() -> timedelta:
    """How far ahead to plan the visit so that it is on today's list (the app shows the UK day): five
    minutes, unless midnight is nearer, when the test waits for the new day rather than straddle it."""
    now = datetime.now(LONDON)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=LONDON)
    if midnight - now < timedelta(minutes=5):
        await asyncio.sleep((midnight - now).total_seconds() + 2)
    return timedelta(minutes=5)


async def _events(page: Page) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = await page.evaluate("window.__sse")
    return events


async def _connects(page: Page) -> list[dict[str, Any]]:
    connects: list[dict[str, Any]] = await page.evaluate("window.__sseConnects")
    return connects


async def _heard(page: Page, seq: int, event_type: str, within: float = 30.0) -> dict[str, Any]:
    """Wait until the page's stream has delivered the event with SSE id `seq`; return it."""

    async def probe() -> dict[str, Any] | None:
        return next((e for e in await _events(page) if e["id"] == str(seq)), None)

    event = await eventually(probe, within=within, what=f"SSE id {seq} ({event_type}) on {page.url}")
    assert event["event"] == event_type, event
    return event


async def _feed_seq(system: RunningSystem, visit_id: UUID, event_type: str) -> tuple[int, str]:
    """The feed position (the SSE id) and CloudEvent id of the one `event_type` for the visit."""
    rows = await eventually(
        lambda: system.query(
            "notifications", "SELECT seq, event_id FROM screen_feed WHERE visit_id = $1 AND type = $2", visit_id, event_type
        ),
        what=f"{event_type} in the notifications feed",
    )
    assert len(rows) == 1, rows  # one event, one feed row
    return int(rows[0]["seq"]), str(rows[0]["event_id"])


async def _from_her_other_device(system: RunningSystem, visit_id: UUID, action: str, body: dict[str, Any]) -> None:
    """Amara records a step of the visit through the clinician app's API, not on the phone under test."""
    async with await system.client("scheduling", NURSE_LOGIN) as client:
        response = await client.post(
            f"/api/scheduling/visits/{visit_id}/{action}", json=body, headers={"Idempotency-Key": str(uuid4())}
        )
    assert response.status_code == 200, response.text


async def test_the_board_and_the_nurses_phone_update_live_from_one_event(system: RunningSystem, browser: Browser) -> None:
    start_in = await _a_start_still_today()
    visit = await a_visit_for(
        system,
        AMARA,
        a_person("Iris", "Penrose", "3 Weaver's Row, Northgate", "Knock loudly; she is hard of hearing", "Fall, cannot stand"),
        start_in,
    )

    desk_context = await new_desk(browser)
    await desk_context.add_init_script(SSE_TAP)
    phone_context = await _phone(browser)
    await phone_context.add_init_script(SSE_TAP)
    try:
        # The hub's live board, signed in as a hub clinician.
        board = await desk_context.new_page()
        await sign_in(board, system.web_origin, HUB)
        await board.goto(f"{system.web_origin}/hub/#/board")
        row = board.locator(f'[data-testid="board-row"][data-referral-id="{visit.referral_id}"]')
        status, countdown = row.get_by_test_id("row-status"), row.get_by_test_id("countdown")
        await expect(board.get_by_test_id("live-indicator")).to_have_attribute("data-state", "live", timeout=15000)
        await expect(status).to_have_attribute("data-status", "first-visit-planned", timeout=30000)
        await expect(countdown).not_to_have_attribute("data-level", "met")
        await expect(countdown).not_to_have_text("MET")

        # Amara's phone, signed in to the clinician app: the visit is hers, to do.
        phone = await phone_context.new_page()
        await phone.goto(f"{system.web_origin}/app/")
        await phone.get_by_role("button", name=NURSE).click()
        await phone.wait_for_url(f"{system.web_origin}/app/**")
        card = phone.locator(f'[data-testid="visit-card"][data-visit-id="{visit.visit_id}"]')
        await expect(card).to_have_attribute("data-status", "assigned", timeout=30000)
        await expect(card).to_contain_text("Iris Penrose")
        await expect(phone.get_by_test_id("connection")).to_have_attribute("data-live", "live", timeout=15000)
        board_loaded, phone_loaded = await board.evaluate("window.__loadedAt"), await phone.evaluate("window.__loadedAt")

        # The one event: Amara arrives (recorded from her other device) -> scheduling's visit.started.
        await _from_her_other_device(system, visit.visit_id, "arrived", {})
        started_seq, started_id = await _feed_seq(system, visit.visit_id, "visit.started")

        # The board: first contact made, the clock met; the phone: the visit in progress. No reload.
        await expect(status).to_have_attribute("data-status", "first-contact-made", timeout=30000)
        await expect(status).to_have_text("First contact made")
        await expect(countdown).to_have_attribute("data-level", "met", timeout=30000)
        await expect(countdown).to_have_text("MET")
        await expect(row).to_have_class(re.compile(r"\bclosed\b"))  # its clock stopped: greyed, leaving the open board
        await expect(card).to_have_attribute("data-status", "in-progress", timeout=30000)
        await expect(card).to_contain_text("In progress")
        assert await board.evaluate("window.__loadedAt") == board_loaded
        assert await phone.evaluate("window.__loadedAt") == phone_loaded
        await screenshot(board, "live-sync-board")
        await screenshot(phone, "live-sync-app")

        # Both screens got it through the one stream, as the same Server-Sent Event.
        on_board = await _heard(board, started_seq, "visit.started")
        on_phone = await _heard(phone, started_seq, "visit.started")
        assert on_board["data"] == on_phone["data"]
        assert f'"visit_id":"{visit.visit_id}"' in on_phone["data"]
        rows = await system.query("notifications", "SELECT type FROM screen_feed WHERE event_id = $1", started_id)
        assert [r["type"] for r in rows] == ["visit.started"]

        # No signal on the phone: Amara completes the visit from her other device. The board hears
        # visit.completed at once; the phone, when the signal returns, resumes from where it was.
        heard_before = [e["id"] for e in await _events(phone) if e["id"] is not None]
        await phone_context.set_offline(True)
        await phone.evaluate("window.__dropStreams()")
        await expect(phone.get_by_test_id("connection")).to_have_attribute("data-state", "offline", timeout=15000)
        await expect(phone.get_by_test_id("connection")).not_to_have_attribute("data-live", "live", timeout=30000)
        last_seen = max((int(i) for i in [e["id"] for e in await _events(phone) if e["id"] is not None]), default=0)
        connects_before = len(await _connects(phone))
        await _from_her_other_device(
            system, visit.visit_id, "complete", {"tasks_done": [], "notes": "Helped up; no injury found.", "concerns": ""}
        )
        completed_seq, _ = await _feed_seq(system, visit.visit_id, "visit.completed")
        await _heard(board, completed_seq, "visit.completed")
        await asyncio.sleep(1.0)
        assert str(completed_seq) not in [e["id"] for e in await _events(phone)], "the phone heard it with no signal"
        await expect(card).to_have_attribute("data-status", "in-progress")

        await phone_context.set_offline(False)
        await expect(card).to_have_attribute("data-status", "completed", timeout=30000)
        await expect(phone.get_by_test_id("connection")).to_have_attribute("data-live", "live", timeout=30000)
        await _heard(phone, completed_seq, "visit.completed")
        resumed = (await _connects(phone))[connects_before:]
        assert resumed, "the phone never reconnected to the stream"
        assert all(c["lastEventId"] == str(last_seen) for c in resumed), (last_seen, resumed)
        ids = [e["id"] for e in await _events(phone) if e["id"] is not None]
        assert len(ids) == len(set(ids)), f"an event was delivered twice: {ids}"
        assert ids[: len(heard_before)] == heard_before
        await expect(card).to_have_count(1)
        await expect(card).to_contain_text("Completed")
        # No alert about her (added, removed, moved): the visit was hers throughout. Other visits the
        # planner gives or takes meanwhile may rightly raise their own alerts.
        await expect(phone.locator('[data-testid^="alert-"]', has_text="Iris Penrose")).to_have_count(0)
        assert await phone.evaluate("window.__loadedAt") == phone_loaded
        await screenshot(phone, "live-sync-app-reconnected")
    finally:
        await desk_context.close()
        await phone_context.close()

    rows = await system.query("scheduling", "SELECT status, staff_id FROM visits WHERE visit_id = $1", visit.visit_id)
    assert (rows[0]["status"], rows[0]["staff_id"]) == ("completed", AMARA)
