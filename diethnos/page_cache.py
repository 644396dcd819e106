"""Whole-page caching for anonymous readers, shared by every app server.

**Tags.** Each page is stored with the *tags* of what it shows (``report:12``, ``region:5``,
``home``, ``feeds``…; views name them with ``tag_page`` and ``tag_cards``, and
``reports.page_tags`` says which tags a change touches). The cache keeps, for each tag, the set
of the pages stored with it; a committed change deletes the pages of the tags it touches, and
only those: a draft, a review, a preview or a change to an unpublished report touches none.
The same tags go out in the ``Surrogate-Key`` and ``Cache-Tag`` headers, and a CDN or Varnish
in front is told to purge them too (``diethnos.frontend_cache``).

**One round trip.** A request reads its page, the state (below) and the purge marker with one
``get_many``; a hit is answered from that alone, with the headers stored with the page and a
304 when the reader's copy is current. The WSGI entry point answers it before Django's handler
runs (``serve_from_cache``: no request object, signals or middleware); what it cannot answer
goes on to ``PageCacheMiddleware``, first in ``MIDDLEWARE``, which reuses that read.

**Nothing stale.** A page drawn while a change was committed could be stored after that
change's purge: every purge first gives a marker a new random value, and a page is kept only
if the marker did not change while it was drawn. The *state* is the content version
(``ContentVersion``, kept in the database) and the time of the next scheduled publication.
The content version
changes only when a purge could not reach the cache (diethnos/cache.py): pages are stored with
the version, and a process that saw the cache fail takes the version from the database again
once the cache answers, so a page cached before a change is never served after it; the cache's
copy of the state expires after ``VERSION_COPY_SECONDS`` whatever happens.

**Scheduled publication without a worker.** Browsers and CDNs keep no page past the next
scheduled publication, and the first request after it purges the pages of the reports that
went live (``ContentVersion.published_through`` records how far that was done, so none is
missed) and publishes changes scheduled on working drafts.
"""

import hashlib
import logging
import math
import threading
import time
import uuid
from datetime import timedelta

import django.dispatch
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from .cache import cache_misses_by_outage
from .frontend_cache import purge_frontend
from .models import ContentVersion

logger = logging.getLogger(__name__)

VERSION_KEY = "content-state"  # the state: (content version, next publication)
PURGES_KEY = "page-purges"  # new at each purge: a page drawn across one is not kept
# How long the cache's copy of the state is trusted without a look at the database.
VERSION_COPY_SECONDS = 60
CONTENT_APPS = {"reports", "authors", "tags", "taggit", "corrections"}
# Share links (/preview/) show unpublished content: never kept.
NOT_CACHED = ("/admin/", "/accounts/", "/preview/", "/healthz", "/media/", "/static/")
# A request with a session cookie, or messages waiting, may be shown another page: it is
# never answered before the session is read.
MESSAGES_COOKIE = "messages"
# Every page without tags of its own carries this one, which every purge includes.
UNTAGGED = "untagged"
# Headers a 304 from the cache repeats: those RFC 9110 asks for, and the tags.
NOT_MODIFIED_HEADERS = ("Cache-Control", "ETag", "Vary", "Surrogate-Key", "Cache-Tag")

#: Sent after a purge with ``tags``, the set of tags whose pages were deleted.
pages_purged = django.dispatch.Signal()

# The cache failures this process had seen when it last copied the state into the cache.
_failures_seen = 0


# ---------------------------------------------------------------------------------------------
# Tags of a page


def tag_page(request, *tags):
    """Record that the page drawn for ``request`` shows what ``tags`` (str) name, so that it
    is purged with them. Returns nothing."""
    request.__dict__.setdefault("page_tags", set()).update(tags)


def tag_cards(request, reports):
    """Record that the page drawn for ``request`` lists ``reports`` as cards (a list, a
    Page, or a QuerySet the template evaluates): the page is purged when any of them, its
    byline or its primary region changes. The reports are read once the page is drawn."""
    request.__dict__.setdefault("page_cards", []).append(reports)


def card_tags(report):
    """The tags of a report card: the report, its primary region's name and its bylines
    (read from the rows ``with_cards`` loaded; never a query)."""
    tags = {f"report:{report.pk}"}
    if report.primary_region_id:
        tags.add(f"region-name:{report.primary_region_id}")
    links = getattr(report, "_prefetched_objects_cache", {}).get("report_authors")
    for link in links or ():
        tags.add(f"byline:{link.author_id}")
    return tags


