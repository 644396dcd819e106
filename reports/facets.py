"""How many search results each filter value holds (facets), and the filters a search applies
(chips).

A facet's count is the number of results the reader gets by choosing that value, so a value is
counted within the results as they are filtered already. A facet whose filter is applied
shows that value alone, except the region facet, which also shows the regions within the chosen
one (their reports are all within it, so their counts are exact too).
"""

import re
from dataclasses import dataclass, field

from django.db import connections
from django.db.models.functions import ExtractYear
from django.utils.http import urlencode

from authors.models import Author
from diethnos.id_sets import members_of
from tags.models import Region, Topic, path_prefixes

from .models import Report, ReportAuthor, TaggedReport

SHOWN = 10  # values listed in a facet, most results first


@dataclass
class Value:
    """One value of a facet: what the filter parameter takes, its label, how many results it
    holds, whether it is applied, and the address of the search with it applied."""

    value: str
    label: str
    count: int
    selected: bool = False
    url: str = ""


@dataclass
class Facet:
    name: str  # the filter parameter: region, topic, author, kind or year
    label: str
    values: list = field(default_factory=list)


@dataclass
class Chip:
    """An applied filter, and the address of the search without it."""

    label: str
    url: str


def search_url(params, **changes):
    """The search's address with ``params`` (a dict of the query string's values) changed:
    a change to None removes the parameter. The page number is always dropped."""
    merged = {key: value for key, value in params.items() if value and key != "page"}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged) if merged else "?"


def facets(results, data, sample=None):
    """The facets of ``results`` (the filtered Report queryset, any order) and how many
    results there are: (list of ``Facet``, int). ``data`` is the search form's cleaned data.
    The values' addresses are left to ``link``.

    Every facet is counted in one query, which finds the results once; three more read the
    names of the regions, topics and authors counted. The kind facet's counts add up to the
    number of results.

    With ``sample`` (a percentage, PostgreSQL only), only the results in that share of the
    table's pages, drawn at random but the same each time (``TABLESAMPLE SYSTEM``), are
    counted, and every count is scaled up to an estimate rounded to two significant figures
    (``about``): quick however many reports match, within a few percent for a count of
    thousands.
    """
    counts = _counts(results, sample)
    built = [
        *_kinds_and_years(counts["kind"], data),
        _regions(counts["region"], data),
        _topics(counts["topic"], data),
        _authors(counts["author"], data),
    ]
    total = sum(value.count for value in built[0].values)
    return [facet for facet in built if facet.values], total


COUNTS_SQL = """
WITH found AS ({found})
SELECT 'kind', found.kind, found.year, NULL, COUNT(*) FROM found
GROUP BY found.kind, found.year
UNION ALL
SELECT 'region', NULL, NULL, members.member, COUNT(*) FROM ({members}) AS members
GROUP BY members.member
UNION ALL
SELECT 'topic', NULL, NULL, filed.{topic}, COUNT(*)
FROM {filed} AS filed JOIN found ON filed.{filed_report} = found.id
GROUP BY filed.{topic}
UNION ALL
SELECT 'author', NULL, NULL, byline.{author}, COUNT(*)
FROM {bylines} AS byline JOIN found ON byline.{byline_report} = found.id
GROUP BY byline.{author}
"""


def about(n):
    """``n`` (a number) rounded to two significant figures, as an int: 1,234 is about 1,200."""
    if n < 100:
        return round(n)
    scale = 10 ** (len(str(int(n))) - 2)
    return round(n / scale) * scale


def _counts(results, sample=None):
    """How many of ``results`` each kind and year, region (``Report.within``), topic and
    author (id) holds, in one query: {"kind": {(kind, year): n}, "region": {id: n},
    "topic": {id: n}, "author": {id: n}}. A report is filed under a topic once, bylined once
    and within a region once. With ``sample`` (a percentage, PostgreSQL), counted in that
    share of the table's pages and estimated (see ``facets``)."""
    connection = connections[results.db]
    found = results.order_by().annotate(year=ExtractYear("publish_at"))
    found_sql, params = found.values("id", "kind", "year", "within").query.sql_with_params()
    filed, bylines = TaggedReport._meta, ReportAuthor._meta
    quote = connection.ops.quote_name
    if sample:
        # The reports' table is the first one the query reads from (not a column of it, as
        # in EXTRACT(YEAR FROM table.column)); the sample's size is a number of ours, never
        # the reader's.
        table = re.escape(f"FROM {quote(Report._meta.db_table)}")
        sampled = rf"\g<0> TABLESAMPLE SYSTEM ({float(sample)}) REPEATABLE (0)"
        found_sql = re.sub(rf"{table}(?!\.)", sampled, found_sql, count=1)
    # Only the querysets' own SQL (their parameters kept apart) and quoted names of tables and
    # columns are written into the query.
    sql = COUNTS_SQL.format(
        found=found_sql,
        members=members_of("found", "within", connection),
        filed=quote(filed.db_table),
        filed_report=quote(filed.get_field("content_object").column),
        topic=quote(filed.get_field("tag").column),
        bylines=quote(bylines.db_table),
        byline_report=quote(bylines.get_field("report").column),
        author=quote(bylines.get_field("author").column),
    )
    counts = {"kind": {}, "region": {}, "topic": {}, "author": {}}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, kind, year, pk, n in cursor.fetchall():
            key = (kind, int(year)) if facet == "kind" else pk
            counts[facet][key] = about(n * 100 / sample) if sample else n
    return counts


