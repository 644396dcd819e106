"""A digest of every row a report's page shows, read in one narrow query.

A report's page is drawn from the rows ``ReportQuerySet.for_page`` loads: the report, its
primary region, key points, sources, update notes, regions, topics and bylines with their
authors. Loading them takes seven queries and builds dozens of model instances; this reads
each row as a short text (a hash of it, on PostgreSQL) in a single query instead, so that a
page kept under the digest (``reports.kept_pages``) is found without them. Any change to any
of these rows, however it was saved, gives another digest. The same query reads the report's
and its primary region's columns, so that a page not kept is drawn without reading them again.
"""

import datetime
import hashlib
from functools import lru_cache
from types import SimpleNamespace

from django.db import connections
from django.utils import timezone

from authors.models import Author
from tags.models import Region, Topic

from .models import KeyPoint, Report, ReportAuthor, Source, TaggedReport, UpdateNote

# Not shown on the page (renewed in the background after a save): not read, and left out of
# the digest and of the keys of the page's kept parts (``reports.page_parts``).
NOT_SHOWN = {(Report, "search_vector")}


def report_page_digest(slug, using="default"):
    """(the digest (a str) of every row the page of the live report at ``slug`` shows, when
    the next scheduled report goes live: a POSIX timestamp or 0 for none, a function
    returning the report read in the same row: a Report with its primary region, as
    ``for_page`` loads them, without their prefetched rows), or None when no single live
    report has that slug or the database is neither PostgreSQL nor SQLite. One query."""
    connection = connections[using]
    query = _query(connection.vendor)
    if query is None:
        return None
    sql, shown_columns = query
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [Report.Status.PUBLISHED, timezone.now(), slug])
        rows = cursor.fetchmany(2)
    if len(rows) != 1:
        return None
    next_due, *shown = rows[0][:shown_columns]
    next_due = _as_datetime(next_due, connection)
    digest = hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()
    return (
        digest,
        next_due.timestamp() if next_due else 0,
        lambda: _report(rows[0][shown_columns:], connection),
    )


def _report(values, connection):
    """The report of ``values`` (its columns, then its primary region's), as ``for_page``
    loads it without its prefetched rows: built only for a page drawn, not for one kept."""
    report_ends = len(_fields(Report))
    report = _instance(Report, values[:report_ends], connection)
    if report.primary_region_id is not None:
        report.primary_region = _instance(Region, values[report_ends:], connection)
    return report


def _fields(model):
    """The fields of ``model`` whose columns the query reads."""
    return [field for field in model._meta.concrete_fields if (model, field.name) not in NOT_SHOWN]


def _instance(model, values, connection):
    """The ``model`` instance of ``values`` (its ``_fields``' columns, as the database
    returned them), converted as a QuerySet converts them."""
    fields = _fields(model)
    converted = []
    for field, value in zip(fields, values, strict=True):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column)
        for convert in converters + column.get_db_converters(connection):
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def prepared_cursor(connection):
    """A cursor of ``connection`` (a Django database connection) whose queries PostgreSQL
    prepares once on each connection, so that a query run on every request is planned once
    (psycopg's server-side binding). On other databases, an ordinary cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_prepared_cursor_class()(connection.connection))


@lru_cache(maxsize=1)
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            result = super().execute(query, params, prepare=True, binary=binary)
            if self._query is None:
                # What Django's query log reads of the query last run (connection.queries).
                self._query = SimpleNamespace(query=query.encode())
            return result

    return PreparedCursor


def _as_datetime(value, connection):
    # SQLite returns a raw value where no field tells how to read it.
    if value is None or isinstance(value, datetime.datetime):
        return value
    return connection.ops.convert_datetimefield_value(value, None, connection)


@lru_cache(maxsize=2)
def _query(vendor):
    """(The SQL of ``report_page_digest`` on ``vendor``'s database, how many of its columns come
    before the report's own: when the next report goes live, then what the page shows), or
    None on a database it is not written for."""
    if vendor not in ("postgresql", "sqlite"):
        return None
    from django.db import connection

    quote = connection.ops.quote_name

    def row(model, alias):
        columns = [field.column for field in _fields(model)]
        if vendor == "postgresql":
            listed = ", ".join(f"quote_nullable({alias}.{quote(column)})" for column in columns)
            return f"md5(concat_ws('|', {listed}))"
        return " || '|' || ".join(f"quote({alias}.{quote(column)})" for column in columns)

    def columns(model, alias):
        return [f"{alias}.{quote(field.column)}" for field in _fields(model)]

    def each(text, tables, where):
        # Every row's text, in a fixed order, as one value.
        if vendor == "postgresql":
            return f"(SELECT string_agg({text}, ',' ORDER BY {text}) FROM {tables} WHERE {where})"  # noqa: S608
        return (
            f"(SELECT group_concat(text, ',') FROM (SELECT {text} AS text FROM {tables}"  # noqa: S608
            f" WHERE {where} ORDER BY 1))"
        )

    def table(model, alias):
        return f"{quote(model._meta.db_table)} {alias}"

    regions_through = Report.regions.through
    report = "r.id"
    parts = [
        f"(SELECT MIN(d.publish_at) FROM {table(Report, 'd')}"  # noqa: S608
        " WHERE d.status = %s AND d.publish_at > %s)",
        "r.id",
        row(Report, "r"),
        row(Region, "p"),
        each(row(KeyPoint, "k"), table(KeyPoint, "k"), f"k.report_id = {report}"),
        each(row(Source, "s"), table(Source, "s"), f"s.report_id = {report}"),
        each(row(UpdateNote, "n"), table(UpdateNote, "n"), f"n.report_id = {report}"),
        each(
            f"{row(regions_through, 'rr')} || {row(Region, 'g')}",
            f"{table(regions_through, 'rr')} JOIN {table(Region, 'g')} ON g.id = rr.region_id",
            f"rr.report_id = {report}",
        ),
        each(
            f"{row(TaggedReport, 'tr')} || {row(Topic, 't')}",
            f"{table(TaggedReport, 'tr')} JOIN {table(Topic, 't')} ON t.id = tr.tag_id",
            f"tr.content_object_id = {report}",
        ),
        each(
            f"{row(ReportAuthor, 'ra')} || {row(Author, 'a')}",
            f"{table(ReportAuthor, 'ra')} JOIN {table(Author, 'a')} ON a.id = ra.author_id",
            f"ra.report_id = {report}",
        ),
    ]
    read = [*columns(Report, "r"), *columns(Region, "p")]
    # Table and column names come from the models; the slug is a parameter.
    sql = (
        f"SELECT {', '.join(parts + read)} FROM {table(Report, 'r')}"  # noqa: S608
        f" LEFT JOIN {table(Region, 'p')} ON p.id = r.primary_region_id"
        " WHERE r.slug = %s AND r.draft_of_id IS NULL"
    )
    return sql, len(parts)
