"""Cursor pagination: a page starts after the last row of the one before, by its sort keys.

The cursor is the sort keys of that last row, encoded; the next page is read with a WHERE on
those keys (keyset pagination), never an OFFSET, so every page costs the same however deep
it is, and rows added meanwhile neither repeat nor skip a row on the pages that follow.
"""

import base64
import binascii
import json
from datetime import datetime

from django.db.models import Q


class BadCursor(ValueError):
    """The cursor was not made by this API for this ordering."""


class Ordering:
    """A sort order: ``keys`` are (field or annotation, kind, descending) with kind ``"datetime"``
    or ``"number"``, the last of them unique (the primary key)."""

    def __init__(self, *keys):
        self.keys = keys

    def order_by(self):
        return [f"-{name}" if descending else name for name, _, descending in self.keys]

    def encode(self, row):
        """The cursor pointing after ``row`` (a model instance): a URL-safe str."""
        values = []
        for name, kind, _ in self.keys:
            value = getattr(row, name)
            values.append(value.isoformat() if kind == "datetime" else value)
        text = json.dumps(values, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(text).decode().rstrip("=")

    def decode(self, cursor):
        """The sort keys ``cursor`` holds (a list); BadCursor if it is not one of ours."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            values = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(values, list) or len(values) != len(self.keys):
                raise BadCursor
            return [
                datetime.fromisoformat(value) if kind == "datetime" else _number(value)
                for value, (_, kind, _) in zip(values, self.keys, strict=True)
            ]
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
            raise BadCursor from error

    def after(self, values):
        """A condition for the rows that come after a row with sort keys ``values``."""
        condition = Q()
        equal = Q()
        for (name, _, descending), value in zip(self.keys, values, strict=True):
            beyond = Q(**{f"{name}__lt" if descending else f"{name}__gt": value})
            condition |= equal & beyond
            equal &= Q(**{name: value})
        return condition


def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadCursor
    return value


def page_of(rows, ordering, cursor, limit):
    """The page of ``rows`` (a QuerySet) after ``cursor`` (a str or None): (a list of at most
    ``limit`` rows, the cursor of the next page or None). BadCursor for a bad cursor."""
    rows = rows.order_by(*ordering.order_by())
    if cursor:
        rows = rows.filter(ordering.after(ordering.decode(cursor)))
    found = list(rows[: limit + 1])
    if len(found) > limit:
        return found[:limit], ordering.encode(found[limit - 1])
    return found, None
