"""The read API over HTTP: ETags, CORS, the rate limit and API keys, JSON errors, the page
cache, and a constant number of queries whatever the page size."""

import datetime

import pytest
import time_machine
from django.contrib.admin.sites import site as admin_site
from django.core.cache import cache
from django.http import JsonResponse

from api.head_requests import HeadAsGetMiddleware
from api.models import ApiKey, digest
from reports.models import UpdateNote
from tags.models import TopicQuerySet

from .factories import EditorFactory, ReportFactory, TopicFactory, UpdateNoteFactory, region

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"


def issued_key(**fields):
    key = ApiKey(name="Partner", **fields)
    text = key.issue()
    key.save()
    return text


@pytest.fixture
def within_one_minute():
    """The clock held still in the middle of a minute: the limits count requests a minute, so
    a test that crossed into the next one would see its count start again."""
    moment = datetime.datetime(2026, 3, 2, 12, 0, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        yield


def test_an_etag_gives_a_304_when_nothing_changed(client):
    ReportFactory()
    first = client.get(REPORTS)
    assert first["ETag"]
    again = client.get(REPORTS, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    UpdateNoteFactory(report=ReportFactory(), kind=UpdateNote.Kind.CORRECTION)
    assert client.get(REPORTS, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_any_origin_may_read_the_api_but_not_the_site(client):
    response = client.get(REPORTS, HTTP_ORIGIN="https://partner.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        REPORTS,
        HTTP_ORIGIN="https://partner.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key",
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "x-api-key" in preflight["Access-Control-Allow-Headers"]
    head = client.options(
        REPORTS,
        HTTP_ORIGIN="https://partner.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="HEAD",
    )
    assert head.status_code == 200 and "HEAD" in head["Access-Control-Allow-Methods"]
    page = client.get("/reports/", HTTP_ORIGIN="https://partner.example")
    assert "Access-Control-Allow-Origin" not in page


def test_cors_headers_come_with_pages_answered_from_the_cache(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    assert client.get(REPORTS)["X-Cache"] == "miss"
    cached = client.get(REPORTS, HTTP_ORIGIN="https://partner.example")
    assert cached["X-Cache"] == "hit"
    assert cached["Access-Control-Allow-Origin"] == "*"


@pytest.mark.usefixtures("within_one_minute")
def test_anonymous_clients_are_limited_per_address(client, settings):
    settings.API_RATE_LIMIT = 2
    assert client.get(REPORTS)["RateLimit-Remaining"] == "1"
    assert client.get(REPORTS).status_code == 200
    refused = client.get(REPORTS)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["status"] == 429
    assert client.get(REPORTS, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get("/reports/").status_code == 200  # the site is not limited


@pytest.mark.usefixtures("within_one_minute")
def test_the_limit_counts_pages_answered_from_the_cache(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.API_RATE_LIMIT = 2
    client.get(REPORTS)
    assert client.get(REPORTS)["X-Cache"] == "hit"
    assert client.get(REPORTS).status_code == 429


@pytest.mark.usefixtures("within_one_minute")
def test_requests_go_through_when_the_cache_cannot_count_them(client, settings, monkeypatch):
    settings.API_RATE_LIMIT = 1

    def unreachable(*args, **kwargs):
        raise ValueError("not found")

    monkeypatch.setattr(cache, "incr", unreachable)
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)
    assert [client.get(REPORTS).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.usefixtures("within_one_minute")
def test_the_address_is_read_through_trusted_proxies(client, settings):
    settings.API_RATE_LIMIT = 1
    settings.TRUSTED_PROXIES = [__import__("ipaddress").ip_network("127.0.0.1/32")]
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.get(REPORTS, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).status_code == 200
    assert client.get(REPORTS, HTTP_X_FORWARDED_FOR="203.0.113.2", **proxy).status_code == 200
    assert client.get(REPORTS, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).status_code == 429


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
@pytest.mark.usefixtures("within_one_minute")
def test_an_api_key_has_a_higher_limit_of_its_own(client, settings, header):
    settings.API_RATE_LIMIT = 1
    settings.API_KEY_RATE_LIMIT = 3
    key = issued_key()
    sent = {header: f"Bearer {key}" if header == "HTTP_AUTHORIZATION" else key}
    client.get(REPORTS)
    assert client.get(REPORTS).status_code == 429
    statuses = [client.get(REPORTS, **sent).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(REPORTS, **sent)["RateLimit-Limit"] == "3"


@pytest.mark.usefixtures("within_one_minute")
def test_a_key_may_carry_its_own_limit(client, settings):
    settings.API_KEY_RATE_LIMIT = 1
    key = issued_key(rate_limit=5)
    assert client.get(REPORTS, HTTP_X_API_KEY=key)["RateLimit-Limit"] == "5"


def test_an_unknown_or_revoked_key_is_refused(client):
    key = issued_key()
    assert client.get(REPORTS, HTTP_X_API_KEY="made-up").status_code == 401
    ApiKey.objects.update(is_active=False)
    response = client.get(REPORTS, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_the_desk_issues_a_key_shown_once_and_stores_its_digest(client):
    client.force_login(EditorFactory(is_superuser=True))
    response = client.post(
        "/admin/api/apikey/add/", {"name": "Relief partner", "is_active": "on"}, follow=True
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    text = shown[0].split(" is ")[1].split(" ")[0]
    assert key.key_digest == digest(text) and text not in (key.key_digest, key.prefix)
    assert text.startswith(key.prefix)
    page = client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert text not in page
    client.logout()
    assert client.get(REPORTS, HTTP_X_API_KEY=text).status_code == 200
    assert ApiKey in admin_site._registry


def test_errors_under_the_api_are_json(client, monkeypatch):
    missing = client.get("/api/v1/nothing/")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    wrong = client.post(REPORTS)
    assert wrong.status_code == 405 and wrong.json()["status"] == 405
    assert {"GET", "HEAD"} <= {method.strip() for method in wrong["Allow"].split(",")}

    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(TopicQuerySet, "with_report_counts", fail)
    client.raise_request_exception = False
    broken = client.get("/api/v1/topics/")
    assert broken.status_code == 500 and broken.json()["status"] == 500
    assert "a bug" not in broken.content.decode()


GET_ENDPOINTS = [
    REPORTS,
    f"{REPORTS}kursk/",
    "/api/v1/regions/",
    "/api/v1/regions/ukraine/",
    "/api/v1/topics/",
    "/api/v1/authors/",
    "/api/v1/corrections/",
    "/api/v1/openapi.json",
    "/api/v1/docs/",
]


@pytest.mark.parametrize("url", GET_ENDPOINTS)
def test_head_answers_as_get_without_a_body(client, url):
    ReportFactory(slug="kursk")
    got = client.get(url, HTTP_ORIGIN="https://partner.example")
    head = client.head(url, HTTP_ORIGIN="https://partner.example")
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]
    assert int(head["Content-Length"]) == len(got.content)
    assert head["Access-Control-Allow-Origin"] == "*"
    if "ETag" in got:
        assert head["ETag"] == got["ETag"]
        again = client.head(url, HTTP_IF_NONE_MATCH=got["ETag"])
        assert again.status_code == 304


def test_head_drops_the_body_itself(rf):
    # The test client drops a HEAD's body as servers do; the API does not count on them.
    seen = []

    def view(request):
        seen.append(request.method)
        return JsonResponse({"results": []})

    response = HeadAsGetMiddleware(view)(rf.head(REPORTS))
    assert seen == ["GET"]
    assert response.content == b""
    assert response["Content-Length"] == str(len(b'{"results": []}'))
    site_page = HeadAsGetMiddleware(view)(rf.head("/reports/"))
    assert seen[-1] == "HEAD" and site_page.content  # the site's own pages are left alone


def test_a_page_drawn_for_head_is_cached_whole_for_get(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    ReportFactory(slug="kursk")
    assert client.head(REPORTS)["X-Cache"] == "miss"
    cached = client.get(REPORTS)
    assert cached["X-Cache"] == "hit"
    assert cached.json()["results"][0]["slug"] == "kursk"


@pytest.mark.usefixtures("within_one_minute")
def test_head_counts_against_the_rate_limit(client, settings):
    settings.API_RATE_LIMIT = 1
    assert client.head(REPORTS).status_code == 200
    assert client.head(REPORTS).status_code == 429


def test_a_site_page_stays_html(client):
    assert client.get("/nothing-here/")["Content-Type"].startswith("text/html")


def test_a_change_purges_the_api_responses_that_show_it(client, settings, commit):
    settings.PAGE_CACHE_SECONDS = 600
    with commit():
        report = ReportFactory(slug="kursk", topics=[TopicFactory(name="Energy")])
        other = ReportFactory(slug="other", primary_region=region("FR"))
    urls = [REPORTS, f"{REPORTS}kursk/", f"{REPORTS}?topic=energy", "/api/v1/regions/ukraine/"]
    unrelated = f"{REPORTS}other/"
    for url in [*urls, unrelated]:
        assert client.get(url)["X-Cache"] == "miss"
        assert client.get(url)["X-Cache"] == "hit"
    assert f"report:{report.pk}" in client.get(REPORTS)["Surrogate-Key"].split()
    with commit():
        UpdateNoteFactory(report=report, kind=UpdateNote.Kind.CORRECTION, text="Fixed a date.")
    for url in urls[:3]:
        fresh = client.get(url)
        assert fresh["X-Cache"] == "miss", url
        assert "Fixed a date." in fresh.content.decode()
    assert client.get(unrelated)["X-Cache"] == "hit"
    with commit():
        report.topics.clear()
    assert client.get(f"{REPORTS}?topic=energy").json()["results"] == []
    assert other.pk


ENDPOINTS = {
    # the reports, then their key points, bylines, sources, notes, regions and topics
    "reports": (REPORTS + "?limit={size}", 7),
    "reports filtered": (
        REPORTS + "?limit={size}&region=europe&topic=energy&modified_since=2000-01-01"
        "&published_since=2000-01-01&kind=sitrep",
        7 + 2,  # and the region and the topic
    ),
    "report": (REPORTS + "r1/?", 7),
    # counts drawn (tags.report_counts.count_regions, kept in the cache), then the regions
    "regions": ("/api/v1/regions/?", 2 + 2),
    "region": ("/api/v1/regions/europe/?", 2 + 5),
    "topics": ("/api/v1/topics/?", 1),
    "authors": ("/api/v1/authors/?", 1),
    "corrections": ("/api/v1/corrections/?limit={size}", 1),
}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_each_endpoint_runs_a_constant_number_of_queries(client, django_assert_num_queries, name):
    energy = TopicFactory(name="Energy")
    for number in range(51):
        report = ReportFactory(slug=f"r{number}", topics=[energy], regions=[region("FR")])
        UpdateNoteFactory(report=report, kind=UpdateNote.Kind.CORRECTION)
    url, queries = ENDPOINTS[name]
    for size in (1, 50):
        cache.clear()  # counts kept in the cache are drawn anew each time
        with django_assert_num_queries(queries):
            response = client.get(url.format(size=size))
        assert response.status_code == 200
