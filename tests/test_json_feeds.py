"""JSON Feed 1.1 of the latest reports and per region, topic and author, beside the RSS feeds."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from reports.models import Report, UpdateNote

from .factories import AuthorFactory, ReportFactory, TopicFactory, region
from .test_feeds import UNPUBLISHED, absolute, busy_report

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "jsonfeed-1.1.json").read_text())


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://news.example.org"


def json_feed_of(response):
    """The feed of a 200 answer, checked against JSON Feed 1.1 (tests/schemas)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(response.content)
    jsonschema.validate(feed, SCHEMA, format_checker=jsonschema.FormatChecker())
    return feed


def fetch(client, url):
    return json_feed_of(client.get(url))


def item_urls(feed):
    return [item["url"] for item in feed["items"]]


def json_feed_urls(report):
    """Every JSON Feed ``report`` could appear in."""
    return [
        reverse("reports:json-feed"),
        reverse("regions:json-feed", kwargs={"slug": report.primary_region.slug}),
        reverse("topics:json-feed", kwargs={"slug": report.topics.get().slug}),
        reverse("authors:json-feed", kwargs={"slug": report.authors.get().slug}),
    ]


def test_the_latest_reports_json_feed_names_the_site_and_itself(client):
    ReportFactory()
    feed = fetch(client, "/feed.json")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "diethnos"
    assert feed["home_page_url"] == "https://news.example.org/"
    assert feed["feed_url"] == "https://news.example.org/feed.json"
    assert feed["description"]
    assert feed["language"] == "en-gb"


def test_a_json_feed_item_carries_what_the_rss_item_does_and_each_authors_page(client):
    authors = [AuthorFactory(name="Ada Lovelace"), AuthorFactory(name="Mary Somerville")]
    report = ReportFactory(
        title="Kursk offensive",
        summary="Ukraine <strikes> back.",
        key_points=["First point.", "Second & last."],
        authors=authors,
        topics=[TopicFactory(name="Hybrid threats")],
        primary_region=region("UA"),
        regions=[region("RU")],
    )
    UpdateNote.objects.create(
        report=report, kind=UpdateNote.Kind.CORRECTION, text="A date was wrong."
    )
    [item] = fetch(client, "/feed.json")["items"]
    report.refresh_from_db()
    assert item["id"] == f"tag:news.example.org,{report.created_at.year}:report:{report.pk}"
    assert item["url"] == absolute(report)
    assert item["title"] == "Kursk offensive"
    assert item["summary"] == "Ukraine <strikes> back."
    assert item["content_html"].startswith("<p>Ukraine &lt;strikes&gt; back.</p>")
    assert "<ul><li>First point.</li><li>Second &amp; last.</li></ul>" in item["content_html"]
    assert datetime.fromisoformat(item["date_published"]) == report.publish_at
    modified = datetime.fromisoformat(item["date_modified"])
    assert modified == report.update_notes.get().noted_at
    assert item["authors"] == [
        {"name": "Ada Lovelace", "url": absolute(authors[0])},
        {"name": "Mary Somerville", "url": absolute(authors[1])},
    ]
    assert item["tags"] == ["Hybrid threats", "Ukraine", "Russia"]
    assert item["language"] == "en"


def test_a_report_in_another_language_says_so_in_the_json_feed(client):
    ReportFactory(language="el", title="Ασφάλεια στο Αιγαίο")
    [item] = fetch(client, "/feed.json")["items"]
    assert item["language"] == "el"
    assert item["title"] == "Ασφάλεια στο Αιγαίο"


def test_the_json_feeds_list_the_same_reports_as_the_rss_feeds(client):
    now = timezone.now()
    topic, author = TopicFactory(), AuthorFactory()
    reports = [
        ReportFactory(
            publish_at=now - timedelta(hours=hours),
            topics=[topic],
            authors=[author],
            primary_region=region("UA" if hours % 2 else "KE"),
        )
        for hours in range(1, 23)
    ]
    pairs = [
        (reverse("reports:feed"), reverse("reports:json-feed")),
        (
            reverse("regions:feed", kwargs={"slug": "europe"}),
            reverse("regions:json-feed", kwargs={"slug": "europe"}),
        ),
        (
            reverse("topics:feed", kwargs={"slug": topic.slug}),
            reverse("topics:json-feed", kwargs={"slug": topic.slug}),
        ),
        (
            reverse("authors:feed", kwargs={"slug": author.slug}),
            reverse("authors:json-feed", kwargs={"slug": author.slug}),
        ),
    ]
    from .test_feeds import fetch as fetch_rss
    from .test_feeds import item_links

    for rss, json_feed in pairs:
        assert item_urls(fetch(client, json_feed)) == item_links(fetch_rss(client, rss)), json_feed
    assert item_urls(fetch(client, "/feed.json")) == [absolute(r) for r in reports[:20]]
    in_europe = [absolute(r) for r in reports if r.primary_region == region("UA")]
    assert item_urls(fetch(client, "/regions/europe/feed.json")) == in_europe


