from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from reports import workflow
from reports.models import Report

from .factories import AuthorFactory, ReportFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)


def public_slugs():
    return set(Report.objects.published().values_list("slug", flat=True))


@time_machine.travel(NOON, tick=False)
def test_a_published_report_is_public_from_its_publish_time_to_the_second():
    report = ReportFactory(publish_at=NOON)
    assert report.slug in public_slugs()
    assert report.is_public


@time_machine.travel(NOON, tick=False)
def test_a_report_scheduled_a_second_ahead_is_not_public_yet():
    report = ReportFactory(publish_at=NOON + timedelta(seconds=1))
    assert report.slug not in public_slugs()
    assert not report.is_public
    assert report.is_scheduled
    assert report.display_status == "Scheduled"


@time_machine.travel(NOON, tick=False)
def test_scheduled_reports_are_those_published_for_a_time_still_to_come():
    later = ReportFactory(publish_at=NOON + timedelta(seconds=1))
    ReportFactory(publish_at=NOON)
    ReportFactory(status=Report.Status.DRAFT, publish_at=NOON + timedelta(days=1))
    ReportFactory(status=Report.Status.WITHDRAWN, publish_at=NOON + timedelta(days=1))
    assert list(Report.objects.scheduled()) == [later]
    assert [report.is_scheduled for report in Report.objects.order_by("pk")] == [
        True,
        False,
        False,
        False,
    ]


def test_a_scheduled_report_becomes_public_by_itself_when_its_time_comes():
    with time_machine.travel(NOON, tick=False):
        report = ReportFactory(publish_at=NOON + timedelta(hours=2))
        assert report.slug not in public_slugs()
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        assert report.slug in public_slugs()
        report.refresh_from_db()
        assert report.is_public


@pytest.mark.parametrize(
    "status", [Report.Status.DRAFT, Report.Status.IN_REVIEW, Report.Status.WITHDRAWN]
)
def test_drafts_reports_in_review_and_withdrawn_reports_are_never_public(status):
    report = ReportFactory(status=status, publish_at=NOON - timedelta(days=30))
    assert report.slug not in public_slugs()
    assert not report.is_public


@time_machine.travel(NOON, tick=False)
def test_publishing_without_a_time_publishes_now_and_records_the_first_publication():
    report = ReportFactory(status=Report.Status.DRAFT, publish_at=None)
    workflow.publish(report)
    report.refresh_from_db()
    assert report.publish_at == NOON
    assert report.first_published_at == NOON
    assert report.is_public


def test_republishing_keeps_the_first_publication_date():
    with time_machine.travel(NOON, tick=False):
        report = ReportFactory(status=Report.Status.DRAFT, publish_at=None)
        workflow.publish(report)
        workflow.withdraw(report, reason="The figures were wrong.")
    with time_machine.travel(NOON + timedelta(days=3), tick=False):
        workflow.publish(report)
        report.refresh_from_db()
        assert report.first_published_at == NOON


@time_machine.travel(NOON, tick=False)
def test_a_report_missing_what_readers_need_cannot_be_published():
    report = ReportFactory(
        status=Report.Status.DRAFT,
        publish_at=None,
        summary="",
        primary_region=None,
        key_points=[],
        authors=[],
    )
    with pytest.raises(ValidationError) as error:
        workflow.publish(report)
    assert set(error.value.message_dict) == {"summary", "primary_region", "key_points", "authors"}
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


def test_an_image_without_alt_text_is_refused():
    report = ReportFactory.build(hero_image="reports/x.jpg", hero_alt="")
    with pytest.raises(ValidationError) as error:
        report.clean()
    assert "hero_alt" in error.value.message_dict


def test_withdrawing_takes_a_report_off_the_public_list():
    report = ReportFactory(authors=[AuthorFactory()])
    assert report.slug in public_slugs()
    workflow.withdraw(report, reason="The figures were wrong.")
    assert report.slug not in public_slugs()


def test_the_body_is_sanitised_on_save_whatever_the_source():
    report = ReportFactory(
        body='<p onclick="steal()">Text<script>alert(1)</script></p><h2>Heading</h2>'
        '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>'
    )
    report.refresh_from_db()
    assert "script" not in report.body
    assert "onclick" not in report.body
    assert "javascript:" not in report.body
    assert "onerror" not in report.body
    assert "<h2>Heading</h2>" in report.body
