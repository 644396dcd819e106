"""The date bar of the desk's report list, drawn as Django's date hierarchy draws it, but
finding the years, months or days that hold reports by looking each up until its first report
(one query for them all) rather than reading every report of the list."""

from datetime import datetime, timedelta

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db.models import Exists, Max, Min
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def dates_with_rows(cl):
    """What Django's ``date_hierarchy`` tag shows of change list ``cl`` (whose
    ``date_hierarchy`` is a DateTimeField)."""
    if cl.query:
        # A searched list's rows are gathered by the search's subqueries, which each lookup
        # would gather again: reading them once is quicker.
        return date_hierarchy(cl)
    return date_hierarchy(_ChangeListDates(cl))


class _ChangeListDates:
    """Change list ``cl`` as the date hierarchy reads it, with a ``queryset`` that answers
    its two questions (``_Periods``)."""

    def __init__(self, cl):
        self._cl = cl
        self.queryset = _Periods(cl.queryset)

    def __getattr__(self, name):
        return getattr(self._cl, name)


class _Periods:
    """The date hierarchy's questions about ``rows`` (a QuerySet): their first and last
    dates (``aggregate``), and the years, months or days holding any (``datetimes``)."""

    def __init__(self, rows):
        self.rows = rows
        self.span = None

    def aggregate(self, **bounds):
        self.span = self.rows.aggregate(**bounds)
        return self.span

    def datetimes(self, field, kind):
        """The starts of the periods of ``kind`` ("year", "month" or "day") holding any of
        the rows, as ``QuerySet.datetimes`` gives them (aware, in the current time zone, in
        order), in at most two queries."""
        if self.span is None:
            self.span = self.rows.aggregate(first=Min(field), last=Max(field))
        first, last = self.span["first"], self.span["last"]
        if first is None or last is None:
            return []
        periods = _periods(timezone.localtime(first), timezone.localtime(last), kind)
        probes = {
            f"p{number}": Exists(self.rows.filter(**{f"{field}__gte": start, f"{field}__lt": end}))
            for number, (start, end) in enumerate(periods)
        }
        # Any one row to hang the lookups on: each is looked up once, not for each row.
        found = self.rows.model._base_manager.order_by().annotate(**probes).values_list(*probes)
        held = found.first() or ()
        return [start for (start, _), holds in zip(periods, held, strict=False) if holds]


def _periods(first, last, kind):
    """(start, end) of each year, month or day (``kind``) from aware datetime ``first`` to
    ``last``, in their time zone."""
    zone = first.tzinfo
    start = {
        "year": datetime(first.year, 1, 1),
        "month": datetime(first.year, first.month, 1),
        "day": datetime(first.year, first.month, first.day),
    }[kind]
    periods = []
    while True:
        if kind == "year":
            end = start.replace(year=start.year + 1)
        elif kind == "month":
            end = (start + timedelta(days=32)).replace(day=1)
        else:
            end = start + timedelta(days=1)
        periods.append((timezone.make_aware(start, zone), timezone.make_aware(end, zone)))
        if end > last.replace(tzinfo=None):
            return periods
        start = end
