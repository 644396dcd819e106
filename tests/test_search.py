"""Readers search the published reports by their words, and narrow down by filters."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import KeyPoint, Report
from reports.search import reindex

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db(transaction=False)

SEARCH = reverse("reports:search")
FULL_TEXT = connection.vendor == "postgresql"


def report(**fields):
    created = ReportFactory(**fields)
    reindex([created.pk])  # the factory adds key points and bylines after the report's save
    return created


def titles(response):
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.context["page"]
    return [r.title for r in page] if page is not None else None


def test_the_search_page_offers_the_form_and_lists_nothing_before_a_search(client):
    report(title="Kursk incursion")
    response = client.get(SEARCH)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="search"' in page
    assert 'name="q"' in page
    assert '<meta name="robots" content="noindex">' in page
    assert response.context["page"] is None


def test_words_are_found_in_headline_summary_key_points_and_body(client):
    report(title="Ukrainian forces cross into Kursk")
    report(title="Quiet week", summary="Talks on the Zaporizhzhia plant resumed.")
    report(title="Another", key_points=["Drones struck a refinery near Ryazan."])
    report(title="Body", body="<p>Grain corridor shipments through Odesa rose.</p>")
    report(title="Unrelated", summary="Elections in Georgia.")
    assert titles(client.get(SEARCH, {"q": "kursk"})) == ["Ukrainian forces cross into Kursk"]
    assert titles(client.get(SEARCH, {"q": "Zaporizhzhia"})) == ["Quiet week"]
    assert titles(client.get(SEARCH, {"q": "refinery"})) == ["Another"]
    assert titles(client.get(SEARCH, {"q": "Odesa"})) == ["Body"]
    assert titles(client.get(SEARCH, {"q": "nothing-like-this"})) == []


@pytest.mark.skipif(not FULL_TEXT, reason="ranking and stemming need PostgreSQL")
def test_on_postgresql_words_are_stemmed_and_headline_matches_rank_first(client):
    report(title="Ceasefire holds", summary="Shelling stopped.", publish_at=_days_ago(5))
    report(title="Weekly roundup", body="<p>The ceasefire held in most places.</p>")
    response = client.get(SEARCH, {"q": "ceasefires"})
    assert titles(response) == ["Ceasefire holds", "Weekly roundup"]


@pytest.mark.skipif(not FULL_TEXT, reason="highlighting needs PostgreSQL")
def test_on_postgresql_matched_words_are_marked_and_the_rest_is_escaped(client):
    report(title="Port strike", summary="Drones hit the <port> of Sevastopol.")
    page = client.get(SEARCH, {"q": "Sevastopol"}).content.decode()
    assert "Drones hit the &lt;port&gt; of <mark>Sevastopol</mark>." in page


def test_changes_to_key_points_regions_and_topics_are_found_once_committed(
    client, django_capture_on_commit_callbacks
):
    found = report(title="Sahel update")
    with django_capture_on_commit_callbacks(execute=True):
        KeyPoint.objects.create(report=found, position=5, text="Wagner withdrew from Mali.")
    assert titles(client.get(SEARCH, {"q": "Wagner"})) == ["Sahel update"]
    with django_capture_on_commit_callbacks(execute=True):
        found.topics.add(TopicFactory(name="Mercenaries"))
    assert titles(client.get(SEARCH, {"q": "mercenaries"})) == ["Sahel update"]
    with django_capture_on_commit_callbacks(execute=True):
        found.title = "Sahel weekly"
        found.save()
    assert titles(client.get(SEARCH, {"q": "weekly"})) == ["Sahel weekly"]


def test_unpublished_reports_are_never_found(client):
    report(title="Kursk draft", status=Report.Status.DRAFT)
    report(title="Kursk in review", status=Report.Status.IN_REVIEW)
    report(title="Kursk withdrawn", status=Report.Status.WITHDRAWN)
    report(title="Kursk scheduled", publish_at=timezone.now() + datetime.timedelta(hours=2))
    report(title="Kursk published")
    assert titles(client.get(SEARCH, {"q": "Kursk"})) == ["Kursk published"]


def _days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_filters_narrow_down_with_or_without_words(client):
    cyber = TopicFactory(name="Cyber", slug="cyber")
    amara = AuthorFactory(slug="amara")
    report(title="Kyiv", primary_region=region("UA"), topics=[cyber], publish_at=_days_ago(1))
    report(title="Bamako", primary_region=region("ML"), authors=[amara], publish_at=_days_ago(2))
    report(
        title="Kursk",
        primary_region=region("RU"),
        regions=[region("UA")],
        kind=Report.Kind.ANALYSIS,
        publish_at=_days_ago(40),
    )
    assert titles(client.get(SEARCH, {"region": "ukraine"})) == ["Kyiv", "Kursk"]
    assert titles(client.get(SEARCH, {"region": "europe"})) == ["Kyiv", "Kursk"]
    assert titles(client.get(SEARCH, {"region": "sahel"})) == ["Bamako"]
    assert titles(client.get(SEARCH, {"topic": "cyber"})) == ["Kyiv"]
    assert titles(client.get(SEARCH, {"author": "amara"})) == ["Bamako"]
    assert titles(client.get(SEARCH, {"kind": "analysis"})) == ["Kursk"]
    since = (timezone.now() - datetime.timedelta(days=10)).date().isoformat()
    assert titles(client.get(SEARCH, {"since": since})) == ["Kyiv", "Bamako"]
    assert titles(client.get(SEARCH, {"until": since})) == ["Kursk"]
    assert titles(client.get(SEARCH, {"q": "Kursk", "region": "ukraine"})) == ["Kursk"]
    assert titles(client.get(SEARCH, {"q": "Kursk", "region": "sahel"})) == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({"region": "atlantis"}, "Select a valid choice."),
        ({"topic": "no-such-topic"}, "Select a valid choice."),
        ({"author": "nobody"}, "Select a valid choice."),
        ({"kind": "gossip"}, "Select a valid choice."),
        ({"since": "yesterday"}, "Enter a valid date."),
        ({"since": "2025-02-30"}, "Enter a valid date."),
        ({"since": "2025-03-01", "until": "2025-02-01"}, "The first date must not be after"),
        ({"q": "x" * 201}, "Ensure this value has at most 200 characters"),
    ],
)
def test_bad_filters_get_a_clear_400_never_a_500(client, params, message):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_odd_characters_in_the_words_are_harmless(client):
    report(title="Kursk")
    for text in ["kursk'; DROP TABLE reports_report; --", "& | ! ( ) :*", '"kursk', "-", "*"]:
        response = client.get(SEARCH, {"q": text})
        assert response.status_code == 200, text
    # Control characters, a NUL byte among them, are removed as from any text (diethnos.text).
    assert titles(client.get(SEARCH, {"q": "\x01kursk\x1f"})) == ["Kursk"]
    assert titles(client.get(SEARCH, {"q": "kursk\x00"})) == ["Kursk"]


def test_results_are_paginated_and_a_page_out_of_range_is_a_404(client):
    for n in range(25):
        report(title=f"Sudan report {n}", summary="Fighting in Darfur.")
    response = client.get(SEARCH, {"q": "Darfur"})
    assert len(titles(response)) == 20
    assert "25 reports found, page 1 of 2" in response.content.decode()
    assert len(titles(client.get(SEARCH, {"q": "Darfur", "page": 2}))) == 5
    assert client.get(SEARCH, {"q": "Darfur", "page": 3}).status_code == 404
    assert client.get(SEARCH, {"q": "Darfur", "page": "x"}).status_code == 404


def _queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(SEARCH, params).status_code == 200
    return len(queries)


def test_a_search_runs_the_same_number_of_queries_for_few_or_many_results(client):
    for n in range(2):
        report(title=f"Darfur {n}", authors=[AuthorFactory(), AuthorFactory()])
    params = {"q": "Darfur", "region": "africa", "topic": "", "kind": "sitrep"}
    few = _queries(client, params)
    for n in range(15):
        report(
            title=f"Darfur more {n}",
            authors=[AuthorFactory(), AuthorFactory(), AuthorFactory()],
            key_points=["One.", "Two.", "Three."],
        )
    assert _queries(client, params) == few


def test_a_report_composed_in_the_editors_desk_is_found_by_its_key_points(
    client, django_capture_on_commit_callbacks
):
    from .admin_forms import report_form_data
    from .factories import EditorFactory

    client.force_login(EditorFactory())
    data = report_form_data(
        key_points=["Strikes hit the Novorossiysk naval base."],
        authors=[AuthorFactory()],
        status="published",
        primary_region=region("RU").pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:reports_report_add"), data)
    assert response.status_code == 302
    client.logout()
    assert titles(client.get(SEARCH, {"q": "Novorossiysk"})) == [data["title"]]


def test_the_index_can_be_rebuilt_for_every_report(client):
    from django.core.management import call_command

    found = ReportFactory(title="Kherson")
    Report.objects.filter(pk=found.pk).update(search_vector=None)
    call_command(
        "rebuild_search_index", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w")
    )
    assert titles(client.get(SEARCH, {"q": "Kherson"})) == ["Kherson"]