def tags_of(request):
    """The tags of the page drawn for ``request`` (a sorted list; never empty)."""
    tags = set(request.__dict__.get("page_tags", ()))
    for listed in request.__dict__.get("page_cards", ()):
        rows = getattr(listed, "object_list", listed)
        if hasattr(rows, "_result_cache"):  # a QuerySet: only what the page evaluated
            rows = rows._result_cache or ()
        for report in rows:
            tags |= card_tags(report)
    return sorted(tags) or [UNTAGGED]


# ---------------------------------------------------------------------------------------------
# The state: content version and next publication


def _stored_row():
    row = ContentVersion.objects.filter(pk=1).first()
    if row is None:  # the row was removed, e.g. by a test database flush
        row = ContentVersion.objects.get_or_create(pk=1, defaults={"value": _new_value()})[0]
    return row


def _new_value():
    # Random, not the time: two changes within the same clock tick still differ.
    return uuid.uuid4().hex


def _published_through(row, now):
    # Before anything was recorded, reports that went live within a page's lifetime count.
    return row.published_through or now - timedelta(seconds=settings.PAGE_CACHE_SECONDS)


def _next_publication(since):
    """The first scheduled change after ``since``: a report's publication, or changes
    scheduled on a working draft. A POSIX timestamp, or 0 if none is scheduled."""
    Report = apps.get_model("reports", "Report")
    upcoming = [
        Report.objects.filter(status=Report.Status.PUBLISHED, publish_at__gt=since)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first(),
        Report.all_objects.filter(changes_publish_at__isnull=False)
        .order_by("changes_publish_at")
        .values_list("changes_publish_at", flat=True)
        .first(),
    ]
    upcoming = [moment for moment in upcoming if moment is not None]
    return min(upcoming).timestamp() if upcoming else 0


def load_state():
    """Read the state from the database, make due publications live, and copy the state into
    the cache. Returns (content version, next publication timestamp or 0)."""
    return _load_state()[0]


def _load_state():
    global _failures_seen
    failures = cache_misses_by_outage()
    now = timezone.now()
    row = _stored_row()
    when = _next_publication(_published_through(row, now))
    went_live = bool(when and when <= now.timestamp())
    if went_live:
        go_live()
        row = _stored_row()
        when = _next_publication(_published_through(row, timezone.now()))
    state = (row.value, when)
    cache.set(VERSION_KEY, state, VERSION_COPY_SECONDS)
    if cache_misses_by_outage() == failures:  # the copy was made: the cache answers again
        _failures_seen = failures
    return state, went_live


def failures_seen():
    """The cache failures this process had seen when it last read the state from the
    database (an int; see ``diethnos.cache.cache_misses_by_outage``)."""
    return _failures_seen


def current_state(copy):
    """The state to serve by, given the cache's ``copy`` of it (or None): the copy, unless it
    is missing, this process saw the cache fail since it last made one, or a scheduled
    publication is due (then the due publications go live first).

    Returns (state, whether something went live just now: pages read before are stale)."""
    if not isinstance(copy, tuple) or cache_misses_by_outage() != _failures_seen:
        return _load_state()
    if copy[1] and copy[1] <= time.time():
        return _load_state()
    return copy, False


def serving_state():
    """``current_state`` of the cache's copy: what requests that are not cached call, so that
    scheduled changes go live on time for everyone."""
    return current_state(cache.get(VERSION_KEY))[0]


def go_live(now=None):
    """Make what was scheduled for ``now`` (default: the current time) or earlier live: the
    changes scheduled on working drafts are published (``publish_due_changes``), and the pages
    of reports whose publication time came are purged. Each publication is handled once, by
    one request, whatever the number of servers. Returns nothing."""
    from reports import page_tags
    from reports.workflow import publish_due_changes

    now = now or timezone.now()
    publish_due_changes(now)
    Report = apps.get_model("reports", "Report")
    with transaction.atomic():
        _stored_row()
        row = ContentVersion.objects.select_for_update().get(pk=1)
        since = _published_through(row, now)
        if since >= now:
            return
        went_live = list(
            Report.objects.filter(
                status=Report.Status.PUBLISHED, publish_at__gt=since, publish_at__lte=now
            ).values_list("pk", flat=True)
        )
        row.published_through = now
        row.save(update_fields=["published_through"])
    tags = set()
    for pk in went_live:
        tags |= page_tags.report_tags(pk, None, page_tags.report_snapshot(pk))
    if tags:
        purge(tags)


def retire_all_pages():
    """Give the content a new version: no page cached so far is served again."""
    global _failures_seen
    row = _stored_row()
    row.value = _new_value()
    row.save(update_fields=["value"])
    failures = cache_misses_by_outage()
    cache.delete(VERSION_KEY)
    if cache_misses_by_outage() != failures:
        # This process reads the version from the database until the cache answers again.
        _failures_seen = -1


