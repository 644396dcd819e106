"""Whole public pages drawn once and kept in the shared cache for anonymous readers, whether
or not the page cache (``diethnos.page_cache``) is on: what a page costs when the page cache
does not hold it (after a publication purged it, say) is then one narrow query and one cache
round trip rather than a full draw.

- A report's page (``kept_page``) is kept under a digest of every row it shows, read in one
  query (``reports.page_digest``), and the generations of ``tags.report_counts`` its related
  reports follow (``LISTINGS`` and ``TEXT``); it lapses when the next scheduled report goes
  live.
- A listing of report cards (all reports, a region, topic or author page: ``kept_listing``)
  keeps its *frame* (which reports it lists, its count, and the rows it shows besides its
  cards) until the ``LISTINGS`` generation is renewed or the next scheduled report goes live,
  as the counts are kept; what its cards show is read afresh by id in one query, and the page
  is used only if that and the frame are what it was drawn from. The home page is kept the
  same way (``kept_reports``): its frame holds its lists (lead, latest, by region) and the
  regions and topics it names; what it shows of each report is read afresh by id.

So any change to a report's page or to a card shows at once, however it is saved; a change to
a region, topic or author (their pages' own rows) once it is saved through the site, as for
the counts. What else a page depends on is part of its key (``drawn_with``): the project's
templates and code, the site's settings and static files, time zone and language. Only
anonymous readers' pages are kept (a signed-in person's differ), and only plain pages (200, no
cookie, CSRF token or ``Cache-Control`` of their own).
"""

import hashlib
import time
from functools import lru_cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation

from diethnos.page_cache import UNTAGGED, tag_page, tags_of
from diethnos.pagination import paginate
from reports.page_digest import prepared_cursor
from tags.report_counts import LISTINGS, TEXT, kept_until_reports_change, with_next_publication

# The changes a kept page follows (tags.report_counts).
KINDS = (LISTINGS, TEXT)
# The apps whose templates and code draw public pages.
DRAWING_APPS = ("diethnos", "reports", "tags", "authors", "corrections")
# How long a page is kept after it was last drawn.
KEPT_SECONDS = 60 * 60 * 24
# Headers a view sets that a kept page repeats.
KEPT_HEADERS = ("X-Robots-Tag",)


def is_kept_for(request):
    """Whether the page drawn for ``request`` (an HttpRequest) may be read from and kept in
    the cache: a GET or HEAD from someone not signed in."""
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated


def kept_page(request, shown, draw, lapses_at=None):
    """The response to ``request``: the page kept for ``shown`` (a value whose ``repr`` tells
    what the page shows, e.g. a digest of its rows) and the request's address while the
    generations of ``KINDS`` hold (``kept_until_reports_change``), else ``draw()`` (an
    HttpResponse), kept when it may be until ``lapses_at`` (a POSIX timestamp, 0 for never;
    read with ``next_publication`` unless given): when the next scheduled report goes live.

    A page read from the cache is tagged for the page cache as it was when drawn."""
    if not is_kept_for(request):
        return draw()
    drawn = []

    def draw_and_keep():
        response = draw()
        drawn.append(response)
        if not _is_keepable(request, response):
            return None, time.time()  # not kept
        return _page_of(request, response), (next_publication() if lapses_at is None else lapses_at)

    address = request.build_absolute_uri()
    name = _digest_of((shown, address))
    kept = kept_until_reports_change(f"kept-page:{name}:{drawn_with()}", draw_and_keep, KINDS)
    if drawn:
        return drawn[0]
    return _kept_response(request, kept)


def kept_listing(request, frame, draw):
    """The response to ``request`` for a listing of report cards: the page kept for its
    address, if it was drawn from the same frame (kept until the ``LISTINGS`` generation is
    renewed or the next scheduled report goes live: which reports it lists, their count, what
    it shows besides them) and the same cards (read afresh by id in one query: a change to a
    card, however it is saved, shows at once); else ``draw(page)``, kept. One cache round trip.

    ``frame()`` returns (shown, reports, count): the rows the page shows besides its cards (a
    value with a stable ``repr``, e.g. ``rows(...)``), the QuerySet of the reports it lists in
    order (from ``with_cards``) and their count. ``draw(page)`` returns the listing's page (an
    HttpResponse) of ``page``, the reports ``paginate`` gives for ``request``: when the frame
    is read afresh and no page is kept, those it was read from, not read again.
    Raises Http404 for a page out of range, as ``paginate`` does.

    So a listing drawn afresh costs the queries of its draw and none besides; one whose frame
    was dropped but not its page (after a change elsewhere) reads its frame and its cards
    again, and is drawn only if they changed."""

    def read(whole):
        shown, reports, count = frame()
        annotations = list(reports.query.annotations)
        rows = with_next_publication(reports)
        if not whole:
            # Most often drawn from the same cards, and not drawn again: their ids alone.
            ids = rows.values_list("pk", *annotations, "next_due")
            page = list(paginate(request, ids, count=count))
            next_due = page[0][-1] if page else None
            return (shown, count), [(row[:-1], None) for row in page], next_due, None
        # To be drawn: the reports as it draws them, their cards' values with them.
        page = paginate(request, rows.with_card_values(), count=count)
        listed = [
            ((report.pk, *(getattr(report, name) for name in annotations)), report.card_values)
            for report in page
        ]
        return (shown, count), listed, page[0].next_due if listed else None, page

    def draw_page(page):
        return draw(page if page is not None else _page(request, frame))

    return kept_reports(request, read, draw_page)


