"""Performance benchmark: seeds a large data set and prints page timings, query counts and memory.

    make bench                       # 100,000 reports on a fresh SQLite file
    DATABASE_URL=postgres://... make bench
    python -m tests.bench --reports 20000
    DATABASE_URL=postgres://... python -m tests.bench --no-seed   # measure again, same data
    python -m tests.bench --load     # pages under gunicorn and wrk (2,000 reports)
    python -m tests.bench --load --uncached-only   # only the pages drawn afresh

The load mode starts a redis-server, the site under gunicorn (2 sync workers, page cache on)
and a bare Django view serving the same bytes (tests/bench_ceiling.py) on free ports, drives
each with wrk on loopback (--seconds each, 2 threads, 16 connections), prints req/s and
p50/p95/p99 latency and the ratio to that ceiling (--rounds turns of each, in alternation, so
that the machine's other load falls on both alike), and stops all it started. Then the newsroom
mix (--mix-seconds, 130 by default: two publications): readers on 200 public pages while an
editor saves a working draft every 10 s and publishes it every 60 s; it prints the cache hit
rate and latency, and for each draft save and publication the readers' pages it dropped from
the cache and how long they take to draw again.
It also measures the report, listing, region, topic and author pages drawn afresh on every
request (a second site with the page cache off, as a page is drawn after a publication; the same
Redis keeps what pages keep besides), each against the ceiling of its own bytes.

It uses a database of its own (a temporary SQLite file unless DATABASE_URL is set, in which case
that database is flushed first: do not point it at production).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta


def configure(database_url):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diethnos.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")
    # Measure the pages themselves, not the shared page cache in front of them.
    os.environ.setdefault("PAGE_CACHE_SECONDS", "0")
    os.environ.setdefault("API_RATE_LIMIT", "0")  # the read API's, which a bench would hit
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def seed(count, batch=5000):
    from django.core.management import call_command
    from django.utils import timezone

    from authors.models import Author
    from reports.models import KeyPoint, Report, ReportAuthor, TaggedReport, UpdateNote
    from reports.placement import place_all
    from tags.models import Region, Topic

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_regions", verbosity=0)
    countries = list(Region.objects.countries())
    authors = Author.objects.bulk_create(
        Author(name=f"Analyst {i}", slug=f"analyst-{i}", role_line="Analyst") for i in range(200)
    )
    topics = Topic.objects.bulk_create(
        Topic(name=f"Topic {i}", slug=f"topic-{i}") for i in range(60)
    )
    rng = random.Random(49)
    now = timezone.now()
    start = time.perf_counter()
    for offset in range(0, count, batch):
        reports = Report.objects.bulk_create(
            Report(
                title=f"Situation report {i}",
                slug=f"situation-report-{i}",
                summary="What happened, and why it matters for the region and beyond.",
                body="<p>On October 28, 2024, something happened.</p>" * 8,
                primary_region=rng.choice(countries),
                status=Report.Status.PUBLISHED if i % 10 else Report.Status.DRAFT,
                publish_at=now - timedelta(minutes=i),
                first_published_at=now - timedelta(minutes=i),
            )
            for i in range(offset, min(offset + batch, count))
        )
        KeyPoint.objects.bulk_create(
            KeyPoint(report=r, position=p, text=f"Key point {p} of the report.")
            for r in reports
            for p in range(4)
        )
        ReportAuthor.objects.bulk_create(
            ReportAuthor(report=r, author=a, position=p)
            for r in reports
            for p, a in enumerate(rng.sample(authors, 2))
        )
        Report.regions.through.objects.bulk_create(
            Report.regions.through(report_id=r.pk, region_id=c.pk)
            for r in reports
            for c in rng.sample(countries, 2)
        )
        TaggedReport.objects.bulk_create(
            TaggedReport(content_object=r, tag=t) for r in reports for t in rng.sample(topics, 3)
        )
        # One report in five has a note: an update, a correction or a clarification.
        UpdateNote.objects.bulk_create(
            UpdateNote(
                report=r,
                kind=UpdateNote.Kind.values[r.pk % 3],
                noted_at=r.publish_at + timedelta(hours=1),
                text="What the report first said, and what is right.",
            )
            for r in reports
            if r.pk % 5 == 0
        )
    place_all()  # bulk-created rows send no signals
    return time.perf_counter() - start


def build_search_index():
    """Bulk-created rows send no signals: index them the way ``rebuild_search_index`` does."""
    from io import StringIO

    from django.core.management import call_command

    start = time.perf_counter()
    call_command("rebuild_search_index", stdout=StringIO(), stderr=StringIO())
    return time.perf_counter() - start


def gather_statistics():
    """Give the query planner the statistics autovacuum would have gathered by now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def desk_client():
    """A test client signed in to the desk with every permission, as an editor in chief
    (made once in the benchmark's database; seeding flushes the roles' groups)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    editor, _ = get_user_model().objects.update_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(editor)
    return client


def measure(paths, repeat):
    """Each of ``paths`` ((label, path), or (label, path, client) for the desk's pages):
    (label, path, status, queries, median ms, bytes)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    reader = Client()
    rows = []
    for label, path, *signed_in in paths:
        client = signed_in[0] if signed_in else reader
        client.get(path)  # warm up
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
        rows.append(
            (
                label,
                path,
                response.status_code,
                len(queries),
                statistics.median(timings),
                len(response.content),
            )
        )
    return rows


def measure_renewed(label, path, kinds, repeat):
    """``path`` drawn ``repeat`` times, each after a change of ``kinds`` (``LISTINGS``,
    ``TEXT``: tags.report_counts) drops what it keeps: a row as ``measure`` gives."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tags.report_counts import renew

    client = Client()
    client.get(path)  # warm up
    timings = []
    for _ in range(repeat):
        renew(*kinds)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    return label, path, response.status_code, len(queries), median, len(response.content)


WRK_REPORT = """
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %d %.1f %.3f %.3f %.3f %d\\n", summary.requests,
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk(url, seconds, script):
    """Drive ``url`` with wrk for ``seconds``: (req/s, p50, p95, p99 in ms, errors)."""
    import subprocess

    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", script, url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    _, _count, rate, p50, p95, p99, errors = line.split()
    return float(rate), float(p50), float(p95), float(p99), int(errors)


def load(args, tmp):
    """The load mode: cached pages under gunicorn against a bare Django view's ceiling."""
    import shutil
    import urllib.request
    from pathlib import Path

    from reports.models import Report

    from .servers import Gunicorn, RedisServer, site_environment

    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    directory = Path(tmp)
    redis = RedisServer(directory)
    redis.start()
    env = site_environment(
        directory,
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=redis.url,
        PAGE_CACHE_SECONDS="600",
        API_RATE_LIMIT="0",
        GUNICORN_ACCESS_LOG="/dev/null",
    )
    started = []
    try:
        # Workers are not recycled during a run (deploy/gunicorn.conf.py recycles them every
        # 2,000 requests or so, which at these rates is every second or two).
        sync = ("--worker-class", "sync", "--workers", "2", "--threads", "1", "--max-requests", "0")
        script = directory / "report.lua"
        script.write_text(WRK_REPORT)
        uncached = uncached_pages(args, env, directory, script, sync)
        if args.uncached_only:
            print_uncached(uncached)
            return 0
        site = Gunicorn(env, *sync)
        started.append(site)
        report = Report.objects.published().first()
        pages = [
            ("report page", report.get_absolute_url()),
            ("listing page 1", "/reports/"),
            ("API report list", "/api/v1/reports/"),
        ]
        rows = []
        for label, path in pages:
            url = f"http://127.0.0.1:{site.port}{path}"
            for _ in range(3):  # stored in the cache, then read from it
                with urllib.request.urlopen(url) as response:  # noqa: S310 (loopback)
                    body, cache = response.read(), response.headers["X-Cache"]
            body_file = directory / "body.html"
            body_file.write_bytes(body)
            ceiling = Gunicorn(
                {**env, "BENCH_CEILING_BODY": str(body_file)},
                *sync,
                app="tests.bench_ceiling:application",
            )
            started.append(ceiling)
            ceiling_url = f"http://127.0.0.1:{ceiling.port}{path}"
            # In turns, so that a change in the machine's other load falls on both alike.
            for _ in range(args.rounds):
                ours = wrk(url, args.seconds, str(script))
                bare = wrk(ceiling_url, args.seconds, str(script))
                rows.append((label, cache, len(body), ours, bare))
            ceiling.stop()
            started.remove(ceiling)
        newsroom = newsroom_mix(site.port, env, directory, args.mix_seconds)
    finally:
        for server in started:
            server.stop()
        redis.stop()
    print("cached page (X-Cache)        bytes    req/s   p50 ms   p95 ms   p99 ms  errors")
    ratios = {}
    for label, cache, size, ours, bare in rows:
        for name, figures in ((f"{label} ({cache})", ours), ("  bare Django view", bare)):
            rate, p50, p95, p99, errors = figures
            print(
                f"{name:<27} {size:>7,} {rate:>8.0f} {p50:>8.2f} {p95:>8.2f} {p99:>8.2f}"
                f" {errors:>7}"
            )
        print(f"  ratio to the ceiling: {ours[0] / bare[0]:.2f}")
        ratios.setdefault(label, []).append(ours[0] / bare[0])
    for label, each in ratios.items():
        turns = ", ".join(f"{ratio:.2f}" for ratio in each)
        print(f"{label}: median ratio to the ceiling {statistics.median(each):.2f} ({turns})")
    print()
    print_uncached(uncached)
    print_newsroom(newsroom)
    return 0


def uncached_pages(args, env, directory, script, sync):
    """The report, listing, region, topic and author pages drawn afresh for every request (a
    site with the page cache off), each against a bare Django view serving its bytes: a list of
    (label, bytes, ours, bare), ours and bare as ``wrk`` returns them."""
    import urllib.request

    from reports.models import Report

    from .servers import Gunicorn

    report = Report.objects.published().newest_first().first()
    region = report.primary_region.parent or report.primary_region
    pages = [
        ("report page", report.get_absolute_url()),
        ("listing page 1", "/reports/"),
        ("region page", region.get_absolute_url()),
        ("topic page", report.topics.order_by("pk").first().get_absolute_url()),
        ("author page", report.report_authors.first().author.get_absolute_url()),
        ("API report list", "/api/v1/reports/"),
    ]
    site = Gunicorn({**env, "PAGE_CACHE_SECONDS": "0"}, *sync)
    rows = []
    try:
        for label, path in pages:
            url = f"http://127.0.0.1:{site.port}{path}"
            for _ in range(3):  # what pages keep besides the page cache is stored, then read
                with urllib.request.urlopen(url) as response:  # noqa: S310 (loopback)
                    body = response.read()
            body_file = directory / "body.html"
            body_file.write_bytes(body)
            ceiling = Gunicorn(
                {**env, "BENCH_CEILING_BODY": str(body_file)},
                *sync,
                app="tests.bench_ceiling:application",
            )
            try:
                ours = wrk(url, args.seconds, str(script))
                bare = wrk(f"http://127.0.0.1:{ceiling.port}{path}", args.seconds, str(script))
            finally:
                ceiling.stop()
            rows.append((label, len(body), ours, bare))
    finally:
        site.stop()
    return rows


# The least ratio to the ceiling each page drawn afresh should reach: a tenth of the bare
# view; for the report page, five times a Wagtail site's rate (about 0.08).
UNCACHED_TARGETS = {
    "report page": 0.08,
    "listing page 1": 0.10,
    "region page": 0.10,
    "topic page": 0.10,
    "author page": 0.10,
}


def print_uncached(rows):
    print("page drawn afresh (no page cache) bytes    req/s   p50 ms   p95 ms   p99 ms  errors")
    for label, size, ours, bare in rows:
        for name, figures in ((label, ours), ("  bare Django view", bare)):
            rate, p50, p95, p99, errors = figures
            print(
                f"{name:<32} {size:>7,} {rate:>8.0f} {p50:>8.2f} {p95:>8.2f} {p99:>8.2f}"
                f" {errors:>7}"
            )
        ratio, target = ours[0] / bare[0], UNCACHED_TARGETS.get(label)
        verdict = ""
        if target is not None:
            verdict = f" (target {target:.2f}: {'met' if ratio >= target else 'NOT met'})"
        print(f"  ratio to the ceiling: {ratio:.3f}{verdict}")


NEWSROOM_PAGES = 200
DRAFT_EVERY, PUBLISH_EVERY = 10, 60  # seconds, as in a working newsroom

WRK_MIX = """
local paths, threads = {}, {}
hits, count = 0, 0  -- globals: done() reads them from each thread
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  for line in io.lines(args[1]) do table.insert(paths, line) end
  math.randomseed(os.time() * 10 + id)
end
function request() return wrk.format("GET", paths[math.random(#paths)]) end
function response(status, headers, body)
  count = count + 1
  if headers["X-Cache"] == "hit" then hits = hits + 1 end
end
done = function(summary, latency, requests)
  local h, c = 0, 0
  for _, thread in ipairs(threads) do h = h + thread:get("hits"); c = c + thread:get("count") end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %d %.1f %.3f %.3f %.3f %d %d %d\\n", summary.requests,
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout, h, c))
end
"""

# The editor: saves a working draft of one of the readers' reports every DRAFT_EVERY seconds
# and publishes it every PUBLISH_EVERY; after each, counts the readers' pages the change
# dropped from the cache (the cold path), and after a publication draws them again itself.
EDITOR = """
import json, random, statistics, sys, time, urllib.request
from django.core.cache import cache
from diethnos.page_cache import page_key
from reports import workflow
from reports.models import Report

paths = open({paths!r}).read().split()
ids = {ids!r}
site = "http://127.0.0.1:{port}"
keys = []
for path in paths:
    address, _, query = path.partition("?")
    environ = dict(HTTP_HOST="127.0.0.1:{port}", PATH_INFO=address, QUERY_STRING=query)
    keys.append(cache.make_key(page_key({{**environ, "wsgi.url_scheme": "http"}})))
client = cache._cache.get_client()

def cached():
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.exists(key)
        return pipe.execute()

def dropped(before):
    return [path for path, was, now in zip(paths, before, cached()) if was and not now]

rng = random.Random(7)
end = time.monotonic() + {seconds}
saves, publications = 0, 0
draft_drops, publication_drops, redraw_ms = [], [], []
next_publication = time.monotonic() + {publish_every}
while time.monotonic() < end:
    draft = workflow.working_draft(Report.objects.get(pk=rng.choice(ids)))
    draft.title = f"Situation report, revised {{saves}}"
    before = cached()
    draft.save()
    workflow.note_saved_draft(draft)
    draft_drops.append(len(dropped(before)))
    saves += 1
    if time.monotonic() >= next_publication:
        before = cached()
        workflow.publish_changes(draft)
        gone = dropped(before)
        publication_drops.append(gone)
        publications += 1
        next_publication += {publish_every}
        for path in gone:
            started = time.perf_counter()
            urllib.request.urlopen(site + path).read()
            redraw_ms.append((time.perf_counter() - started) * 1000)
    time.sleep({draft_every})
print("EDITOR " + json.dumps(dict(saves=saves, publications=publications,
    draft_drops=draft_drops, publication_drops=publication_drops, redraw_ms=redraw_ms)))
"""


def newsroom_mix(port, env, directory, seconds):
    """Readers on NEWSROOM_PAGES public pages while an editor saves a draft every DRAFT_EVERY
    seconds and publishes every PUBLISH_EVERY, for ``seconds``: a dict of req/s, p50, p95,
    p99 (ms), errors, hits, responses, and the editor's figures (drafts saved, publications,
    pages dropped by each draft save and by each publication, ms to draw those again)."""
    import json
    import subprocess
    from pathlib import Path

    from authors.models import Author
    from reports.models import Report
    from tags.models import Region, Topic

    reports = list(Report.objects.published().newest_first()[:NEWSROOM_PAGES])
    paths = ["/", "/reports/", "/regions/", "/topics/", "/authors/"]
    paths += [f"/reports/?page={n}" for n in range(2, 11)]
    paths += [region.get_absolute_url() for region in Region.objects.major()]
    paths += [topic.get_absolute_url() for topic in Topic.objects.order_by("pk")[:15]]
    paths += [author.get_absolute_url() for author in Author.objects.order_by("pk")[:15]]
    shown = reports[: NEWSROOM_PAGES - len(paths)]
    paths += [r.get_absolute_url() for r in shown]
    (directory / "paths.txt").write_text("\n".join(paths) + "\n")
    for path in paths:  # the readers find the pages cached, as on a running site
        urllib_get(f"http://127.0.0.1:{port}{path}")
    (directory / "mix.lua").write_text(WRK_MIX)
    code = EDITOR.format(
        seconds=seconds,
        draft_every=DRAFT_EVERY,
        publish_every=PUBLISH_EVERY,
        paths=str(directory / "paths.txt"),
        ids=[r.pk for r in shown[:20]],  # the newest: on the home page and the listings
        port=port,
    )
    editor = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=str(Path(__file__).resolve().parents[1]),
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(directory / "mix.lua")]
        command += [f"http://127.0.0.1:{port}/", str(directory / "paths.txt")]
        output = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        ).stdout
        told = editor.communicate(timeout=seconds + 120)[0]
    finally:
        if editor.poll() is None:
            editor.kill()
            editor.wait()
    figures = json.loads(next(x for x in told.splitlines() if x.startswith("EDITOR "))[7:])
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    _, _count, rate, p50, p95, p99, errors, hits, count = line.split()
    return {
        "rate": float(rate),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "errors": int(errors),
        "hits": int(hits),
        "count": int(count),
        **figures,
    }


