"""What machine-readable surfaces say about when a report last changed for its readers."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.utils import timezone
from lxml import html

from .factories import ReportFactory, UpdateNoteFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def backdated():
    """A report entered today that was published a month ago (an imported one, say)."""
    return ReportFactory(publish_at=timezone.now() - timedelta(days=30))


def page_head(client, report):
    return html.fromstring(client.get(report.get_absolute_url()).content).head


def test_a_report_entered_after_publication_was_last_modified_when_published(client, backdated):
    published = backdated.first_published_at

    head = page_head(client, backdated)
    [modified_time] = head.xpath("//meta[@property='article:modified_time']/@content")
    assert modified_time == published.isoformat()
    scripts = [
        json.loads(script.text) for script in head.xpath("//script[@type='application/ld+json']")
    ]
    [article] = [data for data in scripts if "dateModified" in data]
    assert article["dateModified"] == published.isoformat()

    channel = ET.fromstring(client.get("/feed/").content).find("channel")  # noqa: S314
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == published.replace(
        microsecond=0
    )

    urlset = ET.fromstring(client.get("/sitemap-reports.xml").content)  # noqa: S314
    [lastmod] = [
        url.findtext(f"{SITEMAP}lastmod")
        for url in urlset.iter(f"{SITEMAP}url")
        if url.findtext(f"{SITEMAP}loc").endswith(backdated.get_absolute_url())
    ]
    assert lastmod == published.date().isoformat()


def test_an_update_note_is_the_reports_last_modification(client, backdated):
    note = UpdateNoteFactory(report=backdated, noted_at=timezone.now() - timedelta(days=2))
    head = page_head(client, backdated)
    [modified_time] = head.xpath("//meta[@property='article:modified_time']/@content")
    assert modified_time == note.noted_at.isoformat()
