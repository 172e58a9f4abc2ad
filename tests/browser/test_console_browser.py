"""The console in headless Chromium (see conftest.py): what a prospect, a reviewer, a
marketer, an admin and an agent of the wrong role see and do, on a desktop and a phone.

Each test also proves, through the fixture, that no request left the test server and
that the page broke no Content-Security-Policy rule. Screenshots of each page feed
docs/console.md.
"""

from __future__ import annotations

import pytest

from conftest import Browser
from socialreferral.domain.referrals import RewardStatus

pytestmark = pytest.mark.browser


def test_a_prospect_fixes_a_mistake_and_sees_the_thank_you_page(browser: Browser) -> None:
    page = browser.page
    token = browser.live.new_link()
    response = browser.goto(f"/referrals/{token}")
    assert response.status == 200
    assert page.get_by_text("Recommended to you by").is_visible()
    browser.shot("01-offer-landing")
    page.get_by_label("Your name").fill("Pat Prospect")
    page.get_by_label("E-mail").fill("pat-at-example")  # the mistake
    page.get_by_label("I agree that").check()
    page.get_by_role("button", name="Send my details").click()
    error = page.locator("#email-error")
    error.wait_for()
    assert "name@example.com" in error.inner_text()
    assert page.get_by_label("E-mail").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Your name").input_value() == "Pat Prospect"  # kept
    browser.shot("02-lead-form-error")
    page.get_by_label("E-mail").fill("pat@example.org")
    if not page.get_by_label("I agree that").is_checked():
        page.get_by_label("I agree that").check()
    page.get_by_role("button", name="Send my details").click()
    page.wait_for_url("**/thanks")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    browser.shot("03-thank-you")
    leads = browser.live.providers.crm.list_leads()
    assert [lead.email for lead in leads].count("pat@example.org") == 1


def test_the_offer_page_is_usable_on_a_phone_and_by_keyboard(browser: Browser) -> None:
    page = browser.page
    page.set_viewport_size({"width": 390, "height": 844})
    browser.goto(f"/referrals/{browser.live.new_link()}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    browser.shot("04-offer-on-a-phone")
    # Keyboard: the skip link first, then the form's fields in reading order.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    focused = []
    for _ in range(8):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || "
                                     "document.activeElement.textContent.trim()"))
    assert focused[:4] == ["name", "email", "phone", "consent_contact"], focused
    assert "Send my details" in focused


def test_an_expired_or_tampered_link_gets_a_friendly_page(browser: Browser) -> None:
    response = browser.goto("/referrals/this-is-not-a-valid-link.abc")
    assert response.status == 404
    assert browser.page.get_by_role("heading", name="This link does not work").is_visible()
    browser.shot("05-link-not-valid")


def test_a_reviewer_approves_a_flagged_reward(browser: Browser) -> None:
    page = browser.page
    browser.goto("/console/login")
    browser.shot("06-login")
    browser.login("reviewer")
    browser.goto("/console/reviews")
    reward_id = browser.live.reward_id
    item = page.locator(f"#review-{reward_id}")
    assert "velocity" in item.inner_text()
    countdown = page.locator(f"#cd-{reward_id}")
    assert countdown.inner_text().startswith("2 d ")  # 72 h deadline, flagged 5 h ago
    browser.shot("07-review-queue")
    item.get_by_label("Note").fill("Checked the CRM: a genuine burst after an event.")
    item.get_by_role("button", name="Approve").click()
    decided = page.locator(f"#review-{reward_id}")
    decided.get_by_text("Approved").wait_for()
    assert "genuine burst" in decided.inner_text()
    browser.shot("08-review-approved")
    [record] = [r for r in browser.live.providers.repositories.referrals.rewards()
                if r.reward.reward_id == reward_id]
    assert record.reward.status is RewardStatus.APPROVED
    assert record.review is not None and record.review.by == "reviewer"


def test_the_countdown_refreshes_through_htmx(browser: Browser) -> None:
    page = browser.page
    browser.login("reviewer")
    browser.goto("/console/reviews")
    if page.locator(".countdown").count() == 0:
        pytest.skip("nothing waits for review any more")
    with page.expect_response("**/console/reviews/countdowns", timeout=40_000) as polled:
        pass
    assert polled.value.status == 200
    assert page.locator(".countdown").first.inner_text()


def test_an_agent_gets_403_on_the_review_queue(browser: Browser) -> None:
    browser.login("agent")
    response = browser.goto("/console/reviews")
    assert response.status == 403
    assert browser.page.get_by_role("heading", name="Not allowed").is_visible()
    browser.shot("09-agent-forbidden")


def test_the_programme_page_renders_its_charts(browser: Browser) -> None:
    page = browser.page
    browser.login("marketer")
    browser.goto("/console/programme")
    assert page.get_by_role("heading", name="Referral programme").is_visible()
    assert page.locator("svg.chart").count() >= 5
    assert page.locator("svg.chart rect").count() > 6  # bars with data
    funnel = page.locator("table").first.inner_text()
    assert "events" in funnel and "rewards" in funnel
    browser.shot("10-programme")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("programme-")


def test_the_admin_page_and_an_erasure(browser: Browser) -> None:
    page = browser.page
    browser.login("admin")
    browser.goto("/console/admin")
    assert page.locator("text=reachable").count() == 6
    browser.shot("11-admin")
    page.get_by_label("Identify the person by").select_option("customer_id")
    page.get_by_label("Identifier").fill("c3")
    page.get_by_role("button", name="Look up").click()
    page.get_by_role("heading", name="Confirm the erasure").wait_for()
    browser.shot("12-erase-confirm")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Erase").click()
    page.get_by_role("heading", name="Erasure done").wait_for()
    browser.shot("13-erased")
    assert browser.live.providers.repositories.customers.get("c3") is None


def test_the_api_docs_render_offline(browser: Browser) -> None:
    page = browser.page
    browser.goto("/docs")
    page.locator(".opblock").first.wait_for(timeout=30_000)
    assert page.locator(".opblock").count() >= 10
    assert page.get_by_text("/api/reviews/{reward_id}/decision").count() >= 1
    browser.shot("14-api-docs", full_page=False)
