"""The sitemaps' XML is written in Python (reports.sitemap_xml) exactly as Django's template
writes it."""

from datetime import UTC, date, datetime

import pytest
from django.template.loader import get_template
from django.utils import timezone

from reports.sitemap_xml import Urlset

URLS = [
    {
        "location": "https://news.example.org/reports/a/?x=1&y=<2>",
        "lastmod": datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
        "changefreq": "daily",
        "priority": "0.5",
        "alternates": [
            {"location": "https://news.example.org/fr/reports/a/", "lang_code": "fr"},
            {"location": "https://news.example.org/reports/a/", "lang_code": "x-default"},
        ],
    },
    {
        "location": "https://news.example.org/regions/",
        "lastmod": date(2026, 1, 2),
        "changefreq": None,
        "priority": "",
        "alternates": [],
    },
    {
        "location": "https://news.example.org/topics/",
        "lastmod": None,
        "changefreq": None,
        "priority": "",
        "alternates": [],
    },
]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/New_York"])
@pytest.mark.parametrize("urls", [URLS, []], ids=["addresses", "none"])
def test_a_urlset_is_written_as_djangos_template_writes_it(zone, urls):
    with timezone.override(zone):
        expected = get_template("sitemap.xml").render({"urlset": urls})
        assert Urlset().render({"urlset": urls}) == expected
