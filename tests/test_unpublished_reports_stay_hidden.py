"""Reports readers may not see appear on no public page, list or related list."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from reports import workflow
from reports.models import Report

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db

HIDDEN = "A report readers must not see"


def hidden_report(status, author, topic):
    common = {
        "title": HIDDEN,
        "authors": [author],
        "topics": [topic],
        "primary_region": region("UA"),
        "featured": True,
        "publish_at": timezone.now() + datetime.timedelta(days=365),
    }
    if status == "scheduled":
        return ReportFactory(**common)
    report = ReportFactory(**common, status=Report.Status.PUBLISHED)
    Report.objects.filter(pk=report.pk).update(
        status=status, publish_at=timezone.now() - datetime.timedelta(days=1)
    )
    return report


@pytest.mark.parametrize(
    "status",
    [Report.Status.DRAFT, Report.Status.IN_REVIEW, "scheduled", Report.Status.WITHDRAWN],
)
def test_an_unpublished_report_is_on_no_public_page(client, status):
    author, topic = AuthorFactory(), TopicFactory()
    visible = ReportFactory(authors=[author], topics=[topic], primary_region=region("UA"))
    hidden_report(status, author, topic)
    pages = [
        "/",
        "/reports/",
        f"/reports/?kind={visible.kind}",
        visible.get_absolute_url(),  # its related reports
        "/regions/ukraine/",
        "/regions/ukraine/?primary=1",
        "/regions/europe/",
        "/topics/",
        topic.get_absolute_url(),
        "/authors/",
        author.get_absolute_url(),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert HIDDEN not in response.content.decode(), url
    counts = client.get("/regions/").content.decode()
    assert 'href="/regions/ukraine/">Ukraine</a> <span class="count">1 report<' in counts
    assert (
        f'{topic.name}</a> <span class="count">1 report<' in client.get("/topics/").content.decode()
    )
    assert '<p class="count">1 report</p>' in client.get("/authors/").content.decode()


@pytest.mark.parametrize("later", [datetime.timedelta(0), datetime.timedelta(days=3)])
def test_a_report_withdrawn_before_its_publication_time_never_gets_a_page(client, later):
    """Scheduled, then withdrawn before its time: readers never saw it, so neither its page
    (withdrawal notice, headline, summary) nor the API shows it, even once the time is past."""
    report = ReportFactory(
        title=HIDDEN,
        summary="A summary readers must not see.",
        status=Report.Status.PUBLISHED,
        publish_at=timezone.now() + datetime.timedelta(days=1),
    )
    workflow.withdraw(report, reason="Not going ahead.")
    with time_machine.travel(timezone.now() + later, tick=False):
        assert not Report.objects.get(pk=report.pk).was_withdrawn
        assert client.get(report.get_absolute_url()).status_code == 404
        assert client.get(f"/api/v1/reports/{report.slug}/").status_code == 404
        listed = client.get("/api/v1/reports/").json()["results"]
        assert report.slug not in [item["slug"] for item in listed]


def test_a_report_withdrawn_after_publication_keeps_its_notice_page(client):
    report = ReportFactory(
        title="Withdrawn after it went out",
        status=Report.Status.PUBLISHED,
        publish_at=timezone.now() - datetime.timedelta(days=1),
    )
    workflow.withdraw(report, reason="A source could not be verified.")
    assert Report.objects.get(pk=report.pk).was_withdrawn
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200
    assert "A source could not be verified." in page.content.decode()
