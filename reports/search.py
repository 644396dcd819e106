"""Finding reports by their words.

On PostgreSQL each report keeps a stored, weighted search vector (GIN-indexed): headline first,
then summary and key points, then regions and topics, then the body, read with the text search
configuration of the report's language (``reports.languages``). It is rebuilt after the
transaction that changed the report, its key points, regions or topics commits, because a
generated column cannot read related rows. A search reads the words with every configuration in
use, so that an English and a Greek report are both found by their own stemming. Elsewhere
(SQLite) words are matched plainly.
"""

import functools
import operator
import re
import threading

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connections, transaction
from django.db.models import (
    Case,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from . import languages

# Around the matched words in a headline: characters no report contains, replaced by <mark>
# once the rest is escaped (see the ``highlight`` template filter).
MARK_START, MARK_END = "\x02", "\x03"
MAX_PLAIN_WORDS = 8
# Recency: a report this many days old counts 1.5 times its text rank, a new one twice.
RECENCY_DAYS = 30
# Only this many of the newest matches are ranked by relevance (see ``ranked``): as many as a
# search finding more can be paged through (``search_results.EXACT_UP_TO``).
RANKED = 2000

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


def report_config():
    """The text search configuration of each report's language, as an SQL expression."""
    return Case(
        *(
            When(language=code, then=Value(languages.search_config(code)))
            for code, _ in languages.CHOICES
        ),
        default=Value(languages.search_config(languages.DEFAULT)),
        output_field=TextField(),
    )


def _vector(weight, *parts):
    spaced = [piece for part in parts for piece in (part, Value(" "))]
    text = Concat(*spaced, output_field=TextField()) if len(parts) > 1 else parts[0]
    return SearchVector(text, weight=weight, config=report_config())


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


# The languages reports are written in, one index probe each (``report_language``) rather than
# a reading of the whole index.
LANGUAGES_SQL = """
WITH RECURSIVE used(language) AS (
    SELECT MIN(language) FROM {table}
    UNION ALL
    SELECT (SELECT MIN(language) FROM {table} WHERE language > used.language)
    FROM used WHERE used.language IS NOT NULL
)
SELECT language FROM used WHERE language IS NOT NULL
"""


def configs_in_use():
    """The text search configurations of the languages reports are written in (a sorted list
    of str), kept in the cache until a report changes (``tags.report_counts``)."""
    from tags.report_counts import kept_until_reports_change

    from .models import Report

    def draw():
        connection = connections[Report.objects.db]
        table = connection.ops.quote_name(Report._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(LANGUAGES_SQL.format(table=table))
            codes = [code for (code,) in cursor.fetchall()]
        configs = {languages.search_config(code) for code in codes}
        return sorted(configs or {languages.search_config(languages.DEFAULT)}), 0

    return kept_until_reports_change("search-configs", draw)


def full_text_query(text):
    """A SearchQuery for the words of ``text`` (web search syntax: "a phrase", or, -not),
    read with every configuration in use: a report matches when it matches in any of them."""
    queries = [SearchQuery(text, search_type="websearch", config=c) for c in configs_in_use()]
    return functools.reduce(operator.or_, queries)


def age_in_days():
    """How many days before the start of today (UTC) a report was published, as an SQL
    expression (PostgreSQL); 0 for today's reports.

    Measured from the start of the day, not from the moment of the query, so that a report's
    score stays the same all day: a page of results read later (the API's cursor, results kept
    in the cache) ranks the reports as the first page did.
    """
    return Func(
        F("publish_at"),
        template=(
            "GREATEST(EXTRACT(EPOCH FROM (date_trunc('day', NOW() AT TIME ZONE 'UTC')"
            " AT TIME ZONE 'UTC' - %(expressions)s)) / 86400.0, 0)"
        ),
        output_field=FloatField(),
    )


def relevance(query):
    """How well a report answers ``query``, favouring recent reports (PostgreSQL)::

        score = ts_rank(vector, query) * (1 + 1 / (1 + age_in_days / RECENCY_DAYS))

    ``ts_rank`` weighs a word in the headline 1, in the summary or key points 0.4, in the
    regions and topics 0.2 and in the body 0.1. The recency factor is 2 for a report published
    today, 1.5 at RECENCY_DAYS (30) days, and tends to 1 for old reports, so that a report
    about the words still ranks above a newer one that merely mentions them.
    """
    recency = Value(1.0) + Value(1.0) / (Value(1.0) + age_in_days() / Value(float(RECENCY_DAYS)))
    return SearchRank(F("search_vector"), query) * recency


def matches(reports, text):
    """``reports`` that match the words of ``text``, in no particular order and with nothing
    added (what facets count): by the stored vector on PostgreSQL, plainly elsewhere."""
    if uses_full_text(reports.db):
        return reports.filter(search_vector=full_text_query(text))
    found = reports.model.objects.all()
    for alternatives, negated in plain_terms(text):
        condition = Q()
        for term in alternatives:
            condition |= _plain_match(term)
        ids = reports.model.objects.filter(condition).values("pk")
        found = found.exclude(pk__in=ids) if negated else found.filter(pk__in=ids)
    return reports.filter(pk__in=found.values("pk"))


def plain_terms(text):
    """The terms of ``text`` in web search syntax, for plain matching: a list of
    (alternatives, negated), each alternatives a list of words or phrases ("a phrase" is
    matched as it is, ``a or b`` by either, ``-word`` excludes). At most MAX_PLAIN_WORDS."""
    terms, join_next = [], False
    for token in _TOKENS.findall(text)[:MAX_PLAIN_WORDS]:
        if token.lower() == "or":
            join_next = bool(terms) and not terms[-1][1]
            continue
        negated = token.startswith("-") and len(token) > 1
        word = token[1:] if negated else token
        word = word.strip('"').strip()
        if not word:
            continue
        if join_next and not negated:
            terms[-1][0].append(word)
        else:
            terms.append(([word], negated))
        join_next = False
    return terms


_TOKENS = re.compile(r'-?"[^"]*"?|\S+')


def _plain_match(term):
    return (
        Q(title__icontains=term)
        | Q(summary__icontains=term)
        | Q(key_points__text__icontains=term)
        | Q(body__icontains=term)
        | Q(topics__name__icontains=term)
        | Q(primary_region__name__icontains=term)
    )


def ranked(reports, text):
    """``reports`` (already narrowed by ``matches``) in the order a search shows them: on
    PostgreSQL best first (``relevance``), each with ``rank`` and ``headline``
    (``highlighted``); elsewhere newest first.

    Only the RANKED (2,000) newest of ``reports`` are ranked by relevance, so that a very
    common word is not ranked over the whole archive: older ones have ``rank`` 0 and follow
    them, newest first. A search with fewer matches ranks them all.
    """
    if not uses_full_text(reports.db):
        return reports.order_by("-publish_at", "-pk")
    rank = Case(
        When(pk__in=_newest(reports), then=relevance(full_text_query(text))),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return _by_rank(reports, text, rank)


def first_ranked(reports, text):
    """The first RANKED of ``ranked(reports, text)`` in the same order (a QuerySet, to be
    sliced to RANKED at most), read off the newest RANKED matches alone: quick however many
    reports match."""
    if not uses_full_text(reports.db):
        return ranked(reports, text)
    newest = reports.filter(pk__in=_newest(reports))
    return _by_rank(newest, text, relevance(full_text_query(text)))


def _newest(reports):
    return reports.order_by("-publish_at", "-pk").values("pk")[:RANKED]


def _by_rank(reports, text, rank):
    return highlighted(reports.annotate(rank=rank), text).order_by("-rank", "-publish_at", "-pk")


def highlighted(reports, text):
    """``reports`` each with ``headline``: its summary with the words of ``text`` marked
    (MARK_START, MARK_END), read in the report's language; unchanged but on PostgreSQL."""
    if not uses_full_text(reports.db):
        return reports
    return reports.annotate(
        headline=SearchHeadline(
            "summary",
            full_text_query(text),
            config=report_config(),
            start_sel=MARK_START,
            stop_sel=MARK_END,
            highlight_all=True,
        )
    )


def matching(reports, text):
    """``reports`` that match the words of ``text``, in the order a search shows them
    (``matches``, then ``ranked``)."""
    return ranked(matches(reports, text), text)
