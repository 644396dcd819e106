"""Every public page runs the same number of queries, however much content it shows: when it is
drawn, and when it is read again (pages kept whole for anonymous readers, reports.kept_pages,
then cost a narrow query or none)."""

import datetime

import pytest
from django.utils import timezone

from reports.models import Source, UpdateNote

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db

COUNTRIES = ["UA", "ML", "PL", "SD", "JP", "BR", "AU", "FR"]


def build(size):
    """Content of the given size: "small" (two reports with one of everything, so that no list
    is empty) or "large" (pages full of reports, each with many points, authors and tags)."""
    large = size == "large"
    authors = [AuthorFactory(slug=f"writer-{i}") for i in range(4 if large else 1)]
    topics = [
        TopicFactory(name=f"Subject {i}", slug=f"subject-{i}") for i in range(5 if large else 1)
    ]
    countries = [region(code) for code in (COUNTRIES if large else COUNTRIES[:2])]
    reports = []
    for i in range(25 if large else 2):
        report = ReportFactory(
            slug=f"report-{i}",
            primary_region=countries[i % len(countries)],
            regions=countries,
            topics=topics,
            authors=authors,
            key_points=[f"Point {n}." for n in range(10 if large else 1)],
            featured=i == 0,
            publish_at=timezone.now() - datetime.timedelta(hours=i + 1),
        )
        for n in range(6 if large else 1):
            Source.objects.create(report=report, position=n, title=f"Source {n}", publisher="Wire")
            kind = UpdateNote.Kind.values[(n + 1) % len(UpdateNote.Kind.values)]
            UpdateNote.objects.create(report=report, kind=kind, text=f"Note {n}.")
        reports.append(report)
    return {"report": reports[0], "author": authors[0], "topic": topics[0]}


# Queries when the page is drawn, and when the same page is asked for again.
PAGES = {
    "home": (lambda c: "/", 11, 1),
    "report list": (lambda c: "/reports/", 3, 1),
    "report list by kind": (lambda c: "/reports/?kind=sitrep", 3, 1),
    "report": (lambda c: c["report"].get_absolute_url(), 9, 1),
    "region index": (lambda c: "/regions/", 5, 0),
    "region": (lambda c: "/regions/europe/", 6, 1),
    "region, primary only": (lambda c: "/regions/europe/?primary=1", 6, 1),
    "grouping": (lambda c: "/regions/sahel/", 5, 1),
    "topic index": (lambda c: "/topics/", 1, 1),
    "topic": (lambda c: c["topic"].get_absolute_url(), 4, 1),
    "author index": (lambda c: "/authors/", 1, 1),
    "author": (lambda c: c["author"].get_absolute_url(), 5, 1),
    "corrections": (lambda c: "/corrections/", 2, 1),
    "corrections policy": (lambda c: "/corrections/policy/", 1, 1),
}


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_runs_a_constant_number_of_queries(client, django_assert_num_queries, name, size):
    content = build(size)
    url, drawn, again = PAGES[name]
    with django_assert_num_queries(drawn):
        first = client.get(url(content))
    assert first.status_code == 200
    with django_assert_num_queries(again):
        second = client.get(url(content))
    assert second.content == first.content
