"""Anonymous readers are served from the shared cache; every change shows up at once."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from diethnos.models import ContentVersion
from reports.models import Report

from .factories import EditorFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_a_second_anonymous_visit_is_served_with_one_small_query(client, django_assert_num_queries):
    report = ReportFactory()
    first = client.get(report.get_absolute_url())
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(1) as queries:  # the content version
        second = client.get(report.get_absolute_url())
    assert "diethnos_contentversion" in queries[0]["sql"]
    assert second["X-Cache"] == "hit"
    assert second.content == first.content


def test_pages_tell_browsers_and_cdns_how_long_to_keep_them(client):
    response = client.get(ReportFactory().get_absolute_url())
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
    assert response["ETag"]
    again = client.get(response.wsgi_request.path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_an_edit_is_visible_at_once(client, django_capture_on_commit_callbacks):
    report = ReportFactory(title="Before the correction")
    assert "Before the correction" in client.get(report.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        report.title = "After the correction"
        report.save()
    response = client.get(report.get_absolute_url())
    assert response["X-Cache"] == "miss"
    assert "After the correction" in response.content.decode()


def test_a_page_cached_while_a_change_was_being_committed_is_dropped_at_the_commit(
    client, django_capture_on_commit_callbacks
):
    report = ReportFactory(title="Before the correction")
    with django_capture_on_commit_callbacks(execute=True):
        report.title = "After the correction"
        report.save()
        # Another reader's request, served before the commit, caches what it saw.
        assert client.get(report.get_absolute_url())["X-Cache"] == "miss"
        assert client.get(report.get_absolute_url())["X-Cache"] == "hit"
    assert client.get(report.get_absolute_url())["X-Cache"] == "miss"


def test_a_change_to_a_key_point_or_a_byline_invalidates_too(
    client, django_capture_on_commit_callbacks
):
    report = ReportFactory(key_points=["Old takeaway."])
    client.get(report.get_absolute_url())
    point = report.key_points.get()
    point.text = "New takeaway."
    with django_capture_on_commit_callbacks(execute=True):
        point.save()
    assert "New takeaway." in client.get(report.get_absolute_url()).content.decode()
    author = report.authors.get()
    author.name = "Renamed Analyst"
    with django_capture_on_commit_callbacks(execute=True):
        author.save()
    assert "Renamed Analyst" in client.get(report.get_absolute_url()).content.decode()


def test_withdrawing_a_report_takes_it_off_the_cached_home_page(
    client, django_capture_on_commit_callbacks
):
    report = ReportFactory(title="Soon withdrawn")
    assert "Soon withdrawn" in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        report.withdraw()
    assert "Soon withdrawn" not in client.get("/").content.decode()


def test_a_scheduled_report_appears_on_time_despite_the_cache(client):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        ReportFactory(title="Scheduled analysis", publish_at=now + timedelta(minutes=5))
        assert "Scheduled analysis" not in client.get("/").content.decode()
    with time_machine.travel(now + timedelta(minutes=5, seconds=2), tick=False):
        assert "Scheduled analysis" in client.get("/").content.decode()


def test_signed_in_people_are_never_served_from_the_cache(client):
    report = ReportFactory(status=Report.Status.DRAFT, publish_at=None, title="Desk draft")
    client.force_login(EditorFactory(is_superuser=True))
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    assert "X-Cache" not in response
    client.logout()
    assert client.get(report.get_absolute_url()).status_code == 404


def test_the_admin_is_never_cached(client):
    response = client.get("/admin/login/")
    assert "X-Cache" not in response


def test_the_page_cache_starts_again_if_the_content_version_was_lost(client):
    ContentVersion.objects.all().delete()
    report = ReportFactory()
    assert client.get(report.get_absolute_url())["X-Cache"] == "miss"
    assert client.get(report.get_absolute_url())["X-Cache"] == "hit"
