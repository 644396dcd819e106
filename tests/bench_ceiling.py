"""The ceiling ``python -m tests.bench --load`` compares cached pages with: a bare Django
project (no middleware, no database) whose one view returns the bytes of the file named by
BENCH_CEILING_BODY, served by the same gunicorn settings.

    BENCH_CEILING_BODY=page.html gunicorn tests.bench_ceiling:application
"""

import os

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="benchmark-ceiling-only",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)

import django  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import re_path  # noqa: E402

django.setup()

with open(os.environ["BENCH_CEILING_BODY"], "rb") as body:
    BODY = body.read()


def page(request):
    """The same bytes for every address."""
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [re_path(r"", page)]
application = get_wsgi_application()
