"""The read API, version 1 (django-ninja): reports, regions, topics, authors, corrections.

Only what readers may see: the reports with a public page (``Report.objects.with_page()``),
the published ones in full and the withdrawn ones as withdrawn, without their text. Every
response is tagged for the page cache with the same tags as the pages showing the same
things, so a change purges both.
"""

from datetime import UTC, date, datetime
from typing import Literal

from django.conf import settings
from django.db.models import FloatField
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import reverse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import ValidationError

from authors.models import Author
from corrections.views import public_corrections
from diethnos.page_cache import tag_cards, tag_page
from diethnos.text import normalise_text
from reports.forms import MAX_QUERY_LENGTH
from reports.models import Report
from reports.search import uses_full_text
from reports.views import report_page_tags
from tags.models import Region, Topic
from tags.report_counts import count_regions, kept_until_reports_change

from . import representations as show
from .cursors import BadCursor, Ordering, page_of
from .errors import error_response
from .schemas import (
    AnyReport,
    AuthorOut,
    CorrectionPage,
    Error,
    RegionDetail,
    RegionTree,
    ReportPage,
    TopicOut,
)

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50

DESCRIPTION = """
Situation reports, analyses, briefs and explainers, with their key points, situation dates,
regions (the UN M49 tree and editorial groupings), topics, authors and corrections, as data.

Anyone may read it, from any origin (CORS). Without a key a client address may make
a limited number of requests a minute; an API key issued by the site, sent as
`Authorization: Bearer <key>` or `X-API-Key: <key>`, raises the limit. Over the limit the
answer is a 429 with `Retry-After`. Responses carry an `ETag`: send it back in
`If-None-Match` for a 304 when nothing changed.

Lists are paged by cursor: follow `next` until it is null. Errors are JSON:
`{"status", "error", "detail"}`, with `parameter` naming the query parameter a 400 is about.
"""

api = NinjaAPI(
    title=f"{settings.SITE_NAME} read API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs/",
    servers=[{"url": settings.SITE_URL}],
)


class BadParameter(Exception):
    """A query parameter with a value the API cannot take: a 400 naming it."""

    def __init__(self, parameter, detail):
        super().__init__(detail)
        self.parameter, self.detail = parameter, detail


@api.exception_handler(BadParameter)
def bad_parameter(request, error):
    return error_response(400, error.detail, error.parameter)


@api.exception_handler(Http404)
def not_found(request, error):
    return error_response(404, str(error) or "There is nothing at this address.")


@api.exception_handler(ValidationError)
def invalid_parameter(request, error):
    first = error.errors[0] if error.errors else {}
    location = first.get("loc") or [None]
    parameter = location[-1] if isinstance(location[-1], str) else None  # the field's name
    message = first.get("msg", "This value is not valid.")
    return error_response(400, f"{parameter}: {message}" if parameter else message, parameter)


def refuse_unknown(request, *schemas):
    """BadParameter for a query parameter none of ``schemas`` (Schema classes) names."""
    known = {name for schema in schemas for name in schema.model_fields}
    for name in request.GET:
        if name not in known:
            raise BadParameter(name, f"There is no parameter “{name}” here.")


def next_url(request, cursor):
    """The address of the page after this one, or None."""
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class Paging(Schema):
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Results a page.")
    cursor: str | None = Field(None, description="From the previous page's `next`.")


NEWEST = Ordering(("publish_at", "datetime", True), ("pk", "number", True))
OLDEST = Ordering(("publish_at", "datetime", False), ("pk", "number", False))
# ``score``: the search rank as double precision. PostgreSQL ranks are single precision, which
# come back as the shortest decimal that reads back as the same single: compared with the rank
# again, that decimal is a little off, and a cursor would stop before its own row, or after.
BEST = Ordering(("score", "number", True), ("publish_at", "datetime", True), ("pk", "number", True))


