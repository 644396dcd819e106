"""Which reports have a public page, one rule (``ReportQuerySet.with_page``, ``Report.has_page``)
that every surface goes by: the page, the read API, the cache of page parts, the purges of the
page cache and an author's list of their own reports."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from lxml import html

from reports import page_parts, workflow
from reports.models import Report
from reports.page_tags import report_snapshot

from .factories import AuthorFactory, ContributorFactory, ReportFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/"
LATER = datetime.timedelta(days=1)


def draft(**fields):
    return ReportFactory(status=Report.Status.DRAFT, publish_at=None, **fields)


def in_review(**fields):
    return ReportFactory(status=Report.Status.IN_REVIEW, publish_at=None, **fields)


def scheduled(**fields):
    return ReportFactory(publish_at=timezone.now() + LATER, **fields)


def public(**fields):
    return ReportFactory(**fields)


def withdrawn_after_publication(**fields):
    return workflow.withdraw(public(**fields), reason="A source could not be verified.")


def withdrawn_before_its_time(**fields):
    return workflow.withdraw(scheduled(**fields), reason="Not going ahead.")


def unpublished(**fields):
    return workflow.unpublish(public(**fields))


def published_again_after_withdrawal(**fields):
    return workflow.publish(withdrawn_after_publication(**fields))


# How each state is reached, and whether it has a public page.
STATES = {
    draft: False,
    in_review: False,
    scheduled: False,
    public: True,
    withdrawn_after_publication: True,
    withdrawn_before_its_time: False,
    unpublished: False,
    published_again_after_withdrawal: True,
}


@pytest.fixture(params=STATES.items(), ids=[make.__name__ for make in STATES])
def state(request):
    """(a report in one of ``STATES``, whether it has a public page)."""
    make, has_page = request.param
    return make(), has_page


def test_the_rule_for_one_report_is_the_rule_for_a_query(state):
    report, has_page = state
    stored = Report.objects.get(pk=report.pk)
    assert stored.has_page is has_page
    assert Report.objects.with_page().filter(pk=report.pk).exists() is has_page
    assert (stored in Report.objects.with_page()) is has_page


def test_the_rule_holds_once_a_withdrawn_schedule_has_passed():
    report = withdrawn_before_its_time()
    with time_machine.travel(timezone.now() + 3 * LATER, tick=False):
        assert not Report.objects.get(pk=report.pk).has_page
        assert not Report.objects.with_page().filter(pk=report.pk).exists()


def test_the_page_and_the_api_show_the_reports_with_a_page_and_no_other(client, state):
    report, has_page = state
    page = client.get(report.get_absolute_url())
    detail = client.get(f"{API}{report.slug}/")
    listed = [item["slug"] for item in client.get(API).json()["results"]]
    assert page.status_code == detail.status_code == (200 if has_page else 404)
    assert (report.slug in listed) is has_page


def test_a_withdrawn_page_is_not_indexed_and_its_api_entry_says_withdrawn(client):
    report = withdrawn_after_publication()
    page = client.get(report.get_absolute_url())
    assert page["X-Robots-Tag"] == "noindex"
    document = html.fromstring(page.content)
    assert document.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert not document.xpath("//link[@rel='canonical']")
    assert "A source could not be verified." in page.content.decode()
    assert client.get(f"{API}{report.slug}/").json()["status"] == "withdrawn"
    (item,) = client.get(API).json()["results"]
    assert item["status"] == "withdrawn"


def test_the_parts_of_a_page_are_kept_only_for_a_report_with_a_page(state):
    report, has_page = state
    stored = Report.objects.for_page().get(pk=report.pk)
    assert page_parts.is_kept({}, stored) is has_page


def test_only_a_change_to_a_report_with_a_page_purges_pages(state):
    report, has_page = state
    assert (report_snapshot(report.pk) is not None) is has_page


def test_an_authors_list_offers_to_view_a_report_with_a_page_else_to_preview_it(client, state):
    report, has_page = state
    user = ContributorFactory()
    author = AuthorFactory(user=user)
    Report.objects.filter(pk=report.pk).update(created_by=user)
    report.report_authors.update(author=author)
    client.force_login(user)
    document = html.fromstring(client.get("/accounts/reports/").content)
    (link,) = document.xpath(f"//a[@href='{report.get_absolute_url()}']")
    assert link.text_content().startswith("View" if has_page else "Preview")