def seconds_until(when):
    """Whole seconds from now until ``when`` (a timestamp; 0 for never), rounded down: a page
    kept that long is gone before a report scheduled for ``when`` goes live. None for never."""
    return max(0, math.floor(when - time.time())) if when else None


# ---------------------------------------------------------------------------------------------
# Purging


class _LocalSets:
    """Tag sets for a cache of one process (Django's local-memory cache, in development and
    tests): read, changed and written back under a lock."""

    lock = threading.Lock()

    def add_to_sets(self, member, names, timeout):
        with self.lock:
            for name in names:
                cache.set(name, cache.get(name, set()) | {member}, timeout)

    def delete_sets_and_members(self, names):
        with self.lock:
            members = set().union(*cache.get_many(names).values())
            cache.delete_many([*members, *names])
            return len(members)


def _sets():
    return cache if hasattr(cache, "add_to_sets") else _LocalSets()


def _set_name(tag):
    return f"pages-tagged:{tag}"


def purge(tags):
    """Delete every cached page tagged with any of ``tags`` (an iterable of str) on every
    server, and have the frontend cache drop them too. If the cache cannot be reached, no page
    cached so far is served again (``retire_all_pages``). Errors are logged, never raised:
    the change that asked for the purge is committed already."""
    tags = set(tags) | {UNTAGGED}
    try:
        failures = cache_misses_by_outage()
        # Random rather than counted: a counter the cache evicted could come back to a value
        # a page being drawn read before.
        cache.set(PURGES_KEY, _new_value(), None)
        _sets().delete_sets_and_members([_set_name(tag) for tag in sorted(tags)])
        if cache_misses_by_outage() != failures:
            retire_all_pages()
    except Exception:
        logger.exception("The page cache could not purge %s.", sorted(tags))
    purge_frontend(tags)
    pages_purged.send(sender=None, tags=tags)


class _Changes:
    """What one transaction changed: the tags to purge once it commits, and the state of each
    live report before its first change (``reports.page_tags``)."""

    def __init__(self):
        self.tags = set()
        self.first = []  # what runs on commit before the purge (``before_purge``)
        self.before = {}
        self.reports = set()
        self.schedule = False
        self.everything = False
        self.registered = False
        self.done = False

    def register(self):
        # Once for each change rather than once for all: a savepoint rolled back drops the
        # callbacks registered within it, and the first left to run takes in all the changes.
        self.registered = True
        transaction.on_commit(self.commit)

    def pending(self):
        """Whether this transaction is still open (its commit callback is still queued)."""
        if self.done:
            return False
        if not self.registered:
            return True
        return any(entry[1] == self.commit for entry in connection.run_on_commit)

    def commit(self):
        if self.done:
            return
        self.done = True
        if _local.__dict__.get("changes") is self:
            _local.changes = None
        for callback in self.first:
            try:
                callback()
            except Exception:
                logger.exception("The page cache could not run %r before its purge.", callback)
        try:
            from reports import page_tags

            tags = set(self.tags)
            for pk in self.reports:
                tags |= page_tags.report_tags(
                    pk, self.before.get(pk), page_tags.report_snapshot(pk)
                )
            if self.everything:
                retire_all_pages()
            if tags:
                purge(tags)
            if self.schedule and settings.PAGE_CACHE_SECONDS:
                load_state()  # the next publication may be another
        except Exception:
            logger.exception("The page cache could not take in a change.")


_local = threading.local()


def changes():
    """The changes of the current transaction, to be purged when it commits."""
    current = getattr(_local, "changes", None)
    if current is None or not current.pending():
        current = _local.changes = _Changes()
    return current


def before_purge(callback):
    """Run ``callback`` (no arguments) when the current transaction commits (at once outside
    one), before the pages it changed are purged: what a page is drawn from anew must be
    renewed before a reader can ask for the page again, or that reader's page would be drawn
    from what was kept before the change, and kept."""
    current = changes()
    current.first.append(callback)
    current.register()


def content_changed(sender, instance=None, raw=False, **kwargs):
    """Signal receiver for saves, deletions and relations of the content apps' models: notes
    which pages the change touches, to be purged once it is committed (see
    ``reports.page_tags.note_change``)."""
    if raw or sender is None or sender._meta.app_label not in CONTENT_APPS:
        return
    if not settings.PAGE_CACHE_SECONDS and not settings.FRONTEND_CACHE_BACKEND:
        return  # no cache to purge
    from reports import page_tags

    page_tags.note_change(changes(), sender, instance, **kwargs)


