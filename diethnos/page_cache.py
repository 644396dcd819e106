"""Whole-page caching for anonymous readers, shared by every app server.

Every cached page is stored under the current *content version*, a value kept in the database
(``ContentVersion``). Any committed change to reports, authors, regions or topics gives it a new
value, so all servers stop serving the old pages at once; the old entries simply expire. The
version is in the database, not in the cache, because the cache may be unreachable when the
change is saved (diethnos/cache.py): a version kept there would come back with the pages cached
before the change. Reading it costs a hit one primary-key query, where it cost one cache read.
A page is never kept past the next scheduled publication, so scheduled reports appear on time
without a worker.
"""

import hashlib
import time
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.cache import patch_cache_control, patch_vary_headers

from .models import ContentVersion

CONTENT_APPS = {"reports", "authors", "tags", "taggit"}
NOT_CACHED = ("/admin/", "/accounts/", "/healthz", "/media/", "/static/")


def content_version():
    """The current content version (a str), from the database."""
    value = ContentVersion.objects.filter(pk=1).values_list("value", flat=True).first()
    if value is None:  # the row was removed, e.g. by a test database flush
        value = ContentVersion.objects.get_or_create(pk=1, defaults={"value": _new_value()})[
            0
        ].value
    return value


def new_content_version():
    """Give the content a new version, retiring every cached page."""
    ContentVersion.objects.update_or_create(pk=1, defaults={"value": _new_value()})


def _new_value():
    return uuid.uuid4().hex


def content_changed(sender=None, **kwargs):
    """Signal receiver: a model of a content app changed, so every cached page is stale once
    the change is committed.

    The version changes after the commit, not within the transaction, so that no transaction
    holds the version's row locked: a page another request renders from the old content before
    the commit is stored under the old version, which the commit retires.
    """
    if sender is None or sender._meta.app_label in CONTENT_APPS:
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
        key = None
        if settings.PAGE_CACHE_SECONDS:
            version = content_version()
            digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
            key = f"page:{version}:{digest}"
            response = cache.get(key)
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
        if key:
            timeout = settings.PAGE_CACHE_SECONDS
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
