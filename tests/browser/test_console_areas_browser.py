"""The care console, the influencer dashboard and the People pages in headless Chromium
(see conftest.py): an agent claims, replies to and resolves a care item; a marketer opens
the influencer dashboard and all four panels render with data; an admin finds a person.

Like every browser test, each proves through the fixture that no request left the test
server and that no page broke the Content-Security-Policy. Screenshots feed
docs/console.md.
"""

from __future__ import annotations

import pytest

from conftest import Browser

pytestmark = pytest.mark.browser


def _unassigned_item(browser: Browser) -> str:
    """An open, actionable item nobody holds (the demo leaves some)."""
    items = browser.live.providers.repositories.care_items.with_status("open")
    free = sorted((i for i in items if i.actionable and i.assignee is None),
                  key=lambda i: -i.rank_score)
    assert free, "the care demo left no unassigned item"
    return free[0].ticket_id


def test_an_agent_claims_replies_to_and_resolves_a_care_item(browser: Browser) -> None:
    page = browser.page
    browser.login("agent")
    browser.goto("/console/care")
    assert page.get_by_role("heading", name="Care console").is_visible()
    assert page.locator("li.care-entry").count() >= 3
    assert "Why:" in page.locator("li.care-entry").first.inner_text()
    browser.shot("15-care-queue")
    ticket_id = _unassigned_item(browser)
    page.get_by_role("link", name=ticket_id, exact=True).click()
    page.get_by_role("heading", name="Thread").wait_for()
    assert page.locator("ol.thread li.post").count() >= 1
    assert page.locator("table tbody tr").count() >= 3  # the factors
    actions = page.locator("#care-actions")
    actions.get_by_role("button", name="Claim").click()
    page.locator("#care-actions").get_by_text("You took the item.").wait_for()
    assert page.locator("#care-assignee").inner_text() == "agent"
    page.get_by_label("Your reply").fill("Sorry about that! A colleague will call you today.")
    page.locator("#care-actions").get_by_role("button", name="Send reply").click()
    page.locator("#care-actions").get_by_text("reply was sent").wait_for()
    browser.shot("16-care-item")
    page.locator("#care-actions").get_by_role("button", name="Resolve").click()
    page.locator("#care-actions").get_by_text("Resolved.").wait_for()
    assert page.locator("#care-status").inner_text() == "resolved"
    browser.shot("17-care-resolved", full_page=False)
    stored = browser.live.providers.repositories.care_items.require(ticket_id)
    assert stored.status == "resolved" and stored.first_response_at is not None
    replies = browser.live.providers.repositories.care_items.replies(ticket_id)
    assert [r.agent_id for r in replies] == ["agent"]


def test_an_agent_approves_a_proposed_term(browser: Browser) -> None:
    page = browser.page
    browser.login("agent")
    browser.goto("/console/care/proposals")
    assert page.get_by_role("heading", name="Proposed dictionary terms").is_visible()
    browser.shot("18-care-proposals")
    rows = page.locator("table tbody tr")
    if rows.count() == 0:
        pytest.skip("the categorizer proposed nothing")
    term = rows.first.locator("th").inner_text()
    rows.first.get_by_role("button", name="Approve").click()
    page.get_by_text("The term was approved.").wait_for()
    tuning = browser.live.providers.repositories.care_tuning
    assert term in {p.term for p in tuning.proposals("approved")}


def test_a_marketer_sees_the_four_influencer_panels_with_data(browser: Browser) -> None:
    page = browser.page
    browser.login("marketer")
    browser.goto("/console/influence")
    top = page.locator("#panel-top")
    assert top.locator(".influencers.positive li").count() >= 1
    assert top.locator(".influencers.negative li").count() >= 1
    assert "followers" in top.inner_text() and "retweets" in top.inner_text()
    world = page.locator("#panel-map svg.map")
    assert world.locator("path.land").count() > 150
    assert world.locator("circle.marker.positive").count() >= 1
    assert world.locator("circle.marker.negative").count() >= 1
    clouds = page.locator("#panel-words img")
    assert clouds.count() == 3
    for index in range(3):
        cloud = clouds.nth(index)
        cloud.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=cloud.element_handle())
    trend = page.locator("#panel-trend svg.trend")
    assert trend.locator("rect.column").count() == 48
    assert trend.locator("polyline.mood").count() == 1
    assert trend.locator("path.alert-mark").count() >= 1  # the planted crisis
    assert page.locator("#panel-trend ul.alerts li").count() >= 1
    browser.shot("19-influencer-dashboard")


def test_an_admin_finds_a_person_and_a_marketer_reads_the_b2b_targets(
        browser: Browser) -> None:
    page = browser.page
    contact = browser.live.providers.crm.list_contacts()[0]
    browser.login("admin")
    browser.goto("/console/people")
    page.get_by_label("Find by").select_option("email")
    page.get_by_label("Value").fill(contact.email or "")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("heading", name="1 person found").wait_for()
    browser.shot("20-people-search")
    page.locator("table tbody th a").first.click()
    page.get_by_role("heading", name="Golden record").wait_for()
    assert page.locator("text=" + (contact.email or "")).count() >= 1
    browser.shot("21-person")
    browser.goto("/console/people/b2b")
    assert page.locator("section.b2b").count() >= 1
    assert page.locator("text=Introduced by").count() >= 1
    browser.shot("22-b2b-targets")
