"""What a search offers besides its results: the region or topic page its words name, and
"Did you mean …?" when it finds little.

On PostgreSQL suggestions come from trigram similarity (``pg_trgm``, with trigram GIN indexes):
the whole query against region, topic and author names, then each word no published report
holds against the words of published headlines. On other databases (SQLite) only names are
suggested, by Python's ``difflib``. Only published reports lend their words, and only topics
and authors with a published report lend their names; the region tree is public as a whole.
"""

import difflib
import re
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connections, transaction
from django.db.models import BooleanField, F, Func
from django.db.models import Value as Text

from authors.models import Author
from diethnos.slugs import slug_for
from tags.models import Region, Topic

from . import search
from .models import Report, ReportAuthor, TaggedReport
from .search import uses_full_text

FEW_RESULTS = 3  # fewer results than this and a suggestion is looked for
NAME_SIMILARITY = 0.45  # a name at least this similar to the whole query is offered
WORD_SIMILARITY = 0.4  # a headline word at least this similar to a query word replaces it
MAX_WORDS = 4
MIN_WORD_LENGTH = 3
_WORD = re.compile(r"\w+")


@dataclass
class NamedPage:
    kind: str  # "Region" or "Topic"
    name: str
    url: str


def named_page(text):
    """The region's or topic's page whose name ``text`` is (compared as slugs, so whatever
    its case, accents or script), as a ``NamedPage``, or None; a region first. Two queries at
    most."""
    slug = slug_for(text, 200)
    if not slug:
        return None
    for kind, model in (("Region", Region), ("Topic", Topic)):
        found = model.objects.filter(slug=slug).first()
        if found:
            return NamedPage(kind, found.name, found.get_absolute_url())
    return None


def did_you_mean(text, result_count):
    """A better query than ``text`` (a str), or None: looked for only when the search found
    fewer than FEW_RESULTS reports."""
    if result_count >= FEW_RESULTS or not text:
        return None
    if uses_full_text():
        suggestion = _closest_name_pg(text) or _corrected_words_pg(text)
    else:
        suggestion = _closest_name_plain(text)
    if suggestion and suggestion.casefold() != text.casefold():
        return suggestion
    return None


def _named():
    """The querysets whose ``name`` may be suggested: every region, topics and active authors
    with a published report."""
    published = Report.objects.published().values("pk")
    filed = TaggedReport.objects.filter(content_object_id__in=published).values("tag_id")
    bylined = ReportAuthor.objects.filter(report_id__in=published).values("author_id")
    return [
        Region.objects.all(),
        Topic.objects.filter(pk__in=filed),
        Author.objects.active().filter(pk__in=bylined),
    ]


class TrigramSimilar(Func):
    """``name % text``: the two share enough trigrams (PostgreSQL, GIN-indexed)."""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _closest_name_pg(text):
    best = None
    for names in _named():
        found = (
            names.annotate(similarity=TrigramSimilarity("name", text))
            .filter(TrigramSimilar(F("name"), Text(text)), similarity__gte=NAME_SIMILARITY)
            .order_by("-similarity", "name")
            .values_list("name", "similarity")
            .first()
        )
        if found and (best is None or found[1] > best[1]):
            best = found
    return best[0] if best else None


# For each query word no published report holds, the most similar word of published headlines
# with a stretch like it: the trigram index finds up to CANDIDATE_HEADLINES such headlines (in no
# order: ordering every headline by likeness reads them all when a word is like every
# headline's), then their words are compared one by one. A word some report holds (its stored
# vector has it, in any configuration in use) is left as it is.
CANDIDATE_HEADLINES = 200
WORDS_SQL = """
SELECT asked.word, CASE WHEN EXISTS (
    SELECT 1 FROM ({vectors}) AS known WHERE known.search_vector @@ ({query})
) THEN NULL ELSE (
    SELECT candidate.word
    FROM (
        SELECT DISTINCT lower(piece) AS word
        FROM (
            SELECT headline.title FROM ({published}) AS headline
            WHERE asked.word <%% headline.title
            LIMIT %s
        ) AS close, regexp_split_to_table(close.title, '[^[:alnum:]]+') AS piece
    ) AS candidate
    WHERE similarity(candidate.word, asked.word) >= %s
    ORDER BY similarity(candidate.word, asked.word) DESC, candidate.word
    LIMIT 1
) END
FROM unnest(%s::text[]) WITH ORDINALITY AS asked(word, position)
ORDER BY asked.position
"""


def _corrected_words_pg(text):
    words = [word.lower() for word in _WORD.findall(text)][:MAX_WORDS]
    asked = [word for word in words if len(word) >= MIN_WORD_LENGTH]
    if not asked:
        return None
    published = Report.objects.published().order_by()
    vectors, vector_params = published.values("search_vector").query.sql_with_params()
    titles, title_params = published.values("title").query.sql_with_params()
    configs = search.configs_in_use()
    query = " || ".join(["plainto_tsquery(%s::regconfig, asked.word)"] * len(configs))
    sql = WORDS_SQL.format(vectors=vectors, query=query, published=titles)
    params = [*vector_params, *configs, *title_params, CANDIDATE_HEADLINES, WORD_SIMILARITY]
    connection = connections["default"]
    with transaction.atomic(), connection.cursor() as cursor:
        # The headline's closest stretch need only be this alike for ``<%`` to keep it.
        cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [WORD_SIMILARITY])
        cursor.execute(sql, [*params, asked])
        better = {word: found for word, found in cursor.fetchall() if found}
    if not better:
        return None
    return " ".join(better.get(word, word) for word in words)


def _closest_name_plain(text):
    names = [name for queryset in _named() for name in queryset.values_list("name", flat=True)]
    by_key = {name.casefold(): name for name in names}
    close = difflib.get_close_matches(text.casefold(), by_key, n=1, cutoff=0.75)
    return by_key[close[0]] if close else None
