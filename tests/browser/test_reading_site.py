"""Readers on the public site, in a real browser, on the demo content."""

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations

pytestmark = pytest.mark.browser

EXAMPLE = "/reports/north-korean-troops-deployed-to-russias-kursk-region/"


def assert_accessible(page):
    assert axe_violations(page) == [], page.url
    assert not page.errors


def test_a_reader_goes_from_the_front_page_to_a_report_its_author_and_a_region(page):
    page.goto("/")
    expect(page.locator(".lead h2")).to_be_visible()
    assert_accessible(page)

    page.locator(".lead h2 a").click()
    expect(page.locator(".key-points h2")).to_have_text("Key points")
    assert page.locator(".key-points li").count() >= 1
    expect(page.locator(".author-box").first).to_be_visible()
    assert page.locator(".author-box").count() == page.locator(".byline a").count()
    assert_accessible(page)

    page.locator(".author-box h3 a").first.click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".card").first).to_be_visible()
    assert_accessible(page)

    page.locator(".card a").first.click()
    page.locator(".kicker a[href^='/regions/']").click()
    expect(page.locator(".breadcrumb")).to_contain_text("World")
    assert_accessible(page)


def test_the_example_report_reads_in_light_and_dark_on_a_phone_and_prints_cleanly(page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(EXAMPLE)
    expect(page.locator("h1")).to_contain_text("North Korean troops")
    expect(page.locator(".dates")).to_contain_text("Situation as of 28 October 2024")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)

    page.emulate_media(color_scheme="dark")
    assert_accessible(page)

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    after = page.evaluate(
        "getComputedStyle(document.querySelector('.sources a'), '::after').content"
    )
    assert "nato.int" in after


def test_a_region_page_rolls_up_and_marks_reports_whose_primary_region_is_there(page):
    page.goto("/regions/europe/")
    expect(page.locator(".breadcrumb")).to_contain_text("World")
    cards = page.locator(".card")
    marked = page.locator(".card", has=page.locator(".card-mark"))
    assert 0 < marked.count() < cards.count()  # Europe holds reports that only mention it
    assert_accessible(page)

    page.get_by_role("link", name="Primarily about Europe").click()
    expect(page.locator(".card")).to_have_count(marked.count())


def test_the_reports_list_pages_through_every_report(page):
    page.goto("/reports/")
    expect(page.locator(".pagination")).to_contain_text("Page 1 of 2")
    assert_accessible(page)
    page.locator(".pagination a[rel=next]").click()
    expect(page.locator(".pagination")).to_contain_text("Page 2 of 2")
    assert page.locator("link[rel=prev]").count() == 1
    page.locator(".pagination a[rel=prev]").click()
    expect(page).to_have_url(page.url.split("?")[0])


@pytest.mark.parametrize(
    "url", ["/regions/", "/topics/", "/topics/diplomacy/", "/authors/", "/regions/sahel/"]
)
def test_indexes_topic_and_grouping_pages_pass_axe(page, url):
    response = page.goto(url)
    assert response.status == 200
    assert_accessible(page)


def test_the_not_found_page_passes_axe_and_leads_back_into_the_site(page):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_accessible(page)
    page.get_by_role("link", name="All reports").first.click()
    expect(page.locator("h1")).to_have_text("All reports")


def test_a_keyboard_user_can_skip_to_the_content(page):
    page.goto(EXAMPLE)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