def link(facets, params):
    """Give each value of ``facets`` the address of the search with it applied; ``params``
    are the search's query string values."""
    for facet in facets:
        for value in facet.values:
            value.url = search_url(params, **{facet.name: value.value})
    return facets


def _finish(facet, counted, selected):
    """Sort ``counted`` (Value rows), keeping the applied one alone when there is one."""
    if selected:
        counted = [value for value in counted if value.value == selected]
    counted.sort(key=lambda value: (-value.count, value.label))
    facet.values = counted[:SHOWN]
    for value in facet.values:
        value.selected = value.value == selected
    return facet


def _kinds_and_years(counts, data):
    """The kind and year facets, from the results' {(kind, year): count}."""
    kinds, years = {}, {}
    for (kind, year), n in counts.items():
        kinds[kind] = kinds.get(kind, 0) + n
        years[year] = years.get(year, 0) + n
    labels = dict(Report.Kind.choices)
    counted = [Value(kind, labels.get(kind, kind), n) for kind, n in kinds.items()]
    kind_facet = _finish(Facet("kind", "Kind"), counted, data["kind"])
    counted = [Value(str(year), str(year), n) for year, n in years.items()]
    year_facet = _finish(Facet("year", "Year"), counted, str(data["year"] or ""))
    year_facet.values.sort(key=lambda value: value.value, reverse=True)
    return kind_facet, year_facet


def _topics(counts, data):
    return _named(Facet("topic", "Topic"), Topic.objects.all(), counts, data["topic"])


def _authors(counts, data):
    return _named(Facet("author", "Author"), Author.objects.active(), counts, data["author"])


def _named(facet, rows, counts, chosen):
    """``facet`` with the ``SHOWN`` values of ``rows`` (topics or authors) holding most
    results, or the ``chosen`` one alone (a Topic or an Author, or None); ``counts`` is
    {id: results}. One query, for the names of those counted."""
    named = rows.filter(pk__in=list(counts)).values_list("pk", "slug", "name")
    counted = [Value(slug, name, counts[pk]) for pk, slug, name in named]
    return _finish(facet, counted, chosen.slug if chosen else "")


def _regions(counts, data):
    """Regions rolled up as on their pages (``in_region``): every node of the tree but World,
    and the groupings; within the applied region when there is one. ``counts`` is {region
    id: results} (``region_counts``). One query, for the regions' names."""
    chosen = data["region"]
    regions = Region.objects.filter(pk__in=[pk for pk, n in counts.items() if n])
    if chosen:
        regions = regions.filter(pk__in=chosen.rollup_ids())
    counted = []
    for region in regions.only("pk", "slug", "name", "path", "kind"):
        if region.path and len(path_prefixes(region.path)) == 1:
            continue  # World holds every result: no use as a filter
        selected = chosen is not None and region.pk == chosen.pk
        counted.append(Value(region.slug, region.name, counts[region.pk], selected))
    counted.sort(key=lambda value: (not value.selected, -value.count, value.label))
    return Facet("region", "Region", counted[: SHOWN + (1 if chosen else 0)])


def region_counts(reports):
    """How many of ``reports`` (a Report queryset) each region holds, rolled up as
    ``ReportQuerySet.in_region`` and the region pages count them: {region id: count}, counted
    as the search's facets are (one query)."""
    return _counts(reports)["region"]


def chips(data, params):
    """The filters applied to the search, each as a ``Chip`` whose link removes it."""
    labels = {
        "region": lambda region: f"Region: {region.name}",
        "topic": lambda topic: f"Topic: {topic.name}",
        "author": lambda author: f"Author: {author.name}",
        "kind": lambda kind: f"Kind: {Report.Kind(kind).label}",
        "year": lambda year: f"Year: {year}",
        "since": lambda day: f"From {day:%-d %B %Y}",
        "until": lambda day: f"Until {day:%-d %B %Y}",
    }
    return [
        Chip(label(data[name]), search_url(params, **{name: None}))
        for name, label in labels.items()
        if data.get(name)
    ]