# ---------------------------------------------------------------------------------------------
# Serving


def lifetime_header(until_next):
    """The Cache-Control value of a cacheable page: browsers keep it ``PAGE_CACHE_MAX_AGE``,
    shared caches ``PAGE_CACHE_S_MAXAGE``, and may serve it stale while they fetch it again
    ``PAGE_CACHE_STALE_WHILE_REVALIDATE`` more; none past the next publication (``until_next``
    seconds, or None for none)."""
    max_age = settings.PAGE_CACHE_MAX_AGE
    s_maxage = settings.PAGE_CACHE_S_MAXAGE
    stale = settings.PAGE_CACHE_STALE_WHILE_REVALIDATE
    if until_next is not None:
        max_age, s_maxage = min(max_age, until_next), min(s_maxage, until_next)
        stale = min(stale, until_next - max(max_age, s_maxage))
    return f"public, max-age={max_age}, s-maxage={s_maxage}, stale-while-revalidate={stale}"


def page_key(meta):
    """The cache key of the page at the address of a request, from its WSGI environ (or
    ``request.META``, which is that environ): scheme, host, path and query string as they came
    (the host as Django's ``HttpRequest.get_host`` finds it), so that the WSGI entry point
    (``serve_from_cache``) finds a page without building a request. Two spellings of one
    address are two keys, each stored once drawn."""
    scheme = _scheme(meta)
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in meta:
        host = meta["HTTP_X_FORWARDED_HOST"]
    elif "HTTP_HOST" in meta:
        host = meta["HTTP_HOST"]
    else:
        host, port = meta.get("SERVER_NAME", ""), str(meta.get("SERVER_PORT", ""))
        if port != ("443" if scheme == "https" else "80"):
            host = f"{host}:{port}"
    path = meta.get("SCRIPT_NAME", "") + meta.get("PATH_INFO", "")
    address = f"{scheme}://{host}{path}?{meta.get('QUERY_STRING', '')}"
    return "page:" + hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()


def _scheme(meta):
    # As Django's HttpRequest.scheme: the proxy's header when one is trusted.
    proxied = settings.SECURE_PROXY_SSL_HEADER
    if proxied:
        header, secure = proxied
        value = meta.get(header)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure else "http"
    return meta.get("wsgi.url_scheme", "http")


def _is_personal(cookie_header):
    # A substring first: most readers' requests have no cookie of ours at all.
    if not cookie_header:
        return False
    session = settings.SESSION_COOKIE_NAME
    if session not in cookie_header and MESSAGES_COOKIE not in cookie_header:
        return False
    cookies = parse_cookie(cookie_header)
    return session in cookies or MESSAGES_COOKIE in cookies


def _is_cacheable_path(path):
    return not path.startswith(NOT_CACHED)


def _hit_headers(stored_headers, until_next):
    """The headers of a page answered from the cache: those stored with it, its lifetime
    counted now, and ``X-Cache: hit``."""
    return [
        *stored_headers,
        ("Cache-Control", lifetime_header(until_next)),
        ("X-Cache", "hit"),
    ]


def _is_current(if_none_match, headers):
    """Whether the reader's copy (the ``If-None-Match`` value) is the stored page."""
    etag = next((value for name, value in headers if name == "ETag"), None)
    if not if_none_match or etag is None:
        return False
    wanted = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
    return "*" in wanted or etag.removeprefix("W/") in wanted


# The cache's answer to the WSGI entry point, handed on to PageCacheMiddleware on a miss so
# that a request reads the cache once.
FOUND_KEY = "diethnos.page_cache.found"