def urllib_get(url):
    """The body of ``url`` (a page of the site under test, on loopback)."""
    import urllib.request

    with urllib.request.urlopen(url) as response:  # noqa: S310 (loopback)
        return response.read()


def print_newsroom(mix):
    """Print the newsroom mix's figures (``newsroom_mix``)."""
    print(
        f"\nNewsroom mix: readers on {NEWSROOM_PAGES} pages while an editor saves a draft every"
        f" {DRAFT_EVERY} s and publishes changes every {PUBLISH_EVERY} s"
        f" ({mix['saves']} drafts saved, {mix['publications']} publications):"
    )
    print(
        f"  {mix['rate']:.0f} req/s, p50 {mix['p50']:.2f} ms, p95 {mix['p95']:.2f} ms,"
        f" p99 {mix['p99']:.2f} ms, {mix['errors']} errors,"
        f" cache hits {mix['hits'] / max(mix['count'], 1):.2%} of {mix['count']:,}"
        f" ({mix['count'] - mix['hits']:,} drawn)"
    )
    print(f"  readers' pages dropped by each draft save: {mix['draft_drops']}")
    for gone in mix["publication_drops"]:
        print(f"  dropped by a publication: {len(gone)} of {NEWSROOM_PAGES}: {' '.join(gone)}")
    if mix["redraw_ms"]:
        print(
            f"  drawn again after a publication: median {statistics.median(mix['redraw_ms']):.1f}"
            f" ms, slowest {max(mix['redraw_ms']):.1f} ms"
        )


