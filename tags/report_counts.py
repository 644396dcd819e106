"""What is drawn from every published report, kept in the cache: how many each region and
topic holds, each listing's and the corrections log's counts, each report's related reports.

Drawing these takes hundreds of milliseconds on a large site, so each is stored in the shared
cache with the *generations* it was drawn in, one for each kind of change it follows:

- ``LISTINGS``: which published reports there are and where they are filed (a report
  published, unpublished, withdrawn or deleted; its publication time, kind, featuring, slug,
  regions, topics or bylines changed; a region, a grouping's members, a topic or an author
  edited). Every kept value follows it.
- ``TEXT``: what a live report's card says (its headline, standfirst...): any save of a live
  report. The rows of a report's related reports, which show cards, follow it; which reports
  they are, and counts, do not.
- ``NOTES``: the update and correction notes of published reports. The corrections log's
  count and the sitemaps' latest change follow it.

``reports.signals`` says which change renews which. A renewed generation gets a new random
value, at once and again when the change commits, so what was drawn before it, or while it
was committed, is never used again. A draft save, a review, a preview, a share link or a change
to a report readers cannot see renews nothing. What is stored also lapses when the next
scheduled report goes live.

A change saved while the cache cannot be reached cannot replace a generation there: it
retires the page cache's content version instead, which is kept in the database
(``diethnos.page_cache``), and the generation counted in includes it, so nothing drawn
before such a change is used once the cache answers again.
"""

import time
import uuid

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, Min, Q, Subquery
from django.utils import timezone

from diethnos import page_cache
from diethnos.cache import cache_misses_by_outage

from .models import Region, Topic

LISTINGS, TEXT, NOTES = "listings", "text", "notes"
GENERATIONS = (LISTINGS, TEXT, NOTES)
# A bound on how long counts are kept, should a new generation fail to reach the cache: as long
# as a process that did not see the cache fail trusts the cache's copy of the content version.
COUNTS_SECONDS = page_cache.VERSION_COPY_SECONDS


def _generation_key(kind):
    return f"report-counts-generation:{kind}"


def _generation(found, kinds):
    """The generation to count in, from ``found`` (the cache's answer for the generations of
    ``kinds`` and the page cache's state): theirs and the content version, or None."""
    generations = tuple(found.get(_generation_key(kind)) for kind in kinds)
    if None in generations:
        return None
    state = found.get(page_cache.VERSION_KEY)
    if cache_misses_by_outage() != page_cache.failures_seen():
        # This process saw the cache fail: the version is read from the database again.
        state, _ = page_cache.current_state(state)
    return (generations, state[0] if isinstance(state, tuple) else None)


def _current(found, key, kinds):
    """(whether the value stored under ``key`` is current, the value) from ``found``, the
    cache's answer for ``key``, the generations of ``kinds`` and the page cache's state."""
    generation = _generation(found, kinds)
    stored = found.get(key)
    if generation is not None and isinstance(stored, tuple) and stored[0] == generation:
        _, lapses_at, value = stored
        if not lapses_at or lapses_at > time.time():
            return True, value
    return False, None


def kept_until_reports_change(key, count, kinds=(LISTINGS,), read_with=()):
    """The value stored under ``key`` if counted in the current generations of ``kinds`` (a
    tuple of ``LISTINGS``, ``TEXT``, ``NOTES``: the changes it follows) and not lapsed, else
    ``count()`` (which returns (value, lapse timestamp or 0 for never)), stored.

    With ``read_with`` (other cache keys, read in the same round trip), returns (the value,
    {key: what the cache holds under it} for those of ``read_with`` it holds), and ``count``
    is given that dict."""
    generation_keys = [_generation_key(kind) for kind in kinds]
    found = cache.get_many([key, *read_with, *generation_keys, page_cache.VERSION_KEY])
    read = {name: found[name] for name in read_with if name in found}
    current, value = _current(found, key, kinds)
    if not current:
        counted = (lambda: count(read)) if read_with else count
        value = _count_and_keep(key, counted, kinds, found, generation_keys)
    return (value, read) if read_with else value


def _count_and_keep(key, count, kinds, found, generation_keys):
    missing = [name for name in generation_keys if found.get(name) is None]
    for name in missing:
        cache.add(name, _new_generation(), None)
    if missing:
        found.update(cache.get_many(missing))
    generation = _generation(found, kinds)
    value, lapses_at = count()
    if lapses_at and lapses_at <= time.time():
        return value  # a report went live while it was drawn: not kept
    if generation is not None:
        cache.set(key, (generation, lapses_at, value), COUNTS_SECONDS)
    return value


