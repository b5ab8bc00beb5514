"""The Triage section of a referral in real Chromium: a hub clinician sees the decision and why,
overrides it to "rapid" with a reason, then hands the lead to a therapist; each change is seen on the
page and in the services' databases. Screenshot to artifacts/screenshots/hub-triage-override.png."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, expect

from carerelay_testing.factories import fresh_nhs_number

from .support.browser import new_desk, screenshot, sign_in
from .support.system import HUB_HANDLER, RunningSystem
from .support.waiting import eventually


async def test_a_hub_clinician_overrides_triage_and_hands_the_lead_to_a_therapist(
    system: RunningSystem, browser: Browser, referral_body: dict[str, Any]
) -> None:
    body = {
        **referral_body,
        "patient": {**referral_body["patient"], "nhs_number": fresh_nhs_number()},
        "presenting_needs": ["wound-care"],
    }
    async with await system.client("referral", HUB_HANDLER) as client:
        response = await client.post("/api/referral/referrals", json=body)
    assert response.status_code == 201, response.text
    referral_id: str = response.json()["referral_id"]

    context = await new_desk(browser)
    page = await context.new_page()
    await sign_in(page, system.web_origin, "Ruth Ellis")
    await page.goto(f"{system.web_origin}/hub/#/referral/{referral_id}")

    # The decision and why; it may arrive after the page opens (live events reload the section).
    decision = page.get_by_test_id("triage-decision")
    await expect(decision).to_have_attribute("data-tier", "normal", timeout=30000)
    await expect(page.get_by_test_id("triage-lead")).to_have_text("Nurse")
    await expect(page.get_by_test_id("triage-why")).to_contain_text("Why: ")
    await expect(page.get_by_test_id("triage-rules-version")).not_to_have_text("—")

    # Override: a reason is required, then the tier becomes rapid.
    form = page.get_by_test_id("override-form")
    await form.get_by_label("Tier").select_option("rapid")
    await page.get_by_test_id("override-submit").click()
    await expect(page.locator("#override-reason-error")).to_contain_text("reason")
    await form.get_by_label("Reason").fill("Carer says the wound is much worse since this morning.")
    await page.get_by_test_id("override-reason").press("Tab")
    await page.keyboard.press("Enter")  # the submit button follows the reason, by keyboard
    result = page.get_by_test_id("triage-result")
    await expect(result).to_contain_text("Overridden", timeout=15000)
    await expect(page.get_by_test_id("triage-tier")).to_have_text("Rapid < 3 h")
    await expect(page.get_by_test_id("triage-why")).to_contain_text("overridden-by-hub-clinician")

    async def referral_tier_is_rapid() -> bool:
        rows = await system.query("referral", "SELECT tier FROM referrals WHERE referral_id = $1::uuid", referral_id)
        return bool(rows) and rows[0]["tier"] == "rapid"

    await eventually(referral_tier_is_rapid, within=30, what="the referral's tier to become rapid")
    await expect(page.get_by_test_id("referral-summary")).to_contain_text("Rapid < 3 h", timeout=30000)  # via live events
    await screenshot(page, "hub-triage-override")

    # Hand the lead to a therapist; handing it to the lead it already has is refused (409).
    lead_form = page.get_by_test_id("lead-form")
    await lead_form.get_by_label("To").select_option("nurse")
    await page.get_by_test_id("lead-submit").click()
    await expect(result).to_contain_text("nurse already leads this episode", timeout=15000)
    await lead_form.get_by_label("To").select_option("therapist")
    await lead_form.get_by_label("Reason").fill("Mobility is now the main problem.")
    await page.get_by_test_id("lead-submit").click()
    await expect(result).to_contain_text("The lead is now Therapist", timeout=15000)
    await expect(page.get_by_test_id("triage-lead")).to_have_text("Therapist")

    rows = await system.query("triage", "SELECT lead_discipline FROM triage_decisions WHERE referral_id = $1::uuid", referral_id)
    assert rows[0]["lead_discipline"] == "therapist"
    await context.close()
