"""A care plan change in real Chromium (issue 15): the coordinator sees the nurse's proposal beside
today's plan, agrees one (the plan's new visits are made) and declines another with a reason, which
the page asks for before sending."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, expect

from .support.browser import new_desk, screenshot, sign_in
from .support.system import RunningSystem
from .support.visits import AMARA, a_person, a_visit_for
from .support.waiting import eventually

LONDON = ZoneInfo("Europe/London")


async def _proposed(system: RunningSystem, given_name: str, body: dict[str, Any]) -> tuple[Any, str]:
    visit = await a_visit_for(system, AMARA, a_person(given_name, "Quinn", "4 Well Street, Northgate", "", "Home from hospital"))
    async with await system.client("scheduling", "amara.okafor") as nurse:
        response = await nurse.post(
            f"/api/scheduling/episodes/{visit.episode_id}/care-plan-proposal",
            json=body,
            headers={"Idempotency-Key": str(uuid4())},
        )
    assert response.status_code == 200, response.text
    return visit, response.json()["proposal_id"]


async def test_the_coordinator_agrees_one_change_and_declines_another_with_a_reason(
    system: RunningSystem, browser: Browser
) -> None:
    tomorrow = datetime.now(LONDON).date() + timedelta(days=1)
    teatime = {
        "discipline": "carer",
        "preferred_windows": [{"start": "16:00", "end": "17:00"}],
        "duration_minutes": 30,
        "starts_on": tomorrow.isoformat(),
        "ends_on": (tomorrow + timedelta(days=14)).isoformat(),
    }
    agreed_visit, agreed_id = await _proposed(system, "Olive", {"reason": "Add a teatime visit", "visits": [teatime]})
    _, declined_id = await _proposed(system, "Percy", {"reason": "Stop the evening visit"})

    page = await (await new_desk(browser)).new_page()
    await sign_in(page, system.web_origin, "Daniel Hughes")
    await page.goto(f"{system.web_origin}/hub/#/plan")
    agree_row = page.locator(f'[data-proposal-id="{agreed_id}"]')
    await expect(agree_row).to_contain_text("Olive Quinn: Add a teatime visit", timeout=20000)
    await expect(agree_row).to_contain_text("carer, 16:00-17:00")
    await screenshot(page, "hub-care-plan-changes")
    await agree_row.get_by_test_id("proposal-agree").click()
    result = page.get_by_test_id("plan-proposals-result")
    await expect(result).to_contain_text("Agreed for Olive Quinn", timeout=15000)
    await expect(agree_row).to_have_count(0)

    decline_row = page.locator(f'[data-proposal-id="{declined_id}"]')
    await decline_row.get_by_test_id("proposal-decline").click()
    await decline_row.get_by_test_id("proposal-decline-confirm").click()
    await expect(decline_row).to_contain_text("Say why, so the clinician knows")
    await decline_row.get_by_test_id("proposal-decline-reason").fill("Her daughter asked us to keep it for now")
    await decline_row.get_by_test_id("proposal-decline-confirm").click()
    await expect(result).to_contain_text("Declined for Percy Quinn", timeout=15000)

    rows = await system.query(
        "scheduling",
        "SELECT proposal_id::text, decision FROM care_plan_proposals WHERE proposal_id = ANY($1::uuid[])",
        [agreed_id, declined_id],
    )
    assert {row["proposal_id"]: row["decision"] for row in rows} == {agreed_id: "agreed", declined_id: "declined"}
    made = await eventually(
        lambda: system.query(
            "scheduling", "SELECT 1 FROM visits WHERE episode_id = $1 AND care_plan_id IS NOT NULL", agreed_visit.episode_id
        ),
        what="the agreed plan's visits",
    )
    assert made
    await page.context.close()
