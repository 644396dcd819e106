"""Whole-page caching for anonymous readers, shared by every app server.

Every cached page is stored under the current *content version*. Any change to reports,
authors, regions or topics sets a new version, so all servers stop serving the old pages at
once; the old entries simply expire. A page is never kept past the next scheduled publication
(here, in browsers or in CDNs), and the first request after it starts a new version, so
scheduled reports appear on time without a worker.
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

VERSION_KEY = "content-version"
CONTENT_APPS = {"reports", "authors", "tags", "taggit"}
NOT_CACHED = ("/admin/", "/accounts/", "/healthz", "/media/", "/static/")


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def new_content_version():
    # Random, not the time: two changes within the same clock tick still differ.
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def content_changed(sender=None, **kwargs):
    """Signal receiver: a model of a content app changed, so every cached page is stale.

    Again once the change is committed: a page another request rendered in between still
    showed the old content, yet was stored under the new version.
    """
    if sender is None or sender._meta.app_label in CONTENT_APPS:
        new_content_version()
        transaction.on_commit(new_content_version)


def next_publication(version):
    """When the next scheduled report goes live, as seen by pages of content ``version``.

    A POSIX timestamp (seconds), or 0 if no report is scheduled; looked up once per version
    and kept in the cache.
    """
    key = f"next-publication:{version}"
    when = cache.get(key)
    if when is None:
        Report = apps.get_model("reports", "Report")
        upcoming = (
            Report.objects.scheduled()
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
            .first()
        )
        when = upcoming.timestamp() if upcoming else 0
        cache.set(key, when, settings.PAGE_CACHE_SECONDS or 60)
    return when


def live_content_version():
    """The content version to serve now, and when its next scheduled report goes live.

    Returns (version, timestamp or 0). A scheduled report going live changes what readers see
    though nothing is saved: the first request after its time sets a new content version, as
    a save does, so that no page drawn before it is served again, and looks up the next one.
    """
    version = content_version()
    when = next_publication(version)
    if when and when <= time.time():
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
        if not self._is_cacheable_request(request):
            return self.get_response(request)
        timeout = settings.PAGE_CACHE_SECONDS
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
