"""How many search results each filter value holds (facets), and the filters a search applies
(chips).

A facet's count is the number of results the reader gets by choosing that value, so a value is
counted within the results as they are filtered already. A facet whose filter is applied
shows that value alone, except the region facet, which also shows the regions within the chosen
one (their reports are all within it, so their counts are exact too).
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.http import urlencode

from authors.models import Author
from diethnos.id_sets import count_members
from tags.models import Region, path_prefixes

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

    Five queries whatever the number of results; the kind facet's counts add up to the
    number of results.
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
    filed = TaggedReport.objects.filter(content_object_id__in=ids)
    return _counted_by(Facet("topic", "Topic"), filed, "tag", data["topic"])


def _authors(ids, data):
    bylined = ReportAuthor.objects.filter(report_id__in=ids, author__in=Author.objects.active())
    return _counted_by(Facet("author", "Author"), bylined, "author", data["author"])


def _counted_by(facet, links, name, chosen):
    """``facet`` with the ``SHOWN`` values most ``links`` (a report's topic or byline rows,
    a report linked once to each value) point to through their ``name`` field, or the
    ``chosen`` one alone (a Topic or an Author, or None). One query."""
    slug, label = f"{name}__slug", f"{name}__name"
    rows = links.values_list(slug, label).annotate(n=Count("pk")).order_by("-n", label)
    if not chosen:
        rows = rows[:SHOWN]
    counted = [Value(value, text, n) for value, text, n in rows]
    return _finish(facet, counted, chosen.slug if chosen else "")


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


def region_counts(reports):
    """How many of ``reports`` (a Report queryset) each region holds, rolled up as
    ``ReportQuerySet.in_region`` and the region pages count them: {region id: count}, in one
    query over the regions each report is stored as within (``reports.placement``)."""
    return count_members(reports, "within")


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
