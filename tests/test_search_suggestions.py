"""A search that names a region or topic offers its page; one that finds little offers a
better query ("Did you mean …?"), never drawn from anything unpublished."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from reports.search import reindex

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db(transaction=False)

SEARCH = reverse("reports:search")
TRIGRAMS = connection.vendor == "postgresql"


def report(**fields):
    created = ReportFactory(**fields)
    reindex([created.pk])
    return created


def suggestion(client, q):
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 200
    return response.context["suggestion"]


@pytest.fixture
def published():
    report(
        title="Shelling near the Zaporizhzhia plant",
        primary_region=region("UA"),
        topics=[TopicFactory(name="Disinformation")],
        authors=[AuthorFactory(name="Amara Okafor")],
    )


def test_a_query_naming_a_region_or_topic_offers_its_page_first(client, published):
    response = client.get(SEARCH, {"q": "ukraine"})
    page = response.content.decode()
    assert 'Region: <a href="/regions/ukraine/">all reports on Ukraine</a>' in page
    assert page.index("search-named-page") < page.index("results-heading")
    response = client.get(SEARCH, {"q": "DISINFORMATION"})
    assert 'Topic: <a href="/topics/disinformation/">' in response.content.decode()
    assert client.get(SEARCH, {"q": "ukraine shelling"}).context["named_page"] is None


@pytest.mark.parametrize(
    "misspelt, meant",
    [
        ("Ukrane", "Ukraine"),
        ("Disinfromation", "Disinformation"),
        ("Amara Okafr", "Amara Okafor"),
    ],
)
def test_misspelt_region_topic_and_author_names_are_suggested(client, published, misspelt, meant):
    assert suggestion(client, misspelt) == meant
    page = client.get(SEARCH, {"q": misspelt}).content.decode()
    assert f'Did you mean <a href="?q={meant.replace(" ", "+")}">{meant}</a>?' in page


@pytest.mark.skipif(not TRIGRAMS, reason="headline words are suggested on PostgreSQL only")
def test_misspelt_headline_words_are_suggested_on_postgresql(client, published):
    assert suggestion(client, "Zaporizhia") == "zaporizhzhia"
    assert suggestion(client, "shellin near zaporizia") == "shelling near zaporizhzhia"


@pytest.mark.skipif(TRIGRAMS, reason="SQLite's simpler suggestions")
def test_on_sqlite_only_names_are_suggested(client, published):
    assert suggestion(client, "Zaporizhia") is None
    assert suggestion(client, "Ukrane") == "Ukraine"


def test_nothing_is_suggested_when_enough_is_found_or_nothing_is_close(client, published):
    for _ in range(3):
        report(title="Ukrane typo kept in three headlines")
    assert suggestion(client, "Ukrane") is None
    assert suggestion(client, "qqqxxzz") is None
    assert suggestion(client, "Ukraine") is None  # the query itself, whatever its case


def test_nothing_unpublished_is_ever_suggested(client):
    secret_topic = TopicFactory(name="Transnistria")
    secret_author = AuthorFactory(name="Bartholomew Quince")
    for status, publish_at in [
        (Report.Status.DRAFT, timezone.now()),
        (Report.Status.IN_REVIEW, timezone.now()),
        (Report.Status.WITHDRAWN, timezone.now()),
        (Report.Status.PUBLISHED, timezone.now() + datetime.timedelta(days=1)),
    ]:
        report(
            title="Moldova unrest in Tiraspol",
            status=status,
            publish_at=publish_at,
            topics=[secret_topic],
            authors=[secret_author],
        )
    assert suggestion(client, "Tiraspl") is None
    assert suggestion(client, "Transnistra") is None
    assert suggestion(client, "Bartholomew Quinse") is None
    # Once published, its words and names may be suggested.
    report(title="Tiraspol calm", topics=[secret_topic], authors=[secret_author])
    assert suggestion(client, "Transnistra") == "Transnistria"
    assert suggestion(client, "Bartholomew Quinse") == "Bartholomew Quince"
    if TRIGRAMS:
        assert suggestion(client, "Tiraspl") == "tiraspol"


def test_odd_queries_are_harmless_for_suggestions(client, published):
    for q in ["%", "_", "'", '"', "\\", "-", "or", "a b c d e f g h i j", "ζζζ", "x" * 200]:
        assert client.get(SEARCH, {"q": q}).status_code == 200, q
