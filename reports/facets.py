"""How many search results each filter value holds (facets), and the filters a search applies
(chips).

A facet's count is the number of results the reader gets by choosing that value, so a value is
counted within the results as they are filtered already. A facet whose filter is applied
shows that value alone, except the region facet, which also shows the regions within the chosen
one (their reports are all within it, so their counts are exact too).
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.http import urlencode

from authors.models import Author
from tags.models import Region, path_prefixes
from tags.report_counts import kept_until_reports_change

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


def facets(results, data):
    """The facets of ``results`` (the filtered Report queryset, any order) and how many
    results there are: (list of ``Facet``, int). ``data`` is the search form's cleaned data.
    The values' addresses are left to ``link``.

    Five queries whatever the number of results (two more when the regions changed); the
    kind facet's counts add up to the number of results.
    """
    results = results.order_by()
    ids = results.values("pk")
    built = [
        *_kinds_and_years(results, data),
        _regions(results, data),
        _topics(ids, data),
        _authors(ids, data),
    ]
    total = sum(value.count for value in built[0].values)
    return [facet for facet in built if facet.values], total


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


def _kinds_and_years(results, data):
    """The kind and year facets, counted together in one query."""
    rows = (
        results.annotate(year=ExtractYear("publish_at"))
        .values_list("kind", "year")
        .annotate(n=Count("pk"))
    )
    kinds, years = {}, {}
    for kind, year, n in rows:
        kinds[kind] = kinds.get(kind, 0) + n
        years[year] = years.get(year, 0) + n
    labels = dict(Report.Kind.choices)
    counted = [Value(kind, labels.get(kind, kind), n) for kind, n in kinds.items()]
    kind_facet = _finish(Facet("kind", "Kind"), counted, data["kind"])
    counted = [Value(str(year), str(year), n) for year, n in years.items()]
    year_facet = _finish(Facet("year", "Year"), counted, str(data["year"] or ""))
    year_facet.values.sort(key=lambda value: value.value, reverse=True)
    return kind_facet, year_facet


def _topics(ids, data):
    rows = (
        TaggedReport.objects.filter(content_object_id__in=ids)
        .values_list("tag__slug", "tag__name")
        .annotate(n=Count("pk"))  # a report is filed under a topic once
        .order_by("-n", "tag__name")
    )
    selected = data["topic"].slug if data["topic"] else ""
    if not selected:
        rows = rows[:SHOWN]
    counted = [Value(slug, name, n) for slug, name, n in rows]
    return _finish(Facet("topic", "Topic"), counted, selected)


def _authors(ids, data):
    rows = (
        ReportAuthor.objects.filter(report_id__in=ids, author__in=Author.objects.active())
        .values_list("author__slug", "author__name")
        .annotate(n=Count("pk"))  # and bylined once
        .order_by("-n", "author__name")
    )
    selected = data["author"].slug if data["author"] else ""
    if not selected:
        rows = rows[:SHOWN]
    counted = [Value(slug, name, n) for slug, name, n in rows]
    return _finish(Facet("author", "Author"), counted, selected)


def _regions(results, data):
    """Regions rolled up as on their pages (``in_region``): every node of the tree but World,
    and the groupings; within the applied region when there is one. One query, counted in
    the database, plus the regions' names."""
    counts = region_counts(results)
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


REGION_COUNTS_SQL = """
WITH covers (region, cover) AS (VALUES {covers}),
matched (id, region) AS ({matched}),
placed AS (
    SELECT matched.id AS report_id, matched.region AS region_id
    FROM matched WHERE matched.region IS NOT NULL
    UNION
    SELECT tagged.report_id, tagged.region_id
    FROM {tagged} AS tagged JOIN matched ON matched.id = tagged.report_id
)
SELECT covers.cover, COUNT(DISTINCT placed.report_id)
FROM placed JOIN covers ON covers.region = placed.region_id
GROUP BY covers.cover
"""


def region_counts(reports):
    """How many of ``reports`` (a Report queryset) each region holds, rolled up as
    ``ReportQuerySet.in_region`` and the region pages count them: {region id: count}, in one
    query (the regions' lineage is kept in the cache: ``region_covers``)."""
    covers = region_covers()
    if not covers:
        return {}
    matched, params = reports.order_by().values("pk", "primary_region_id").query.sql_with_params()
    sql = REGION_COUNTS_SQL.format(
        matched=matched,
        tagged=connection.ops.quote_name(Report.regions.through._meta.db_table),
        # Ids read from the database, written as numbers: no text reaches the SQL.
        covers=", ".join(f"({int(region)}, {int(cover)})" for region, cover in covers),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def region_covers():
    """(region id, id of a region covering it) pairs: a report placed in the first is within
    the second, as ``Region.rollup_ids`` has it: each node is covered by itself and every node
    above it, a grouping by itself and its members cover it. Kept in the cache until a region
    changes."""

    def draw():
        paths = dict(Region.objects.values_list("pk", "path"))
        by_path = {path: pk for pk, path in paths.items() if path}
        lineage = {
            pk: {pk, *(by_path[prefix] for prefix in path_prefixes(path)[:-1])}
            for pk, path in paths.items()
        }
        groups_of = {}
        for group, member in Region.members.through.objects.values_list(
            "from_region_id", "to_region_id"
        ):
            groups_of.setdefault(member, set()).add(group)
        pairs = set()
        for pk, above in lineage.items():
            pairs.update((pk, cover) for cover in above | groups_of.get(pk, set()))
        return sorted(pairs), 0

    return kept_until_reports_change("region-covers", draw)


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
