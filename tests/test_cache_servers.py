"""The page cache across real servers: Varnish in front of the site drops exactly the pages a
publication changes, and two app servers sharing one Redis never serve a page a publication
made stale. Each test starts the servers it needs on free ports and stops them."""

import http.client
import threading
import time

import pytest

from reports import workflow
from reports.models import Report

from .factories import AuthorFactory, ReportFactory, TopicFactory, region
from .servers import Gunicorn, RedisServer, Varnish, manage, site_environment


def get(port, path):
    """GET ``path`` from 127.0.0.1:``port``: (status, headers as a dict, body as str)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"X-Show-Surrogate-Key": "1"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def served_by_varnish(headers):
    """Whether Varnish answered from its cache (its X-Varnish header then names two requests:
    this one and the one that stored the page)."""
    return len(headers.get("X-Varnish", "").split()) == 2


# ---------------------------------------------------------------------------------------------
# Varnish


@pytest.fixture
def varnish(live_server, settings, tmp_path):
    port = int(live_server.url.rsplit(":", 1)[1])
    server = Varnish(tmp_path, port)
    settings.PAGE_CACHE_SECONDS = 600
    settings.FRONTEND_CACHE_BACKEND = "varnish"
    settings.FRONTEND_CACHE_LOCATIONS = [server.url]
    yield server
    server.stop()


# Serialized: the tests after it find the database as it was (the M49 regions included).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_varnish_drops_a_page_when_its_report_changes_and_keeps_it_otherwise(varnish):
    report = ReportFactory(
        title="Ceasefire talks resume in Doha",
        primary_region=region("QA"),
        topics=[TopicFactory(name="Ceasefires")],
        authors=[AuthorFactory(name="Nikolas Varga")],
    )
    other = ReportFactory(
        title="Farmers block roads to Paris",
        primary_region=region("FR"),
        topics=[TopicFactory(name="Agriculture")],
        authors=[AuthorFactory(name="Claire Dubois")],
    )
    url = report.get_absolute_url()
    status, headers, body = get(varnish.port, url)
    assert status == 200 and "Ceasefire talks resume" in body
    assert f"report:{report.pk}" in headers["Surrogate-Key"].split()
    assert served_by_varnish(get(varnish.port, url)[1])

    # A working draft saved, another report corrected: Varnish keeps the page.
    draft = workflow.working_draft(report)
    draft.title = "Ceasefire talks collapse in Doha"
    draft.save()
    other_draft = workflow.working_draft(other)
    other_draft.title = "Farmers lift the blockade of Paris"
    other_draft.save()
    workflow.publish_changes(other_draft)
    status, headers, body = get(varnish.port, url)
    assert served_by_varnish(headers)
    assert "Ceasefire talks resume" in body

    # Its own changes published: the page is fetched anew, with them.
    workflow.publish_changes(Report.all_objects.get(pk=draft.pk))
    status, headers, body = get(varnish.port, url)
    assert not served_by_varnish(headers)
    assert "Ceasefire talks collapse" in body
    assert served_by_varnish(get(varnish.port, url)[1])


# ---------------------------------------------------------------------------------------------
# Two app servers, one Redis

SETUP = """
from datetime import timedelta
from django.utils import timezone
from authors.models import Author
from reports import workflow
from reports.models import Report
from tags.models import Region
from tags.regions import load_regions

load_regions()
author = Author.objects.create(name="Nikolas Varga", slug="nikolas-varga")
report = Report.objects.create(
    title="Ceasefire talks resume in Doha",
    slug="ceasefire-talks",
    summary="Talks resumed.",
    body="<p>Talks resumed today.</p>",
    primary_region=Region.objects.get(iso2="QA"),
)
report.key_points.create(position=0, text="Talks resumed.")
report.report_authors.create(author=author, position=0)
workflow.publish(report)
"""

SCHEDULE = """
from datetime import timedelta
from django.utils import timezone
from reports import workflow
from reports.models import Report

report = Report.objects.get(slug="ceasefire-talks")
draft = workflow.working_draft(report)
draft.title = "Ceasefire talks collapse in Doha"
draft.save()
when = timezone.now() + timedelta(seconds={seconds})
workflow.publish_changes(draft, when=when)
print(when.timestamp())
"""


@pytest.fixture
def two_servers(tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    env = site_environment(
        tmp_path, REDIS_URL=redis.url, PAGE_CACHE_SECONDS="600", GUNICORN_WORKERS="1"
    )
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "shell", "-c", SETUP)
    servers = []
    try:
        servers = [Gunicorn(env, "--threads", "2"), Gunicorn(env, "--threads", "2")]
        yield env, servers
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def test_after_a_publication_on_one_server_the_other_never_serves_the_old_page(two_servers):
    env, (a, b) = two_servers
    url = "/reports/ceasefire-talks/"
    for port in (a.port, b.port):
        assert "Ceasefire talks resume" in get(port, url)[2]
    assert get(b.port, url)[1]["X-Cache"] == "hit"

    # The desk schedules the changes; the first request after the time, on server A, makes
    # them live (as it does without a worker).
    # The time the changes were scheduled for, not the time the command ended: that may be
    # well after it on a busy machine.
    due = float(manage(env, "shell", "-c", SCHEDULE.format(seconds=4)).split()[-1])
    seen = []  # (when a request was sent, when answered, whether it showed the old headline)
    stop = threading.Event()

    def read_from_b():
        while not stop.is_set():
            if due - 0.5 < time.time() < published_at.get("at", float("inf")):
                time.sleep(0.01)  # at the time itself, server A is the one asked first
                continue
            sent = time.time()
            status, headers, body = get(b.port, url)
            assert status == 200, body[:500]
            seen.append((sent, time.time(), "Ceasefire talks resume" in body))

    published_at = {}
    reader = threading.Thread(target=read_from_b)
    reader.start()
    try:
        time.sleep(max(0, due - time.time()) + 0.2)
        status, headers, body = get(a.port, "/")
        assert status == 200
        published_at["at"] = time.time()
        assert "Ceasefire talks collapse" in body
        time.sleep(1.5)
    finally:
        stop.set()
        reader.join()
    before = [old for sent, answered, old in seen if answered < due]
    after = [old for sent, answered, old in seen if sent >= published_at["at"]]
    assert before and all(before)  # server B served the old page from the cache until then
    assert after and not any(after)  # and never once after
    status, headers, body = get(b.port, url)
    assert "Ceasefire talks collapse" in body
    assert get(b.port, url)[1]["X-Cache"] == "hit"  # cached again, with the changes
