"""Listings count their reports once, not on every page: the count is kept until reports
change (tags.report_counts.kept_count), and follows every change readers can see; and they
read only what their cards show."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import Report, UpdateNote

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db

PER_PAGE = 20


def listings(topic, author):
    """The paged listings of reports: all, by kind, a topic's, an author's, a region's."""
    return [
        reverse("reports:list"),
        reverse("reports:list") + "?kind=sitrep",
        topic.get_absolute_url(),
        author.get_absolute_url(),
        region("UA").get_absolute_url(),
        "/regions/europe/",
    ]


def second_page(client, url):
    joiner = "&" if "?" in url else "?"
    return client.get(f"{url}{joiner}page=2").status_code


@pytest.fixture
def full_page():
    """Exactly one page of reports on every listing, and their topic and author."""
    topic, author = TopicFactory(), AuthorFactory()
    for _ in range(PER_PAGE):
        ReportFactory(topics=[topic], authors=[author], primary_region=region("UA"))
    return topic, author


def test_a_listing_counts_its_reports_once_then_reads_only_its_page(
    client, full_page, django_assert_num_queries
):
    topic, author = full_page
    for url in listings(topic, author):
        client.get(url)
    # Again: no count, and only what the cards show (reports.kept_pages).
    with django_assert_num_queries(1):
        assert client.get(reverse("reports:list")).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(topic.get_absolute_url()).status_code == 200


def test_a_new_report_is_counted_at_once_on_every_listing_it_joins(client, full_page):
    topic, author = full_page
    for url in listings(topic, author):
        assert second_page(client, url) == 404, url
    ReportFactory(topics=[topic], authors=[author], primary_region=region("UA"))
    for url in listings(topic, author):
        assert second_page(client, url) == 200, url


def test_an_unpublished_report_is_no_longer_counted(client, full_page):
    topic, author = full_page
    extra = ReportFactory(topics=[topic], authors=[author], primary_region=region("UA"))
    for url in listings(topic, author):
        assert second_page(client, url) == 200, url
    extra.status = Report.Status.WITHDRAWN
    extra.save()
    for url in listings(topic, author):
        assert second_page(client, url) == 404, url


def test_a_scheduled_report_is_counted_once_it_goes_live(client, full_page):
    topic, author = full_page
    ReportFactory(
        topics=[topic],
        authors=[author],
        primary_region=region("UA"),
        publish_at=timezone.now() + timedelta(hours=1),
    )
    for url in listings(topic, author):
        assert second_page(client, url) == 404, url
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        for url in listings(topic, author):
            assert second_page(client, url) == 200, url


def test_the_corrections_log_counts_a_new_correction_at_once(client):
    reports = ReportFactory.create_batch(PER_PAGE + 1)
    for report in reports[:PER_PAGE]:
        UpdateNote.objects.create(report=report, kind=UpdateNote.Kind.CORRECTION, text="Fixed.")
    assert client.get("/corrections/").status_code == 200
    assert client.get("/corrections/?page=2").status_code == 404
    UpdateNote.objects.create(report=reports[-1], kind=UpdateNote.Kind.CLARIFICATION, text="Said.")
    assert client.get("/corrections/?page=2").status_code == 200


def test_listings_read_neither_the_body_nor_the_search_vector_of_their_reports(client, full_page):
    topic, author = full_page
    for url in listings(topic, author) + ["/", "/feed/", "/feed.json"]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        for query in captured.captured_queries:
            assert '"reports_report"."body"' not in query["sql"], url
            assert '"reports_report"."search_vector"' not in query["sql"], url
