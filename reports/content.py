"""What an editor can change on a report, as plain data.

``ReportContent`` holds a report's content (headline, summary, body, image and the other fields
of the form, its key points, bylines, sources, update notes, regions and topics) apart from any
row, so that it can be read from one report and written onto another: from a report's working
draft onto the live report (publishing changes), from the live report onto its draft
(discarding them), from a version in History onto the working draft (restoring it), and
compared (``reports.diffs``).
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime

from tags.models import Topic

from .models import KeyPoint, Report, ReportAuthor, Source, TaggedReport, UpdateNote

# The report's own fields that hold content (by attribute name): everything the desk's form
# edits but the publishing fields (status, publication times), which stay the live report's.
FIELDS = (
    "title",
    "slug",
    "kind",
    "language",
    "summary",
    "body",
    "situation_as_of",
    "primary_region_id",
    "hero_image",
    "hero_width",
    "hero_height",
    "hero_alt",
    "hero_caption",
    "hero_credit",
    "featured",
    "seo_title",
    "seo_description",
)


@dataclass(frozen=True)
class SourceRow:
    title: str
    publisher: str = ""
    url: str = ""
    date: dt.date | None = None


@dataclass(frozen=True)
class NoteRow:
    kind: str
    noted_at: dt.datetime
    text: str
    # The note's name (UpdateNote.uid), carried from row to row so that it stays the same when
    # changes are published; no part of what readers see, so no part of a comparison.
    uid: uuid.UUID | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ReportContent:
    """A report's content. ``fields``: {attribute name: value} for each of ``FIELDS`` (the
    image as its stored file name); ``key_points``: their texts in order; ``bylines``: author
    ids in order; ``sources`` and ``update_notes``: ``SourceRow`` and ``NoteRow`` in order;
    ``regions`` and ``topics``: ids. Two contents are equal when a reader would see the same."""

    fields: dict
    key_points: tuple = ()
    bylines: tuple = ()
    sources: tuple = ()
    update_notes: tuple = ()
    regions: frozenset = frozenset()
    topics: frozenset = frozenset()

    @classmethod
    def of(cls, report):
        """The content of ``report`` (a saved Report) as stored; reads its rows (a few
        queries, or none for rows prefetched)."""
        fields = {name: getattr(report, name) for name in FIELDS}
        fields["hero_image"] = report.hero_image.name or ""
        return cls(
            fields=fields,
            key_points=tuple(point.text for point in report.key_points.all()),
            bylines=tuple(link.author_id for link in report.report_authors.all()),
            sources=tuple(
                SourceRow(source.title, source.publisher, source.url, source.date)
                for source in report.sources.all()
            ),
            update_notes=tuple(
                NoteRow(note.kind, note.noted_at, note.text, note.uid)
                for note in report.update_notes.all()
            ),
            regions=frozenset(report.regions.values_list("pk", flat=True)),
            topics=frozenset(
                TaggedReport.objects.filter(content_object=report).values_list("tag_id", flat=True)
            ),
        )

    @classmethod
    def of_version(cls, version):
        """The content of a report as History kept it: ``version`` is a django-reversion
        Version of a Report, read with the versions of its rows saved in the same revision.

        Raises ``reversion.errors.RevertError`` if the version can no longer be read."""
        data = version.field_dict
        report_id = int(version.object_id)
        fields = {name: data[name] if name in data else _default(name) for name in FIELDS}
        fields["hero_image"] = getattr(fields["hero_image"], "name", fields["hero_image"]) or ""
        rows = _rows_of_revision(version.revision, report_id)
        return cls(
            fields=fields,
            key_points=tuple(row["text"] for row in rows[KeyPoint]),
            bylines=tuple(row["author_id"] for row in rows[ReportAuthor]),
            sources=tuple(
                SourceRow(row["title"], row["publisher"], row["url"], _as_date(row["date"]))
                for row in rows[Source]
            ),
            update_notes=tuple(
                NoteRow(row["kind"], _as_datetime(row["noted_at"]), row["text"], _as_uuid(row))
                for row in rows[UpdateNote]
            ),
            regions=frozenset(int(pk) for pk in data.get("regions", [])),
            topics=frozenset(row["tag_id"] for row in rows[TaggedReport]),
        )

    @transaction.atomic
    def apply_to(self, report, expected_version=None):
        """Write this content onto ``report`` (a saved Report): its fields set and saved, its
        key points, bylines, sources and notes replaced, its regions and topics set. The
        publishing fields (status, publication times) are left as they are. Bylines and notes
        left as they were are not rewritten, so that what is counted from them is kept
        (``tags.report_counts``).

        Saved through ``Report.save(expected_version=...)``: raises ``ReportOvertaken``, having
        written nothing, if the report was saved since that version (by default, the version
        ``report`` was loaded with).
        """
        stored = ReportContent.of(report) if report.pk else ReportContent(fields={})
        for name, value in self.fields.items():
            setattr(report, name, value)
        report.save(expected_version=expected_version)
        report.key_points.all().delete()
        KeyPoint.objects.bulk_create(
            KeyPoint(report=report, position=i, text=text) for i, text in enumerate(self.key_points)
        )
        if stored.bylines != self.bylines:
            report.report_authors.all().delete()
            ReportAuthor.objects.bulk_create(
                ReportAuthor(report=report, author_id=author_id, position=i)
                for i, author_id in enumerate(self.bylines)
            )
        report.sources.all().delete()
        Source.objects.bulk_create(
            Source(
                report=report,
                position=i,
                title=row.title,
                publisher=row.publisher,
                url=row.url,
                date=row.date,
            )
            for i, row in enumerate(self.sources)
        )
        if _with_uids(stored.update_notes) != _with_uids(self.update_notes):
            report.update_notes.all().delete()
            for row in self.update_notes:  # saved one by one: the corrections log counts them
                UpdateNote.objects.create(
                    report=report,
                    uid=row.uid or uuid.uuid4(),
                    kind=row.kind,
                    noted_at=row.noted_at,
                    text=row.text,
                )
        report.regions.set(self.regions)
        report.topics.set(list(Topic.objects.filter(pk__in=self.topics)))
        # What was prefetched or cached before is stale now.
        report._prefetched_objects_cache = {}
        return report


def _with_uids(notes):
    return [(note, note.uid) for note in notes]


def _default(name):
    return Report._meta.get_field(_field_name(name)).get_default()


def _field_name(attname):
    return attname.removesuffix("_id")


def _rows_of_revision(revision, report_id):
    """The rows of report ``report_id`` kept in ``revision``: {model: [field dicts]}, each in
    the order the report shows them."""
    models = (KeyPoint, ReportAuthor, Source, UpdateNote, TaggedReport)
    types = ContentType.objects.get_for_models(*models)
    by_type = {types[model].pk: model for model in models}
    rows = {model: [] for model in models}
    for version in revision.version_set.filter(content_type__in=by_type):
        model = by_type[version.content_type_id]
        data = version.field_dict
        owner = data.get("content_object_id" if model is TaggedReport else "report_id")
        if owner == report_id:
            rows[model].append({**data, "pk": int(version.object_id)})
    for model, found in rows.items():
        if model is UpdateNote:
            found.sort(key=lambda row: (_as_datetime(row["noted_at"]), row["pk"]))
        elif model is not TaggedReport:
            found.sort(key=lambda row: (row["position"], row["pk"]))
    return rows


def _as_date(value):
    return parse_date(value) if isinstance(value, str) else value


def _as_uuid(row):
    """The uid of a note kept in History, or None for a version kept before notes had one."""
    value = row.get("uid")
    return uuid.UUID(str(value)) if value else None


def _as_datetime(value):
    return parse_datetime(value) if isinstance(value, str) else value
