"""The Content-Security-Policy's moving parts (the policy itself is in settings.py): the rich-text
editor running under it, and where browsers report what it blocked.

Every page, the editors' desk included, allows scripts and styles from the site's own origin
only. The rich-text editor (django-prose-editor) needs two exceptions, made only on the pages
that show it: its modules are found through an inline import map, which carries the page's
nonce, and it injects one stylesheet of its own, allowed by its hash.
"""

import json
import logging

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from js_asset import Media

logger = logging.getLogger(__name__)

# The base styles the rich-text editor (Tiptap, in django-prose-editor 0.28) injects as a
# <style> element: allowed by their hash rather than by allowing any inline style.
EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
EDITOR_CSP = {"style-src": [EDITOR_STYLE_HASH]}


def editor_media(media, request):
    """``media`` (a form's or the admin's ``forms.Media``) rendering with the request's CSP
    nonce, so that the editor's inline import map may run."""
    return Media.from_media(media, nonce=request.csp_nonce)


class RichTextAdminMixin:
    """For a ModelAdmin whose forms have rich-text fields: their editor works under the CSP."""

    def render_change_form(self, request, context, *args, **kwargs):
        context["media"] = editor_media(context["media"], request)
        response = super().render_change_form(request, context, *args, **kwargs)
        response._csp_update = EDITOR_CSP  # read by django-csp's middleware
        return response


class ReportingEndpointsMiddleware:
    """Names the address of the CSP's ``report-uri`` (``CSP_REPORT_URI``), absolute, in the
    Reporting-Endpoints header, where browsers look up its ``report-to``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        report_uri = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].get("report-uri")
        if report_uri:
            address = request.build_absolute_uri(report_uri[0])
            response.setdefault("Reporting-Endpoints", f'csp="{address}"')
        return response


MAX_REPORT_BYTES = 64 * 1024
MAX_LOGGED_REPORTS = 10


@csrf_exempt
@require_POST
def csp_report(request):
    """Receives the violation reports browsers send (``report-uri``'s ``application/csp-report``
    and ``report-to``'s ``application/reports+json``) and logs each at WARNING on the logger
    ``diethnos.content_security``. 204; 413 for a body over 64 KB; 400 for one that is not
    JSON."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        data = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    reports = data if isinstance(data, list) else [data]
    for report in reports[:MAX_LOGGED_REPORTS]:
        if not isinstance(report, dict):
            continue
        body = report.get("csp-report") or report.get("body") or {}
        if not isinstance(body, dict):
            continue
        logger.warning(
            "CSP violation on %s: %s blocked %s",
            str(body.get("document-uri") or body.get("documentURL") or "?")[:300],
            str(body.get("violated-directive") or body.get("effectiveDirective") or "?")[:100],
            str(body.get("blocked-uri") or body.get("blockedURL") or "?")[:300],
        )
    return HttpResponse(status=204)