def serve_from_cache(environ):
    """Answer a request from the page cache before Django handles it, when that is certain to
    be the answer Django would give: an anonymous GET or HEAD (no session or messages cookie)
    for a page stored under the current content version, with no scheduled publication due
    and no cache failure unaccounted for. One cache round trip; no signals, middleware or
    request object.

    ``environ`` is the WSGI environ. Returns (status line, header list, body bytes) for a hit
    (a 304 when the reader's copy is current), or None: then Django answers, and
    ``PageCacheMiddleware`` reads what this looked up from ``environ`` rather than the cache.
    """
    if not settings.PAGE_CACHE_SECONDS or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    if not _is_cacheable_path(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")):
        return None
    if _is_personal(environ.get("HTTP_COOKIE")):
        return None
    key = page_key(environ)
    found = cache.get_many([key, VERSION_KEY, PURGES_KEY])
    environ[FOUND_KEY] = (key, found)
    copy, stored = found.get(VERSION_KEY), found.get(key)
    if not isinstance(copy, tuple) or not isinstance(stored, tuple):
        return None
    if cache_misses_by_outage() != _failures_seen or (copy[1] and copy[1] <= time.time()):
        return None  # the state must be read from the database first: Django does that
    if stored[0] != copy[0]:
        return None
    _, content, headers = stored
    headers = _hit_headers(headers, seconds_until(copy[1]))
    if _is_current(environ.get("HTTP_IF_NONE_MATCH"), headers):
        kept = (*NOT_MODIFIED_HEADERS, "X-Cache")
        return "304 Not Modified", [(n, v) for n, v in headers if n in kept], b""
    if environ["REQUEST_METHOD"] == "HEAD":
        content = b""
    return "200 OK", headers, content


class PageCacheMiddleware:
    """Answers anonymous readers' GET and HEAD requests for public pages from the shared cache
    and stores the pages it draws for them. First in ``MIDDLEWARE``: a cached page is
    answered with no other middleware run, and a page is stored with the headers all of them
    added. Signed-in people are never served from the cache; a request with a session cookie
    is drawn afresh. Behind the WSGI entry point (diethnos/wsgi.py), most cached pages are
    answered before Django is reached (``serve_from_cache``); this answers the rest."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.PAGE_CACHE_SECONDS
        if not self._is_cacheable_request(request):
            if timeout:
                serving_state()  # scheduled changes go live for everyone on time
            return self.get_response(request)
        stored = None
        if timeout:
            request.get_host()  # a host not allowed is refused (400) before anything is read
            key, found = request.META.pop(FOUND_KEY, (None, None))
            if key is None:
                key = page_key(request.META)
                found = cache.get_many([key, VERSION_KEY, PURGES_KEY])
            state, went_live = current_state(found.get(VERSION_KEY))
            # After a publication went live, the purges it made are behind the page drawn now.
            purges = cache.get(PURGES_KEY) if went_live else found.get(PURGES_KEY)
            stored = None if went_live else found.get(key)
            if isinstance(stored, tuple) and stored[0] == state[0] and not self._personal(request):
                return self._answer(request, stored, seconds_until(state[1]))
            next_live = state[1]
        else:
            next_live = 0  # the page cache is off: nothing to look up

        response = self.get_response(request)
        if not self._is_cacheable_response(request, response):
            return response
        # Counted once the page is drawn: a report that went live meanwhile may be missing.
        response["Cache-Control"] = lifetime_header(seconds_until(next_live))
        patch_vary_headers(response, ["Cookie"])
        tags = tags_of(request)
        response["Surrogate-Key"] = " ".join(tags)
        response["Cache-Tag"] = ",".join(tags)
        if timeout:
            self._store(key, state[0], response, tags, timeout, purges)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _store(key, version, response, tags, timeout, purges):
        # The headers as the WSGI entry point sends them, all but the lifetime, which is
        # counted at each answer.
        headers = tuple(
            (name, value) for name, value in response.items() if name != "Cache-Control"
        )
        if "Content-Length" not in response:
            headers += (("Content-Length", str(len(response.content))),)
        failures = cache_misses_by_outage()
        _sets().add_to_sets(key, [_set_name(tag) for tag in tags], timeout)
        if cache_misses_by_outage() != failures:
            return  # a page not in its tags' sets could not be purged
        cache.set(key, (version, response.content, headers), timeout)
        if cache.get(PURGES_KEY) != purges:
            cache.delete(key)  # drawn across a purge: perhaps from what it purged

    @staticmethod
    def _answer(request, stored, until_next):
        """The response to ``request`` from the ``stored`` page: a 304 if the reader's copy
        is current, else the page."""
        _, content, headers = stored
        headers = _hit_headers(headers, until_next)
        if _is_current(request.META.get("HTTP_IF_NONE_MATCH"), headers):
            response = HttpResponseNotModified()
            kept = (*NOT_MODIFIED_HEADERS, "X-Cache")
            headers = [(name, value) for name, value in headers if name in kept]
        else:
            response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        return response

    @staticmethod
    def _personal(request):
        cookies = request.COOKIES
        return settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies

    @staticmethod
    def _is_cacheable_request(request):
        return request.method in ("GET", "HEAD") and _is_cacheable_path(request.path)

    @staticmethod
    def _is_cacheable_response(request, response):
        user = getattr(request, "user", None)
        return (
            response.status_code == 200
            and user is not None
            and not user.is_authenticated
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not response.cookies
            and not response.streaming
            and "Cache-Control" not in response
        )
