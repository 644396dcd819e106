"""Anonymous readers are served from the shared cache; every change shows up at once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.utils import timezone

from diethnos.models import ContentVersion
from diethnos.page_cache import PageCacheMiddleware
from reports import workflow
from reports.models import Report

from .factories import EditorFactory, ReportFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

NOON = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)


def cache_control(response):
    """The response's Cache-Control directives: {name: value, or True for a bare name}."""
    directives = {}
    for part in response["Cache-Control"].split(","):
        name, _, value = part.strip().partition("=")
        directives[name] = value or True
    return directives


def test_a_second_anonymous_visit_is_served_without_a_query(client, django_assert_num_queries):
    report = ReportFactory()
    first = client.get(report.get_absolute_url())
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):  # the version's copy in the cache is enough
        second = client.get(report.get_absolute_url())
    assert second["X-Cache"] == "hit"
    assert second.content == first.content


def test_the_version_is_read_from_the_database_when_the_cache_lost_its_copy(client):
    from django.core.cache import cache

    from diethnos.page_cache import VERSION_KEY

    report = ReportFactory()
    client.get(report.get_absolute_url())
    cache.delete(VERSION_KEY)
    assert client.get(report.get_absolute_url())["X-Cache"] == "hit"


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
        workflow.withdraw(report, reason="The figures were wrong.")
    assert "Soon withdrawn" not in client.get("/").content.decode()


def test_a_scheduled_report_appears_on_time_despite_the_cache(client):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        ReportFactory(title="Scheduled analysis", publish_at=now + timedelta(minutes=5))
        assert "Scheduled analysis" not in client.get("/").content.decode()
    with time_machine.travel(now + timedelta(minutes=5, seconds=2), tick=False):
        assert "Scheduled analysis" in client.get("/").content.decode()


def test_pages_are_kept_until_a_scheduled_report_goes_live_and_not_a_second_longer(client):
    with time_machine.travel(NOON - timedelta(minutes=5), tick=False) as clock:
        ReportFactory(title="Scheduled analysis", publish_at=NOON)
        assert client.get("/")["X-Cache"] == "miss"
        clock.move_to(NOON - timedelta(seconds=1))
        before = client.get("/")
        assert before["X-Cache"] == "hit"
        assert "Scheduled analysis" not in before.content.decode()
        clock.move_to(NOON)
        live = client.get("/")
        assert live["X-Cache"] == "miss"
        assert "Scheduled analysis" in live.content.decode()


def test_once_a_scheduled_report_is_live_pages_are_cached_for_the_usual_time_again(client):
    with time_machine.travel(NOON - timedelta(minutes=5), tick=False) as clock:
        ReportFactory(title="Scheduled analysis", publish_at=NOON)
        client.get("/")
        clock.move_to(NOON + timedelta(seconds=2))
        assert "Scheduled analysis" in client.get("/").content.decode()
        clock.move_to(NOON + timedelta(minutes=9))
        assert client.get("/")["X-Cache"] == "hit"
        clock.move_to(NOON + timedelta(minutes=10, seconds=3))
        assert client.get("/")["X-Cache"] == "miss"


def test_after_one_scheduled_report_goes_live_pages_are_kept_until_the_next(client):
    with time_machine.travel(NOON - timedelta(minutes=5), tick=False) as clock:
        ReportFactory(title="First scheduled", publish_at=NOON)
        ReportFactory(title="Second scheduled", publish_at=NOON + timedelta(minutes=3))
        client.get("/")
        clock.move_to(NOON + timedelta(seconds=1))
        page = client.get("/").content.decode()
        assert "First scheduled" in page and "Second scheduled" not in page
        clock.move_to(NOON + timedelta(minutes=2, seconds=59))
        assert client.get("/")["X-Cache"] == "hit"
        clock.move_to(NOON + timedelta(minutes=3))
        assert "Second scheduled" in client.get("/").content.decode()


def test_a_page_drawn_while_a_scheduled_report_went_live_is_not_kept(rf):
    with time_machine.travel(NOON - timedelta(seconds=1), tick=False) as clock:
        ReportFactory(publish_at=NOON)

        def slow_page(request):
            clock.move_to(NOON + timedelta(seconds=1))  # drawn from what was public before
            return HttpResponse("Without the new report")

        request = rf.get("/")
        request.user = AnonymousUser()
        assert PageCacheMiddleware(slow_page)(request)["X-Cache"] == "miss"
        again = PageCacheMiddleware(lambda request: HttpResponse("With it"))(request)
        assert again["X-Cache"] == "miss"
        assert again.content == b"With it"


def test_browsers_and_cdns_keep_no_page_past_the_next_publication(client):
    with time_machine.travel(NOON - timedelta(seconds=30), tick=False) as clock:
        ReportFactory(publish_at=NOON)
        assert cache_control(client.get("/")) == {
            "public": True,
            "max-age": "30",
            "s-maxage": "30",
            "stale-while-revalidate": "0",
        }
        clock.move_to(NOON - timedelta(seconds=10))
        served = client.get("/")
        assert served["X-Cache"] == "hit"
        assert cache_control(served)["max-age"] == "10"
        clock.move_to(NOON + timedelta(seconds=1))
        assert cache_control(client.get("/")) == {
            "public": True,
            "max-age": "60",
            "s-maxage": "60",
            "stale-while-revalidate": "300",
        }


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
