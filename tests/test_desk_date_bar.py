"""The date bar of the desk's report list offers the years, months or days that hold the
listed reports, as Django's date hierarchy does, without reading every report listed."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.urls import reverse

from reports.models import Report
from reports.templatetags.desk_dates import dates_with_rows

from .factories import EditorFactory, ReportFactory, region

pytestmark = pytest.mark.django_db

LIST = reverse("admin:reports_report_changelist")

# Either side of midnights and new years in UTC, and so of other days in other time zones.
WHEN = [
    datetime(2024, 12, 31, 23, 30, tzinfo=UTC),
    datetime(2025, 1, 1, 0, 30, tzinfo=UTC),
    datetime(2025, 3, 14, 12, 0, tzinfo=UTC),
    datetime(2025, 3, 31, 22, 0, tzinfo=UTC),
    datetime(2025, 11, 2, 9, 0, tzinfo=UTC),
]


@pytest.fixture
def reports():
    for number, when in enumerate(WHEN):
        ReportFactory(
            publish_at=when,
            first_published_at=when,
            primary_region=region("ML" if number % 2 else "UA"),
            status=Report.Status.PUBLISHED if number % 3 else Report.Status.DRAFT,
        )
    ReportFactory(status=Report.Status.DRAFT, publish_at=None)


QUERIES = [
    {},
    {"region": "europe"},
    {"region": "africa"},
    {"status__exact": "draft"},
    {"q": "Situation"},
    {"q": "Situation", "region": "europe"},
    {"q": "Situation", "publish_at__year": "2025"},
    {"q": "Situation", "publish_at__year": "2025", "publish_at__month": "3"},
    {"q": "nothing like it"},
    {"publish_at__year": "2025"},
    {"publish_at__year": "2025", "publish_at__month": "3"},
    {"publish_at__year": "2025", "publish_at__month": "3", "publish_at__day": "14"},
    {"region": "europe", "publish_at__year": "2024"},
    {"region": "antarctica"},
]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
@pytest.mark.parametrize("query", QUERIES, ids=lambda query: "&".join(query) or "all")
def test_the_date_bar_offers_what_djangos_date_hierarchy_offers(
    client, settings, reports, zone, query
):
    settings.TIME_ZONE = zone
    client.force_login(EditorFactory())
    response = client.get(LIST, query)
    assert response.status_code == 200
    cl = response.context["cl"]
    shown = dates_with_rows(cl)
    assert shown == date_hierarchy(cl)
    for choice in shown["choices"]:
        if "link" in choice:
            assert choice["link"] in response.content.decode().replace("&amp;", "&")


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])
@pytest.mark.parametrize(
    "query", [query for query in QUERIES if "q" in query], ids=lambda query: "&".join(query)
)
def test_a_search_matching_more_reports_than_it_counts_offers_the_same_dates(
    client, settings, reports, zone, query, monkeypatch
):
    from diethnos.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 1)
    settings.TIME_ZONE = zone
    client.force_login(EditorFactory())
    cl = client.get(LIST, query).context["cl"]
    if query == {"q": "Situation"}:
        assert cl.paginator.capped
    assert dates_with_rows(cl) == date_hierarchy(cl)
