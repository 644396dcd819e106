"""The read API's rate limit: requests a minute per client address, or per API key.

Counted in the shared cache in fixed one-minute windows, for every request under ``/api/``
(those the page cache answers too). Without a key the limit is ``settings.API_RATE_LIMIT`` per
client address (``diethnos.client_address``); a key sent as ``Authorization: Bearer <key>`` or
``X-API-Key: <key>`` has its own count and a higher limit (``ApiKey.rate_limit``, else
``settings.API_KEY_RATE_LIMIT``). A request over the limit gets a 429 with ``Retry-After``;
an unknown or revoked key a 401. Should the cache fail, requests are let through.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache

from diethnos.client_address import client_address

from .errors import error_response
from .models import ApiKey

WINDOW_SECONDS = 60
PREFIX = "/api/"


def key_sent(request):
    """The API key ``request`` carries (a str), or "" if none."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.META.get("HTTP_X_API_KEY", "").strip()


def count_request(counter, now):
    """Count one request of ``counter`` (a str) in the window of ``now``; return how many it
    has made in that window, or 0 when the cache cannot tell."""
    key = f"api-rate:{counter}:{int(now // WINDOW_SECONDS)}"
    # One round trip once the window's count exists; incr raises ValueError when it does not.
    for _ in range(2):
        try:
            return cache.incr(key)
        except ValueError:
            if cache.add(key, 1, WINDOW_SECONDS * 2):
                return 1
    return 0  # neither counted nor stored: the cache is unreachable


class RateLimitMiddleware:
    """Applies the rate limit to requests under ``/api/`` (CORS preflights excepted) and says
    how much is left in ``RateLimit-Limit`` and ``RateLimit-Remaining``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX) or request.method == "OPTIONS":
            return self.get_response(request)
        sent = key_sent(request)
        if sent:
            api_key = ApiKey.objects.matching(sent)
            if api_key is None:
                response = error_response(401, "This API key is unknown or has been revoked.")
                response["WWW-Authenticate"] = 'Bearer realm="api"'
                return response
            limit = api_key.rate_limit or settings.API_KEY_RATE_LIMIT
            counter = f"key:{api_key.pk}"
        else:
            limit = settings.API_RATE_LIMIT
            counter = f"ip:{client_address(request)}"
        if not limit:
            return self.get_response(request)
        now = time.time()
        count = count_request(counter, now)
        if count > limit:
            retry_after = max(1, math.ceil(WINDOW_SECONDS - now % WINDOW_SECONDS))
            response = error_response(
                429,
                f"Over the limit of {limit} requests a minute; try again in {retry_after} s."
                + ("" if sent else " An API key gives a higher limit."),
            )
            response["Retry-After"] = str(retry_after)
        else:
            response = self.get_response(request)
        response["RateLimit-Limit"] = str(limit)
        response["RateLimit-Remaining"] = str(max(0, limit - count))
        return response
