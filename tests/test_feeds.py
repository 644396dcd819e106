"""RSS 2.0 feeds: the latest reports, and per region, topic and author."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from reports.models import Report

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db

DC = "{http://purl.org/dc/elements/1.1/}"
ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 822 (with four-digit years), as RSS 2.0 requires: "Wed, 02 Oct 2002 13:00:00 GMT".
RFC_822 = re.compile(
    r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} ([+-]\d{4}|GMT)$"
)

UNPUBLISHED = {
    "draft": {"status": Report.Status.DRAFT},
    "in review": {"status": Report.Status.IN_REVIEW},
    "withdrawn": {"status": Report.Status.WITHDRAWN},
    "scheduled": {"publish_at": timezone.now() + timedelta(days=1)},
}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://news.example.org"


def channel_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    rss = ET.fromstring(response.content)  # noqa: S314 - the site's own output
    assert rss.tag == "rss"
    assert rss.get("version") == "2.0"
    return rss.find("channel")


def fetch(client, url):
    return channel_of(client.get(url))


def item_links(channel):
    return [item.findtext("link") for item in channel.findall("item")]


def absolute(obj):
    return "https://news.example.org" + obj.get_absolute_url()


def feed_urls(report):
    """Every feed a report could appear in."""
    return [
        reverse("reports:feed"),
        reverse("regions:feed", kwargs={"slug": report.primary_region.slug}),
        reverse("topics:feed", kwargs={"slug": report.topics.get().slug}),
        reverse("authors:feed", kwargs={"slug": report.authors.get().slug}),
    ]


def test_the_latest_reports_feed_is_valid_rss_2_with_absolute_links_on_the_public_site(client):
    report = ReportFactory(title="Kursk offensive", key_points=["One.", "Two."])
    channel = fetch(client, "/feed/")

    assert channel.findtext("title") == "diethnos"
    assert channel.findtext("link") == "https://news.example.org/"
    assert channel.findtext("description")
    assert channel.findtext("language") == "en-gb"
    assert channel.find(f"{ATOM}link").get("href") == "https://news.example.org/feed/"
    assert RFC_822.match(channel.findtext("lastBuildDate"))
    [item] = channel.findall("item")
    assert item.findtext("title") == "Kursk offensive"
    assert item.findtext("link") == absolute(report)
    guid = item.find("guid")
    assert guid.text == f"tag:news.example.org,{report.created_at.year}:report:{report.pk}"
    assert guid.get("isPermaLink") == "false"
    assert RFC_822.match(item.findtext("pubDate"))
    assert parsedate_to_datetime(item.findtext("pubDate")) == report.publish_at.replace(
        microsecond=0
    )


def test_a_feed_items_guid_stays_the_same_when_the_report_moves_to_a_new_address(client):
    report = ReportFactory(slug="kursk-offensive")
    [before] = fetch(client, "/feed/").findall("item")
    report.slug = "kursk-offensive-stalls"
    report.save()
    [after] = fetch(client, "/feed/").findall("item")
    assert after.findtext("link") == "https://news.example.org/reports/kursk-offensive-stalls/"
    assert after.findtext("guid") == before.findtext("guid")
    assert after.find("guid").get("isPermaLink") == "false"


def test_a_feed_item_carries_the_summary_then_the_key_points_as_a_list(client):
    ReportFactory(summary="Ukraine <strikes> back.", key_points=["First point.", "Second & last."])
    [item] = fetch(client, "/feed/").findall("item")
    description = item.findtext("description")
    assert description.startswith("<p>Ukraine &lt;strikes&gt; back.</p>")
    assert "<ul><li>First point.</li><li>Second &amp; last.</li></ul>" in description


def test_a_feed_item_names_every_author_and_files_it_under_its_topics_and_regions(client):
    authors = [AuthorFactory(name="Ada Lovelace"), AuthorFactory(name="Mary Somerville")]
    ReportFactory(
        authors=authors,
        topics=[TopicFactory(name="Hybrid threats")],
        primary_region=region("UA"),
        regions=[region("RU"), region("UA")],
    )
    [item] = fetch(client, "/feed/").findall("item")
    assert [creator.text for creator in item.findall(f"{DC}creator")] == [
        "Ada Lovelace",
        "Mary Somerville",
    ]
    assert [category.text for category in item.findall("category")] == [
        "Hybrid threats",
        "Ukraine",
        "Russia",
    ]


def test_the_latest_feed_holds_the_twenty_newest_reports_newest_first(client):
    now = timezone.now()
    reports = [ReportFactory(publish_at=now - timedelta(hours=hours)) for hours in range(1, 23)]
    links = item_links(fetch(client, "/feed/"))
    assert links == [absolute(report) for report in reports[:20]]


def test_a_region_feed_rolls_up_the_reports_on_everything_beneath_it(client):
    on_ukraine = ReportFactory(primary_region=region("UA"))
    also_on_ukraine = ReportFactory(primary_region=region("PL"), regions=[region("UA")])
    on_kenya = ReportFactory(primary_region=region("KE"))
    europe = region("UA").ancestors()[1]
    assert europe.name == "Europe"

    channel = fetch(client, reverse("regions:feed", kwargs={"slug": europe.slug}))
    assert channel.findtext("link") == absolute(europe)
    assert set(item_links(channel)) == {absolute(on_ukraine), absolute(also_on_ukraine)}
    ukraine = fetch(client, reverse("regions:feed", kwargs={"slug": region("UA").slug}))
    assert set(item_links(ukraine)) == {absolute(on_ukraine), absolute(also_on_ukraine)}
    kenya = fetch(client, reverse("regions:feed", kwargs={"slug": region("KE").slug}))
    assert item_links(kenya) == [absolute(on_kenya)]


def test_a_grouping_feed_holds_the_reports_on_its_member_countries(client):
    on_syria = ReportFactory(primary_region=region("SY"))
    ReportFactory(primary_region=region("UA"))
    channel = fetch(client, reverse("regions:feed", kwargs={"slug": "mena"}))
    assert item_links(channel) == [absolute(on_syria)]


def test_a_topic_feed_holds_only_the_reports_filed_under_it(client):
    topic = TopicFactory(name="Energy security")
    filed = ReportFactory(topics=[topic])
    ReportFactory(topics=[TopicFactory()])
    channel = fetch(client, reverse("topics:feed", kwargs={"slug": topic.slug}))
    assert channel.findtext("title") == "diethnos: Energy security"
    assert channel.findtext("link") == absolute(topic)
    assert item_links(channel) == [absolute(filed)]


def test_an_author_feed_holds_only_their_reports(client):
    author = AuthorFactory(name="Ada Lovelace")
    theirs = ReportFactory(authors=[author, AuthorFactory()])
    ReportFactory()
    channel = fetch(client, reverse("authors:feed", kwargs={"slug": author.slug}))
    assert channel.findtext("title") == "diethnos: Ada Lovelace"
    assert channel.findtext("link") == absolute(author)
    assert channel.find(f"{ATOM}link").get("href") == (
        f"https://news.example.org/authors/{author.slug}/feed/"
    )
    assert item_links(channel) == [absolute(theirs)]


@pytest.mark.parametrize("state", UNPUBLISHED.values(), ids=UNPUBLISHED.keys())
def test_unpublished_reports_appear_in_no_feed(client, state):
    hidden = ReportFactory(topics=[TopicFactory(name="Sanctions")], **state)
    assert not hidden.is_public
    for url in feed_urls(hidden):
        assert item_links(fetch(client, url)) == [], url


@pytest.mark.parametrize(
    "url",
    [
        "/regions/atlantis/feed/",
        "/topics/no-such-topic/feed/",
        "/authors/nobody/feed/",
    ],
)
def test_a_feed_of_an_unknown_region_topic_or_author_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_the_feed_of_an_author_no_longer_active_is_not_found(client):
    author = AuthorFactory(is_active=False)
    assert client.get(reverse("authors:feed", kwargs={"slug": author.slug})).status_code == 404


def test_feeds_may_be_cached_by_cdns_as_pages_are(client, settings):
    settings.PAGE_CACHE_MAX_AGE, settings.PAGE_CACHE_S_MAXAGE = 60, 3600
    ReportFactory()
    for url in ["/feed/", reverse("regions:feed", kwargs={"slug": "europe"}), "/feed.json"]:
        response = client.get(url)
        assert response["Cache-Control"].startswith("public, max-age=60, s-maxage=3600"), url
        assert "feeds" in response["Surrogate-Key"].split(), url


def busy_report(author, topic):
    """A report with several of everything a feed item shows."""
    return ReportFactory(
        key_points=["One.", "Two.", "Three.", "Four."],
        authors=[author, AuthorFactory(), AuthorFactory()],
        topics=[topic, TopicFactory(), TopicFactory()],
        regions=[region("RU"), region("BY"), region("PL")],
    )


@pytest.mark.parametrize("reports", [1, 25], ids=["one report", "many reports"])
def test_each_feed_runs_a_fixed_number_of_queries(client, django_assert_num_queries, reports):
    author, topic = AuthorFactory(), TopicFactory()
    for _ in range(reports):
        busy_report(author, topic)
    # The reports, then their key points, regions, topics, update notes and bylines with authors.
    with django_assert_num_queries(6):
        assert len(fetch(client, "/feed/").findall("item")) == min(reports, 20)
    # First the region, topic or author itself (and for a region, what it covers).
    with django_assert_num_queries(7):
        fetch(client, reverse("regions:feed", kwargs={"slug": "europe"}))
    with django_assert_num_queries(7):
        fetch(client, reverse("topics:feed", kwargs={"slug": topic.slug}))
    with django_assert_num_queries(7):
        fetch(client, reverse("authors:feed", kwargs={"slug": author.slug}))


def follow_links(client, url):
    """The visible feed links of the page at ``url``: (href, type, text) each."""
    page = lxml_html.fromstring(client.get(url).content)
    return [
        (link.get("href"), link.get("type"), " ".join(link.text_content().split()))
        for link in page.xpath("//main//p[@class='follow']/a")
    ]


def test_the_front_page_and_listings_link_visibly_to_the_latest_reports_feed(client):
    ReportFactory()
    latest = ("/feed/", "application/rss+xml", "Follow the latest reports by RSS")
    assert follow_links(client, "/") == [latest]
    assert follow_links(client, "/reports/") == [latest]
    assert follow_links(client, "/reports/?kind=brief") == [latest]


def test_an_empty_front_page_links_to_the_feed_too(client):
    assert follow_links(client, "/") == [
        ("/feed/", "application/rss+xml", "Follow the latest reports by RSS")
    ]


def test_region_topic_and_author_pages_link_visibly_to_their_own_feed(client):
    topic, author = TopicFactory(name="Energy security"), AuthorFactory(name="Zoe Adler")
    ReportFactory(primary_region=region("UA"), topics=[topic], authors=[author])
    pages = {
        "/regions/europe/": ("/regions/europe/feed/", "Follow reports on Europe by RSS"),
        "/regions/sahel/": ("/regions/sahel/feed/", "Follow reports on Sahel by RSS"),
        topic.get_absolute_url(): (
            f"/topics/{topic.slug}/feed/",
            "Follow reports on Energy security by RSS",
        ),
        author.get_absolute_url(): (
            f"/authors/{author.slug}/feed/",
            "Follow reports by Zoe Adler by RSS",
        ),
    }
    for url, (feed, text) in pages.items():
        assert follow_links(client, url) == [(feed, "application/rss+xml", text)], url
        # The same feed the page names in its <head>, and it answers.
        head = lxml_html.fromstring(client.get(url).content).xpath(
            "//head/link[@rel='alternate'][@type='application/rss+xml']/@href"
        )
        assert feed in head, url
        channel_of(client.get(feed))
