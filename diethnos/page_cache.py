"""Whole-page caching for anonymous readers, shared by every app server.

Every cached page is stored under the current *content version*. Any committed change to
reports, authors, regions or topics sets a new version, so all servers stop serving the old
pages at once; the old entries simply expire. A page is never kept past the next scheduled
publication (here, in browsers or in CDNs), and the first request after it starts a new
version, so scheduled reports appear on time without a worker; changes scheduled on a
report's working draft are written by that first request.

The version is kept in the database (``ContentVersion``, written on each change) and copied
into the cache, where requests read it. The cache may be unreachable when a change is saved
(diethnos/cache.py): a process that saw the cache fail takes the version from the database
again once the cache answers, so a page cached before the change is never served after it;
and the copy expires after ``VERSION_COPY_SECONDS`` whatever happens.
"""

import hashlib
import math
import time
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.cache import patch_cache_control, patch_vary_headers

from .cache import cache_misses_by_outage
from .models import ContentVersion

VERSION_KEY = "content-version"
# How long the cache's copy of the version is trusted without a look at the database.
VERSION_COPY_SECONDS = 60
CONTENT_APPS = {"reports", "authors", "tags", "taggit", "corrections"}
# Share links (/preview/) show unpublished content: never kept.
NOT_CACHED = ("/admin/", "/accounts/", "/preview/", "/healthz", "/media/", "/static/")


# The cache failures this process had seen when it last copied the version into the cache.
_failures_seen = 0


def content_version():
    """The current content version (a str): the cache's copy, or the database's value when
    the copy is missing or this process saw the cache fail since it last made one."""
    global _failures_seen
    failures = cache_misses_by_outage()
    version = cache.get(VERSION_KEY) if failures == _failures_seen else None
    if version is None:
        version = _stored_version()
        cache.set(VERSION_KEY, version, VERSION_COPY_SECONDS)
        if cache_misses_by_outage() == failures:  # the copy was made: the cache answers again
            _failures_seen = failures
    return version


def _stored_version():
    value = ContentVersion.objects.filter(pk=1).values_list("value", flat=True).first()
    if value is None:  # the row was removed, e.g. by a test database flush
        value = ContentVersion.objects.get_or_create(pk=1, defaults={"value": _new_value()})[0]
        value = value.value
    return value


def new_content_version():
    """Give the content a new version, retiring every cached page."""
    value = _new_value()
    ContentVersion.objects.update_or_create(pk=1, defaults={"value": value})
    cache.set(VERSION_KEY, value, VERSION_COPY_SECONDS)


def _new_value():
    # Random, not the time: two changes within the same clock tick still differ.
    return uuid.uuid4().hex


def content_changed(sender=None, instance=None, **kwargs):
    """Signal receiver: a model of a content app changed, so every cached page is stale once
    the change is committed. A row that says it is no public content (``is_public_content``
    False: a report's working draft and its rows) changes no page.

    The version changes after the commit, not within the transaction, so that no transaction
    holds the version's row locked: a page another request renders from the old content before
    the commit is stored under the old version, which the commit retires.
    """
    if getattr(instance, "is_public_content", True) is False:
        return
    if sender is None or sender._meta.app_label in CONTENT_APPS:
        transaction.on_commit(new_content_version)


def next_publication(version):
    """When the next scheduled change goes live, as seen by pages of content ``version``: a
    scheduled report's publication, or a report's changes scheduled on its working draft.

    A POSIX timestamp (seconds), or 0 if nothing is scheduled; looked up once per version
    and kept in the cache.
    """
    key = f"next-publication:{version}"
    when = cache.get(key)
    if when is None:
        Report = apps.get_model("reports", "Report")
        upcoming = [
            Report.objects.scheduled()
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
            .first(),
            Report.all_objects.filter(changes_publish_at__isnull=False)
            .order_by("changes_publish_at")
            .values_list("changes_publish_at", flat=True)
            .first(),
        ]
        upcoming = [moment for moment in upcoming if moment is not None]
        when = min(upcoming).timestamp() if upcoming else 0
        cache.set(key, when, settings.PAGE_CACHE_SECONDS or 60)
    return when


def live_content_version():
    """The content version to serve now, and when its next scheduled change goes live.

    Returns (version, timestamp or 0). A scheduled report going live changes what readers see
    though nothing is saved: the first request after its time sets a new content version, as
    a save does, so that no page drawn before it is served again, and looks up the next one.
    Changes scheduled on a working draft are written then, by that request
    (``reports.workflow.publish_due_changes``, which lets only one request apply them).
    """
    version = content_version()
    when = next_publication(version)
    if when and when <= time.time():
        from reports.workflow import publish_due_changes

        publish_due_changes()
        new_content_version()
        version = content_version()
        when = next_publication(version)
    return version, when


def seconds_until(when):
    """Whole seconds from now until ``when`` (a timestamp; 0 for never), rounded down: a page
    kept that long is gone before a report scheduled for ``when`` goes live. None for never."""
    return max(0, math.floor(when - time.time())) if when else None


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.PAGE_CACHE_SECONDS
        if not self._is_cacheable_request(request):
            if timeout:
                live_content_version()  # scheduled changes go live for everyone on time
            return self.get_response(request)
        if timeout:
            version, next_live = live_content_version()
            digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
            key = f"page:{version}:{digest}"
            response = cache.get(key)
            if response is not None:
                self._set_lifetime_downstream(response, seconds_until(next_live))
                response["X-Cache"] = "hit"
                return response
        else:
            next_live = 0  # the page cache is off: nothing to look up

        response = self.get_response(request)
        if not self._is_cacheable_response(request, response):
            return response
        # Counted once the page is drawn: a report that went live meanwhile may be missing.
        until_next = seconds_until(next_live)
        self._set_lifetime_downstream(response, until_next)
        patch_vary_headers(response, ["Cookie"])
        if timeout:
            if until_next is not None:
                timeout = min(timeout, until_next)
            if timeout:
                cache.set(key, response, timeout)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _set_lifetime_downstream(response, until_next):
        """How long browsers and CDNs may keep the page: never past the next publication."""
        max_age = settings.PAGE_CACHE_MAX_AGE
        stale = max_age * 5
        if until_next is not None:
            max_age = min(max_age, until_next)
            stale = min(stale, until_next - max_age)
        patch_cache_control(response, public=True, max_age=max_age, stale_while_revalidate=stale)

    @staticmethod
    def _is_cacheable_request(request):
        return (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(NOT_CACHED)
            and not request.user.is_authenticated
        )

    @staticmethod
    def _is_cacheable_response(request, response):
        return (
            response.status_code == 200
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not response.cookies
            and not response.streaming
            and "Cache-Control" not in response
        )
