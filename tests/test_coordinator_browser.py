"""The coordinator's view (#/plan) in real Chromium, signed in as the north team's coordinator
(daniel.hughes): a carer's care-plan visit for today, arranged through the real APIs (a referral
taken at the hub, a care plan agreed by a hub clinician, the day planned), is seen on its carer's row;
dragged onto another north carer's row it becomes a pinned assignment (the database, the visit topic
and the screen without a reload); moved back with the keyboard ("Move to…"); a move the API refuses
(422: the person has just left the team) is said in words; and a carer called in sick elsewhere
moves the visit on this screen through the live stream. Screenshots: artifacts/screenshots/
coordinator-plan*.png.

The coordinator, not the hub clinician, because the team scoping is the point. The test brings its own
rota, so it runs and asserts at any hour: two more north carers on shift from an hour ago for the next
nine (explicit shifts, no working pattern), and a visit 25 minutes from now on the planning day it falls
in (07:00 to 07:00; one that would start in the last hour and a half of a planning day goes to 07:30, the
first of the next), which the screen is opened on.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import orjson
import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, expect

from carerelay_contract.topics import Topic

from .support.browser import new_desk, screenshot, sign_in
from .support.kafka import Message, wait_for_messages
from .support.system import HUB_CLINICIAN, HUB_HANDLER, RunningSystem
from .support.visits import a_person
from .support.waiting import eventually

LONDON = ZoneInfo("Europe/London")
COORDINATOR = "daniel.hughes"  # Daniel Hughes, coordinator, team north
NEAR_NORTH_BASE = (52.6390, -1.1350)  # the north base is at 52.6369, -1.1398


def _field(message: Message, name: str) -> Any:
    return orjson.loads(message.value or b"{}").get(name)


@pytest.fixture
async def own_rota(system: RunningSystem) -> AsyncIterator[list[UUID]]:
    """Two north carers on shift around now, whatever the hour: an explicit shift each (their working
    pattern is none, so they work no other time); taken off the rota afterwards."""
    now = datetime.now(UTC)
    (base,) = await system.query("scheduling", "SELECT base_id FROM bases WHERE team = 'north' ORDER BY name LIMIT 1")
    carers = [uuid4(), uuid4()]
    for staff_id, name in zip(carers, ("Carer Nia Powell", "Carer Sam Okoro"), strict=True):
        await system.query(
            "scheduling",
            """
            INSERT INTO staff (staff_id, display_name, discipline, employer, base_id, skills, team, working_pattern)
            VALUES ($1, $2, 'carer', 'county-council', $3, ARRAY['double-handed-moving', 'medication-prompt'], 'north', 'none')
            """,
            staff_id,
            name,
            base["base_id"],
        )
        await system.query(
            "scheduling",
            "INSERT INTO shifts (staff_id, starts_at, ends_at, break_minutes) VALUES ($1, $2, $3, 0)",
            staff_id,
            now - timedelta(hours=1),
            now + timedelta(hours=9),
        )
    yield carers
    await system.query("scheduling", "UPDATE staff SET active = false WHERE staff_id = ANY($1::uuid[])", carers)


def _visit_time(local_now: datetime) -> datetime:
    """25 minutes from now (on a five-minute mark), unless that is in the last hour and a half of a
    planning day: then 07:30, the start of the next, so its whole window is in the day planned."""
    start = (local_now + timedelta(minutes=25)).replace(second=0, microsecond=0)
    start += timedelta(minutes=-start.minute % 5)
    if time(5, 30) <= start.time() < time(7, 0):
        start = start.replace(hour=7, minute=30)
    return start


def _planning_day(local_start: datetime) -> date:
    """The planning day (07:00 to 07:00) a visit starting then falls in."""
    return (local_start - timedelta(hours=7)).date()


async def _staff_id(system: RunningSystem, display_name: str) -> UUID:
    rows = await system.query("scheduling", "SELECT staff_id FROM staff WHERE display_name = $1", display_name)
    staff_id: UUID = rows[0]["staff_id"]
    return staff_id


async def _north_person(system: RunningSystem) -> UUID:
    """A person referred to the hub, at home near the north base: the north team's."""
    body = a_person("Nora", "Fenwick", "12 Mill Lane, Northgate", "Ring twice", "Needs help getting up and dressed")
    body["patient"] |= {"latitude": NEAR_NORTH_BASE[0], "longitude": NEAR_NORTH_BASE[1]}
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json=body)
    assert response.status_code == 201, response.text
    referral = response.json()
    assert referral["team"] == "north", referral  # LE1: Northgate Central
    episode_id = UUID(referral["episode_id"])
    await eventually(
        lambda: system.query("scheduling", "SELECT 1 FROM episodes WHERE episode_id = $1 AND team = 'north'", episode_id),
        what="scheduling to know the person, in the north team",
    )
    return episode_id


