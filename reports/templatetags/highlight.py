from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from reports.search import MARK_END, MARK_START

register = template.Library()


@register.filter
def highlight(text):
    """Escape a search headline, then show its matched words as <mark>."""
    escaped = escape(text)
    return mark_safe(  # noqa: S308 - every character but the markers is escaped above
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )
