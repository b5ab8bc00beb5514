"""The hub's phone-desk UI in real Chromium: Mrs A's and Ethel's referrals taken by keyboard alone,
seen arriving on a second board window without a reload, one rejected with a reason; bad input shown
next to its field; a draft surviving a reload. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import re

import orjson
from playwright.async_api import Browser, Page, expect

from carerelay_testing.factories import fresh_nhs_number as new_nhs_number
from carerelay_testing.factories import mrs_a

from .support.browser import new_desk, screenshot, sign_in
from .support.system import RunningSystem


async def _desk(browser: Browser, system: RunningSystem, who: str, view: str) -> Page:
    context = await new_desk(browser)
    page = await context.new_page()
    await sign_in(page, system.web_origin, who)
    await page.goto(f"{system.web_origin}/hub/#/{view}")
    return page


async def _tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until `selector` has the focus: the keyboard is the only way round the form."""
    for _ in range(limit):
        if await page.evaluate("(s) => document.activeElement !== null && document.activeElement.matches(s)", selector):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"never reached {selector} by Tab")


async def _type(page: Page, selector: str, text: str) -> None:
    await _tab_to(page, selector)
    await page.keyboard.type(text)


async def _tick(page: Page, selector: str) -> None:
    await _tab_to(page, selector)
    await page.keyboard.press("Space")


async def _take_by_keyboard(page: Page, patient: dict[str, str], referrer: dict[str, str], needs: list[str], reason: str) -> str:
    await page.locator("#f-referrer-role").focus()  # where the cursor starts on a fresh form
    await page.keyboard.type(referrer["role"])  # type-ahead picks the option
    await _type(page, "#f-referrer-organisation", referrer["organisation"])
    await _type(page, "#f-referrer-callback-number", referrer["callback"])
    await _type(page, "#f-patient-nhs-number", patient["nhs_number"])
    await _type(page, "#f-patient-given-name", patient["given_name"])
    await _type(page, "#f-patient-family-name", patient["family_name"])
    await _type(page, "#f-patient-date-of-birth", patient["date_of_birth"])
    await _type(page, "#f-patient-address", patient["address"])
    await _type(page, "#f-patient-postcode", patient["postcode"])
    await _type(page, "#f-patient-gp-practice-code", patient["practice"])
    await _tick(page, "#f-route-step-up")
    for need in needs:
        await _tick(page, f"#f-presenting-needs-{need}")
    await _type(page, "#f-reason", reason)
    await _tick(page, "#f-consent-to-share-yes")
    await page.keyboard.press("Control+Enter")
    confirmation = page.get_by_test_id("confirmation")
    await expect(confirmation).to_be_visible(timeout=15000)
    link = page.get_by_test_id("confirmation-link")
    href = await link.get_attribute("href")
    assert href is not None
    return href.rsplit("/", 1)[-1]


def as_typed(nhs_number: str) -> str:
    """An NHS number as a call handler types it: 3-3-4 digits."""
    return f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"


def fresh_nhs_number() -> str:
    """A valid NHS number from the 999 test range, new for each run (so earlier referrals for the
    same person do not count as open episodes here), as typed."""
    return as_typed(new_nhs_number())


def _typed_patient(patient: dict[str, str]) -> dict[str, str]:
    """A patient of the test factories as the form takes them (spaced NHS number, dd/mm/yyyy)."""
    year, month, day = patient["date_of_birth"].split("-")
    return {
        **{name: patient[name] for name in ("given_name", "family_name", "address", "postcode")},
        "nhs_number": as_typed(patient["nhs_number"]),
        "date_of_birth": f"{day}/{month}/{year}",
        "practice": patient["gp_practice_code"],
    }


MRS_A = _typed_patient(mrs_a())
ETHEL = {
    "nhs_number": "999 000 0026",
    "given_name": "Ethel",
    "family_name": "Barnes",
    "date_of_birth": "17/09/1931",
    "address": "22 Canal Street, Riverside",
    "postcode": "LE3 5BB",
    "practice": "C82002",
}
GP = {"role": "GP", "organisation": "Northgate Surgery", "callback": "0116 496 0001"}


async def test_two_referrals_by_keyboard_appear_live_on_another_board_and_one_is_rejected(
    system: RunningSystem, browser: Browser
) -> None:
    board = await _desk(browser, system, "Ruth Ellis", "board")
    await expect(board.get_by_test_id("live-indicator")).to_have_attribute("data-state", "live", timeout=15000)
    desk = await _desk(browser, system, "Sophie Reid", "new")
    await expect(desk.locator("#f-referrer-role")).to_be_visible()
    await screenshot(desk, "hub-referral-form")

    mrs_a = await _take_by_keyboard(
        desk,
        {**MRS_A, "nhs_number": fresh_nhs_number()},
        GP,
        ["reduced-function", "medication"],
        "Increasingly unsteady at home; struggling with her tablets.",
    )
    await desk.goto(f"{system.web_origin}/hub/#/new")
    ethel = await _take_by_keyboard(
        desk, {**ETHEL, "nhs_number": fresh_nhs_number()}, GP, ["fall"], "Fell this morning, no injury, cannot get up alone."
    )

    # Both arrive on the other window without a reload, and move on as triage decides.
    for referral_id in (mrs_a, ethel):
        row = board.locator(f'tr[data-referral-id="{referral_id}"]')
        await expect(row).to_be_visible(timeout=20000)
        await expect(row.get_by_test_id("row-status")).to_contain_text("riage", timeout=20000)
        await expect(row.get_by_test_id("countdown")).not_to_be_empty()
    await screenshot(board, "hub-live-board")

    # A hub clinician rejects Ethel's referral with a reason (she is being admitted by 999).
    await board.goto(f"{system.web_origin}/hub/#/referral/{ethel}")
    await board.get_by_test_id("reject").click()
    await board.get_by_test_id("reject-reason").fill("Admitted by the ambulance crew before we could visit.")
    await board.get_by_test_id("reject-confirm").click()
    await expect(board.get_by_test_id("referral-status")).to_have_attribute("data-status", "rejected", timeout=15000)
    await expect(board.get_by_test_id("timeline")).to_contain_text("Rejected", timeout=15000)
    rows = await system.query("referral", "SELECT status, rejection_reason FROM referrals WHERE referral_id = $1::uuid", ethel)
    assert rows[0]["status"] == "rejected"
    assert rows[0]["rejection_reason"] == "Admitted by the ambulance crew before we could visit."

    await board.goto(f"{system.web_origin}/hub/#/board")
    await expect(board.locator(f'tr[data-referral-id="{mrs_a}"]')).to_be_visible(timeout=15000)
    leaving = board.locator(f'tr[data-referral-id="{ethel}"]')  # greyed for a minute so the change is seen, then gone
    await expect(leaving.get_by_test_id("row-status")).to_contain_text("Rejected", timeout=15000)
    await expect(leaving).to_have_class(re.compile(r"\bclosed\b"))
    fresh = await _desk(browser, system, "Ruth Ellis", "board")
    await expect(fresh.locator(f'tr[data-referral-id="{mrs_a}"]')).to_be_visible(timeout=15000)
    await expect(fresh.locator(f'tr[data-referral-id="{ethel}"]')).to_have_count(0)
    await fresh.context.close()
    await board.context.close()
    await desk.context.close()


async def test_bad_input_is_shown_next_to_its_field_and_a_draft_survives_a_reload(
    system: RunningSystem, browser: Browser
) -> None:
    desk = await _desk(browser, system, "Sophie Reid", "new")
    await desk.locator("#f-patient-nhs-number").focus()
    await desk.keyboard.type("999 000 0019")  # wrong check digit
    await desk.keyboard.press("Tab")
    await expect(desk.locator("#e-patient-nhs-number")).to_contain_text("check digit", timeout=5000)

    await desk.locator("#f-patient-given-name").focus()
    await desk.keyboard.type("Draftia")
    await desk.wait_for_timeout(2500)  # the draft is saved as you type (at least every 2 s)
    await desk.reload()
    await expect(desk.locator("#f-patient-given-name")).to_have_value("Draftia", timeout=10000)

    # The server's answer for a practice it does not know appears next to the practice field.
    await desk.get_by_test_id("discard-draft").click()
    await desk.get_by_test_id("discard-confirm").click()
    await _take_until_error(desk)
    await expect(desk.locator("#e-patient-gp-practice-code")).to_contain_text("unknown GP practice", timeout=10000)
    await screenshot(desk, "hub-referral-form-errors")
    await desk.context.close()


