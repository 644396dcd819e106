"""The WSGI entry point: ``gunicorn -c deploy/gunicorn.conf.py diethnos.wsgi``.

A reader's request for a page the page cache holds is answered here, before Django's handler
runs (no request object, signals or middleware): see ``diethnos.page_cache.serve_from_cache``.
Every other request goes to Django.
"""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diethnos.settings")
django_application = get_wsgi_application()

from diethnos.page_cache import serve_from_cache  # noqa: E402 (needs the settings loaded)

logger = logging.getLogger(__name__)


def application(environ, start_response):
    """Answer ``environ``'s request from the page cache if it holds the page, else from
    Django (a WSGI application)."""
    try:
        cached = serve_from_cache(environ)
    except Exception:
        # Django then answers, reading the cache again: a reader never gets an error from here.
        logger.exception("The page cache could not answer %s.", environ.get("PATH_INFO"))
        cached = None
    if cached is None:
        return django_application(environ, start_response)
    status, headers, body = cached
    start_response(status, headers)
    return [body]
