"""Feeds and sitemaps are kept in the page cache as pages are: answered without a query, and
purged by what purges them (reports.page_tags: ``feeds`` and ``sitemaps``), and by nothing else."""

import pytest
from django.urls import reverse

from reports import workflow
from reports.models import Report, UpdateNote

from .factories import ReportFactory, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


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


def test_feeds_and_sitemaps_are_answered_from_the_cache_without_a_query(
    client, qatar_report, cache_pages, django_assert_num_queries
):
    urls = feeds(qatar_report) + SITEMAPS
    cache_pages(urls)
    for url in urls:
        with django_assert_num_queries(0):
            response = client.get(url)
        assert response["X-Cache"] == "hit", url
        assert response.status_code == 200, url


def test_a_cached_feed_keeps_its_content_type(client, qatar_report, cache_pages):
    cache_pages(["/feed/", "/feed.json", "/sitemap.xml"])
    assert client.get("/feed/")["Content-Type"].startswith("application/rss+xml")
    assert client.get("/feed.json")["Content-Type"] == "application/feed+json; charset=utf-8"
    assert client.get("/sitemap.xml")["Content-Type"].startswith("application/xml")


def test_a_publication_shows_at_once_in_every_feed_and_sitemap(
    client, qatar_report, cache_pages, commit
):
    urls = feeds(qatar_report) + SITEMAPS
    cache_pages(urls)
    with commit():
        fresh = ReportFactory(
            title="Mediators arrive in Doha",
            slug="mediators-arrive-in-doha",
            primary_region=region("QA"),
            topics=[qatar_report.topics.get()],
            authors=[qatar_report.authors.get()],
        )
    for url in feeds(fresh):
        if url != reverse("corrections:feed"):
            assert "Mediators arrive in Doha" in client.get(url).content.decode(), url
    for url in ["/sitemap-reports.xml", "/news-sitemap.xml"]:
        assert "/reports/mediators-arrive-in-doha/" in client.get(url).content.decode(), url


def test_a_correction_shows_at_once_in_the_corrections_feed(
    client, qatar_report, cache_pages, commit
):
    cache_pages(feeds(qatar_report))
    draft = workflow.working_draft(qatar_report)
    UpdateNote.objects.create(
        report=draft, kind=UpdateNote.Kind.CORRECTION, text="The talks resumed on Monday."
    )
    with commit():
        workflow.publish_changes(draft)
    assert "The talks resumed on Monday." in client.get("/corrections/feed/").content.decode()


def test_a_withdrawal_takes_the_report_out_of_every_feed_and_sitemap_at_once(
    client, qatar_report, cache_pages, commit
):
    urls = feeds(qatar_report) + SITEMAPS
    cache_pages(urls)
    with commit():
        workflow.withdraw(qatar_report, reason="Sources could not be confirmed.")
    for url in urls:
        assert qatar_report.get_absolute_url() not in client.get(url).content.decode(), url


def test_an_authors_rename_shows_at_once_in_the_feeds(client, qatar_report, cache_pages, commit):
    cache_pages(feeds(qatar_report))
    author = qatar_report.authors.get()
    with commit():
        author.name = "Nikolas Varga-Horvath"
        author.save()
    for url in [reverse("reports:feed"), reverse("reports:json-feed")]:
        assert "Nikolas Varga-Horvath" in client.get(url).content.decode(), url


def test_a_draft_save_and_an_unpublished_report_keep_every_cached_feed_and_sitemap(
    client, qatar_report, cache_pages, commit
):
    urls = feeds(qatar_report) + SITEMAPS
    cache_pages(urls)
    with commit():
        draft = workflow.working_draft(qatar_report)
        draft.title = "Ceasefire talks stall in Doha"
        draft.save()
        ReportFactory(
            status=Report.Status.DRAFT,
            primary_region=region("QA"),
            authors=[qatar_report.authors.get()],
            topics=[qatar_report.topics.get()],
        )
    assert {url: client.get(url)["X-Cache"] for url in urls} == dict.fromkeys(urls, "hit")
