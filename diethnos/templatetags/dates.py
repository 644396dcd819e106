"""The one way the public site shows a date: "28 October 2024", in a ``<time>`` element."""

import datetime

from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

register = template.Library()

DATE_FORMAT = "j F Y"  # 28 October 2024
TIME_FORMAT = "H:i"  # 14:30, after the date where the time of day matters


@register.filter(expects_localtime=True)
def time_tag(value, precision="day"):
    """``value`` (a date or datetime) as ``<time datetime="ISO 8601">28 October 2024</time>``.

    A datetime is shown in the site's time zone; ``precision`` "minute" adds the time of day
    ("28 October 2024, 14:30"). None or "" gives "". Raises ValueError for another precision.
    """
    if value in (None, ""):
        return ""
    if precision not in ("day", "minute"):
        raise ValueError(f"time_tag precision is “day” or “minute”, not “{precision}”")
    text = format_date(value, DATE_FORMAT)
    if precision == "minute" and isinstance(value, datetime.datetime):
        text = f"{text}, {format_date(value, TIME_FORMAT)}"
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), text)
