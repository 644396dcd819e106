"""The database itself refuses content that breaks the rules, whatever wrote it.

Each case writes a bad row past every form and model check (an UPDATE, a bulk insert), as a
shell session, an import or a later API could, and the database answers with an error. Longer
values than a character column holds are refused by PostgreSQL's own column type (DataError)
before any check; SQLite keeps no column length, and a check constraint (IntegrityError) does.
"""

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from authors.models import Author
from reports.models import KeyPoint, Report, ReportAuthor, Source, TaggedReport, UpdateNote
from tags.models import Region, Topic

from .factories import AuthorFactory, ReportFactory, TopicFactory, UpdateNoteFactory, region

pytestmark = pytest.mark.django_db


def update(model, pk, **values):
    return lambda: model.objects.filter(pk=pk).update(**values)


def draft(**values):
    return ReportFactory(status=Report.Status.DRAFT, publish_at=None, **values)


def published_report_with(**values):
    report = ReportFactory()
    return update(Report, report.pk, **values)


def draft_with(**values):
    return update(Report, draft().pk, **values)


def second_report_with_slug(slug):
    ReportFactory(slug="kyiv-night-strikes")
    return update(Report, draft().pk, slug=slug)


def author_with(**values):
    return update(Author, AuthorFactory().pk, **values)


def region_with(**values):
    group = Region.objects.create(name="Test grouping", slug="test-grouping", kind="group")
    return update(Region, group.pk, **values)


def topic_with(**values):
    TopicFactory(name="Energy", slug="energy")
    return update(Topic, TopicFactory(name="Sanctions", slug="sanctions").pk, **values)


def key_point_with(**values):
    return update(KeyPoint, ReportFactory().key_points.get().pk, **values)


def second_byline_of_the_same_author():
    report = ReportFactory()
    return lambda: ReportAuthor.objects.bulk_create(
        [ReportAuthor(report=report, author=report.authors.get(), position=1)]
    )


def second_filing_under_the_same_topic():
    topic = TopicFactory()
    report = ReportFactory(topics=[topic])
    return lambda: TaggedReport.objects.bulk_create(
        [TaggedReport(content_object=report, tag=topic)]
    )


def note_with(**values):
    return update(UpdateNote, UpdateNoteFactory().pk, **values)


def source_with(**values):
    report = ReportFactory(sources=["Port authority statement"])
    return update(Source, report.sources.get().pk, **values)


