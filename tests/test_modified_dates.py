"""What machine-readable surfaces say about when a report last changed for its readers."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.utils import timezone
from lxml import html

from reports.models import UpdateNote

from .factories import ReportFactory, TopicFactory, UpdateNoteFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def backdated():
    """A report entered today that was published a month ago (an imported one, say)."""
    return ReportFactory(publish_at=timezone.now() - timedelta(days=30))


def page(client, report):
    return html.fromstring(client.get(report.get_absolute_url()).content)


def modification_dates(client, report):
    """What each surface says about when ``report`` last changed: the page's "Updated" date,
    its meta tag and JSON-LD, the feed's build date, the sitemap's and the sitemap index's
    lastmod."""
    document = page(client, report)
    [modified_time] = document.xpath("//meta[@property='article:modified_time']/@content")
    scripts = [
        json.loads(script.text)
        for script in document.xpath("//script[@type='application/ld+json']")
    ]
    [article] = [data for data in scripts if "dateModified" in data]
    channel = ET.fromstring(client.get("/feed/").content).find("channel")  # noqa: S314
    urlset = ET.fromstring(client.get("/sitemap-reports.xml").content)  # noqa: S314
    [lastmod] = [
        url.findtext(f"{SITEMAP}lastmod")
        for url in urlset.iter(f"{SITEMAP}url")
        if url.findtext(f"{SITEMAP}loc").endswith(report.get_absolute_url())
    ]
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    [index_lastmod] = [
        entry.findtext(f"{SITEMAP}lastmod")
        for entry in index.iter(f"{SITEMAP}sitemap")
        if entry.findtext(f"{SITEMAP}loc").endswith("/sitemap-reports.xml")
    ]
    return {
        "updated": document.xpath(
            "//p[@class='dates']/span[starts-with(., 'Updated')]/time/@datetime"
        ),
        "article:modified_time": modified_time,
        "dateModified": article["dateModified"],
        "lastBuildDate": parsedate_to_datetime(channel.findtext("lastBuildDate")),
        "sitemap": lastmod,
        "sitemap index": index_lastmod,
    }


def expected(when, updated):
    return {
        "updated": [when.isoformat()] if updated else [],
        "article:modified_time": when.isoformat(),
        "dateModified": when.isoformat(),
        "lastBuildDate": when.replace(microsecond=0),
        "sitemap": when.date().isoformat(),
        "sitemap index": when.isoformat(),
    }


def test_a_report_entered_after_publication_was_last_modified_when_published(client, backdated):
    assert modification_dates(client, backdated) == expected(
        backdated.first_published_at, updated=False
    )


def test_saving_a_published_report_without_a_note_changes_no_modification_date(client):
    published = timezone.now() - timedelta(days=30)
    with time_machine.travel(published, tick=False):
        report = ReportFactory(publish_at=published)
    with time_machine.travel(published + timedelta(days=10), tick=False):
        report.title = "A typo fixed in the headline"
        report.save()
        report.topics.add(TopicFactory())
        report.key_points.update(text="A reworded takeaway.")
    assert modification_dates(client, report) == expected(published, updated=False)


@pytest.mark.parametrize("kind", UpdateNote.Kind.values)
def test_an_update_or_correction_note_is_the_reports_last_modification_everywhere(
    client, backdated, kind
):
    UpdateNoteFactory(report=backdated, kind=kind, noted_at=backdated.first_published_at)
    note = UpdateNoteFactory(
        report=backdated, kind=kind, noted_at=timezone.now() - timedelta(days=2)
    )
    assert modification_dates(client, backdated) == expected(note.noted_at, updated=True)


def test_the_latest_note_counts_whatever_order_the_notes_were_written_in(client, backdated):
    latest = UpdateNoteFactory(report=backdated, noted_at=timezone.now() - timedelta(days=2))
    UpdateNoteFactory(report=backdated, noted_at=timezone.now() - timedelta(days=20))
    assert modification_dates(client, backdated) == expected(latest.noted_at, updated=True)
