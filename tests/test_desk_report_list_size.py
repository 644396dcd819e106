"""The desk's list of reports costs the same number of queries however many reports there are,
whichever page and filter, and reads its back pages from the end in the same order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from reports.models import Report

from .factories import AuthorFactory, EditorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db

LIST = reverse("admin:reports_report_changelist")


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def reports(count):
    """``count`` reports, each with a byline, a topic, regions and a pending change or not."""
    topic, author = TopicFactory(name="Energy security"), AuthorFactory(name="Ada Lovelace")
    made = []
    for number in range(count):
        made.append(
            ReportFactory(
                authors=[author, AuthorFactory()],
                topics=[topic, TopicFactory()],
                primary_region=region("UA"),
                regions=[region("PL"), region("KE")],
                status=Report.Status.PUBLISHED if number % 3 else Report.Status.DRAFT,
            )
        )
    return topic, author, made


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def list_urls(topic, author):
    return [
        LIST,
        f"{LIST}?status__exact=published",
        f"{LIST}?region=europe",
        f"{LIST}?region={region('UA').slug}",
        f"{LIST}?topic={topic.slug}",
        f"{LIST}?authors__id__exact={author.pk}",
        f"{LIST}?kind__exact=sitrep&featured__exact=0",
        f"{LIST}?pending=yes",
        f"{LIST}?q=Situation",
    ]


def test_the_desk_list_queries_stay_the_same_for_5_and_30_reports(editor_client):
    topic, author, made = reports(5)
    few = {url: queries(editor_client, url) for url in list_urls(topic, author)}
    for _ in range(25):
        ReportFactory(
            authors=[author, AuthorFactory()],
            topics=[topic, TopicFactory()],
            primary_region=region("UA"),
            regions=[region("PL"), region("KE")],
        )
    many = {url: queries(editor_client, url) for url in list_urls(topic, author)}
    assert many == few


def titles_on(client, url):
    page = html.fromstring(client.get(url).content)
    return [cell.text_content().strip() for cell in page.xpath("//table[@id='result_list']//th/a")]


def test_a_back_page_of_the_desk_list_holds_the_same_reports_in_the_same_order(editor_client):
    made = ReportFactory.create_batch(120, authors=[AuthorFactory()])
    newest_first = [
        report.title for report in sorted(made, key=lambda r: (r.publish_at, r.pk), reverse=True)
    ]
    shown = []
    for number in (1, 2, 3):
        shown += titles_on(editor_client, f"{LIST}?p={number}")
    assert shown == newest_first
