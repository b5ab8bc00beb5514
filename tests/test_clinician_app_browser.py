"""The clinician app in real Chromium on a phone-sized screen (390 x 844): a carer completes a visit; a
nurse records NEWS2 observations and sees the score and band; a visit completed with no signal is
sent once when the signal returns (exactly one visit.completed on the topic); a visit given to the
carer while the app is open appears without a reload, and one taken away while offline is shown as
a conflict rather than overwritten. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import asyncio
from uuid import UUID

from playwright.async_api import Browser, BrowserContext, Page, expect

from carerelay_contract.topics import Topic

from .support.browser import lose_signal, regain_signal, screenshot
from .support.kafka import read_all, wait_for_messages
from .support.system import RunningSystem
from .support.visits import AMARA, JOE, Arranged, a_person, a_referred_visit, a_visit_for, give

CARER, NURSE, HUB = "Carer Joe Evans", "Nurse Amara Okafor", "Ruth Ellis"
COMPLETED = "uk.nhs.carerelay.visit.completed.v1"


async def _phone(browser: Browser) -> BrowserContext:
    return await browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        timezone_id="Europe/London",
    )


async def _signed_in(browser: Browser, system: RunningSystem, who: str) -> tuple[BrowserContext, Page]:
    context = await _phone(browser)
    page = await context.new_page()
    await page.goto(f"{system.web_origin}/app/")
    await page.get_by_role("button", name=who).click()
    await page.wait_for_url(f"{system.web_origin}/app/**")
    await expect(page.get_by_test_id("day-meta")).to_contain_text("visit", timeout=15000)
    return context, page


async def _open(page: Page, visit_id: UUID) -> None:
    card = page.locator(f'[data-testid="visit-card"][data-visit-id="{visit_id}"]')
    await expect(card).to_be_visible(timeout=15000)
    await card.click()
    await expect(page.get_by_test_id("visit-title")).to_be_visible()


async def _status(page: Page, status: str) -> None:
    await expect(page.get_by_test_id("visit-status")).to_have_attribute("data-status", status, timeout=15000)


async def _all_sent(page: Page) -> None:
    await expect(page.get_by_test_id("connection")).to_have_attribute("data-pending", "0", timeout=30000)


async def _completions(system: RunningSystem, episode_id: UUID) -> int:
    messages = await read_all(system.kafka, system.topic(Topic.VISIT))
    return sum(1 for m in messages if m.key == str(episode_id).encode() and m.ce_type == COMPLETED)


async def test_a_carer_completes_a_visit(system: RunningSystem, browser: Browser) -> None:
    visit = await a_visit_for(
        system, JOE, a_person("Alice", "Archer", "4 Mill Lane, Northgate", "Key safe left of the door, code 4071", "Reablement")
    )
    context, page = await _signed_in(browser, system, CARER)
    try:
        await expect(page.locator(f'[data-visit-id="{visit.visit_id}"]')).to_contain_text("Key safe left of the door")
        await screenshot(page, "app-day")
        await _open(page, visit.visit_id)
        await expect(page.get_by_test_id("access-notes")).to_contain_text("code 4071")
        await screenshot(page, "app-visit")
        await page.get_by_test_id("en-route").click()
        await _status(page, "en-route")
        await page.get_by_test_id("arrived").click()
        await _status(page, "in-progress")
        await page.get_by_label("Personal care").check()
        await page.get_by_label("Medication prompt").check()
        await page.get_by_label("Notes", exact=True).fill("Washed and dressed; took morning tablets.")
        await screenshot(page, "app-visit-in-progress")
        await page.get_by_test_id("complete-submit").click()
        await _status(page, "completed")
        await _all_sent(page)
        await expect(page.get_by_test_id("visit-record")).to_contain_text("Personal care")
        await screenshot(page, "app-visit-completed")
    finally:
        await context.close()
    completed = await wait_for_messages(
        system.kafka, system.topic(Topic.VISIT), lambda m: m.key == str(visit.episode_id).encode() and m.ce_type == COMPLETED
    )
    assert b"personal-care" in (completed[0].value or b"")
    rows = await system.query("scheduling", "SELECT status FROM visits WHERE visit_id = $1", visit.visit_id)
    assert rows[0]["status"] == "completed"


async def test_a_nurse_records_news2_observations_and_sees_the_score_and_band(system: RunningSystem, browser: Browser) -> None:
    visit = await a_visit_for(
        system, AMARA, a_person("Ethel", "Barnes", "22 Canal Street", "Daughter lets you in", "Fall at home")
    )
    context, page = await _signed_in(browser, system, NURSE)
    try:
        await _open(page, visit.visit_id)
        await page.get_by_test_id("arrived").click()
        await _status(page, "in-progress")
        await page.locator("summary", has_text="Observations (NEWS2)").click()
        await page.get_by_label("Respiration rate (breaths/min)").fill("22")
        await page.get_by_label("SpO2 (%)").fill("94")
        await page.get_by_label("Systolic blood pressure (mmHg)").fill("128")
        await page.get_by_label("Pulse (beats/min)").fill("112")
        await page.get_by_label("Temperature (°C)").fill("38.5")
        # The server's answer to "arrived" redraws the visit: what the nurse typed must survive it.
        await _all_sent(page)
        await page.wait_for_timeout(1500)
        await expect(page.get_by_label("Respiration rate (breaths/min)")).to_have_value("22")
        await expect(page.get_by_label("Temperature (°C)")).to_have_value("38.5")
        live = page.get_by_test_id("news2-live")
        await expect(live).to_contain_text("NEWS2 6 · Medium")
        await expect(live).to_contain_text("urgent review")
        await screenshot(page, "app-news2-entered")
        await page.get_by_test_id("observations-submit").click()
        latest = page.get_by_test_id("news2-latest")
        await expect(latest).to_have_attribute("data-band", "medium", timeout=15000)
        await expect(latest).to_contain_text("NEWS2 6")
        await expect(page.get_by_test_id("action-status")).to_contain_text("checked by the server", timeout=15000)
        await screenshot(page, "app-news2-recorded")
    finally:
        await context.close()
    recorded = await wait_for_messages(
        system.kafka,
        system.topic(Topic.EPISODE),
        lambda m: m.key == str(visit.episode_id).encode() and m.ce_type == "uk.nhs.carerelay.assessment.recorded.v1",
    )
    assert b'"news2_score":6' in (recorded[0].value or b"")
    assert b'"serious_concern":true' in (recorded[0].value or b"")


async def test_a_visit_completed_offline_is_sent_once_when_the_signal_returns(system: RunningSystem, browser: Browser) -> None:
    visit = await a_visit_for(system, JOE, a_person("Reg", "Hall", "9 Quarry Road", "Back door", "Home from the ward"))
    context, page = await _signed_in(browser, system, CARER)
    try:
        await _open(page, visit.visit_id)
        await page.get_by_test_id("arrived").click()
        await _status(page, "in-progress")
        await _all_sent(page)
        await page.wait_for_function("() => navigator.serviceWorker.controller !== null")  # the app is kept on the phone

        await lose_signal(context)
        await expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "offline")
        await page.get_by_label("Mobility practice").check()
        await page.get_by_label("Notes", exact=True).fill("Walked to the kitchen with the frame.")
        await page.get_by_test_id("complete-submit").click()
        await _status(page, "completed")
        await expect(page.get_by_test_id("connection")).to_have_attribute("data-pending", "1")
        await expect(page.get_by_test_id("connection")).to_contain_text("waiting to send")
        await screenshot(page, "app-offline-saved")
        await page.reload()  # a reload with no signal: the day and the waiting action are still there
        await _status(page, "completed")
        await expect(page.get_by_test_id("connection")).to_have_attribute("data-pending", "1")
        rows = await system.query("scheduling", "SELECT status FROM visits WHERE visit_id = $1", visit.visit_id)
        assert rows[0]["status"] == "in-progress"  # nothing reached the server

        await regain_signal(context)
        await _all_sent(page)
        await expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "online")
    finally:
        await context.close()
    await wait_for_messages(
        system.kafka, system.topic(Topic.VISIT), lambda m: m.key == str(visit.episode_id).encode() and m.ce_type == COMPLETED
    )
    await asyncio.sleep(2.0)  # a second completion, if one were coming, would be published by now
    assert await _completions(system, visit.episode_id) == 1


async def test_a_visit_given_to_the_carer_appears_live_and_one_taken_away_offline_is_a_conflict(
    system: RunningSystem, browser: Browser
) -> None:
    kept: Arranged = await a_visit_for(system, JOE, a_person("Mary", "Cole", "1 Station Road", "", "Carer breakdown"))
    arriving = await a_referred_visit(system, a_person("Sally", "Dean", "7 Orchard Close", "Spare key with No. 9", "Escalation"))
    context, page = await _signed_in(browser, system, CARER)
    hub_context = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB", timezone_id="Europe/London")
    hub = await hub_context.new_page()
    try:
        await expect(page.get_by_test_id("connection")).to_have_attribute("data-live", "live", timeout=15000)
        await expect(page.locator(f'[data-visit-id="{kept.visit_id}"]')).to_be_visible()

        # A coordinator gives Sally's visit to Joe while his app is open: it arrives without a reload.
        await give(system, arriving.visit_id, JOE)
        await expect(page.get_by_test_id("alert-added")).to_contain_text("Sally Dean", timeout=30000)
        await expect(page.locator(f'[data-visit-id="{arriving.visit_id}"]')).to_be_visible()
        await screenshot(page, "app-new-visit-alert")

        # The hub's live board sees Joe arrive at Sally's, as it happens.
        await hub.goto(f"{system.web_origin}/hub/")
        await hub.get_by_role("button", name=HUB).click()
        await hub.wait_for_url(f"{system.web_origin}/hub/**")
        await hub.goto(f"{system.web_origin}/hub/#/board")
        row = hub.locator(f'[data-testid="board-row"][data-referral-id="{arriving.referral_id}"]')
        await expect(row).to_be_visible(timeout=15000)
        await expect(hub.get_by_test_id("live-indicator")).to_have_attribute("data-state", "live", timeout=15000)
        await _open(page, arriving.visit_id)
        await page.get_by_test_id("arrived").click()
        await _status(page, "in-progress")
        await expect(row.get_by_test_id("row-status")).to_have_attribute("data-status", "first-contact-made", timeout=30000)

        # With no signal, Joe says he is on his way to Mary, whose visit meanwhile goes to Amara.
        await page.get_by_test_id("back").click()
        await lose_signal(context)
        await _open(page, kept.visit_id)
        await page.get_by_test_id("en-route").click()
        await _status(page, "en-route")
        await give(system, kept.visit_id, AMARA)
        await regain_signal(context)
        conflict = page.get_by_test_id("conflict")
        await expect(conflict).to_contain_text("given to someone else", timeout=30000)
        await expect(conflict).to_contain_text("On my way")
        await expect(page.get_by_test_id("visit-gone")).to_be_visible(timeout=15000)
        await screenshot(page, "app-conflict")
    finally:
        await context.close()
        await hub_context.close()
    rows = await system.query("scheduling", "SELECT status, staff_id FROM visits WHERE visit_id = $1", kept.visit_id)
    assert (rows[0]["status"], rows[0]["staff_id"]) == ("assigned", AMARA)  # not overwritten by the late action
