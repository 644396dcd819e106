"""Cached pages are answered by the WSGI entry point before Django's handler runs, with the
same bytes and headers the middleware would send, and never when Django's answer could
differ (diethnos.page_cache.serve_from_cache, diethnos/wsgi.py)."""

import io
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock
from wsgiref.util import setup_testing_defaults

import pytest
import time_machine
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from diethnos import page_cache, wsgi
from reports.models import Report

from .factories import ReportFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

NOON = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)


class Answer:
    def __init__(self, status, headers, body, started):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.body = body
        self.reached_django = started


@contextmanager
def _database_kept_open():
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(path, method="GET", query="", **headers):
    """Send a request to the site's WSGI application, as gunicorn does: an ``Answer``."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(),
        **headers,
    }
    setup_testing_defaults(environ)
    answered = {}
    started = []

    def start_response(status, response_headers, exc_info=None):
        answered.update(status=status, headers=response_headers)

    def note_start(**kwargs):
        started.append(True)

    request_started.connect(note_start)
    try:
        with _database_kept_open():
            chunks = wsgi.application(environ, start_response)
            body = b"".join(chunks)
            if hasattr(chunks, "close"):
                chunks.close()
    finally:
        request_started.disconnect(note_start)
    return Answer(answered["status"], answered["headers"], body, bool(started))


def test_a_cached_page_is_answered_without_django_or_a_query(client, django_assert_num_queries):
    report = ReportFactory()
    drawn = client.get(report.get_absolute_url())
    assert drawn["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        answer = call(report.get_absolute_url())
    assert not answer.reached_django
    assert answer.status_code == 200
    assert answer.body == drawn.content
    assert answer.headers["X-Cache"] == "hit"
    assert answer.headers["Cache-Control"] == drawn["Cache-Control"]
    for name in (
        "Content-Type",
        "Content-Length",
        "ETag",
        "Vary",
        "Surrogate-Key",
        "Content-Security-Policy",
        "X-Frame-Options",
    ):
        assert answer.headers[name] == drawn[name], name


def test_the_entry_point_and_the_middleware_answer_a_hit_alike(client):
    report = ReportFactory()
    client.get(report.get_absolute_url())
    by_django = client.get(report.get_absolute_url())
    assert by_django["X-Cache"] == "hit"
    answer = call(report.get_absolute_url())
    assert answer.body == by_django.content
    assert answer.headers == dict(by_django.items())


def test_a_page_drawn_through_the_entry_point_is_stored_and_then_answered_there():
    report = ReportFactory()
    first = call(report.get_absolute_url())
    assert first.reached_django
    assert first.headers["X-Cache"] == "miss"
    second = call(report.get_absolute_url())
    assert not second.reached_django
    assert second.body == first.body


def test_a_miss_reads_the_page_and_the_state_once():
    report = ReportFactory()
    call(report.get_absolute_url())  # the state's copy is made
    environ = {"HTTP_HOST": "testserver", "wsgi.url_scheme": "http"}
    key = page_cache.page_key({**environ, "PATH_INFO": report.get_absolute_url()})
    cache.delete(key)
    backend = type(cache._connections["default"])
    with mock.patch.object(
        backend, "get_many", autospec=True, side_effect=backend.get_many
    ) as reads:
        answer = call(report.get_absolute_url())
    assert answer.headers["X-Cache"] == "miss"
    assert len([c for c in reads.call_args_list if key in c.args[1]]) == 1


def test_a_conditional_request_is_answered_304_from_the_cache(client):
    report = ReportFactory()
    drawn = client.get(report.get_absolute_url())
    answer = call(report.get_absolute_url(), HTTP_IF_NONE_MATCH=drawn["ETag"])
    assert not answer.reached_django
    assert answer.status_code == 304
    assert answer.body == b""
    assert answer.headers["ETag"] == drawn["ETag"]
    assert "Content-Type" not in answer.headers
    other = call(report.get_absolute_url(), HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_a_head_request_gets_the_headers_without_the_body(client):
    report = ReportFactory()
    drawn = client.get(report.get_absolute_url())
    answer = call(report.get_absolute_url(), method="HEAD")
    assert not answer.reached_django
    assert answer.body == b""
    assert answer.headers["Content-Length"] == str(len(drawn.content))


def test_the_query_string_is_part_of_the_address(client):
    ReportFactory.create_batch(3)
    client.get("/reports/")
    assert call("/reports/", query="page=1").headers["X-Cache"] == "miss"
    assert call("/reports/", query="page=1").headers["X-Cache"] == "hit"
    assert call("/reports/").headers["X-Cache"] == "hit"


@pytest.mark.parametrize("cookie", ["sessionid=abc", "messages=xyz", "a=1; sessionid=abc"])
def test_a_request_with_a_session_or_messages_is_left_to_django(client, cookie):
    report = ReportFactory()
    client.get(report.get_absolute_url())
    answer = call(report.get_absolute_url(), HTTP_COOKIE=cookie)
    assert answer.reached_django
    assert answer.headers.get("X-Cache") != "hit"


def test_another_cookie_does_not_stop_a_hit(client):
    report = ReportFactory()
    client.get(report.get_absolute_url())
    answer = call(report.get_absolute_url(), HTTP_COOKIE="theme=dark; mysessionidea=1")
    assert not answer.reached_django
    assert answer.headers["X-Cache"] == "hit"


def test_a_change_is_visible_at_once_through_the_entry_point(
    client, django_capture_on_commit_callbacks
):
    report = ReportFactory(title="Before the correction")
    client.get(report.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        report.title = "After the correction"
        report.save()
    answer = call(report.get_absolute_url())
    assert answer.reached_django
    assert b"After the correction" in answer.body


def test_a_due_publication_is_left_to_django_which_makes_it_live(client):
    with time_machine.travel(NOON, tick=False):
        ReportFactory(title="Already out")
        ReportFactory(title="Out at one", publish_at=NOON + timedelta(hours=1))
        client.get("/")
    with time_machine.travel(NOON + timedelta(hours=1, seconds=1), tick=False):
        answer = call("/")
    assert answer.reached_django
    assert b"Out at one" in answer.body


def test_after_a_cache_failure_the_state_is_read_from_the_database_first(client):
    report = ReportFactory()
    client.get(report.get_absolute_url())
    with mock.patch.object(page_cache, "_failures_seen", -1):
        answer = call(report.get_absolute_url())
    assert answer.reached_django


def test_a_host_not_allowed_is_refused_by_django():
    report = ReportFactory()
    answer = call(report.get_absolute_url(), HTTP_HOST="evil.example")
    assert answer.status_code == 400


def test_admin_pages_and_posts_are_left_to_django():
    assert call("/admin/login/").reached_django
    assert call("/", method="POST").reached_django


def test_with_the_page_cache_off_every_request_reaches_django(client, settings):
    report = ReportFactory()
    client.get(report.get_absolute_url())
    settings.PAGE_CACHE_SECONDS = 0
    assert call(report.get_absolute_url()).reached_django


def test_an_error_in_the_entry_point_leaves_the_request_to_django(client, caplog):
    report = ReportFactory()
    client.get(report.get_absolute_url())
    with mock.patch.object(wsgi, "serve_from_cache", side_effect=RuntimeError("broken")):
        answer = call(report.get_absolute_url())
    assert answer.status_code == 200
    assert answer.reached_django
    assert "could not answer" in caplog.text


def test_a_draft_is_never_answered_from_the_cache():
    draft = ReportFactory(status=Report.Status.DRAFT, publish_at=None)
    assert call(draft.get_absolute_url()).status_code == 404
    assert call(draft.get_absolute_url()).reached_django


def test_redis_replies_are_parsed_in_c():
    from redis._parsers import _HiredisParser

    from diethnos.cache import FailSafeRedisCache

    client = FailSafeRedisCache("redis://127.0.0.1:1/0", {})._cache.get_client()
    assert isinstance(client.connection_pool.make_connection()._parser, _HiredisParser)


def test_after_a_redis_outage_the_entry_point_serves_no_page_cached_before_a_change(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    from diethnos import cache as fail_safe

    from .servers import RedisServer
    from .test_cache_outage import redis_cache

    redis = RedisServer(tmp_path)
    redis.start()
    settings.CACHES = redis_cache(redis.url)
    fail_safe._outage.retry_at = 0.0
    try:
        report = ReportFactory(title="Ceasefire talks resume")
        call(report.get_absolute_url())
        assert not call(report.get_absolute_url()).reached_django
        redis.stop()
        with django_capture_on_commit_callbacks(execute=True):
            report.title = "Ceasefire talks collapse"
            report.save()
        redis.start()  # with the page cached before the change
        time.sleep(fail_safe.RETRY_AFTER)
        answer = call(report.get_absolute_url())
        assert answer.reached_django
        assert b"Ceasefire talks collapse" in answer.body
        again = call(report.get_absolute_url())
        assert not again.reached_django
        assert b"Ceasefire talks collapse" in again.body
    finally:
        fail_safe._outage.retry_at = 0.0
        if redis.process:
            redis.stop()