class ReportFilters(Paging):
    region: str | None = Field(
        None,
        description="A region's slug: reports tagged with it or anything it covers "
        "(countries in a region, members of a grouping), as on its page.",
        json_schema_extra={"example": "ukraine"},
    )
    topic: str | None = Field(
        None, description="A topic's slug.", json_schema_extra={"example": "energy"}
    )
    author: str | None = Field(None, description="An author's slug.")
    kind: Literal["sitrep", "analysis", "brief", "explainer"] | None = None
    published_since: date | None = Field(None, description="Published on or after (a date).")
    published_until: date | None = Field(None, description="Published on or before (a date).")
    modified_since: datetime | None = Field(
        None,
        description="Published, updated, corrected or withdrawn at or after this time (ISO "
        "8601; UTC when no offset is given): for partners that keep a copy in sync.",
        json_schema_extra={"example": "2025-03-01T00:00:00Z"},
    )
    q: str | None = Field(
        None, max_length=MAX_QUERY_LENGTH, description="Words, as the site's search takes them."
    )
    ordering: Literal["-published_at", "published_at", "relevance"] | None = Field(
        None,
        description="Newest first (`-published_at`, the default), oldest first, or best match "
        "first (`relevance`, the default with `q`; newest first where the database has no "
        "ranking).",
    )


def _find(model_rows, parameter, slug, what):
    found = model_rows.filter(slug=slug).first()
    if found is None:
        raise BadParameter(parameter, f"There is no {what} called “{slug}”.")
    return found


def filtered_reports(request, filters):
    """The reports ``filters`` ask for and their ordering; BadParameter for a value that names
    nothing. Tags the page for what the list depends on.

    Published reports, and withdrawn ones (by what their pages still show: regions, topics,
    byline, kind, dates) so that partners keeping a copy learn of the withdrawal; words (q)
    match published reports only, as the site's search."""
    words = " ".join(normalise_text(filters.q or "", multiline=False).split())
    public = Report.objects.published() if words else Report.objects.with_page()
    reports = public.for_page()
    tags = {"listing:reports"}
    if filters.region:
        region = _find(Region.objects, "region", filters.region, "region")
        reports = reports.in_region(region)
        tags.add(f"region:{region.pk}")
    if filters.topic:
        topic = _find(Topic.objects, "topic", filters.topic, "topic")
        reports = reports.filter(topics=topic)
        tags.add(f"topic:{topic.pk}")
    if filters.author:
        author = _find(Author.objects.active(), "author", filters.author, "author")
        reports = reports.filter(authors=author)
        tags.add(f"author:{author.pk}")
    if filters.kind:
        reports = reports.filter(kind=filters.kind)
    since, until = filters.published_since, filters.published_until
    if since and until and since > until:
        raise BadParameter("published_until", "This date is before published_since.")
    if since:
        reports = reports.filter(publish_at__date__gte=since)
    if until:
        reports = reports.filter(publish_at__date__lte=until)
    if filters.modified_since:
        when = filters.modified_since
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        reports = reports.modified_since(when)
        tags.add("search")  # any note added to any public report may bring one in
    ordering = filters.ordering or ("relevance" if words else "-published_at")
    if ordering == "relevance" and not words:
        raise BadParameter("ordering", "Ordering by relevance needs words to match (q).")
    if words:
        reports = reports.search(words)
        tags.add("search")
    tag_page(request, *tags)
    if ordering == "relevance":
        if uses_full_text(reports.db):
            return reports.annotate(score=Cast("rank", FloatField())), BEST
        return reports, NEWEST
    return reports, OLDEST if ordering == "published_at" else NEWEST


def tag_reports(request, reports):
    tag_cards(request, reports)
    for report in reports:
        tag_page(request, f"report:{report.pk}", *report_page_tags(report))


@api.get(
    "/reports/",
    response={200: ReportPage, 400: Error},
    tags=["reports"],
    summary="Published and withdrawn reports, newest first",
)
def list_reports(request, filters: Query[ReportFilters]):
    """Published reports, filtered as on the site, a page at a time, and withdrawn ones as
    withdrawn (`status`), without their text: their `modified_at` is when they were
    withdrawn, so `modified_since` brings them to partners keeping a copy. Words (`q`) match
    published reports only. A report that names none of a filter's values is left out; a
    filter naming nothing known is a 400."""
    refuse_unknown(request, ReportFilters)
    reports, ordering = filtered_reports(request, filters)
    try:
        rows, cursor = page_of(reports, ordering, filters.cursor, filters.limit)
    except BadCursor as error:
        raise BadParameter("cursor", "This cursor was not given by this list.") from error
    tag_reports(request, rows)
    return {"results": [show.any_report(row) for row in rows], "next": next_url(request, cursor)}


