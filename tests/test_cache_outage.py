"""The site keeps serving readers and editors while Redis is down, and serves no stale page when
it comes back. Each test runs a redis-server of its own, which it stops and starts again."""

import logging
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from diethnos import cache as fail_safe
from reports import workflow
from reports.models import Report

from .admin_forms import desk_row, report_form_data
from .factories import AuthorFactory, EditorFactory, ReportFactory, TopicFactory, region
from .servers import RedisServer, free_port

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/reports/",
    "/regions/",
    "/topics/",
    "/authors/",
    "/feed/",
    "/sitemap.xml",
    "/news-sitemap.xml",
    "/robots.txt",
    "/search/?q=ceasefire",
]


def redis_cache(url):
    return {
        "default": {
            "BACKEND": "diethnos.cache.FailSafeRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


@pytest.fixture(autouse=True)
def _no_outage_carried_over():
    fail_safe._outage.retry_at = 0.0
    yield
    fail_safe._outage.retry_at = 0.0


@pytest.fixture
def redis(tmp_path, settings):
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = redis_cache(server.url)
    settings.PAGE_CACHE_SECONDS = 600
    yield server
    if server.process:
        server.thaw()
        server.stop()


@pytest.fixture
def editor():
    return EditorFactory(is_superuser=True)


@pytest.fixture
def content():
    return ReportFactory(
        title="Ceasefire talks resume in Doha",
        primary_region=region("QA"),
        authors=[AuthorFactory(name="Nikolas Varga")],
        topics=[TopicFactory(name="Ceasefires")],
    )


def serve(client, urls):
    """GET every address; the status of each."""
    return {url: client.get(url).status_code for url in urls}


def test_readers_and_editors_are_served_while_redis_is_down_and_nothing_stale_after(
    client, redis, editor, content, django_capture_on_commit_callbacks
):
    pages = [*PUBLIC_PAGES, content.get_absolute_url()]
    assert set(serve(client, pages).values()) == {200}
    assert client.get(content.get_absolute_url())["X-Cache"] == "hit"

    redis.stop()

    # Readers: every public page, uncached.
    during = serve(client, pages)
    assert during == dict.fromkeys(pages, 200)

    # An editor signs in and saves a change; nothing is rolled back.
    desk = type(client)()
    response = desk.post(
        reverse("admin:login"), {"username": editor.username, "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        draft = desk_row(content)
        data = report_form_data(draft, title="Ceasefire talks collapse in Doha")
        response = desk.post(
            reverse("admin:reports_report_change", args=[draft.pk]),
            {**data, "_publish_changes": "1"},
        )
    assert response.status_code == 302
    content.refresh_from_db()
    assert content.title == "Ceasefire talks collapse in Doha"
    assert "Ceasefire talks collapse" in client.get(content.get_absolute_url()).content.decode()

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["database"] == "ok"
    assert health.json()["cache"] == "unavailable"
    assert health.json()["cache_errors"] > 0

    # Redis comes back with what it held before the outage, the old page included.
    redis.start()
    assert redis.keys("*page:*")
    time.sleep(fail_safe.RETRY_AFTER)

    page = client.get(content.get_absolute_url())
    assert page.status_code == 200
    assert page["X-Cache"] == "miss"
    assert "Ceasefire talks collapse" in page.content.decode()
    assert "Ceasefire talks resume" not in page.content.decode()
    assert client.get(content.get_absolute_url())["X-Cache"] == "hit"
    assert "Ceasefire talks collapse" in client.get("/").content.decode()
    after = serve(client, pages)
    assert after == dict.fromkeys(pages, 200)
    assert client.get("/healthz").json()["cache"] == "ok"


def test_a_redis_that_stops_answering_costs_a_request_milliseconds(client, redis, content):
    url = content.get_absolute_url()
    assert client.get(url).status_code == 200
    redis.freeze()
    times = []
    for _ in range(10):
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append(time.perf_counter() - start)
    redis.thaw()
    # One request waits for the socket timeout (0.25 s) once; the others skip Redis.
    assert max(times) < 1.0
    assert sorted(times)[len(times) // 2] < 0.2


def test_a_report_withdrawn_during_an_outage_leaves_every_cached_page_it_was_on(
    client, redis, content, django_capture_on_commit_callbacks
):
    pages = ["/", "/reports/", "/regions/", content.get_absolute_url()]
    serve(client, pages)
    assert {client.get(url)["X-Cache"] for url in pages} == {"hit"}
    redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(Report.objects.get(pk=content.pk), reason="The figures were wrong.")
    redis.start()
    time.sleep(fail_safe.RETRY_AFTER)
    for url in pages:
        response = client.get(url)
        assert response["X-Cache"] == "miss", url
    assert "Ceasefire talks resume in Doha" not in client.get("/").content.decode()
    assert "withdrawn" in client.get(content.get_absolute_url()).content.decode().lower()


OPERATIONS = [
    ("get", lambda: cache.get("key", "default"), "default"),
    ("set", lambda: cache.set("key", 1), None),
    ("add", lambda: cache.add("key", 1), False),
    ("get_or_set", lambda: cache.get_or_set("key", 7), 7),
    ("touch", lambda: cache.touch("key"), False),
    ("delete", lambda: cache.delete("key"), False),
    ("has_key", lambda: cache.has_key("key"), False),
    ("get_many", lambda: cache.get_many(["a", "b"]), {}),
    ("set_many", lambda: cache.set_many({"a": 1, "b": 2}), ["a", "b"]),
    ("delete_many", lambda: cache.delete_many(["a", "b"]), None),
    ("clear", lambda: cache.clear(), False),
]


@pytest.mark.parametrize(
    ("name", "operation", "expected"), OPERATIONS, ids=[o[0] for o in OPERATIONS]
)
def test_every_cache_operation_answers_as_an_empty_cache_when_redis_is_unreachable(
    settings, name, operation, expected
):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    before = fail_safe.cache_errors()
    assert operation() == expected
    assert fail_safe.cache_errors() > before


def test_counting_on_an_unreachable_redis_is_a_missing_key(settings):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(ValueError):
        cache.incr("attempts")
    fail_safe._outage.retry_at = 0.0
    with pytest.raises(ValueError):
        cache.decr("attempts")


def test_failures_are_logged_at_most_once_a_minute_and_all_counted(settings, monkeypatch, caplog):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(fail_safe, "RETRY_AFTER", 0.0)
    monkeypatch.setattr(fail_safe, "_outage", fail_safe._Outage())
    with caplog.at_level(logging.ERROR, logger="diethnos.cache"):
        for _ in range(50):
            cache.get("key")
    assert fail_safe.cache_errors() == 50
    assert len(caplog.records) == 1
    assert "Cache unavailable" in caplog.records[0].getMessage()


def test_after_a_failure_redis_is_left_alone_for_a_moment(settings, monkeypatch):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(fail_safe, "_outage", fail_safe._Outage())
    for _ in range(20):
        cache.get("key")
    assert fail_safe.cache_errors() == 1


def test_healthz_reports_a_working_cache_and_no_errors(client, redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["cache"] == "ok"
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_counts_kept_in_the_cache_are_counted_again_after_a_change_saved_in_an_outage(
    client, redis, content, django_capture_on_commit_callbacks
):
    from tags import report_counts

    qatar = region("QA")
    before = report_counts.region_report_count(qatar)
    assert report_counts.region_report_count(qatar) == before  # kept

    redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        ReportFactory(title="Gas field struck", primary_region=qatar)

    # Redis comes back with the count it held before the outage.
    redis.start()
    time.sleep(fail_safe.RETRY_AFTER)
    assert report_counts.region_report_count(qatar) == before + 1


def test_pages_are_looked_up_on_a_connection_of_the_threads_own_that_survives_a_restart(redis):
    cache.set_many({"a": 1, "b": 2})
    errors = fail_safe.cache_errors()
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    redis.stop()
    redis.start()  # with its data, on a new connection
    assert cache.get_many(["a", "b"]) == {"a": 1, "b": 2}
    assert fail_safe.cache_errors() == errors


def test_a_lookup_that_timed_out_never_reads_its_late_reply_as_the_next_ones(redis):
    cache.set_many({"old": "old page", "new": "new page"})
    assert cache.get_many(["old"]) == {"old": "old page"}
    redis.freeze()
    assert cache.get_many(["old"]) == {}  # timed out; Redis answers once thawed
    redis.thaw()
    time.sleep(0.1)
    fail_safe._outage.retry_at = 0.0
    assert cache.get_many(["new"]) == {"new": "new page"}
    assert cache.get_many(["old", "new"]) == {"old": "old page", "new": "new page"}


def test_asking_for_no_keys_is_an_empty_answer_not_a_failure(redis):
    """A page with nothing kept to look up asks for no keys; Redis refuses an MGET of none,
    which must not be taken for an outage (the cache would be left alone for a moment)."""
    before = fail_safe.cache_errors()
    assert cache.get_many([]) == {}
    assert fail_safe.cache_errors() == before
    cache.set("kept", "value")
    assert cache.get("kept") == "value"
