"""A search finding very many reports stays quick: it shows about how many it finds and
ranks only the newest matches; "Did you mean" leaves known words alone; date filters keep
whole days."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import search, search_results
from reports.facets import about, facets
from reports.models import Report
from reports.search import reindex

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db(transaction=False)

SEARCH = reverse("reports:search")
FULL_TEXT = connection.vendor == "postgresql"


def report(**fields):
    created = ReportFactory(**fields)
    reindex([created.pk])
    return created


def _ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def _search(client, params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def _facets(response):
    return {
        facet.name: [(value.label, value.count) for value in facet.values]
        for facet in response.context["facets"]
    }


def test_estimates_are_rounded_to_two_significant_figures():
    assert [about(n) for n in (0, 7, 99, 100, 1234, 1250.4, 89_951, 4_490)] == [
        0,
        7,
        99,
        100,
        1200,
        1300,
        90_000,
        4_500,
    ]


def test_a_search_finding_more_than_it_counts_shows_about_how_many(client, monkeypatch):
    cyber = TopicFactory(name="Cyber")
    for n in range(4):
        report(
            title=f"Kursk {n}",
            primary_region=region("UA"),
            topics=[cyber],
            authors=[AuthorFactory()],
            publish_at=_ago(n),
        )
    params = {"q": "Kursk", "region": "europe"}
    exact = _search(client, params)
    assert exact.context["results_heading"] == "4 reports found"
    # A sample of every page of the table: the estimates are the counts themselves.
    monkeypatch.setattr(search_results, "EXACT_UP_TO", 2)
    monkeypatch.setattr(search_results, "SAMPLE", 100)
    cache.clear()
    response = _search(client, params)
    facets = _facets(response)
    page = response.content.decode()
    if not FULL_TEXT:  # counted exactly, however many
        assert response.context["results_heading"] == "4 reports found"
        assert '<abbr title="about">' not in page
        return
    assert response.context["results_heading"] == "About 4 reports found"
    assert facets == _facets(exact)
    assert facets["topic"] == [("Cyber", 4)]
    assert '<abbr title="about">~</abbr>4<span class="visually-hidden"> reports' in page
    # The first EXACT_UP_TO results can be paged through, newest first among equals.
    assert [r.title for r in response.context["page"]] == ["Kursk 0", "Kursk 1"]
    few = _search(client, {"q": "Kursk 3"})
    assert few.context["results_heading"] == "1 report found"


@pytest.mark.skipif(not FULL_TEXT, reason="estimates are drawn on PostgreSQL only")
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(Report.Kind.values),
            st.sampled_from(["UA", "ML", "FR"]),
            st.sets(st.integers(0, 2), max_size=3),
            st.sets(st.integers(0, 2), min_size=1, max_size=2),
            st.booleans(),
            st.integers(0, 800),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_counts_drawn_from_a_sample_of_every_page_are_the_exact_counts(rows):
    Report.all_objects.all().delete()
    topics = [TopicFactory(name=f"Topic {n}") for n in range(3)]
    authors = [AuthorFactory(name=f"Author {n}") for n in range(3)]
    for kind, country, topic_ns, author_ns, published, days in rows:
        ReportFactory(
            kind=kind,
            primary_region=region(country),
            topics=[topics[n] for n in topic_ns],
            authors=[authors[n] for n in author_ns],
            status=Report.Status.PUBLISHED if published else Report.Status.DRAFT,
            publish_at=_ago(days),
        )
    reports = Report.objects.published()
    data = {"region": None, "topic": None, "author": None, "kind": "", "year": None}
    assert facets(reports, data, sample=100) == facets(reports, data)
    filed = reports.filter(topics=topics[0])
    assert facets(filed, data, sample=100) == facets(filed, data)


@pytest.mark.skipif(not FULL_TEXT, reason="ranking needs PostgreSQL")
def test_only_the_newest_matches_are_ranked_the_rest_follow_newest_first(client, monkeypatch):
    report(title="Ceasefire holds", publish_at=_ago(10))
    report(title="Weekly roundup", body="<p>The ceasefire held.</p>", publish_at=_ago(2))
    report(title="Ceasefire talks", publish_at=_ago(1))
    report(title="Monthly roundup", body="<p>A ceasefire, briefly.</p>", publish_at=_ago(0))
    ranked_all = ["Ceasefire talks", "Ceasefire holds", "Monthly roundup", "Weekly roundup"]
    assert [r.title for r in _search(client, {"q": "ceasefire"}).context["page"]] == ranked_all
    monkeypatch.setattr(search, "RANKED", 3)
    bounded = ["Ceasefire talks", "Monthly roundup", "Weekly roundup", "Ceasefire holds"]
    cache.clear()
    shown = _search(client, {"q": "ceasefire"}).context["page"]
    assert [r.title for r in shown] == bounded
    # Read from the database past what is kept, or through the read API: the same order.
    assert [r.title for r in Report.objects.published().search("ceasefire")] == bounded


@pytest.mark.skipif(not FULL_TEXT, reason="headline words are suggested on PostgreSQL only")
def test_a_word_some_report_holds_is_never_corrected(client):
    report(title="Shelling near the Zaporizhzhia plant")
    report(title="Drills", body="<p>Exercises near Zaporizia, as locals spell it.</p>")
    assert _search(client, {"q": "zaporizia"}).context["suggestion"] is None
    assert _search(client, {"q": "zaporizja"}).context["suggestion"] == "zaporizhzhia"


def test_date_filters_keep_whole_days(client):
    day = (timezone.now() - datetime.timedelta(days=5)).date()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    report(title="Just before", publish_at=start - datetime.timedelta(microseconds=1))
    report(title="First moment", publish_at=start)
    report(title="Last moment", publish_at=start + datetime.timedelta(days=1, microseconds=-1))
    report(title="Next day", publish_at=start + datetime.timedelta(days=1))
    on_the_day = {"since": day.isoformat(), "until": day.isoformat()}
    found = _search(client, on_the_day).context["page"]
    assert [r.title for r in found] == ["Last moment", "First moment"]
    assert Report.objects.filter(title="Just before").exists()
