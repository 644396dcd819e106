"""How many published reports each region and topic holds, kept in the cache.

Counting every published report takes hundreds of milliseconds on a large site, so the region
index's counts and the home page's topics are stored in the shared cache with the
*generation* they were counted in. A committed change that can move a count (a report saved or
deleted, its regions or topics changed, a region, a grouping's members or a topic changed: see
``reports.signals``) gives the generation a new random value, at once and again when it
commits, so counts drawn before it, or while it was committed, are never used again. Stored
counts also lapse when the next scheduled report goes live.
"""

import time
import uuid

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from .models import Region, Topic

GENERATION_KEY = "report-counts-generation"
# A bound on how long counts are kept, should a new generation fail to reach the cache.
COUNTS_SECONDS = 300


def _cached(key, count):
    """The value stored under ``key`` if counted in the current generation and not lapsed,
    else ``count()`` (which returns (value, lapse timestamp or 0 for never)), stored."""
    found = cache.get_many([key, GENERATION_KEY])
    generation = found.get(GENERATION_KEY)
    stored = found.get(key)
    if generation is not None and isinstance(stored, tuple) and stored[0] == generation:
        _, lapses_at, value = stored
        if not lapses_at or lapses_at > time.time():
            return value
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), None)
        generation = cache.get(GENERATION_KEY)
    value, lapses_at = count()
    if generation is not None:
        cache.set(key, (generation, lapses_at, value), COUNTS_SECONDS)
    return value


def region_report_counts():
    """{region id: number of published reports it holds, rolled up as on its page}, from the
    cache when current (no query), else counted afresh (four queries) and stored."""
    return _cached("region-report-counts", _count_regions)


def _count_regions():
    # The published reports' primary regions and the next scheduled publication, in one query.
    Report = apps.get_model("reports", "Report")
    now = timezone.now()
    primary, upcoming = [], []
    rows = Report.objects.filter(status=Report.Status.PUBLISHED, publish_at__isnull=False)
    for pk, region_id, publish_at in rows.values_list("pk", "primary_region_id", "publish_at"):
        if publish_at > now:
            upcoming.append(publish_at)
        elif region_id is not None:
            primary.append((pk, region_id))
    counts = Region.objects.report_counts(Report.objects.published(), primary=primary)
    # A report that went live while the counts were drawn makes them lapse at once.
    return counts, min(upcoming).timestamp() if upcoming else 0


def topics_filed_under_published():
    """The topics published reports are filed under, by name, each with ``report_count``
    (a list of Topic), from the cache when current (no query), else in one query."""
    return _cached("topics-filed-under", _count_topics)


def _count_topics():
    Report = apps.get_model("reports", "Report")
    # Each row carries the next scheduled publication, so that it takes no query of its own.
    next_due = Report.objects.scheduled().order_by("publish_at").values("publish_at")[:1]
    topics = list(
        Topic.objects.filed_under(Report.objects.published()).annotate(next_due=Subquery(next_due))
    )
    if not topics:
        return topics, time.time()  # nothing told when the next report goes live: not kept
    next_due = topics[0].next_due
    return topics, next_due.timestamp() if next_due else 0


def _new_generation():
    return uuid.uuid4().hex


def counts_changed(**kwargs):
    """Signal receiver: the counts may change with the current transaction. The generation
    changes now (this transaction's own reads count afresh) and again once it commits (counts
    another request drew meanwhile, without the change, are dropped)."""
    _next_generation()
    transaction.on_commit(_next_generation)


def _next_generation():
    cache.set(GENERATION_KEY, _new_generation(), None)
