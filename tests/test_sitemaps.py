"""/sitemap.xml (an index of one sitemap per section), /news-sitemap.xml and /robots.txt."""

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from lxml import etree

from reports import workflow
from reports.models import Report
from reports.sitemaps import ReportSitemap

from .factories import AuthorFactory, ReportFactory, TopicFactory, UpdateNoteFactory, region

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schemas"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# A W3C datetime: a date, or a date and time with a time zone.
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")
NOON = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)
BASE = "https://news.example.org"
SECTIONS = ["pages", "reports", "regions", "topics", "authors"]

UNPUBLISHED = {
    "draft": {"status": Report.Status.DRAFT},
    "in review": {"status": Report.Status.IN_REVIEW},
    "withdrawn": {"status": Report.Status.WITHDRAWN},
    "scheduled": {"publish_at": timezone.now() + timedelta(days=1)},
}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = BASE


def absolute(obj):
    return BASE + obj.get_absolute_url()


def parsed(response, schema, root):
    """The parsed document, after checking it against the published schema."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    document = etree.fromstring(response.content)  # noqa: S320 - the site's own output
    etree.XMLSchema(etree.parse(SCHEMAS / schema)).assertValid(document)
    assert document.tag == f"{SITEMAP}{root}"
    for loc in document.iter(f"{SITEMAP}loc"):
        assert loc.text.startswith(f"{BASE}/")
    for lastmod in document.iter(f"{SITEMAP}lastmod"):
        assert W3C_DATETIME.match(lastmod.text), lastmod.text
    return document


def sitemap_index(client):
    return parsed(client.get("/sitemap.xml"), "siteindex.xsd", "sitemapindex")


def section(client, name, page=None):
    url = f"/sitemap-{name}.xml" + (f"?p={page}" if page else "")
    return parsed(client.get(url), "sitemap.xsd", "urlset")


def news_sitemap(client):
    return parsed(client.get("/news-sitemap.xml"), "news-sitemap.xsd", "urlset")


def locations(document):
    return [loc.text for loc in document.iter(f"{SITEMAP}loc")]


def entry(document, location, tag="url"):
    [found] = [
        element
        for element in document.iter(f"{SITEMAP}{tag}")
        if element.findtext(f"{SITEMAP}loc") == location
    ]
    return found


def test_the_sitemap_is_an_index_of_one_sitemap_per_section_on_the_public_site(client):
    report = ReportFactory(authors=[author := AuthorFactory()], topics=[TopicFactory()])
    index = sitemap_index(client)
    assert locations(index) == [f"{BASE}/sitemap-{name}.xml" for name in SECTIONS]
    lastmods = {
        loc.removeprefix(f"{BASE}/"): entry(index, loc, "sitemap").findtext(f"{SITEMAP}lastmod")
        for loc in locations(index)
    }
    # Pages, regions and topics have no modification dates to go by.
    assert lastmods["sitemap-pages.xml"] is None
    assert lastmods["sitemap-regions.xml"] is None
    assert lastmods["sitemap-topics.xml"] is None
    assert datetime.fromisoformat(lastmods["sitemap-reports.xml"]) == report.modified_at
    author.refresh_from_db()
    assert datetime.fromisoformat(lastmods["sitemap-authors.xml"]) == author.updated_at


def test_the_sitemap_lists_published_reports_with_their_last_change(client):
    report = ReportFactory()
    urlset = section(client, "reports")
    lastmod = entry(urlset, absolute(report)).findtext(f"{SITEMAP}lastmod")
    assert lastmod == report.first_published_at.date().isoformat()


def test_the_sitemap_lists_the_main_pages(client):
    ReportFactory()
    assert locations(section(client, "pages")) == [
        f"{BASE}/",
        f"{BASE}/reports/",
        f"{BASE}/regions/",
        f"{BASE}/topics/",
        f"{BASE}/authors/",
        f"{BASE}/corrections/",
        f"{BASE}/corrections/policy/",
    ]


def test_the_sitemap_lists_every_region_page_a_report_appears_on_and_no_other(client):
    ReportFactory(primary_region=region("UA"), regions=[region("SY")])
    found = {loc.removeprefix(f"{BASE}/regions/") for loc in locations(section(client, "regions"))}
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
    topics, authors = locations(section(client, "topics")), locations(section(client, "authors"))
    assert topics == [absolute(topic)]
    assert authors == [absolute(author)]
    assert absolute(unused_topic) not in topics
    assert absolute(former_author) not in authors


@pytest.mark.parametrize("state", UNPUBLISHED.values(), ids=UNPUBLISHED.keys())
def test_unpublished_reports_appear_in_no_sitemap(client, state):
    topic = TopicFactory()
    hidden = ReportFactory(primary_region=region("KE"), topics=[topic], **state)
    ReportFactory(primary_region=region("UA"), topics=[TopicFactory()])  # no section is empty
    found = locations(news_sitemap(client))
    for name in SECTIONS:
        found += locations(section(client, name))
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
        workflow.publish(report)
        workflow.withdraw(report, reason="The figures were wrong.")
    with time_machine.travel(NOON, tick=False):
        workflow.publish(report, when=NOON)
        fresh = ReportFactory(publish_at=NOON)
        assert locations(news_sitemap(client)) == [absolute(fresh)]


def test_sitemaps_may_be_cached_by_cdns_as_pages_are(client, settings):
    settings.PAGE_CACHE_MAX_AGE, settings.PAGE_CACHE_S_MAXAGE = 60, 3600
    ReportFactory(topics=[TopicFactory()])
    urls = ["/sitemap.xml", *(f"/sitemap-{name}.xml" for name in SECTIONS), "/news-sitemap.xml"]
    for url in urls:
        response = client.get(url)
        assert response["Cache-Control"].startswith("public, max-age=60, s-maxage=3600"), url
        assert "sitemaps" in response["Surrogate-Key"].split(), url


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap-reports.xml?p=999",
        "/sitemap-reports.xml?p=2",
        "/sitemap-reports.xml?p=0",
        "/sitemap-reports.xml?p=-1",
        "/sitemap-reports.xml?p=two",
        "/sitemap-reports.xml?p=1.5",
        "/sitemap-pages.xml?p=2",
        "/sitemap-everything.xml",
    ],
)
def test_a_sitemap_or_sitemap_page_that_does_not_exist_is_not_found(client, url):
    ReportFactory()
    assert client.get(url).status_code == 404


def test_a_long_section_is_split_into_pages_which_the_index_lists(client, monkeypatch):
    monkeypatch.setattr(ReportSitemap, "limit", 2)
    published = [
        ReportFactory(publish_at=timezone.now() - timedelta(hours=hours)) for hours in range(1, 6)
    ]
    hidden = ReportFactory(status=Report.Status.DRAFT)
    reports = f"{BASE}/sitemap-reports.xml"
    index = sitemap_index(client)
    pages = [loc for loc in locations(index) if loc.startswith(reports)]
    assert pages == [reports, f"{reports}?p=2", f"{reports}?p=3"]
    newest = max(report.modified_at for report in published)
    for page in pages:
        lastmod = entry(index, page, "sitemap").findtext(f"{SITEMAP}lastmod")
        assert datetime.fromisoformat(lastmod) == newest

    listed = Counter()
    for page in [None, 2, 3]:
        found = locations(section(client, "reports", page))
        assert len(found) <= 2
        listed.update(found)
    assert listed == Counter(absolute(report) for report in published)
    assert absolute(hidden) not in listed
    assert client.get("/sitemap-reports.xml?p=4").status_code == 404


def _saved(report, when):
    """``report`` saved again at ``when`` (a typo fixed, say): no update for its readers."""
    with time_machine.travel(when, tick=False):
        report.save()


# What happens to the report published ten days before NOON, and its last modification then.
LATEST_CHANGES = {
    "a publication": (lambda report: None, NOON - timedelta(days=3)),
    "an update note": (
        lambda report: UpdateNoteFactory(report=report, noted_at=NOON),
        NOON,
    ),
    "a correction note": (
        lambda report: UpdateNoteFactory(report=report, kind="correction", noted_at=NOON),
        NOON,
    ),
    # Saving is no update: the newest publication stays the latest change.
    "a later save": (lambda report: _saved(report, NOON), NOON - timedelta(days=3)),
    # A report's notes say when it changed, whenever it was last saved.
    "an older note despite a later save": (
        lambda report: (
            UpdateNoteFactory(report=report, noted_at=NOON - timedelta(days=2)),
            _saved(report, NOON),
        ),
        NOON - timedelta(days=2),
    ),
}


@pytest.mark.parametrize(("change", "latest"), LATEST_CHANGES.values(), ids=LATEST_CHANGES.keys())
def test_the_index_dates_the_reports_sitemap_by_the_latest_change_in_one_query(
    client, django_assert_num_queries, change, latest
):
    with time_machine.travel(NOON - timedelta(days=10), tick=False):
        report = ReportFactory(publish_at=NOON - timedelta(days=10))
        ReportFactory(publish_at=NOON - timedelta(days=20))
    ReportFactory(publish_at=NOON - timedelta(days=3))
    change(report)
    # Unpublished reports do not count, whatever their dates.
    UpdateNoteFactory(report=ReportFactory(status=Report.Status.DRAFT), noted_at=NOON)

    # The rule in Python (Report.modified_at) and in SQL (latest_modification) agree.
    published = Report.objects.published().prefetch_related("update_notes")
    assert max(each.modified_at for each in published) == latest
    with django_assert_num_queries(1):
        assert ReportSitemap().get_latest_lastmod() == latest
    lastmod = entry(sitemap_index(client), f"{BASE}/sitemap-reports.xml", "sitemap").findtext(
        f"{SITEMAP}lastmod"
    )
    assert datetime.fromisoformat(lastmod) == latest


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


# Per sitemap a count and a page, and: pages need no query, regions one more to find what
# they cover (reports read their latest notes in the same query). The index counts each
# section and asks the reports and authors sections for their latest change.
QUERIES = {
    "/sitemap.xml": 7,
    "/sitemap-pages.xml": 0,
    "/sitemap-reports.xml": 2,
    "/sitemap-regions.xml": 3,
    "/sitemap-topics.xml": 2,
    "/sitemap-authors.xml": 2,
    "/news-sitemap.xml": 2,
}


@pytest.mark.parametrize("reports", [1, 30], ids=["one report", "many reports"])
@pytest.mark.parametrize("url", QUERIES.keys())
def test_sitemaps_run_a_fixed_number_of_queries(client, django_assert_num_queries, url, reports):
    for i in range(reports):
        ReportFactory(
            authors=[AuthorFactory(), AuthorFactory()],
            topics=[TopicFactory(), TopicFactory()],
            primary_region=region(["UA", "SY", "KE"][i % 3]),
            regions=[region("RU"), region("PL")],
        )
    with django_assert_num_queries(QUERIES[url]):
        response = client.get(url)
    assert response.status_code == 200
    listed = locations(etree.fromstring(response.content))  # noqa: S320 - the site's own output
    if url in ("/sitemap-reports.xml", "/news-sitemap.xml"):
        assert len(listed) == reports


def test_a_page_of_a_long_section_runs_one_query_once_the_reports_are_counted(
    client, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(ReportSitemap, "limit", 2)
    for _ in range(5):
        ReportFactory()
    with django_assert_num_queries(QUERIES["/sitemap-reports.xml"]):
        assert client.get("/sitemap-reports.xml").status_code == 200
    # The count is kept until the reports change (tags.report_counts.kept_count).
    for page in ["", "?p=2", "?p=3"]:
        with django_assert_num_queries(1):
            assert client.get(f"/sitemap-reports.xml{page}").status_code == 200


@pytest.mark.parametrize("pages", [[None, 2, 3], [3, 2, None]], ids=["forward", "backward"])
def test_every_page_of_a_long_section_lists_its_reports_newest_first(client, monkeypatch, pages):
    # Pages in the back half are read from the end (diethnos.pagination.Paginator).
    monkeypatch.setattr(ReportSitemap, "limit", 2)
    published = [
        ReportFactory(publish_at=timezone.now() - timedelta(hours=hours)) for hours in range(1, 6)
    ]
    UpdateNoteFactory(report=published[3], noted_at=timezone.now())
    by_page = {page: section(client, "reports", page) for page in pages}
    listed = [loc for page in [None, 2, 3] for loc in locations(by_page[page])]
    assert listed == [absolute(report) for report in published]
    # Each with its own last change, its latest note's on the report that has one.
    for report in published:
        report.refresh_from_db()
        [document] = [page for page in by_page.values() if absolute(report) in locations(page)]
        lastmod = entry(document, absolute(report)).findtext(f"{SITEMAP}lastmod")
        assert lastmod == report.modified_at.date().isoformat()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` runs what the block saved as a committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_publication_or_withdrawal_adds_or_takes_away_a_page_at_once(client, monkeypatch, commit):
    monkeypatch.setattr(ReportSitemap, "limit", 2)
    with commit():
        reports = ReportFactory.create_batch(4)
    assert client.get("/sitemap-reports.xml?p=3").status_code == 404
    with commit():
        fresh = ReportFactory(publish_at=timezone.now() - timedelta(days=30))
    assert locations(section(client, "reports", 3)) == [absolute(fresh)]
    with commit():
        workflow.withdraw(reports[0], reason="Sources could not be confirmed.")
    assert client.get("/sitemap-reports.xml?p=3").status_code == 404
    assert absolute(reports[0]) not in locations(section(client, "reports", 2))


def test_the_index_leaves_out_sections_with_nothing_to_list(client):
    ReportFactory()  # filed under no topic
    listed = locations(sitemap_index(client))
    assert f"{BASE}/sitemap-reports.xml" in listed
    assert f"{BASE}/sitemap-topics.xml" not in listed