# Search: a fixed set of typical queries (one word, phrases, or/not, filters, misspelt and
# matching nothing, very common words), each page with its facets and suggestions.
SEARCH_QUERIES = [
    ("one word", {"q": "ukraine"}),
    ("one word, another", {"q": "france"}),
    ("very common word", {"q": "happened"}),
    ("very common word, page 2", {"q": "report", "page": "2"}),
    ("two common words", {"q": "region matters"}),
    ("phrase", {"q": '"why it matters"'}),
    ("phrase, rare", {"q": '"situation report 4242"'}),
    ("headline number", {"q": "31337"}),
    ("or", {"q": "ukraine or russia"}),
    ("not", {"q": "happened -ukraine"}),
    ("or and not", {"q": "kenya or uganda -tanzania"}),
    ("word + region", {"q": "happened", "region": "europe"}),
    ("word + topic", {"q": "report", "topic": "topic-1"}),
    ("word + author", {"q": "ukraine", "author": "analyst-3"}),
    ("word + kind + year", {"q": "matters", "kind": "sitrep", "year": "2026"}),
    ("word + dates", {"q": "happened", "since": "2026-01-01", "until": "2026-12-31"}),
    ("topic name", {"q": "topic 7"}),
    ("region name", {"q": "europe"}),
    ("misspelt region", {"q": "ukrane"}),
    ("misspelt headline word", {"q": "sitaution"}),
    ("no match", {"q": "zanzibar"}),
    ("filters only", {"topic": "topic-1", "kind": "sitrep"}),
    ("region only", {"region": "africa"}),
]