async def _a_care_visit(system: RunningSystem, episode_id: UUID, start: datetime) -> UUID:
    """A carer for 30 minutes, preferred from `start` for an hour and a half (not past midnight); its
    planning day planned (as a hub clinician)."""
    end = min(start + timedelta(minutes=90), start.replace(hour=23, minute=59))
    line = {
        "discipline": "carer",
        "preferred_windows": [{"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}],
        "duration_minutes": 30,
        "required_skills": [],
        "starts_on": start.date().isoformat(),
        "ends_on": start.date().isoformat(),
    }
    async with await system.client("scheduling", HUB_CLINICIAN) as client:
        agreed = await client.post(
            "/api/scheduling/care-plans",
            json={
                "episode_id": str(episode_id),
                "agreed_by_staff_id": str(await _staff_id(system, "Nurse Amara Okafor")),
                "visits": [line],
            },
        )
        assert agreed.status_code == 202, agreed.text
        care_plan_id = UUID(agreed.json()["care_plan_id"])
        rows = await eventually(
            lambda: system.query("scheduling", "SELECT visit_id FROM visits WHERE care_plan_id = $1", care_plan_id),
            what="the care plan's visit",
        )
        planned = await client.post("/api/scheduling/plans", json={"day": _planning_day(start).isoformat()})
        assert planned.status_code == 200, planned.text
    visit_id: UUID = rows[0]["visit_id"]
    return visit_id


async def _visit(system: RunningSystem, visit_id: UUID) -> Any:
    (row,) = await system.query(
        "scheduling",
        "SELECT v.*, s.team AS staff_team, s.display_name FROM visits v LEFT JOIN staff s USING (staff_id) WHERE visit_id = $1",
        visit_id,
    )
    return row


async def _day_plan(system: RunningSystem, day: date) -> dict[str, Any]:
    async with await system.client("scheduling", COORDINATOR) as client:
        response = await client.get("/api/scheduling/plan", params={"day": day.isoformat()})
    assert response.status_code == 200, response.text
    plan: dict[str, Any] = response.json()
    return plan


def _another_carer(plan: dict[str, Any], visit: Any, own: list[UUID]) -> dict[str, Any]:
    """A north carer other than the visit's, on shift for the whole of its planned time: one of the
    test's own rota first (their rows hold nothing else, so both rows fit the screen while dragging;
    a demo carer's may be tall with the visits other tests pinned to them)."""
    start = visit["planned_start"]
    end = start + timedelta(minutes=visit["duration_minutes"])
    ours = {str(staff_id) for staff_id in own}
    for member in sorted(plan["staff"], key=lambda member: member["staff_id"] not in ours):
        shift_start = datetime.fromisoformat(member["shift"]["start"])
        shift_end = datetime.fromisoformat(member["shift"]["end"])
        if (
            member["discipline"] == "carer"
            and member["staff_id"] != str(visit["staff_id"])
            and shift_start <= start
            and end <= shift_end
            and shift_end > datetime.now(UTC) + timedelta(minutes=45)
        ):
            found: dict[str, Any] = member
            return found
    raise AssertionError(f"no other north carer on shift for {start:%H:%M}: {plan['staff']}")


def _row(page: Page, staff_id: object) -> Any:
    return page.locator(f'.plan-row[data-staff-id="{staff_id}"]')


def _block(page: Page, staff_id: object, visit_id: UUID) -> Any:
    return _row(page, staff_id).locator(f'[data-testid="visit-block"][data-visit-id="{visit_id}"]')


async def _choose_by_keyboard(page: Page, select_id: str, value: str) -> None:
    """Arrow keys through the focused select until it holds `value` (disabled options are skipped)."""
    for _ in range(60):
        if await page.evaluate("(id) => document.getElementById(id).value", select_id) == value:
            return
        await page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} is not among the choices in #{select_id}")


async def test_a_coordinator_drags_a_visit_to_another_carer_moves_it_back_by_keyboard_and_sees_refusals(
    system: RunningSystem, browser: Browser, own_rota: list[UUID]
) -> None:
    start = _visit_time(datetime.now(UTC).astimezone(LONDON))
    day = _planning_day(start)
    episode_id = await _north_person(system)
    visit_id = await _a_care_visit(system, episode_id, start)
    first = await _visit(system, visit_id)
    assert first["status"] == "assigned", dict(first)
    assert first["staff_team"] == "north", f"the planner gave the visit to {first['display_name']}, outside the north team"
    plan = await _day_plan(system, day)
    carer_a = str(first["staff_id"])
    carer_b = _another_carer(plan, first, own_rota)

    # A tall desk screen: every row on it at once. The rows are in name order, and the visit's carer may be
    # a demo carer far from the test's own, with a row made tall by the visits earlier tests pinned to others
    # (a real drag would scroll the timeline; Playwright's HTML5 drag cannot reach a row off-screen).
    context = await new_desk(browser, height=2400)
    page = await context.new_page()
    csp_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            csp_errors.append(message.text)

    page.on("console", on_console)
    await sign_in(page, system.web_origin, "Daniel Hughes")
    await expect(page).to_have_url(f"{system.web_origin}/hub/#/plan")  # a coordinator's screen opens on the plan
    await expect(page.locator("#nav-plan")).to_be_visible()
    await expect(page.get_by_test_id("live-indicator")).to_have_attribute("data-state", "live", timeout=15000)
    await page.evaluate("(day) => { window.location.hash = `#/plan?day=${day}`; }", day.isoformat())  # the visit's day
    await expect(page.locator("#plan-day")).to_have_value(day.isoformat())

    # The visit is on its carer's row, with the planner's why for hover and focus.
    block = _block(page, carer_a, visit_id)
    await expect(block).to_be_visible(timeout=15000)
    await expect(block).to_contain_text("LE1 1AA · Nora Fenwick")
    await expect(block).to_contain_text("Care visit")
    await block.hover()
    await expect(page.get_by_test_id("plan-detail")).to_contain_text("Why this person")
    await expect(_row(page, carer_b["staff_id"])).to_contain_text(carer_b["display_name"])
    await screenshot(page, "coordinator-plan")

    # Drag it onto the other carer's row (dropped on the name, which stays in view when the timeline scrolls).
    await page.evaluate("() => { window.__sameDocument = true; }")
    outcome = page.get_by_test_id("plan-outcome")
    for _ in range(3):  # a live refresh landing mid-drag re-draws the rows; a person would simply drag again
        await block.drag_to(_row(page, carer_b["staff_id"]).locator(".row-name"))
        with contextlib.suppress(AssertionError):
            await expect(outcome).not_to_be_empty(timeout=8000)
            break
    await expect(outcome).to_contain_text(f"is now with {carer_b['display_name']}", timeout=30000)
    await expect(outcome).to_contain_text("pinned")
    moved = _block(page, carer_b["staff_id"], visit_id)
    await expect(moved).to_be_visible()
    await expect(moved).to_contain_text("Pinned")
    await expect(_block(page, carer_a, visit_id)).to_have_count(0)
    assert await page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    after_drag = await _visit(system, visit_id)
    assert after_drag["pinned"] is True
    assert str(after_drag["staff_id"]) == carer_b["staff_id"]
    await screenshot(page, "coordinator-plan-after-drag")

    # Back to the first carer by keyboard: Enter on the visit, "Move to…", Tab, Enter.
    await moved.focus()
    await page.keyboard.press("Enter")
    assert await page.evaluate("() => document.activeElement.id") == "plan-move-first"
    await expect(page.locator("#plan-move-first-label")).to_have_text("Move to…")
    await _choose_by_keyboard(page, "plan-move-first", carer_a)
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.id") == "plan-move-submit"
    await page.keyboard.press("Enter")
    carer_a_name = str(first["display_name"])
    await expect(outcome).to_contain_text(f"is now with {carer_a_name}", timeout=30000)
    back = _block(page, carer_a, visit_id)
    await expect(back).to_be_visible()
    await expect(back).to_be_focused()  # focus follows the visit to its new row
    await eventually(
        lambda: system.query(
            "scheduling", "SELECT 1 FROM visits WHERE visit_id = $1 AND pinned AND staff_id = $2::uuid", visit_id, carer_a
        ),
        within=10,
        what="the visit pinned back to the first carer",
    )

    # A move the API refuses: the other carer has just moved to the riverside team (the screen does
    # not know yet), so the pin is a 422, said in words with their name, and nothing changes.
    await page.wait_for_timeout(2500)  # let the live reloads from the last move settle
    await system.query("scheduling", "UPDATE staff SET team = 'riverside' WHERE staff_id = $1::uuid", carer_b["staff_id"])
    try:
        await back.focus()
        await page.keyboard.press("Enter")
        await _choose_by_keyboard(page, "plan-move-first", carer_b["staff_id"])
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await expect(outcome).to_have_text(f"Not moved: {carer_b['display_name']} is not in your team.", timeout=30000)
    finally:
        await system.query("scheduling", "UPDATE staff SET team = 'north' WHERE staff_id = $1::uuid", carer_b["staff_id"])
    assert str((await _visit(system, visit_id))["staff_id"]) == carer_a

    # Live: the first carer calls in sick at another desk; the visit leaves their row on this screen.
    async with await system.client("scheduling", HUB_CLINICIAN) as client:
        shift_end = next(m for m in (await _day_plan(system, day))["staff"] if m["staff_id"] == carer_a)["shift"]["end"]
        absence = await client.post(
            "/api/scheduling/absences",
            json={
                "staff_id": carer_a,
                "starts_at": datetime.now(UTC).isoformat(),
                "ends_at": shift_end,
                "reason": "called in sick",
            },
        )
        assert absence.status_code == 201, absence.text
    replanned = await _visit(system, visit_id)
    assert str(replanned["staff_id"]) != carer_a
    await expect(_block(page, carer_a, visit_id)).to_have_count(0, timeout=20000)
    if replanned["staff_id"] is not None and replanned["staff_team"] == "north":
        await expect(_block(page, replanned["staff_id"], visit_id)).to_be_visible(timeout=20000)
    assert await page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"

    # Readable on a phone: rows stacked, each visit a full-width item.
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "coordinator-plan-phone")
    assert csp_errors == [], csp_errors

    # The drag was published as a pinned assignment to the second carer.
    await wait_for_messages(
        system.kafka,
        system.topic(Topic.VISIT),
        lambda m: (
            m.ce_type.endswith("visit.assigned.v1")
            and _field(m, "visit_id") == str(visit_id)
            and _field(m, "staff_id") == carer_b["staff_id"]
            and _field(m, "pinned") is True
        ),
        within=20,
    )
    await context.close()
