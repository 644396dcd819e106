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
