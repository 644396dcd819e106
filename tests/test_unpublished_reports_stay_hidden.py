"""Reports readers may not see appear on no public page, list or related list."""

import datetime

import pytest
from django.utils import timezone

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