@api.get(
    "/reports/{slug}/",
    response={200: AnyReport, 404: Error},
    tags=["reports"],
    summary="A report",
)
def report_detail(request, slug: str):
    """A published report by its slug; a withdrawn one as withdrawn, without its text."""
    refuse_unknown(request)
    report = Report.objects.with_page().for_page().filter(slug=slug).first()
    if report is None:
        raise Http404("There is no published report with this slug.")
    tag_page(request, f"report:{report.pk}", *report_page_tags(report))
    return show.any_report(report)


def region_counts():
    """{region id: published reports it holds, rolled up}, kept in the cache until reports
    or regions change (``tags.report_counts``)."""
    return kept_until_reports_change("api-region-counts", count_regions)


def counted(region, counts):
    return {**show.region_ref(region), "report_count": counts.get(region.pk, 0)}


def _node(region, counts):
    return {**counted(region, counts), "children": [_node(b, counts) for b in region.branches]}


@api.get("/regions/", response=RegionTree, tags=["regions"], summary="The region tree")
def region_tree(request):
    """The UN M49 tree from World down to countries, and the editorial groupings, each with
    how many published reports it holds (rolled up, as on its page)."""
    refuse_unknown(request)
    counts = region_counts()
    (world,) = Region.objects.tree().nested(counts)
    groups = Region.objects.groups().order_by("name")
    tag_page(request, "listing:regions")
    return {"world": _node(world, counts), "groupings": [counted(g, counts) for g in groups]}


@api.get(
    "/regions/{slug}/",
    response={200: RegionDetail, 404: Error},
    tags=["regions"],
    summary="A region",
)
def region_detail(request, slug: str):
    """A region with its place in the tree, its groupings or members, and report counts."""
    refuse_unknown(request)
    region = Region.objects.filter(slug=slug).first()
    if region is None:
        raise Http404("There is no region with this slug.")
    counts = region_counts()
    tag_page(request, f"region:{region.pk}", f"region-name:{region.pk}", "listing:regions")
    return {
        **counted(region, counts),
        "official_name": region.official_name,
        "description": region.description,
        "ancestors": [show.region_ref(r) for r in region.ancestors()],
        "children": [counted(r, counts) for r in region.children.order_by("name")],
        "members": [show.region_ref(r) for r in region.members.order_by("name")],
        "groupings": [show.region_ref(r) for r in region.groups.order_by("name")],
        "reports": f"{reverse('api:list_reports')}?region={region.slug}",
    }


@api.get("/topics/", response=list[TopicOut], tags=["topics"], summary="Topics")
def topics(request):
    """Every topic, by name, with how many published reports are filed under it."""
    refuse_unknown(request)
    tag_page(request, "listing:topics")
    rows = Topic.objects.with_report_counts(Report.objects.published())
    return [{**show.topic_ref(t), "report_count": t.report_count} for t in rows]


@api.get("/authors/", response=list[AuthorOut], tags=["authors"], summary="Authors")
def authors(request):
    """The authors with pages on the site, by name, with their profile page and how many
    published reports carry their byline."""
    refuse_unknown(request)
    tag_page(request, "listing:authors")
    rows = Author.objects.active().with_report_counts(Report.objects.published())
    return [
        {**show.author_ref(a), "short_bio": a.short_bio, "report_count": a.report_count}
        for a in rows
    ]


LATEST_NOTES = Ordering(("noted_at", "datetime", True), ("pk", "number", True))


@api.get(
    "/corrections/",
    response={200: CorrectionPage, 400: Error},
    tags=["corrections"],
    summary="Corrections and clarifications, newest first",
)
def corrections(request, paging: Query[Paging]):
    """The corrections log: every correction and clarification of a published report."""
    refuse_unknown(request, Paging)
    try:
        rows, cursor = page_of(public_corrections(), LATEST_NOTES, paging.cursor, paging.limit)
    except BadCursor as error:
        raise BadParameter("cursor", "This cursor was not given by this list.") from error
    tag_page(request, "corrections")
    results = [
        {
            **show.note(row, row.report),
            "report": {
                "headline": row.report.title,
                "slug": row.report.slug,
                "url": show.absolute(row.report.get_absolute_url()),
            },
        }
        for row in rows
    ]
    return {"results": results, "next": next_url(request, cursor)}
