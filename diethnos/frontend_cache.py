"""Telling a cache in front of the site (Varnish, a CDN) which pages to drop.

Cacheable pages carry their tags (diethnos/page_cache.py) in a ``Surrogate-Key`` header
(space-separated, as Varnish with ``deploy/varnish.vcl`` and Fastly read it) and a ``Cache-Tag``
header (comma-separated, as Cloudflare reads it). When a change is committed, the page cache
calls ``purge_frontend`` with the tags it purged, and the backend chosen by
``FRONTEND_CACHE_BACKEND`` asks the frontend to drop the pages carrying any of them:

- ``""``: none (the default).
- ``"varnish"``: an HTTP ``BAN`` request to each of ``FRONTEND_CACHE_LOCATIONS``, with the tags
  in a ``Surrogate-Key`` header; ``deploy/varnish.vcl`` bans every object whose own
  ``Surrogate-Key`` holds one of them.
- ``"cloudflare"``: Cloudflare's purge-by-tag API for zone ``FRONTEND_CACHE_CLOUDFLARE_ZONE``,
  authorised by the API token ``FRONTEND_CACHE_CLOUDFLARE_TOKEN``, 30 tags a call.

A frontend that cannot be reached is logged and otherwise ignored: the change is saved, and
the frontend keeps the page for ``PAGE_CACHE_S_MAXAGE`` seconds at most.
"""

import json
import logging
import urllib.request
from urllib.error import URLError

from django.conf import settings

logger = logging.getLogger(__name__)

CLOUDFLARE_API = "https://api.cloudflare.com/client/v4/zones/{zone}/purge_cache"
CLOUDFLARE_TAGS_PER_CALL = 30


def varnish(tags):
    """Ban the pages tagged with any of ``tags`` in each Varnish of FRONTEND_CACHE_LOCATIONS."""
    for location in settings.FRONTEND_CACHE_LOCATIONS:
        request = urllib.request.Request(  # noqa: S310 (a URL from the settings)
            location.rstrip("/") + "/",
            method="BAN",
            headers={"Surrogate-Key": " ".join(sorted(tags))},
        )
        _send(request, location)


def cloudflare(tags):
    """Purge the pages tagged with any of ``tags`` in the Cloudflare zone of the settings."""
    url = CLOUDFLARE_API.format(zone=settings.FRONTEND_CACHE_CLOUDFLARE_ZONE)
    tags = sorted(tags)
    for start in range(0, len(tags), CLOUDFLARE_TAGS_PER_CALL):
        request = urllib.request.Request(  # noqa: S310 (a fixed https URL)
            url,
            method="POST",
            data=json.dumps({"tags": tags[start : start + CLOUDFLARE_TAGS_PER_CALL]}).encode(),
            headers={
                "Authorization": f"Bearer {settings.FRONTEND_CACHE_CLOUDFLARE_TOKEN}",
                "Content-Type": "application/json",
            },
        )
        _send(request, "Cloudflare")


BACKENDS = {"varnish": varnish, "cloudflare": cloudflare}


def _send(request, where):
    try:
        with urllib.request.urlopen(request, timeout=settings.FRONTEND_CACHE_TIMEOUT) as answer:  # noqa: S310
            answer.read()
    except (URLError, OSError, ValueError) as error:
        logger.error("The frontend cache at %s could not purge pages: %s", where, error)


def purge_frontend(tags):
    """Have the frontend cache of FRONTEND_CACHE_BACKEND drop the pages tagged with any of
    ``tags`` (a set of str). Returns nothing; failures, and a backend it does not know, are
    logged, never raised.
    """
    name = settings.FRONTEND_CACHE_BACKEND
    if not name or not tags:
        return
    if name not in BACKENDS:
        logger.error("FRONTEND_CACHE_BACKEND is %r: use '', 'varnish' or 'cloudflare'.", name)
        return
    try:
        BACKENDS[name](tags)
    except Exception:
        logger.exception("The frontend cache could not purge %s.", sorted(tags))