def region_report_count(region):
    """How many published reports ``region`` holds, as ``Report.objects.published()
    .in_region(region)`` counts them: from the cache when current (no query), else counted in
    one query and stored."""

    def count():
        Report = apps.get_model("reports", "Report")
        now = timezone.now()
        found = (
            Report.objects.filter(status=Report.Status.PUBLISHED)
            .in_region(region)
            .aggregate(
                count=Count("pk", filter=Q(publish_at__lte=now)),
                next_due=Min("publish_at", filter=Q(publish_at__gt=now)),
            )
        )
        next_due = found["next_due"]
        return found["count"], next_due.timestamp() if next_due else 0

    return kept_until_reports_change(f"region-report-count:{region.pk}", count)


def kept_count(key, rows, kinds=(LISTINGS,)):
    """How many ``rows`` there are (a QuerySet of what published reports show: the reports
    of a listing, or their notes), as a paginator counts them: from the cache when current
    (no query), else counted in one query and stored under ``key`` until a change of
    ``kinds`` (``kept_until_reports_change``) or the next scheduled report goes live."""

    def count():
        Report = apps.get_model("reports", "Report")
        next_due = Report.objects.scheduled().order_by("publish_at").values("publish_at")[:1]
        found = rows.order_by().aggregate(count=Count("pk"), next_due=Min(Subquery(next_due)))
        if not found["count"]:
            return 0, time.time()  # nothing told when the next report goes live: not kept
        next_due = found["next_due"]
        return found["count"], next_due.timestamp() if next_due else 0

    return kept_until_reports_change(f"count:{key}", count, kinds)


def count_regions():
    """({region id: number of published reports it holds, rolled up as on its page}, when the
    next scheduled report goes live: a timestamp or 0), in two queries."""
    Report = apps.get_model("reports", "Report")
    # Read first: a report going live while the counts are drawn makes them lapse at once.
    upcoming = Report.objects.scheduled().order_by("publish_at").values_list("publish_at")
    upcoming = upcoming.first()
    counts = Region.objects.report_counts(Report.objects.published())
    return counts, upcoming[0].timestamp() if upcoming else 0


def topics_filed_under_published():
    """The topics published reports are filed under, by name, each with ``report_count``
    (a list of Topic), from the cache when current (no query), else in one query."""
    return kept_until_reports_change("topics-filed-under", _count_topics)


def _count_topics():
    Report = apps.get_model("reports", "Report")
    # Each row carries the next scheduled publication, so that it takes no query of its own.
    next_due = Report.objects.scheduled().order_by("publish_at").values("publish_at")[:1]
    topics = list(
        Topic.objects.filed_under(Report.objects.published()).annotate(next_due=Subquery(next_due))
    )
    return topics, lapse_time(topics)


def with_next_publication(reports):
    """``reports`` (a QuerySet) with ``next_due`` on each row: the time the next scheduled
    report goes live (or None), for ``lapse_time``."""
    Report = apps.get_model("reports", "Report")
    next_due = Report.objects.scheduled().order_by("publish_at").values("publish_at")[:1]
    return reports.annotate(next_due=Subquery(next_due))


def lapse_time(rows):
    """When what was drawn from ``rows`` (from ``with_next_publication``) lapses: a timestamp,
    or 0 for never. Without rows, nothing told when the next report goes live: now."""
    if not rows:
        return time.time()
    return rows[0].next_due.timestamp() if rows[0].next_due else 0


def _new_generation():
    return uuid.uuid4().hex


def renew(*kinds):
    """What is kept may have changed with the current transaction, for changes of ``kinds``
    (``LISTINGS``, ``TEXT``, ``NOTES``): their generations change now (this transaction's own
    reads count afresh) and again once it commits (what another request drew meanwhile,
    without the change, is dropped), before the pages the transaction changed are purged."""
    _next_generation(kinds)
    page_cache.before_purge(lambda: _next_generation(kinds))


def counts_changed(**kwargs):
    """Signal receiver: which reports are published where, or the names shown with them,
    may change with the current transaction: ``renew(LISTINGS)``."""
    renew(LISTINGS)


def _next_generation(kinds):
    failures = cache_misses_by_outage()
    cache.set_many({_generation_key(kind): _new_generation() for kind in kinds}, None)
    if cache_misses_by_outage() != failures:
        page_cache.retire_all_pages()  # the cache missed the change: the database keeps it
