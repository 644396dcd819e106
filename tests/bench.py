"""Performance benchmark: seeds a large data set and prints page timings, query counts and memory.

    make bench                       # 100,000 reports on a fresh SQLite file
    DATABASE_URL=postgres://... make bench
    python -m tests.bench --reports 20000
    DATABASE_URL=postgres://... python -m tests.bench --no-seed   # measure again, same data

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="measure the reports already in DATABASE_URL instead of seeding afresh",
    )
    args = parser.parse_args(argv)
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
