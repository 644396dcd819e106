"""Tags for what a page says about itself in its <head>: canonical links and JSON-LD."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from authors.structured_data import profile_page
from diethnos.site import absolute_url, organisation
from reports.structured_data import article

register = template.Library()

# The escapes of Django's json_script: text inside <script> cannot close the element.
SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data):
    """``data`` as a JSON-LD data block (browsers never execute it, so CSP allows it)."""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.filter
def absolute(url):
    return absolute_url(url)


@register.simple_tag(takes_context=True)
def canonical_url(context, path):
    """The public address of ``path``; a listing's later pages keep their page number."""
    number = getattr(context.get("page"), "number", 1)
    return absolute_url(path) + (f"?page={number}" if number > 1 else "")


@register.simple_tag
def organisation_json_ld():
    return json_ld({"@context": "https://schema.org", **organisation()})


@register.simple_tag
def report_json_ld(report):
    return json_ld(article(report))


@register.simple_tag
def profile_json_ld(author):
    return json_ld(profile_page(author))