async def _take_until_error(page: Page) -> None:
    patient = {**MRS_A, "nhs_number": fresh_nhs_number(), "practice": "C82099"}
    await page.locator("#f-referrer-role").focus()
    await page.keyboard.type("GP")
    for selector, text in [
        ("#f-referrer-organisation", "Northgate Surgery"),
        ("#f-referrer-callback-number", "0116 496 0001"),
        ("#f-patient-nhs-number", patient["nhs_number"]),
        ("#f-patient-given-name", patient["given_name"]),
        ("#f-patient-family-name", patient["family_name"]),
        ("#f-patient-date-of-birth", patient["date_of_birth"]),
        ("#f-patient-address", patient["address"]),
        ("#f-patient-postcode", patient["postcode"]),
        ("#f-patient-gp-practice-code", patient["practice"]),
    ]:
        await _type(page, selector, text)
    await _tick(page, "#f-route-step-up")
    await _tick(page, "#f-presenting-needs-fall")
    await _type(page, "#f-reason", "Fell")
    await _tick(page, "#f-consent-to-share-yes")
    await page.keyboard.press("Control+Enter")


async def test_a_second_call_about_the_same_person_adds_to_the_open_referral(system: RunningSystem, browser: Browser) -> None:
    desk = await _desk(browser, system, "Sophie Reid", "new")
    person = {**MRS_A, "nhs_number": fresh_nhs_number()}
    first = await _take_by_keyboard(desk, person, GP, ["reduced-function"], "Unsteady at home.")
    await desk.goto(f"{system.web_origin}/hub/#/new")
    await desk.locator("#f-patient-nhs-number").focus()
    await desk.keyboard.type(person["nhs_number"])
    await desk.keyboard.press("Tab")
    notice = desk.get_by_test_id("open-episode-notice")
    await expect(notice).to_contain_text("already has an open referral", timeout=10000)
    add = desk.locator(f'[data-testid="add-to-existing"][data-referral-id="{first}"]')
    await add.focus()
    await desk.keyboard.press("Enter")
    await expect(desk.get_by_test_id("addition-banner")).to_be_visible()
    await _type(desk, "#f-reason", "Daughter says she fell again last night.")
    await desk.keyboard.press("Control+Enter")
    await expect(desk.get_by_test_id("confirmation")).to_be_visible(timeout=15000)
    rows = await system.query(
        "referral", "SELECT details FROM referrals WHERE nhs_number = $1", person["nhs_number"].replace(" ", "")
    )
    assert len(rows) == 1, "the second call made no second referral"
    assert "fell again" in rows[0]["details"]
    await desk.context.close()


async def test_the_desk_takes_the_referrers_email_and_how_the_person_and_their_daughter_want_to_be_told(
    system: RunningSystem, browser: Browser
) -> None:
    desk = await _desk(browser, system, "Sophie Reid", "new")
    await desk.locator("#f-patient-nhs-number").fill(fresh_nhs_number())
    await desk.locator("#f-referrer-role").select_option("gp")
    for selector, text in [
        ("#f-referrer-organisation", "Northgate Surgery"),
        ("#f-referrer-callback-number", "0116 496 0001"),
        ("#f-referrer-email", "northgate.surgery@nhs.net"),
        ("#f-patient-given-name", MRS_A["given_name"]),
        ("#f-patient-family-name", MRS_A["family_name"]),
        ("#f-patient-date-of-birth", MRS_A["date_of_birth"]),
        ("#f-patient-address", MRS_A["address"]),
        ("#f-patient-postcode", MRS_A["postcode"]),
        ("#f-patient-gp-practice-code", MRS_A["practice"]),
        ("#f-reason", "Unsteady at home; her daughter visits daily."),
        ("#f-family-contact-relationship", "Daughter"),
        ("#f-family-contact-contact-mobile", "07700 900456"),
    ]:
        await desk.locator(selector).fill(text)
    await desk.locator("#f-route-step-up").check()
    await desk.locator("#f-presenting-needs-reduced-function").check()
    await desk.locator("#f-consent-to-share-yes").check()
    await desk.locator("#f-family-contact-may-be-told-plan").check()
    await desk.locator("#f-patient-contact-preferred-channel").select_option("letter")
    await desk.locator("#f-family-contact-contact-preferred-channel").select_option("sms")
    await desk.keyboard.press("Control+Enter")
    await expect(desk.get_by_test_id("confirmation")).to_be_visible(timeout=15000)
    href = await desk.get_by_test_id("confirmation-link").get_attribute("href")
    assert href is not None
    rows = await system.query("referral", "SELECT details FROM referrals WHERE referral_id = $1::uuid", href.rsplit("/", 1)[-1])
    details = orjson.loads(rows[0]["details"])
    assert details["referrer"]["email"] == "northgate.surgery@nhs.net"
    assert details["patient"]["contact"] == {"preferred_channel": "letter", "email": None, "mobile": None}
    assert details["family_contact"]["contact"]["mobile"] == "07700 900456"
    assert (details["family_contact"]["relationship"], details["family_contact"]["may_be_told_plan"]) == ("Daughter", True)
    await desk.context.close()
