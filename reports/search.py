"""Finding reports by their words.

On PostgreSQL each report keeps a stored, weighted search vector (GIN-indexed): headline first,
then summary and key points, then regions and topics, then the body. It is rebuilt after the
transaction that changed the report, its key points, regions or topics commits, because a
generated column cannot read related rows. Elsewhere (SQLite) words are matched plainly.
"""

import threading

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connections, transaction
from django.db.models import F, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat

# Around the matched words in a headline: characters no report contains, replaced by <mark>
# once the rest is escaped (see the ``highlight`` template filter).
MARK_START, MARK_END = "\x02", "\x03"
MAX_PLAIN_WORDS = 8

_pending = threading.local()


def uses_full_text(db_alias="default"):
    return connections[db_alias].vendor == "postgresql"


def _text_of(rows, field, key):
    """The ``field`` of every row of ``rows`` that belongs to the report, as one text."""
    return Coalesce(
        Subquery(
            rows.filter(**{key: OuterRef("pk")})
            .values(key)
            .annotate(text=StringAgg(field, " "))
            .values("text")
        ),
        Value(""),
        output_field=TextField(),
    )


def _vector(weight, *parts):
    spaced = [piece for part in parts for piece in (part, Value(" "))]
    text = Concat(*spaced, output_field=TextField()) if len(parts) > 1 else parts[0]
    return SearchVector(text, weight=weight, config=settings.SEARCH_CONFIG)


def document():
    """The weighted vector of a report, as an expression over its row and related rows.

    HTML tags in the body are not indexed: PostgreSQL's parser tells them from words.
    """
    from tags.models import Region

    from .models import KeyPoint, Report, TaggedReport

    regions = Report.regions.through.objects.all()
    primary = Coalesce(
        Subquery(Region.objects.filter(pk=OuterRef("primary_region_id")).values("name")[:1]),
        Value(""),
        output_field=TextField(),
    )
    return (
        _vector("A", F("title"))
        + _vector("B", F("summary"), _text_of(KeyPoint.objects.all(), "text", "report"))
        + _vector(
            "C",
            primary,
            _text_of(regions, "region__name", "report"),
            _text_of(TaggedReport.objects.all(), "tag__name", "content_object"),
        )
        + _vector("D", F("body"))
    )


def reindex(report_ids):
    """Rebuild the stored search vector of these reports, in one query (PostgreSQL only)."""
    from .models import Report

    if report_ids and uses_full_text():
        Report.objects.filter(pk__in=report_ids).update(search_vector=document())


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