def measure_search(repeat):
    """Each SEARCH_QUERIES page ``repeat`` times as readers mostly get it (what it finds kept
    in the cache, reports.search_results) and ``repeat`` times cold (as after a publication:
    the kept results dropped first). Returns rows of (label, status, queries cold, median ms
    kept, median ms cold, results), then (p50, p95) kept and (p50, p95) cold, over all runs."""
    from urllib.parse import urlencode

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tags.report_counts import LISTINGS, TEXT, renew

    client = Client()
    rows, kept_all, cold_all = [], [], []

    def timed(path):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
        return elapsed, len(queries), response

    for label, params in SEARCH_QUERIES:
        path = "/search/?" + urlencode(params)
        client.get(path)
        kept = [timed(path)[0] for _ in range(repeat)]
        cold = []
        for _ in range(repeat):
            renew(LISTINGS, TEXT)  # what a publication of a new report does
            elapsed, queries, response = timed(path)
            cold.append(elapsed)
        page = response.context["page"] if response.context else None
        found = page.paginator.count if page is not None else 0
        median_kept, median_cold = statistics.median(kept), statistics.median(cold)
        rows.append((label, response.status_code, queries, median_kept, median_cold, found))
        kept_all += kept
        cold_all += cold
    return rows, _p50_p95(kept_all), _p50_p95(cold_all)


