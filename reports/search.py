"""Finding reports by their words.

On PostgreSQL each report keeps a stored, weighted search vector (GIN-indexed): headline first,
then summary and key points, then regions and topics, then the body. It is rebuilt after the
transaction that changed the report, its key points, regions or topics commits, because a
generated column cannot read related rows. Elsewhere (SQLite) words are matched plainly.
"""

import threading

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connections, transaction
from django.db.models import F, Q, TextField, Value
from django.utils.html import strip_tags

# Around the matched words in a headline: characters no report contains, replaced by <mark>
# once the rest is escaped (see the ``highlight`` template filter).
MARK_START, MARK_END = "\x02", "\x03"
MAX_PLAIN_WORDS = 8

_pending = threading.local()


def uses_full_text(db_alias="default"):
    return connections[db_alias].vendor == "postgresql"


def _vector(text, weight):
    config = settings.SEARCH_CONFIG
    return SearchVector(Value(text, output_field=TextField()), weight=weight, config=config)


def reindex(report_ids):
    """Rebuild the stored search vector of these reports (PostgreSQL only)."""
    from .models import Report

    if not report_ids or not uses_full_text():
        return
    reports = Report.objects.filter(pk__in=report_ids).prefetch_related(
        "key_points", "topics", "regions", "primary_region"
    )
    for report in reports:
        regions = {region.name for region in report.regions.all()}
        if report.primary_region:
            regions.add(report.primary_region.name)
        words = [
            (report.title, "A"),
            (" ".join([report.summary, *(point.text for point in report.key_points.all())]), "B"),
            (" ".join([*sorted(regions), *(topic.name for topic in report.topics.all())]), "C"),
            (strip_tags(report.body), "D"),
        ]
        vector = _vector(*words[0])
        for text, weight in words[1:]:
            vector = vector + _vector(text, weight)
        Report.objects.filter(pk=report.pk).update(search_vector=vector)


def reindex_on_commit(report_id):
    """Rebuild the report's vector once the current transaction commits.

    A save through the editors' desk touches a report many times (key points, regions,
    topics): the ids are gathered and the first callback after the commit rebuilds them all.
    """
    if not report_id or not uses_full_text():
        return
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    _pending.ids.add(report_id)
    transaction.on_commit(_reindex_pending)


def _reindex_pending():
    ids, _pending.ids = getattr(_pending, "ids", set()), set()
    reindex(ids)


def matching(reports, text):
    """``reports`` that match the words of ``text``, best first on PostgreSQL."""
    if uses_full_text(reports.db):
        query = SearchQuery(text, search_type="websearch", config=settings.SEARCH_CONFIG)
        return (
            reports.filter(search_vector=query)
            .annotate(
                rank=SearchRank(F("search_vector"), query),
                headline=SearchHeadline(
                    "summary",
                    query,
                    config=settings.SEARCH_CONFIG,
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    highlight_all=True,
                ),
            )
            .order_by("-rank", "-publish_at", "-pk")
        )
    condition = Q()
    for word in text.split()[:MAX_PLAIN_WORDS]:
        condition &= (
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(key_points__text__icontains=word)
            | Q(body__icontains=word)
            | Q(topics__name__icontains=word)
            | Q(primary_region__name__icontains=word)
        )
    ids = reports.model.objects.filter(condition).values("pk")
    return reports.filter(pk__in=ids).order_by("-publish_at", "-pk")