def test_a_feed_of_a_region_topic_or_author_names_its_page_and_itself(client):
    author, topic = AuthorFactory(name="Ada Lovelace"), TopicFactory(name="Energy security")
    ReportFactory(authors=[author], topics=[topic])
    for obj, route in [(author, "authors"), (topic, "topics"), (region("UA"), "regions")]:
        feed = fetch(client, reverse(f"{route}:json-feed", kwargs={"slug": obj.slug}))
        assert feed["title"] == f"diethnos: {obj.name}"
        assert feed["home_page_url"] == absolute(obj)
        assert feed["feed_url"] == f"https://news.example.org/{route}/{obj.slug}/feed.json"


@pytest.mark.parametrize("state", UNPUBLISHED.values(), ids=UNPUBLISHED.keys())
def test_unpublished_reports_appear_in_no_json_feed(client, state):
    hidden = ReportFactory(topics=[TopicFactory(name="Sanctions")], **state)
    assert not hidden.is_public
    for url in json_feed_urls(hidden):
        assert fetch(client, url)["items"] == [], url


def test_a_withdrawn_report_leaves_the_json_feeds_as_it_leaves_the_rss_feeds(client):
    report = ReportFactory(topics=[TopicFactory()])
    urls = json_feed_urls(report)
    assert all(item_urls(fetch(client, url)) == [absolute(report)] for url in urls)
    report.status = Report.Status.WITHDRAWN
    report.save()
    for url in urls:
        assert fetch(client, url)["items"] == [], url


@pytest.mark.parametrize(
    "url", ["/regions/atlantis/feed.json", "/topics/no-such/feed.json", "/authors/nobody/feed.json"]
)
def test_a_json_feed_of_an_unknown_region_topic_or_author_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_the_json_feed_of_an_author_no_longer_active_is_not_found(client):
    author = AuthorFactory(is_active=False)
    assert client.get(reverse("authors:json-feed", kwargs={"slug": author.slug})).status_code == 404


@pytest.mark.parametrize("reports", [1, 25], ids=["one report", "many reports"])
def test_each_json_feed_runs_a_fixed_number_of_queries(client, django_assert_num_queries, reports):
    author, topic = AuthorFactory(), TopicFactory()
    for _ in range(reports):
        busy_report(author, topic)
    # As the RSS feeds: the reports, their key points, regions, topics, notes and bylines.
    with django_assert_num_queries(6):
        assert len(fetch(client, "/feed.json")["items"]) == min(reports, 20)
    # First the region, topic or author itself (and for a region, what it covers).
    for route, slug in [("regions", "europe"), ("topics", topic.slug), ("authors", author.slug)]:
        with django_assert_num_queries(7):
            fetch(client, reverse(f"{route}:json-feed", kwargs={"slug": slug}))


def advertised(client, url):
    """The JSON Feeds the page at ``url`` names in its head: {href: title}."""
    page = lxml_html.fromstring(client.get(url).content)
    links = page.xpath("//head/link[@rel='alternate'][@type='application/feed+json']")
    return {link.get("href"): link.get("title") for link in links}


def test_pages_advertise_their_json_feed_beside_their_rss_feed(client):
    author, topic = AuthorFactory(name="Ada Lovelace"), TopicFactory(name="Energy security")
    report = ReportFactory(authors=[author], topics=[topic])
    latest = {"/feed.json": "diethnos: latest reports"}
    assert advertised(client, "/") == latest
    assert advertised(client, report.get_absolute_url()) == latest
    assert advertised(client, author.get_absolute_url()) == {
        **latest,
        f"/authors/{author.slug}/feed.json": "diethnos: reports by Ada Lovelace",
    }
    assert advertised(client, topic.get_absolute_url()) == {
        **latest,
        f"/topics/{topic.slug}/feed.json": "diethnos: Energy security",
    }
    assert advertised(client, "/regions/europe/") == {
        **latest,
        "/regions/europe/feed.json": "diethnos: Europe",
    }