BAD_WRITES = {
    # Reports: what publication needs.
    "a published report without a summary": lambda: published_report_with(summary=""),
    "a published report whose summary is spaces": lambda: published_report_with(summary="   "),
    "a published report without a primary region": lambda: published_report_with(
        primary_region=None
    ),
    "a published report without a publication time": lambda: published_report_with(publish_at=None),
    "a published report without a first publication": lambda: published_report_with(
        first_published_at=None
    ),
    "a draft turned published without a summary": lambda: update(
        Report, draft(summary="").pk, status="published", publish_at=timezone.now()
    ),
    "a report inserted published with no dates": lambda: (
        lambda: Report.objects.bulk_create(
            [
                Report(
                    title="x",
                    slug="x",
                    summary="y",
                    primary_region=region("UA"),
                    status="published",
                )
            ]
        )
    ),
    # Reports: any status.
    "an image without alt text": lambda: draft_with(hero_image="reports/map.jpg", hero_alt=""),
    "an image whose alt text is spaces": lambda: draft_with(
        hero_image="reports/map.jpg", hero_alt="  "
    ),
    "a blank headline": lambda: draft_with(title=" "),
    "a blank report slug": lambda: draft_with(slug=""),
    "a report slug taken in other letters": lambda: second_report_with_slug("Kyiv-Night-Strikes"),
    "the same report slug": lambda: second_report_with_slug("kyiv-night-strikes"),
    "an unknown status": lambda: draft_with(status="live"),
    "an unknown kind": lambda: draft_with(kind="op-ed"),
    "a summary over 300 characters": lambda: draft_with(summary="x" * 301),
    "an SEO title over 70 characters": lambda: draft_with(seo_title="x" * 71),
    "an SEO description over 160 characters": lambda: draft_with(seo_description="x" * 161),
    # Key points, bylines, topics, sources and notes.
    "a blank key point": lambda: key_point_with(text="  "),
    "a key point over 400 characters": lambda: key_point_with(text="x" * 401),
    "a key point at a negative position": lambda: key_point_with(position=-1),
    "an author twice in a byline": second_byline_of_the_same_author,
    "a report filed twice under a topic": second_filing_under_the_same_topic,
    "a source without a title": lambda: source_with(title=""),
    "a blank update note": lambda: note_with(text=" "),
    "a note of an unknown kind": lambda: note_with(kind="retraction"),
    # Authors.
    "a blank author name": lambda: author_with(name="  "),
    "a blank author slug": lambda: author_with(slug=""),
    "an author slug taken in other letters": lambda: (
        AuthorFactory(slug="ada"),
        author_with(slug="ADA"),
    )[1],
    "a photo without alt text": lambda: author_with(photo="authors/ada.jpg", photo_alt=""),
    "a short bio over 600 characters": lambda: author_with(short_bio="x" * 601),
    # Regions and topics.
    "a blank region name": lambda: region_with(name=""),
    "a region slug taken in other letters": lambda: region_with(slug="Ukraine"),
    "an ISO alpha-2 code another region has": lambda: region_with(iso2="UA"),
    "an ISO alpha-3 code another region has": lambda: region_with(iso3="UKR"),
    "an M49 code another region has": lambda: region_with(m49="804"),
    "an ISO alpha-2 code in small letters": lambda: region_with(iso2="zz"),
    "an ISO alpha-3 code of two letters": lambda: region_with(iso3="ZZ"),
    "an M49 code of one digit": lambda: region_with(m49="9"),
    "a blank topic name": lambda: topic_with(name=" "),
    "a blank topic slug": lambda: topic_with(slug=""),
    "a topic name taken in other letters": lambda: topic_with(name="ENERGY"),
    "a topic slug taken in other letters": lambda: topic_with(slug="Energy"),
    "a topic created under a name taken in other letters": lambda: (
        TopicFactory(name="Energy"),
        lambda: Topic.objects.create(name="energy"),
    )[1],
}


@pytest.mark.parametrize("make_write", BAD_WRITES.values(), ids=BAD_WRITES.keys())
def test_the_database_refuses(make_write):
    write = make_write()
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        write()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite folds ASCII letters only")
def test_postgresql_refuses_a_greek_topic_name_taken_in_other_letters():
    TopicFactory(name="Ασφάλεια")
    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.create(name="ΑΣΦΆΛΕΙΑ")


def every(writes):
    writes = list(writes)
    return lambda: [write() for write in writes]


GOOD_WRITES = {
    "a draft without summary, region, dates, key points or author": lambda: update(
        Report,
        draft(summary="", primary_region=None, key_points=[], authors=[]).pk,
        summary="",
    ),
    "a report in review without a summary": lambda: draft_with(status="in_review", summary=""),
    "a withdrawn report never published": lambda: draft_with(status="withdrawn"),
    "a report of every kind": lambda: every(draft_with(kind=kind) for kind in Report.Kind.values),
    "a report in every status": lambda: every(
        published_report_with(status=status) for status in Report.Status.values
    ),
    "notes of every kind": lambda: every(note_with(kind=kind) for kind in UpdateNote.Kind.values),
    "a summary of exactly 300 characters": lambda: draft_with(summary="x" * 300),
    "a key point of exactly 400 characters": lambda: key_point_with(text="x" * 400),
    "an image with alt text": lambda: draft_with(hero_image="reports/map.jpg", hero_alt="A map"),
    "a region without codes": lambda: region_with(iso2="", iso3="", m49=""),
    "two authors of the same name": lambda: author_with(name=AuthorFactory().name),
}


@pytest.mark.parametrize("make_write", GOOD_WRITES.values(), ids=GOOD_WRITES.keys())
def test_the_database_accepts(make_write):
    write = make_write()
    with transaction.atomic():
        write()
