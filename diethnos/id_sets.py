"""A set of row ids stored in one column, and how a query reads its members one a row."""

import json

from django.db import models
from django.db.models import Lookup


class IdSetField(models.Field):
    """A set of ids (ints) kept on a row: an integer array on PostgreSQL, a JSON list
    elsewhere. Given any iterable of ints; read back as a sorted list of distinct ints, or
    None when none was stored. Not editable: it is worked out from other rows."""

    description = "A set of ids"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def db_type(self, connection):
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        ids = sorted({int(pk) for pk in value})
        return ids if connection.vendor == "postgresql" else json.dumps(ids)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value) if isinstance(value, str) else sorted(set(value))


@IdSetField.register_lookup
class Has(Lookup):
    """``field__has=id``: the set holds the id (GIN-indexable on PostgreSQL)."""

    lookup_name = "has"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} @> ARRAY[{rhs}]::integer[]", [*lhs_params, *rhs_params]
        held = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = {rhs})"  # noqa: S608
        return held, [*lhs_params, *rhs_params]


def members_of(table, field, connection):
    """SQL reading the ids in the ``field`` column (an ``IdSetField``) of each row of
    ``table`` (a table or a WITH query's name), one a row, as the column ``member``."""
    column, table = connection.ops.quote_name(field), connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        return f"SELECT unnest({table}.{column}) AS member FROM {table}"  # noqa: S608
    return f"SELECT value AS member FROM {table}, json_each({table}.{column})"  # noqa: S608
