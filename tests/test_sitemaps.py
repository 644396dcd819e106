"""/sitemap.xml, /news-sitemap.xml and /robots.txt."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from lxml import etree

from reports.models import Report

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schemas"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# A W3C datetime: a date, or a date and time with a time zone.
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")
NOON = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)

UNPUBLISHED = {
    "draft": {"status": Report.Status.DRAFT},
    "in review": {"status": Report.Status.IN_REVIEW},
    "withdrawn": {"status": Report.Status.WITHDRAWN},
    "scheduled": {"publish_at": timezone.now() + timedelta(days=1)},
}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://news.example.org"


def absolute(obj):
    return "https://news.example.org" + obj.get_absolute_url()


def urlset_of(response, schema):
    """The parsed <urlset>, after checking it against the published schema."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    urlset = etree.fromstring(response.content)  # noqa: S320 - the site's own output
    etree.XMLSchema(etree.parse(SCHEMAS / schema)).assertValid(urlset)
    assert urlset.tag == f"{SITEMAP}urlset"
    for loc in urlset.iter(f"{SITEMAP}loc"):
        assert loc.text.startswith("https://news.example.org/")
    for lastmod in urlset.iter(f"{SITEMAP}lastmod"):
        assert W3C_DATETIME.match(lastmod.text), lastmod.text
    return urlset


def sitemap(client):
    return urlset_of(client.get("/sitemap.xml"), "sitemap.xsd")


def news_sitemap(client):
    return urlset_of(client.get("/news-sitemap.xml"), "news-sitemap.xsd")


def locations(urlset):
    return [loc.text for loc in urlset.iter(f"{SITEMAP}loc")]


def entry(urlset, location):
    [url] = [
        url for url in urlset.iter(f"{SITEMAP}url") if url.findtext(f"{SITEMAP}loc") == location
    ]
    return url


def test_the_sitemap_lists_published_reports_with_their_last_change(client):
    report = ReportFactory()
    urlset = sitemap(client)
    lastmod = entry(urlset, absolute(report)).findtext(f"{SITEMAP}lastmod")
    assert lastmod == report.first_published_at.date().isoformat()


def test_the_sitemap_lists_the_main_pages(client):
    ReportFactory()
    found = set(locations(sitemap(client)))
    base = "https://news.example.org"
    assert {
        f"{base}/",
        f"{base}/reports/",
        f"{base}/regions/",
        f"{base}/topics/",
        f"{base}/authors/",
    } <= found


def test_the_sitemap_lists_every_region_page_a_report_appears_on_and_no_other(client):
    ReportFactory(primary_region=region("UA"), regions=[region("SY")])
    found = {
        loc.removeprefix("https://news.example.org/regions/") for loc in locations(sitemap(client))
    }
    expected = [
        *region("UA").ancestors(),
        region("UA"),
        *region("SY").ancestors(),
        region("SY"),
        region("mena"),
    ]
    assert {f"{r.slug}/" for r in expected} <= found
    for quiet in [region("KE"), region("sahel"), region("africa")]:
        assert f"{quiet.slug}/" not in found


def test_the_sitemap_lists_topics_with_reports_and_active_authors(client):
    author, topic = AuthorFactory(), TopicFactory()
    ReportFactory(authors=[author], topics=[topic])
    unused_topic = TopicFactory()
    former_author = AuthorFactory(is_active=False)
    found = locations(sitemap(client))
    assert absolute(topic) in found
    assert absolute(author) in found
    assert absolute(unused_topic) not in found
    assert absolute(former_author) not in found


@pytest.mark.parametrize("state", UNPUBLISHED.values(), ids=UNPUBLISHED.keys())
def test_unpublished_reports_appear_in_no_sitemap(client, state):
    topic = TopicFactory()
    hidden = ReportFactory(primary_region=region("KE"), topics=[topic], **state)
    ReportFactory(primary_region=region("UA"))  # so that both sitemaps have something
    found = locations(sitemap(client)) + locations(news_sitemap(client))
    assert absolute(hidden) not in found
    assert absolute(region("KE")) not in found
    assert absolute(topic) not in found


@time_machine.travel(NOON, tick=False)
def test_the_news_sitemap_lists_reports_of_the_last_two_days_in_google_news_format(client):
    fresh = ReportFactory(title="Strikes on Kursk & Belgorod", publish_at=NOON - timedelta(hours=3))
    ReportFactory(publish_at=NOON - timedelta(days=2, minutes=1))
    urlset = news_sitemap(client)
    assert locations(urlset) == [absolute(fresh)]
    news = entry(urlset, absolute(fresh)).find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "diethnos"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    published = news.findtext(f"{NEWS}publication_date")
    assert W3C_DATETIME.match(published)
    assert datetime.fromisoformat(published) == NOON - timedelta(hours=3)
    assert news.findtext(f"{NEWS}title") == "Strikes on Kursk & Belgorod"


def test_the_news_sitemap_dates_a_republished_report_from_its_first_publication(client):
    with time_machine.travel(NOON - timedelta(days=5), tick=False):
        report = ReportFactory(status=Report.Status.DRAFT, publish_at=None)
        report.publish()
        report.withdraw()
    with time_machine.travel(NOON, tick=False):
        report.publish(when=NOON)
        fresh = ReportFactory(publish_at=NOON)
        assert locations(news_sitemap(client)) == [absolute(fresh)]


def test_sitemaps_may_be_cached_by_cdns(client):
    ReportFactory()
    for url in ["/sitemap.xml", "/news-sitemap.xml"]:
        cache_control = client.get(url)["Cache-Control"]
        assert "public" in cache_control
        assert "max-age=600" in cache_control


def test_a_sitemap_page_that_does_not_exist_is_not_found(client):
    assert client.get("/sitemap.xml?p=2").status_code == 404
    assert client.get("/sitemap.xml?p=two").status_code == 404


def test_robots_txt_points_at_both_sitemaps_and_keeps_crawlers_out_of_the_desk(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /accounts/" in lines
    assert "Disallow: /search/" in lines
    assert "Sitemap: https://news.example.org/sitemap.xml" in lines
    assert "Sitemap: https://news.example.org/news-sitemap.xml" in lines


@pytest.mark.parametrize("reports", [1, 30], ids=["one report", "many reports"])
def test_sitemaps_run_a_fixed_number_of_queries(client, django_assert_num_queries, reports):
    for i in range(reports):
        ReportFactory(
            authors=[AuthorFactory(), AuthorFactory()],
            topics=[TopicFactory(), TopicFactory()],
            primary_region=region(["UA", "SY", "KE"][i % 3]),
            regions=[region("RU"), region("PL")],
        )
    # Per section a count and a page: pages need none, regions one more to find what they
    # cover, reports one more for their update notes.
    with django_assert_num_queries(10):
        assert len(locations(sitemap(client))) > reports
    with django_assert_num_queries(2):
        assert len(locations(news_sitemap(client))) == reports
