"""Search results counted by region, topic, author, kind and year (facets), and the filters
applied shown as chips that remove them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from reports.search import reindex

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db(transaction=False)

SEARCH = reverse("reports:search")


def report(**fields):
    created = ReportFactory(**fields)
    reindex([created.pk])
    return created


def _ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def newsroom():
    """Published reports across regions, topics, authors, kinds and years, and unpublished
    ones that share their words, regions, topics and authors."""
    cyber, energy = TopicFactory(name="Cyber", slug="cyber"), TopicFactory(name="Energy")
    amara, bruno = AuthorFactory(name="Amara Okafor"), AuthorFactory(name="Bruno Weiss")
    report(
        title="Kursk offensive",
        primary_region=region("RU"),
        regions=[region("UA")],
        topics=[cyber],
        authors=[amara, bruno],
    )
    report(
        title="Kursk gas transit",
        primary_region=region("UA"),
        topics=[energy, cyber],
        authors=[bruno],
    )
    report(
        title="Kursk aftermath",
        primary_region=region("UA"),
        authors=[amara],
        kind=Report.Kind.ANALYSIS,
        publish_at=_ago(400),
    )
    report(title="Kursk echoes in Mali", primary_region=region("ML"), authors=[bruno])
    report(title="Sahel brief", primary_region=region("ML"), kind=Report.Kind.BRIEF)
    # Never counted: a draft, a report in review, a withdrawn one and a scheduled one, with
    # the same words, a topic and an author of their own and the published ones' too.
    secret_topic, secret_author = TopicFactory(name="Secret topic"), AuthorFactory(name="Zed")
    for status, publish_at in [
        (Report.Status.DRAFT, _ago(1)),
        (Report.Status.IN_REVIEW, _ago(1)),
        (Report.Status.WITHDRAWN, _ago(1)),
        (Report.Status.PUBLISHED, timezone.now() + datetime.timedelta(days=2)),
    ]:
        report(
            title="Kursk hidden",
            status=status,
            publish_at=publish_at,
            primary_region=region("FR"),
            regions=[region("UA")],
            topics=[secret_topic, cyber],
            authors=[secret_author, amara],
            kind=Report.Kind.EXPLAINER,
        )


def _search(client, params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def _facets(response):
    return {facet.name: facet.values for facet in response.context["facets"]}


def _labels(response, name):
    return {value.label: value.count for value in _facets(response).get(name, [])}


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Kursk"},
        {"q": "Kursk", "region": "europe"},
        {"q": "Kursk", "topic": "cyber"},
        {"region": "ukraine"},
        {"kind": "sitrep"},
        {"q": "Kursk -Mali"},
    ],
)
def test_every_facet_count_is_the_number_of_results_its_link_finds(client, newsroom, params):
    response = _search(client, params)
    total = response.context["page"].paginator.count
    facets = _facets(response)
    assert facets, "a search with results has facets"
    assert sum(value.count for value in facets["kind"]) == total
    assert sum(value.count for value in facets["year"]) == total
    for name, values in facets.items():
        for value in values:
            followed = _search(client, _query(value.url))
            assert followed.context["page"].paginator.count == value.count, (name, value)


def _query(url):
    from urllib.parse import parse_qsl

    return dict(parse_qsl(url.lstrip("?")))


def test_facets_count_regions_rolled_up_topics_authors_kinds_and_years(client, newsroom):
    response = _search(client, {"q": "Kursk"})
    regions = _labels(response, "region")
    # Each report once in Europe, though the first is about Russia and tagged with Ukraine.
    assert regions["Europe"] == 3
    assert regions["Eastern Europe"] == 3
    assert regions["Ukraine"] == 3
    assert regions["Africa"] == 1
    assert "World" not in regions
    within = _labels(_search(client, {"q": "Kursk", "region": "eastern-europe"}), "region")
    assert within == {"Eastern Europe": 3, "Ukraine": 3, "Russia": 1}
    assert _labels(_search(client, {"q": "Kursk", "region": "sahel"}), "region") == {
        "Sahel": 1,
        "Mali": 1,
    }
    assert _labels(response, "topic") == {"Cyber": 2, "Energy": 1}
    assert _labels(response, "author") == {"Amara Okafor": 2, "Bruno Weiss": 3}
    assert _labels(response, "kind") == {"Situation Report": 3, "Analysis": 1}
    this_year, last_year = str(_ago(0).year), str(_ago(400).year)
    assert _labels(response, "year") == {this_year: 3, last_year: 1}


def test_nothing_unpublished_is_ever_counted(client, newsroom):
    response = _search(client, {"q": "Kursk hidden"})
    assert response.context["page"].paginator.count == 0
    assert response.context["facets"] == []
    everything = _search(client, {"q": "Kursk"})
    page = everything.content.decode()
    assert "Secret topic" not in str(_labels(everything, "topic"))
    assert "Zed" not in _labels(everything, "author")
    assert "France" not in _labels(everything, "region")
    assert "Explainer" not in _labels(everything, "kind")
    assert "Kursk hidden" not in page


def test_an_applied_filter_shows_alone_in_its_facet_and_a_region_shows_what_it_holds(
    client, newsroom
):
    response = _search(client, {"q": "Kursk", "topic": "cyber"})
    assert [(v.label, v.count, v.selected) for v in _facets(response)["topic"]] == [
        ("Cyber", 2, True)
    ]
    regions = _search(client, {"q": "Kursk", "region": "europe"})
    values = _facets(regions)["region"]
    assert values[0].label == "Europe" and values[0].selected
    assert {value.label for value in values} <= {
        "Europe",
        "Eastern Europe",
        "Ukraine",
        "Russia",
    }
    assert 'aria-current="true">Europe</span>' in regions.content.decode()


def test_filters_show_as_chips_whose_links_remove_them(client, newsroom):
    since = _ago(30).date().isoformat()
    params = {"q": "Kursk", "region": "europe", "topic": "cyber", "kind": "sitrep"}
    response = _search(client, {**params, "since": since, "page": "1"})
    chips = {chip.label: _query(chip.url) for chip in response.context["chips"]}
    assert set(chips) == {
        "Region: Europe",
        "Topic: Cyber",
        "Kind: Situation Report",
        f"From {_ago(30):%-d %B %Y}",
    }
    assert chips["Region: Europe"] == {
        "q": "Kursk",
        "topic": "cyber",
        "kind": "sitrep",
        "since": since,
    }
    assert chips["Topic: Cyber"] == {
        "q": "Kursk",
        "region": "europe",
        "kind": "sitrep",
        "since": since,
    }
    page = response.content.decode()
    assert '<h2 class="visually-hidden" id="chips-heading">Filters applied</h2>' in page
    assert '<span class="visually-hidden">Remove the filter </span>Region: Europe<' in page
    without_region = _search(client, chips["Region: Europe"])
    assert "Region: Europe" not in {chip.label for chip in without_region.context["chips"]}


def test_the_year_filter_keeps_that_years_reports(client, newsroom):
    last_year = _ago(400).year
    response = _search(client, {"q": "Kursk", "year": last_year})
    assert [r.title for r in response.context["page"]] == ["Kursk aftermath"]
    assert client.get(SEARCH, {"year": "next"}).status_code == 400
    assert client.get(SEARCH, {"year": "99999"}).status_code == 400


def _queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(SEARCH, params).status_code == 200
    return len(queries)


def test_facets_take_the_same_queries_for_few_or_many_results_and_none_once_kept(client):
    params = {"q": "Darfur", "region": "africa"}
    for n in range(3):  # enough for no suggestion to be looked for
        report(title=f"Darfur {n}", primary_region=region("SD"), topics=[TopicFactory()])
    few = _queries(client, params)
    assert _queries(client, params) < few  # kept: the results are read by id
    for n in range(12):
        report(
            title=f"Darfur more {n}",
            primary_region=region("SD"),
            regions=[region("TD"), region("ML")],
            topics=[TopicFactory(), TopicFactory()],
            authors=[AuthorFactory(), AuthorFactory()],
        )
    assert _queries(client, params) == few
    kept = _queries(client, params)
    assert kept <= 6  # the form's lists, the page of reports and their bylines


def test_a_change_to_a_report_shows_at_once_in_the_results_and_facets(client):
    first = report(title="Odesa port", primary_region=region("UA"))
    assert _search(client, {"q": "Odesa"}).context["page"].paginator.count == 1
    report(title="Odesa grain", primary_region=region("UA"))
    response = _search(client, {"q": "Odesa"})
    assert response.context["page"].paginator.count == 2
    assert _labels(response, "region")["Ukraine"] == 2
    first.status = Report.Status.WITHDRAWN
    first.save()
    response = _search(client, {"q": "Odesa"})
    assert [r.title for r in response.context["page"]] == ["Odesa grain"]
    assert _labels(response, "region")["Ukraine"] == 1
