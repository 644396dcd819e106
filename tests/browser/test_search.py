"""A reader searches the reports and narrows the results down."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations

pytestmark = pytest.mark.browser


def test_a_reader_searches_narrows_down_and_opens_a_report(page):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(page.locator("h1")).to_have_text("Search the reports")
    page.get_by_label("Words").fill("Kursk")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_contain_text(re.compile(r"\d+ reports? found"))
    cards = page.locator(".card-title a")
    expect(cards.first).to_contain_text("Kursk")
    assert axe_violations(page) == []

    page.get_by_label("Region").select_option(label="Sahel")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-heading")).to_have_text("No reports found")
    expect(page.get_by_label("Words")).to_have_value("Kursk")

    page.get_by_label("Region").select_option(label="Europe")
    page.get_by_role("button", name="Search").click()
    cards.first.click()
    expect(page.locator("h1")).to_contain_text("Kursk")


def test_a_bad_date_is_explained_and_the_page_passes_axe(page):
    response = page.goto("/search/?q=Sudan&since=2025-03-01&until=2025-01-01")
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("The first date must not be after")
    assert axe_violations(page) == []


def test_a_reader_narrows_down_by_a_facet_and_removes_it_by_its_chip(page):
    page.goto("/search/?q=Kursk")
    facets = page.get_by_role("navigation", name="Results by")
    europe = facets.get_by_role("listitem").filter(
        has=page.get_by_role("link", name="Europe", exact=True)
    )
    count = re.search(r"\d+", europe.locator(".facet-count").inner_text()).group()
    assert axe_violations(page) == []

    europe.get_by_role("link").click()
    heading = page.locator("#results-heading")
    expect(heading).to_contain_text(re.compile(rf"^{count} reports? found"))
    chip = page.get_by_role("link", name="Remove the filter Region: Europe")
    expect(chip).to_be_visible()
    expect(facets.locator("[aria-current]").first).to_have_text("Europe")
    assert axe_violations(page) == []

    chip.click()
    expect(page.get_by_role("link", name="Remove the filter Region: Europe")).to_have_count(0)
    expect(page.get_by_label("Words")).to_have_value("Kursk")


def test_a_misspelt_region_is_corrected_and_its_page_offered(page):
    page.goto("/search/?q=Ukrane")
    page.get_by_role("link", name="Ukraine").first.click()
    expect(page.get_by_label("Words")).to_have_value("Ukraine")
    offered = page.locator(".search-named-page").get_by_role("link")
    expect(offered).to_have_text("all reports on Ukraine")
    assert axe_violations(page) == []
    offered.click()
    expect(page.locator("h1")).to_contain_text("Ukraine")
