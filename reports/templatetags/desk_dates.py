"""The date bar of the desk's report list, drawn as Django's date hierarchy draws it, but
finding the years, months or days that hold reports by looking each up until its first report
(one query for them all) rather than reading every report of the list."""

from datetime import datetime, timedelta

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db.models import Subquery
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def dates_with_rows(cl):
    """What Django's ``date_hierarchy`` tag shows of change list ``cl`` (whose
    ``date_hierarchy`` is a DateTimeField)."""
    if cl.query and not getattr(cl.paginator, "capped", False):
        # A search's matches may be few and far between, which each lookup would walk past
        # month by month: its months are read once instead. A search matching more reports
        # than it counts (a common word) finds one in each month at once.
        return date_hierarchy(_ChangeListDates(cl, _MonthsReadOnce(cl.queryset, cl.date_hierarchy)))
    return date_hierarchy(_ChangeListDates(cl, _Periods(cl.queryset, cl.date_hierarchy)))


class _ChangeListDates:
    """Change list ``cl`` as the date hierarchy reads it, with ``answers`` (``_Periods`` or
    ``_MonthsReadOnce``) for the two questions it asks of its ``queryset``."""

    def __init__(self, cl, answers):
        self._cl = cl
        self.queryset = answers

    def __getattr__(self, name):
        return getattr(self._cl, name)


class _MonthsReadOnce:
    """The date hierarchy's questions about ``rows`` (a QuerySet) answered from the months
    holding any of them (on ``field``), read in one query: their first and last months stand
    for their first and last dates, which are only compared by year and month."""

    def __init__(self, rows, field):
        self.rows, self.field = rows, field
        self.months = None

    def _months(self):
        if self.months is None:
            self.months = list(self.rows.datetimes(self.field, "month"))
        return self.months

    def aggregate(self, **bounds):
        months = self._months()
        return {"first": months[0], "last": months[-1]} if months else dict.fromkeys(bounds)

    def datetimes(self, field, kind):
        if kind == "day":
            return self.rows.datetimes(field, "day")
        months = self._months()
        if kind == "month":
            return months
        years = dict.fromkeys(month.year for month in months)
        zone = timezone.get_current_timezone()
        return [timezone.make_aware(datetime(year, 1, 1), zone) for year in years]


class _Periods:
    """The date hierarchy's questions about ``rows`` (a QuerySet) dated by ``field``: their
    first and last dates (``aggregate``), and the years, months or days holding any
    (``datetimes``), each answered by reading the date's index from one end until a row holds."""

    def __init__(self, rows, field):
        self.rows, self.field = rows, field
        self.span = None

    def aggregate(self, **bounds):
        """``{"first": ..., "last": ...}``, the first and last dates of the rows (asked as
        ``first=Min(field), last=Max(field)``), in one query."""
        dated = self.rows.filter(**{f"{self.field}__isnull": False}).values(self.field)
        ends = {
            "first": Subquery(dated.order_by(self.field)[:1]),
            "last": Subquery(dated.order_by(f"-{self.field}")[:1]),
        }
        found = self.rows.model._base_manager.order_by().annotate(**ends).values(*ends).first()
        self.span = found or dict.fromkeys(ends)
        return self.span

    def datetimes(self, field, kind):
        """The starts of the periods of ``kind`` ("year", "month" or "day") holding any of
        the rows, as ``QuerySet.datetimes`` gives them (aware, in the current time zone, in
        order), in at most two queries."""
        if self.span is None:
            self.aggregate()
        first, last = self.span["first"], self.span["last"]
        if first is None or last is None:
            return []
        periods = _periods(timezone.localtime(first), timezone.localtime(last), kind)
        # Each period's first row by date: read off the date's index from the period's start,
        # checking the list's filters row by row until one holds.
        probes = {
            f"p{number}": Subquery(
                self.rows.filter(**{f"{field}__gte": start, f"{field}__lt": end})
                .order_by(field)
                .values(field)[:1]
            )
            for number, (start, end) in enumerate(periods)
        }
        # Any one row to hang the lookups on: each is looked up once, not for each row.
        found = self.rows.model._base_manager.order_by().annotate(**probes).values_list(*probes)
        held = found.first() or ()
        return [start for (start, _), first in zip(periods, held, strict=False) if first]


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
