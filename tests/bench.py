"""Performance benchmark: seeds a large data set and prints page timings, query counts and memory.

    make bench                       # 100,000 reports on a fresh SQLite file
    DATABASE_URL=postgres://... make bench
    python -m tests.bench --reports 20000
    DATABASE_URL=postgres://... python -m tests.bench --no-seed   # measure again, same data
    python -m tests.bench --load     # cached pages under gunicorn and wrk (2,000 reports)

The load mode starts a redis-server, the site under gunicorn (2 sync workers, page cache on)
and a bare Django view serving the same bytes (tests/bench_ceiling.py) on free ports, drives
each with wrk on loopback (--seconds each, 2 threads, 16 connections), prints req/s and
p50/p95/p99 latency and the ratio to that ceiling, and stops all it started.

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


def measure(paths, repeat):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    rows = []
    for label, path in paths:
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
        site = Gunicorn(env, *sync)
        started.append(site)
        report = Report.objects.published().first()
        pages = [
            ("report page", report.get_absolute_url()),
            ("listing page 1", "/reports/"),
            ("API report list", "/api/v1/reports/"),
        ]
        script = directory / "report.lua"
        script.write_text(WRK_REPORT)
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
            ours = wrk(url, args.seconds, str(script))
            bare = wrk(ceiling_url, args.seconds, str(script))
            ceiling.stop()
            started.remove(ceiling)
            rows.append((label, cache, len(body), ours, bare))
        newsroom = newsroom_mix(site.port, env, directory, args.seconds)
    finally:
        for server in started:
            server.stop()
        redis.stop()
    print("cached page (X-Cache)        bytes    req/s   p50 ms   p95 ms   p99 ms  errors")
    for label, cache, size, ours, bare in rows:
        for name, figures in ((f"{label} ({cache})", ours), ("  bare Django view", bare)):
            rate, p50, p95, p99, errors = figures
            print(
                f"{name:<27} {size:>7,} {rate:>8.0f} {p50:>8.2f} {p95:>8.2f} {p99:>8.2f}"
                f" {errors:>7}"
            )
        print(f"  ratio to the ceiling: {ours[0] / bare[0]:.2f}")
    rate, p50, p95, p99, errors, hits, count, saves, publications = newsroom
    print(
        f"\nNewsroom mix: readers on {NEWSROOM_PAGES} pages while an editor saves a draft every"
        f" {DRAFT_EVERY} s and publishes changes every {PUBLISH_EVERY} s"
        f" ({saves} drafts saved, {publications} publications):"
    )
    print(
        f"  {rate:.0f} req/s, p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms,"
        f" {errors} errors, cache hits {hits / max(count, 1):.1%} of {count:,}"
    )
    return 0


NEWSROOM_PAGES = 200
DRAFT_EVERY, PUBLISH_EVERY = 1, 5  # seconds: the 10 s and 60 s, compressed

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

EDITOR = """
import random, time
from reports import workflow
from reports.models import Report

rng = random.Random(7)
ids = list(Report.objects.published().values_list("pk", flat=True)[:500])
end = time.monotonic() + {seconds}
saves = publications = 0
next_publication = time.monotonic() + {publish_every}
while time.monotonic() < end:
    draft = workflow.working_draft(Report.objects.get(pk=rng.choice(ids)))
    draft.title = f"Situation report, revised {{saves}}"
    draft.save()
    workflow.note_saved_draft(draft)
    saves += 1
    if time.monotonic() >= next_publication:
        workflow.publish_changes(draft)
        publications += 1
        next_publication += {publish_every}
    time.sleep({draft_every})
print("EDITOR", saves, publications)
"""


def newsroom_mix(port, env, directory, seconds):
    """Readers on NEWSROOM_PAGES public pages while an editor saves and publishes: (req/s,
    p50, p95, p99 ms, errors, cache hits, responses, drafts saved, publications)."""
    import subprocess
    import urllib.request
    from pathlib import Path

    from authors.models import Author
    from reports.models import Report
    from tags.models import Region, Topic

    reports = Report.objects.published().newest_first()
    paths = ["/", "/reports/", "/regions/", "/topics/", "/authors/"]
    paths += [f"/reports/?page={n}" for n in range(2, 11)]
    paths += [region.get_absolute_url() for region in Region.objects.major()]
    paths += [topic.get_absolute_url() for topic in Topic.objects.order_by("pk")[:15]]
    paths += [author.get_absolute_url() for author in Author.objects.order_by("pk")[:15]]
    paths += [r.get_absolute_url() for r in reports[: NEWSROOM_PAGES - len(paths)]]
    (directory / "paths.txt").write_text("\n".join(paths) + "\n")
    for path in paths:  # the readers find the pages cached, as on a running site
        urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read()  # noqa: S310
    (directory / "mix.lua").write_text(WRK_MIX)
    code = EDITOR.format(seconds=seconds, draft_every=DRAFT_EVERY, publish_every=PUBLISH_EVERY)
    editor = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=str(Path(__file__).resolve().parents[1]),
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(directory / "mix.lua")]
    command += [f"http://127.0.0.1:{port}/", str(directory / "paths.txt")]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    _, saves, publications = editor.communicate(timeout=seconds + 60)[0].split()[-3:]
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    _, _count, rate, p50, p95, p99, errors, hits, count = line.split()
    return (
        float(rate),
        float(p50),
        float(p95),
        float(p99),
        int(errors),
        int(hits),
        int(count),
        int(saves),
        int(publications),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=None)
    parser.add_argument(
        "--load", action="store_true", help="cached pages under gunicorn and wrk (see above)"
    )
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run, in load mode")
    parser.add_argument("--repeat", type=int, default=5)
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

    report = Report.objects.published().first()
    published = Report.objects.published().count()
    last_page = max(1, (published + 19) // 20)
    europe = Region.objects.get(slug="europe")
    in_europe = Report.objects.published().in_region(europe).count()
    from reports.models import UpdateNote

    corrections = UpdateNote.objects.corrections().public().count()
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
    ]
    rows = measure(paths, args.repeat)
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
    print(f"Peak Python memory while serving: {peak / 1024 / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