def _p50_p95(timings):
    timings = sorted(timings)
    return statistics.median(timings), timings[round(0.95 * (len(timings) - 1))]


def print_search(repeat):
    rows, kept, cold = measure_search(repeat)
    width = max(len(label) for label, *_ in rows)
    print(f"\n{'search, with facets':<{width}}  status  queries  kept ms  cold ms  results")
    for label, status, queries, median_kept, median_cold, found in rows:
        print(
            f"{label:<{width}}  {status:>6}  {queries:>7}  {median_kept:>7.1f}  {median_cold:>7.1f}"
            f"  {found:>7,}"
        )
    print(
        f"Search over {len(rows)} queries x {repeat}: kept p50 {kept[0]:.1f} ms, p95"
        f" {kept[1]:.1f} ms; cold (after a publication) p50 {cold[0]:.1f} ms, p95 {cold[1]:.1f} ms"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=None)
    parser.add_argument(
        "--load", action="store_true", help="cached pages under gunicorn and wrk (see above)"
    )
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run, in load mode")
    parser.add_argument(
        "--rounds", type=int, default=3, help="turns of each page and its ceiling, in load mode"
    )
    parser.add_argument(
        "--mix-seconds", type=int, default=130, help="the newsroom mix, in load mode"
    )
    parser.add_argument(
        "--uncached-only",
        action="store_true",
        help="in load mode, measure only the pages drawn afresh (page cache off)",
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--search-only", action="store_true", help="only the search queries")
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="measure the reports already in DATABASE_URL instead of seeding afresh",
    )
    args = parser.parse_args(argv)
    if args.reports is None:
        args.reports = 2_000 if args.load else 100_000
    if args.seconds > 60:
        parser.error("--seconds is at most 60")
    if not PUBLISH_EVERY + DRAFT_EVERY <= args.mix_seconds <= 600:
        parser.error(
            f"--mix-seconds is from {PUBLISH_EVERY + DRAFT_EVERY} (one publication) to 600"
        )
    if args.no_seed and not os.environ.get("DATABASE_URL"):
        parser.error("--no-seed needs DATABASE_URL: a temporary database starts empty")

    tmp = tempfile.mkdtemp(prefix="diethnos-bench-")
    configure(os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3")
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from reports.models import Report
    from tags.models import Region

    if args.no_seed:
        call_command("migrate", verbosity=0)
        print(f"Database: {connection.vendor}; {Report.objects.count():,} reports\n", flush=True)
    else:
        print(f"Database: {connection.vendor}; seeding {args.reports:,} reports ...", flush=True)
        seconds = seed(args.reports)
        print(f"Seeded in {seconds:.1f} s")
        print(f"Search index built in {build_search_index():.1f} s\n")
    gather_statistics()
    if args.load:
        return load(args, tmp)

    if args.search_only:
        print_search(args.repeat)
        return 0
    report = Report.objects.published().first()
    published = Report.objects.published().count()
    last_page = max(1, (published + 19) // 20)
    europe = Region.objects.get(slug="europe")
    in_europe = Report.objects.published().in_region(europe).count()
    from reports.models import UpdateNote

    corrections = UpdateNote.objects.corrections().public().count()
    from authors.models import Author

    author_id = Author.objects.get(slug="analyst-1").pk
    paths = [
        ("home", "/"),
        ("report page", report.get_absolute_url()),
        ("all reports, page 1", "/reports/"),
        ("API report list, page 1", "/api/v1/reports/"),
        ("API report list, Europe", "/api/v1/reports/?region=europe"),
        ("all reports, last page", f"/reports/?page={last_page}"),
        ("region (World)", "/regions/world/"),
        ("region (Europe), page 1", "/regions/europe/"),
        ("region (Europe), last page", f"/regions/europe/?page={max(1, (in_europe + 19) // 20)}"),
        ("region (Sahel grouping)", "/regions/sahel/"),
        ("topic", "/topics/topic-1/"),
        ("author", "/authors/analyst-1/"),
        ("region index", "/regions/"),
        ("search, one word", "/search/?q=happened"),
        ("search, words + region", "/search/?q=report+matters&region=europe"),
        ("search, no match", "/search/?q=zanzibar"),
        ("search, filters only", "/search/?topic=topic-1&kind=sitrep"),
        ("corrections, page 1", "/corrections/"),
        ("corrections, last page", f"/corrections/?page={max(1, (corrections + 19) // 20)}"),
        ("corrections feed", "/corrections/feed/"),
        ("feed", "/feed/"),
        ("JSON Feed", "/feed.json"),
        ("region feed (Europe)", "/regions/europe/feed/"),
        ("topic JSON Feed", "/topics/topic-1/feed.json"),
        ("sitemap index", "/sitemap.xml"),
        ("sitemap, reports, page 1", "/sitemap-reports.xml"),
        ("sitemap, reports, page 2", "/sitemap-reports.xml?p=2"),
        ("sitemap, regions", "/sitemap-regions.xml"),
        ("sitemap, topics", "/sitemap-topics.xml"),
        ("sitemap, authors", "/sitemap-authors.xml"),
        ("news sitemap", "/news-sitemap.xml"),
    ]
    desk = desk_client()
    desk_list = "/admin/reports/report/"
    desk_pages = max(1, (Report.objects.count() + 99) // 100)
    paths += [
        ("desk list, page 1", desk_list, desk),
        ("desk list, last page", f"{desk_list}?p={desk_pages}", desk),
        ("desk list, published", f"{desk_list}?status__exact=published", desk),
        ("desk list, region", f"{desk_list}?region=europe", desk),
        ("desk list, topic", f"{desk_list}?topic=topic-1", desk),
        ("desk list, author", f"{desk_list}?authors__id__exact={author_id}", desk),
        ("desk list, search", f"{desk_list}?q=matters", desk),
    ]
    rows = measure(paths, args.repeat)
    from tags.report_counts import LISTINGS, TEXT

    rows[2:2] = [
        # After any report is published, moved or withdrawn: its related reports chosen again.
        measure_renewed("report page, related chosen", paths[1][1], [LISTINGS], args.repeat),
        # After a correction of any live report: their cards' rows read again.
        measure_renewed("report page, after a correction", paths[1][1], [TEXT], args.repeat),
    ]
    # After any report is published, moved or withdrawn: its lists and topics read again.
    rows[1:1] = [
        measure_renewed("home, after a change to the listings", "/", [LISTINGS], args.repeat)
    ]
    # Memory on a second pass: tracing allocations slows Python down, so it spoils timings.
    tracemalloc.start()
    measure(paths, 1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    width = max(len(label) for label, *_ in rows)
    print(f"{'page':<{width}}  status  queries  median ms    bytes")
    for label, _path, status, queries, median, size in rows:
        print(f"{label:<{width}}  {status:>6}  {queries:>7}  {median:>9.1f}  {size:>7,}")
    home = rows[0][4]
    print(f"\nSlowest page vs home: {max(r[4] for r in rows) / home:.1f}x")
    print_search(args.repeat)
    print(f"Peak Python memory while serving: {peak / 1024 / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
