"""Whole public pages drawn once and kept in the shared cache for anonymous readers, whether
or not the page cache (``diethnos.page_cache``) is on: what a page costs after a publication
purged it.

A listing, region, topic or author page shows published reports' cards and the names of
regions, topics and authors: exactly what the generations of ``tags.report_counts`` follow
(``LISTINGS`` and ``TEXT``). So its HTML is kept under its address with those generations and
the time the next scheduled report goes live, and is used only while all three still hold: a
change saved in any way those generations follow shows at once, and reading the page costs one
cache round trip and no query. A report's page also keys its HTML on a digest of every row it
shows (``reports.page_digest``), read in one narrow query.

What else a page depends on is part of its key (``drawn_with``): the project's templates and
code, the site's settings and static files, time zone and language. Only anonymous readers'
pages are kept (a signed-in person's differ), and only plain pages (200, no cookie, CSRF token
or ``Cache-Control`` of their own).
"""

import hashlib
import time
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation

from diethnos.page_cache import UNTAGGED, tag_page, tags_of
from diethnos.pagination import paginate
from tags.report_counts import LISTINGS, TEXT, kept_until_reports_change, with_next_publication

# The changes a kept page follows (tags.report_counts).
KINDS = (LISTINGS, TEXT)
# The apps whose templates and code draw public pages.
DRAWING_APPS = ("diethnos", "reports", "tags", "authors", "corrections")
# Headers a view sets that a kept page repeats.
KEPT_HEADERS = ("X-Robots-Tag",)


def is_kept_for(request):
    """Whether the page drawn for ``request`` (an HttpRequest) may be read from and kept in
    the cache: a GET or HEAD from someone not signed in."""
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated


def kept_page(request, shown, draw, kinds=KINDS, lapses_at=None):
    """The response to ``request``: the page kept for ``shown`` (any value whose ``repr``
    tells what the page shows, e.g. a digest of its rows) and the request's address when it is
    still current for ``kinds`` (see ``kept_until_reports_change``; with none, ``shown`` alone
    tells, and the page never lapses), else ``draw()`` (an HttpResponse), kept when it may be.
    With ``kinds``, the page lapses at ``lapses_at`` (a POSIX timestamp, 0 for never; read
    with ``next_publication`` unless given): when the next scheduled report goes live.

    A page read from the cache is tagged for the page cache as it was when drawn."""
    if not is_kept_for(request):
        return draw()
    drawn = []

    def draw_and_keep():
        response = draw()
        drawn.append(response)
        if not _is_keepable(request, response):
            return None, time.time()  # not kept
        tags = [tag for tag in tags_of(request) if tag != UNTAGGED]
        headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
        if not kinds:
            return (response.content, tags, headers), 0
        return (response.content, tags, headers), (
            next_publication() if lapses_at is None else lapses_at
        )

    address = request.build_absolute_uri()
    name = hashlib.blake2b(f"{shown!r}\n{address}".encode(), digest_size=16).hexdigest()
    kept = kept_until_reports_change(f"kept-page:{name}:{drawn_with()}", draw_and_keep, kinds)
    if drawn:
        return drawn[0]
    content, tags, headers = kept
    tag_page(request, *tags)
    response = HttpResponse(content)
    for header, value in headers:
        response[header] = value
    return response


def kept_listing(request, frame, draw):
    """The response to ``request`` for a listing of report cards: kept whole (``kept_page``)
    for what its cards show, read afresh by their ids in one query (a change to a card, however
    it is saved, shows at once), and for its *frame*, kept until the ``LISTINGS`` generation is
    renewed or the next scheduled report goes live (as its count is): which reports it lists
    and what it shows besides them.

    ``frame()`` returns (shown, reports, count): the rows the page shows besides its cards (a
    value with a stable ``repr``, e.g. ``rows(...)``), the QuerySet of the reports it lists in
    order (from ``with_cards``) and their count. ``draw()`` returns the page (an HttpResponse).
    Raises Http404 for a page out of range, as ``paginate`` does."""
    if not is_kept_for(request):
        return draw()

    def listed():
        shown, reports, count = frame()
        annotations = list(reports.query.annotations)
        rows = with_next_publication(reports).values_list("pk", *annotations, "next_due")
        page = list(paginate(request, rows, count=count).object_list)
        if not page:
            return None, time.time()  # nothing told when the next report goes live: not kept
        next_due = page[0][-1]
        kept = (shown, count, [row[:-1] for row in page])
        return kept, next_due.timestamp() if next_due else 0

    address = request.build_absolute_uri()
    name = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    kept = kept_until_reports_change(f"listing-frame:{name}", listed, (LISTINGS,))
    if kept is None:
        return draw()
    shown, count, listed_ids = kept
    return kept_page(request, (shown, count, _cards(listed_ids)), draw, kinds=())


def _cards(listed):
    """The ``card_values`` of the reports ``listed`` ((id, *annotations) tuples), in that
    order, each after how it is listed. One query by primary key."""
    if not listed:
        return []
    ids = [row[0] for row in listed]
    sql, params, places = _cards_query(connection.vendor, len(ids))
    params = list(params)
    for place, pk in zip(places, ids, strict=True):
        params[place] = pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {values[0]: values for values in cursor.fetchall()}
    return [(row, found.get(row[0])) for row in listed]


@lru_cache(maxsize=64)
def _cards_query(vendor, size):
    """The SQL of ``card_values`` for ``size`` reports by id, compiled once (building it costs
    more than running it): (sql, params, the places of the ids among the params)."""
    Report = apps.get_model("reports", "Report")
    stand_ins = [-(n + 1) for n in range(size)]  # no report has a negative id
    query = Report.objects.filter(pk__in=stand_ins).card_values().query
    sql, params = query.sql_with_params()
    places = [params.index(stand_in) for stand_in in stand_ins]
    return sql, tuple(params), places


def rows(instances):
    """Every field of each of ``instances`` (model instances a page shows besides its cards),
    as a tuple of tuples, for ``kept_page``."""
    return tuple(
        (
            type(instance).__name__,
            *(getattr(instance, f.attname) for f in instance._meta.concrete_fields),
        )
        for instance in instances
    )


def _is_keepable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "Cache-Control" not in response
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.user.is_authenticated
    )


def next_publication():
    """When the next scheduled report goes live (a POSIX timestamp), or 0 if none is: a kept
    page lapses then. One query."""
    Report = apps.get_model("reports", "Report")
    due = Report.objects.scheduled().order_by("publish_at").values_list("publish_at", flat=True)
    due = due.first()
    return due.timestamp() if due else 0


def drawn_with():
    """What every kept page depends on besides its content (a str): a digest of the project's
    templates and code, the site's settings and static files' addresses, the time zone and the
    language."""
    return _digest(
        (
            settings.SITE_URL,
            settings.SITE_NAME,
            settings.MEDIA_URL,
            static("css/site.css"),
            static("img/logo.png"),
            static("img/icon.svg"),
            get_script_prefix(),
            get_urlconf(),
            timezone.get_current_timezone_name(),
            translation.get_language(),
        )
    )


@lru_cache(maxsize=8)
def _digest(values):
    digest = hashlib.blake2b(repr(values).encode(), digest_size=8)
    digest.update(_code_digest().encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_digest():
    """A digest of every template and Python file of the apps that draw public pages, and the
    site's own templates: read once per process (a deployment starts new ones)."""
    roots = [Path(apps.get_app_config(label).path) for label in DRAWING_APPS]
    roots += [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]]
    digest = hashlib.blake2b(digest_size=8)
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".xml") and "migrations" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
