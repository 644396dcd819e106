"""Feeds and sitemaps are kept in the page cache as pages are: answered without a query, and
purged by what purges them (reports.page_tags: ``feeds`` and ``sitemaps``), and by nothing else."""

import pytest
from django.urls import reverse

from reports import workflow
from reports.models import Report, UpdateNote

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` runs what the block saved as a committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def report(commit):
    with commit():
        return ReportFactory(
            title="Ceasefire talks resume in Doha",
            primary_region=region("QA"),
            topics=[TopicFactory(name="Ceasefires")],
            authors=[AuthorFactory(name="Nikolas Varga")],
        )


def feeds(report):
    """Every feed ``report`` is in (RSS and JSON Feed) and the corrections feed."""
    urls = [reverse("reports:feed"), reverse("reports:json-feed"), reverse("corrections:feed")]
    for route, obj in [
        ("regions", report.primary_region),
        ("topics", report.topics.get()),
        ("authors", report.authors.get()),
    ]:
        urls += [
            reverse(f"{route}:{name}", kwargs={"slug": obj.slug}) for name in ("feed", "json-feed")
        ]
    return urls


SITEMAPS = [
    "/sitemap.xml",
    "/sitemap-pages.xml",
    "/sitemap-reports.xml",
    "/sitemap-regions.xml",
    "/sitemap-topics.xml",
    "/sitemap-authors.xml",
    "/news-sitemap.xml",
]


def cached(client, urls):
    """Fetch ``urls`` once, so that the page cache keeps them."""
    for url in urls:
        assert client.get(url)["X-Cache"] == "miss", url


def test_feeds_and_sitemaps_are_answered_from_the_cache_without_a_query(
    client, report, django_assert_num_queries
):
    urls = feeds(report) + SITEMAPS
    cached(client, urls)
    for url in urls:
        with django_assert_num_queries(0):
            response = client.get(url)
        assert response["X-Cache"] == "hit", url
        assert response.status_code == 200, url


def test_a_cached_feed_keeps_its_content_type(client, report):
    cached(client, ["/feed/", "/feed.json", "/sitemap.xml"])
    assert client.get("/feed/")["Content-Type"].startswith("application/rss+xml")
    assert client.get("/feed.json")["Content-Type"] == "application/feed+json; charset=utf-8"
    assert client.get("/sitemap.xml")["Content-Type"].startswith("application/xml")


def test_a_publication_shows_at_once_in_every_feed_and_sitemap(client, report, commit):
    urls = feeds(report) + SITEMAPS
    cached(client, urls)
    with commit():
        fresh = ReportFactory(
            title="Mediators arrive in Doha",
            slug="mediators-arrive-in-doha",
            primary_region=region("QA"),
            topics=[report.topics.get()],
            authors=[report.authors.get()],
        )
    for url in feeds(fresh):
        if url != reverse("corrections:feed"):
            assert "Mediators arrive in Doha" in client.get(url).content.decode(), url
    for url in ["/sitemap-reports.xml", "/news-sitemap.xml"]:
        assert "/reports/mediators-arrive-in-doha/" in client.get(url).content.decode(), url


def test_a_correction_shows_at_once_in_the_corrections_feed(client, report, commit):
    cached(client, feeds(report))
    draft = workflow.working_draft(report)
    UpdateNote.objects.create(
        report=draft, kind=UpdateNote.Kind.CORRECTION, text="The talks resumed on Monday."
    )
    with commit():
        workflow.publish_changes(draft)
    assert "The talks resumed on Monday." in client.get("/corrections/feed/").content.decode()


def test_a_withdrawal_takes_the_report_out_of_every_feed_and_sitemap_at_once(
    client, report, commit
):
    urls = feeds(report) + SITEMAPS
    cached(client, urls)
    with commit():
        workflow.withdraw(report, reason="Sources could not be confirmed.")
    for url in urls:
        assert report.get_absolute_url() not in client.get(url).content.decode(), url


def test_an_authors_rename_shows_at_once_in_the_feeds(client, report, commit):
    cached(client, feeds(report))
    author = report.authors.get()
    with commit():
        author.name = "Nikolas Varga-Horvath"
        author.save()
    for url in [reverse("reports:feed"), reverse("reports:json-feed")]:
        assert "Nikolas Varga-Horvath" in client.get(url).content.decode(), url


def test_a_draft_save_and_an_unpublished_report_keep_every_cached_feed_and_sitemap(
    client, report, commit
):
    urls = feeds(report) + SITEMAPS
    cached(client, urls)
    with commit():
        draft = workflow.working_draft(report)
        draft.title = "Ceasefire talks stall in Doha"
        draft.save()
        ReportFactory(
            status=Report.Status.DRAFT,
            primary_region=region("QA"),
            authors=[report.authors.get()],
            topics=[report.topics.get()],
        )
    assert {url: client.get(url)["X-Cache"] for url in urls} == dict.fromkeys(urls, "hit")
