"""Whole-page caching for anonymous readers, shared by every app server.

Every cached page is stored under the current *content version*. Any change to reports,
authors, regions or topics sets a new version, so all servers stop serving the old pages at
once; the old entries simply expire. A page is never kept past the next scheduled publication,
so scheduled reports appear on time without a worker.
"""

import hashlib
import time

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
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version


def new_content_version():
    cache.set(VERSION_KEY, time.time_ns(), None)


def content_changed(sender=None, **kwargs):
    """Signal receiver: a model of a content app changed, so every cached page is stale.

    Again once the change is committed: a page another request rendered in between still
    showed the old content, yet was stored under the new version.
    """
    if sender is None or sender._meta.app_label in CONTENT_APPS:
        new_content_version()
        transaction.on_commit(new_content_version)


def seconds_to_next_publication(version):
    """Seconds until the next scheduled report goes live (None if none is scheduled)."""
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
    return max(1, int(when - time.time()) + 1) if when else None


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._is_cacheable_request(request):
            return self.get_response(request)
        version = content_version()
        digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = f"page:{version}:{digest}"
        response = cache.get(key) if settings.PAGE_CACHE_SECONDS else None
        if response is not None:
            response["X-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if not self._is_cacheable_response(request, response):
            return response
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PAGE_CACHE_MAX_AGE,
            stale_while_revalidate=settings.PAGE_CACHE_MAX_AGE * 5,
        )
        patch_vary_headers(response, ["Cookie"])
        timeout = settings.PAGE_CACHE_SECONDS
        if timeout:
            next_publication = seconds_to_next_publication(version)
            if next_publication:
                timeout = min(timeout, next_publication)
            cache.set(key, response, timeout)
            response["X-Cache"] = "miss"
        return response

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