def kept_reports(request, read, draw, fields=()):
    """The response to ``request`` for a page of lists of reports (a listing, the home page):
    the page kept for its address, if it was drawn from the same frame (kept until the
    ``LISTINGS`` generation is renewed or the next scheduled report goes live) and the same
    values of the reports it lists (read afresh by id in one query: any change to them shows
    at once, however it is saved); else ``draw(drawn)``, kept. One cache round trip.

    ``read(whole)`` reads the frame: (shown, listed, next_due, drawn), where ``shown`` is what
    the page shows besides its reports (a value with a stable ``repr``, e.g. ``rows(...)``),
    ``listed`` a list of (row, values) for each report it lists, in order: ``row`` a tuple of
    its id and how it is listed, ``values`` its ``card_values`` (from
    ``with_card_values(*fields)``) or None, for all or none of them; ``next_due`` the
    ``next_due`` of its rows (``with_next_publication``); ``drawn`` what ``draw`` is given, or
    None. ``whole`` is False when a page is kept for the address: then the values need not be
    read (they are read by id, ``fields`` with them) nor what to draw from. ``draw(drawn)``
    returns the page (an HttpResponse), drawn from ``drawn`` or, if None, from what it reads."""
    if not is_kept_for(request):
        return draw(None)
    address = request.build_absolute_uri()
    name = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    page_key = f"kept-listing:{name}:{drawn_with()}"
    drawn_from, values = [], []

    def read_frame(stored):
        shown, listed, next_due, drawn = read(page_key not in stored)
        drawn_from.append(drawn)
        if not listed:
            return None, time.time()  # nothing told when the next report goes live: not kept
        if listed[0][1] is not None:
            values.extend(listed)
        kept = (shown, [row for row, _ in listed])
        return kept, next_due.timestamp() if next_due else 0

    kept, stored = kept_until_reports_change(
        f"listing-frame:{name}", read_frame, (LISTINGS,), read_with=[page_key]
    )
    drawn = drawn_from[0] if drawn_from else None
    if kept is None:
        return draw(drawn)
    shown, listed = kept
    version = _digest_of((shown, values or _values(listed, fields)))
    stored = stored.get(page_key)
    if isinstance(stored, tuple) and stored[0] == version:
        return _kept_response(request, stored[1:])
    response = draw(drawn)
    if _is_keepable(request, response):
        cache.set(page_key, (version, *_page_of(request, response)), KEPT_SECONDS)
    return response


def _page(request, frame):
    """The page of the reports ``frame()`` lists (see ``kept_listing``) for ``request``."""
    _, reports, count = frame()
    return paginate(request, reports, count=count)


def _digest_of(value):
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def _page_of(request, response):
    """What is kept of a page drawn for ``request``: (its HTML, its page tags, its headers
    that a kept page repeats)."""
    tags = [tag for tag in tags_of(request) if tag != UNTAGGED]
    headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
    return response.content, tags, headers


def _kept_response(request, kept):
    """The response made of a page ``kept`` (see ``_page_of``), tagged as it was drawn."""
    content, tags, headers = kept
    tag_page(request, *tags)
    response = HttpResponse(content)
    for header, value in headers:
        response[header] = value
    return response


def _values(listed, fields=()):
    """The ``card_values`` (with ``fields``) of the reports ``listed`` ((id, *how listed)
    tuples), in that order, each after how it is listed. One query by primary key."""
    if not listed:
        return []
    ids = [row[0] for row in listed]
    sql, params, places = _values_query(connection.vendor, len(ids), tuple(fields))
    params = list(params)
    for place, pk in zip(places, ids, strict=True):
        params[place] = pk
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        found = dict(cursor.fetchall())
    return [(row, found.get(row[0])) for row in listed]


@lru_cache(maxsize=64)
def _values_query(vendor, size, fields):
    """The SQL of ``card_values`` (with ``fields``) for ``size`` reports by id, compiled once
    (building it costs more than running it): (sql, params, the places of the ids among the
    params)."""
    Report = apps.get_model("reports", "Report")
    stand_ins = [-(n + 1) for n in range(size)]  # no report has a negative id
    reports = Report.objects.filter(pk__in=stand_ins).with_card_values(*fields)
    sql, params = reports.values_list("pk", "card_values").query.sql_with_params()
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
