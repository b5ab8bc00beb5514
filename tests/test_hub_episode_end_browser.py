"""Ending an episode at the hub, in real Chromium: a hub clinician sees the nurse's discharge
recommendation on the referral page and closes the episode from it (the outcome pre-chosen, the
visit cancelled, the page showing the outcome); a call handler, who may not close an episode, cancels
a referral before first contact, and a missing reason is shown next to its field."""

from __future__ import annotations

import re
from uuid import uuid4

from playwright.async_api import Browser, Page, expect

from .support.browser import new_desk, screenshot, sign_in
from .support.system import RunningSystem
from .support.visits import AMARA, a_person, a_referred_visit, a_visit_for
from .support.waiting import eventually


async def _referral_page(browser: Browser, system: RunningSystem, who: str, referral_id: str) -> Page:
    page = await (await new_desk(browser)).new_page()
    await sign_in(page, system.web_origin, who)
    await page.goto(f"{system.web_origin}/hub/#/referral/{referral_id}")
    return page


async def test_a_hub_clinician_closes_the_episode_from_the_nurses_recommendation(system: RunningSystem, browser: Browser) -> None:
    visit = await a_visit_for(system, AMARA, a_person("Irene", "Lowe", "3 Mill Row, Northgate", "", "Home from hospital"))
    async with await system.client("scheduling", "amara.okafor") as nurse:
        recommended = await nurse.post(
            f"/api/scheduling/episodes/{visit.episode_id}/discharge-recommendation",
            json={"outcome": "ongoing-care-package", "summary": "Morning package from Monday"},
            headers={"Idempotency-Key": str(uuid4())},
        )
    assert recommended.status_code == 200, recommended.text

    page = await _referral_page(browser, system, "Ruth Ellis", visit.referral_id)
    notice = page.get_by_test_id("discharge-recommendation")
    await expect(notice).to_contain_text("Onward care package", timeout=20000)
    await expect(notice).to_contain_text("Morning package from Monday")
    await page.get_by_test_id("close-episode").click()
    await expect(page.get_by_test_id("close-outcome")).to_have_value("ongoing-care-package")
    await expect(page.get_by_test_id("close-summary")).to_have_value("Morning package from Monday")
    await screenshot(page, "hub-close-episode")
    await page.get_by_test_id("close-confirm").click()

    result = page.get_by_test_id("episode-end-result")
    await expect(result).to_contain_text("Episode closed", timeout=15000)
    await expect(result).to_contain_text("1 planned visit cancelled")
    await expect(page.get_by_test_id("referral-status")).to_have_attribute("data-status", "closed", timeout=15000)
    await expect(page.get_by_test_id("outcome")).to_have_text("Onward care package")
    await expect(page.get_by_test_id("close-episode")).to_be_hidden()
    await expect(notice).to_be_hidden()
    await expect(page.get_by_test_id("timeline")).to_contain_text("Episode closed by Ruth Ellis", timeout=15000)
    rows = await system.query("scheduling", "SELECT outcome FROM episode_closures WHERE episode_id = $1", visit.episode_id)
    assert [row["outcome"] for row in rows] == ["ongoing-care-package"]
    await page.context.close()


async def test_a_call_handler_cancels_a_referral_with_a_reason_and_may_not_close_one(
    system: RunningSystem, browser: Browser
) -> None:
    arranged = await a_referred_visit(system, a_person("Jack", "Moss", "9 Weir Lane, Northgate", "", "Unsteady after a fall"))
    page = await _referral_page(browser, system, "Sophie Reid", arranged.referral_id)
    cancel = page.get_by_test_id("cancel-referral")
    await expect(cancel).to_be_visible(timeout=20000)
    await expect(page.get_by_test_id("close-episode")).to_be_hidden()
    await cancel.click()
    await page.get_by_test_id("cancel-confirm").click()
    await expect(page.locator("#cancel-reason-error")).to_have_text("Enter the reason for cancelling this referral")
    await expect(page.get_by_test_id("cancel-reason")).to_have_attribute("aria-invalid", "true")
    await page.get_by_test_id("cancel-reason").fill("The GP called back: admitted to hospital overnight")
    await page.get_by_test_id("cancel-confirm").click()
    await expect(page.get_by_test_id("episode-end-result")).to_contain_text(re.compile("Referral cancelled at"), timeout=15000)
    await expect(page.get_by_test_id("referral-status")).to_have_attribute("data-status", "cancelled", timeout=15000)
    await expect(page.get_by_test_id("referral-summary")).to_contain_text("admitted to hospital overnight")
    await expect(cancel).to_be_hidden()

    async def visit_cancelled() -> bool:
        rows = await system.query("scheduling", "SELECT status FROM visits WHERE visit_id = $1", arranged.visit_id)
        return bool(rows[0]["status"] == "cancelled")

    await eventually(visit_cancelled, what="scheduling to cancel the planned visit")
    await page.context.close()


async def test_a_call_handler_records_a_hospital_stay_and_the_return_home(system: RunningSystem, browser: Browser) -> None:
    visit = await a_visit_for(system, AMARA, a_person("Nora", "Oakes", "6 Mill Row, Northgate", "", "Frail, lives alone"))
    page = await _referral_page(browser, system, "Sophie Reid", visit.referral_id)
    await page.get_by_test_id("record-admission").click()
    await page.get_by_test_id("admission-confirm").click()
    await expect(page.locator("#admission-hospital-error")).to_have_text("Enter the hospital")
    await page.get_by_test_id("admission-hospital").fill("County General")
    await page.get_by_test_id("admission-ward").fill("Ward 7")
    await page.get_by_test_id("admission-confirm").click()
    await expect(page.get_by_test_id("episode-end-result")).to_contain_text("Admission recorded", timeout=15000)
    stay = page.get_by_test_id("hospital-stay")
    await expect(stay).to_contain_text("County General, Ward 7", timeout=15000)
    await expect(page.get_by_test_id("record-admission")).to_be_hidden()
    await expect(page.get_by_test_id("countdown")).to_have_text("STOPPED: in hospital")
    await screenshot(page, "hub-hospital-stay")

    async def visit_cancelled() -> bool:
        rows = await system.query("scheduling", "SELECT status FROM visits WHERE visit_id = $1", visit.visit_id)
        return bool(rows[0]["status"] == "cancelled")

    await eventually(visit_cancelled, what="the visit paused")
    await page.get_by_test_id("record-discharge").click()
    await expect(page.get_by_test_id("episode-end-result")).to_contain_text("Discharge recorded", timeout=15000)
    await expect(stay).to_be_hidden(timeout=15000)
    await expect(page.get_by_test_id("timeline")).to_contain_text("Discharged from County General", timeout=20000)
    await page.context.close()
