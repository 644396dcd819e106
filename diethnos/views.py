from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .cache import cache_errors


@never_cache
def healthz(request):
    """The state of the database and the cache, as JSON.

    200 while the site can serve, which it does without the cache (uncached, slower): then
    ``"cache": "unavailable"``. 503 when the database does not answer. ``cache_errors`` counts
    the failed attempts to reach the cache of this server process since it started.
    """
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = "unavailable"
    cache.set("healthz", "ok", 10)
    checks["cache"] = "ok" if cache.get("healthz") == "ok" else "unavailable"
    status = 200 if checks["database"] == "ok" else 503
    return JsonResponse({**checks, "cache_errors": cache_errors()}, status=status)
