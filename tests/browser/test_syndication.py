"""Feeds, sitemaps and structured data as the running site serves them with its demo content."""

import json
import urllib.request
from pathlib import Path

import pytest
from lxml import etree

pytestmark = pytest.mark.browser

SCHEMAS = Path(__file__).parents[1] / "schemas"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def fetch(site, path):
    with urllib.request.urlopen(f"{site.url}{path}", timeout=10) as response:  # noqa: S310
        return etree.fromstring(response.read())  # noqa: S320 - the site's own output


def test_the_demo_site_serves_valid_feeds_and_sitemaps_and_report_pages_with_json_ld(browser, site):
    index = fetch(site, "/sitemap.xml")
    etree.XMLSchema(etree.parse(SCHEMAS / "siteindex.xsd")).assertValid(index)
    locations = []
    for sitemap_url in [loc.text for loc in index.iter(f"{SITEMAP}loc")]:
        sitemap = fetch(site, sitemap_url.removeprefix(site.url))
        etree.XMLSchema(etree.parse(SCHEMAS / "sitemap.xsd")).assertValid(sitemap)
        locations += [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
    reports = [loc for loc in locations if "/reports/" in loc and not loc.endswith("/reports/")]
    assert len(reports) >= 20
    items = fetch(site, "/feed/").findall("channel/item")
    assert len(items) == 20
    assert {item.findtext("link") for item in items} <= set(reports)

    # The site's own CSP applies: JSON-LD blocks must not count as inline script.
    context = browser.new_context(base_url=site.url)
    page = context.new_page()
    refusals = []
    page.on(
        "console",
        lambda message: refusals.append(message.text) if "Refused" in message.text else None,
    )
    try:
        page.goto(reports[0])
        blocks = page.locator("script[type='application/ld+json']").all_text_contents()
        types = {json.loads(block)["@type"] for block in blocks}
        assert "NewsMediaOrganization" in types
        assert types & {
            "ReportageNewsArticle",
            "AnalysisNewsArticle",
            "BackgroundNewsArticle",
            "NewsArticle",
        }
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert page.request.get(icon).ok
        assert refusals == []
    finally:
        context.close()
