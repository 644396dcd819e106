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


# Signing in (session, user, second factor, permissions), the filters' choices (regions,
# topics, authors), the count, the page and its bylines, the date bar's two, and what the
# desk's pages read besides. A region's list reads the region too.
QUERIES = {"": 16, "region": 17, "search": 16}


def test_the_desk_list_costs_a_known_number_of_queries(editor_client):
    topic, author, made = reports(3)
    assert queries(editor_client, LIST) == QUERIES[""]
    assert queries(editor_client, f"{LIST}?region=europe") == QUERIES["region"]
    editor_client.get(f"{LIST}?q=Situation")  # the languages searched in, kept (PostgreSQL)
    assert queries(editor_client, f"{LIST}?q=Situation") == QUERIES["search"]


def test_a_search_matching_more_reports_than_it_counts_says_so_and_pages_through_them(
    editor_client, monkeypatch
):
    from diethnos.pagination import CappedPaginator
    from reports.admin import ReportAdmin

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    monkeypatch.setattr(ReportAdmin, "list_per_page", 2)
    monkeypatch.setattr(ReportAdmin, "list_max_show_all", 2)
    made = ReportFactory.create_batch(5, authors=[AuthorFactory()])
    newest_first = [
        report.title for report in sorted(made, key=lambda r: (r.publish_at, r.pk), reverse=True)
    ]
    response = editor_client.get(LIST, {"q": "Situation"})
    page = html.fromstring(response.content)
    assert "3+ results" in page.get_element_by_id("changelist-search").text_content()
    assert page.find_class("paginator")[0].text_content().split()[-2:] == ["3+", "reports"]
    # Selecting them all selects every report matched, as many as there are.
    assert "Select all 3+ reports" in page.find_class("question")[0].text_content()
    assert page.find_class("all")[0].text_content() == "All 3+ selected"
    assert titles_on(editor_client, f"{LIST}?q=Situation") == newest_first[:2]
    assert titles_on(editor_client, f"{LIST}?q=Situation&p=2") == newest_first[2:3]
    assert queries(editor_client, f"{LIST}?q=Situation") == QUERIES["search"]
    # Fewer than it counts: counted exactly, and its last page read from the end as the
    # list's are.
    monkeypatch.setattr(CappedPaginator, "cap", 10)
    response = editor_client.get(LIST, {"q": "Situation"})
    assert (
        "5 results"
        in html.fromstring(response.content).get_element_by_id("changelist-search").text_content()
    )
    assert titles_on(editor_client, f"{LIST}?q=Situation&p=3") == newest_first[4:]
