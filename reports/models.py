import re
import uuid
from contextlib import contextmanager

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    Greatest,
    JSONObject,
    Length,
    Lower,
    Trim,
)
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.text import capfirst
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from authors.models import Author
from diethnos.addresses import page_address
from diethnos.id_sets import IdSetField
from diethnos.images import ValidatedImageField, keeps_previous_description
from diethnos.redirects import KeepsOldAddresses
from diethnos.renditions import HERO, Renditions
from diethnos.richtext import BODY_EXTENSIONS, RichTextField, SanitisedOnSaveMixin
from diethnos.slugs import AsciiSlugField
from diethnos.text import NormalisedCharField, NormalisedTextField, NormalisedURLField
from tags.models import Region, Topic

from . import languages, search

MAX_KEY_POINTS = 10
# How many of the last entered reports sharing a region or topic with a report are weighed as
# its related reports (ReportQuerySet.related_to).
RELATED_CANDIDATES = 200
KEY_POINT_MAX_LENGTH = 400
SUMMARY_MAX_LENGTH = 300
SEO_TITLE_MAX_LENGTH = 70
SEO_DESCRIPTION_MAX_LENGTH = 160

# What the rules say, in the desk and wherever else a rule is broken.
NEEDS_SUMMARY = "A published report needs a summary."
NEEDS_PRIMARY_REGION = "A published report needs a primary region."
NEEDS_PUBLICATION_TIME = "A published report needs a publication time."
NEEDS_KEY_POINT = "A published report needs at least one key point."
NEEDS_AUTHOR = "A published report needs at least one author."
TOO_MANY_KEY_POINTS = f"A report has at most {MAX_KEY_POINTS} key points."
NEEDS_ALT_TEXT = "Describe the image for readers who cannot see it."
NEEDS_NEW_ALT_TEXT = "Describe the new image: this description is the one of the image it replaces."
ONE_SENTENCE = "Keep each key point to one sentence; add another point for the next."
# A full stop, question or exclamation mark after a word of four or more letters, then a capital:
# a new sentence ("... in Ukraine. South Korea ..."), not an abbreviation ("Gen. Syrskyi", "U.S.").
SENTENCE_BREAK = re.compile(r"[a-z]{4,}[.!?][\"'”’)]?\s+[A-Z]")


class ReportOvertaken(Exception):
    """Someone else saved the report since the version a change was based on.

    Raised by ``Report.save()`` (and so by the workflow's transitions, ``reports.workflow``) and
    by ``ReportQuerySet.claim_version()``; nothing was written. ``report_id`` is the report,
    ``expected`` the version the change was based on, ``stored`` the version stored now.
    """

    def __init__(self, report_id, expected, stored):
        self.report_id, self.expected, self.stored = report_id, expected, stored
        super().__init__(
            f"Report {report_id} is at version {stored}; the change was based on {expected}."
        )


def count_of(rows):
    """How many ``rows`` there are (a queryset filtered on ``OuterRef``), as an expression."""
    counted = rows.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return Subquery(counted, output_field=models.IntegerField())


class Joined(Subquery):
    """The values of a one-column ``subquery`` (aliased ``value``) joined into one text, in
    the subquery's order; NULL when it has no row."""

    template = "(SELECT group_concat(value, '|') FROM (%(subquery)s))"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "(SELECT string_agg(value::text, '|') FROM (%(subquery)s) AS joined)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def sum_of(rows, value):
    """The sum of ``value`` (an expression) over ``rows`` (a queryset filtered on
    ``OuterRef``), 0 without rows, as an expression."""
    summed = rows.order_by().annotate(total=Func(value, function="SUM")).values("total")
    return Coalesce(Subquery(summed, output_field=models.IntegerField()), 0)


def newest_of_each(sharing, count, using):
    """The ``count`` highest report ids of each of ``sharing`` ((queryset, name of its column
    of report ids) pairs, each read backwards off an index), all together: a queryset of one
    column of ids, with repeats, for database ``using``."""
    ids = [rows.order_by(f"-{column}").values(column)[:count] for rows, column in sharing]
    if not connections[using].features.supports_slicing_ordering_in_compound:
        # A UNION holds no LIMIT there: each one's ids are looked up again.
        ids = [Report.all_objects.filter(pk__in=rows).order_by().values("pk") for rows in ids]
    return ids[0].union(*ids[1:], all=True)


def is_true(condition):
    """1 where ``condition`` holds, else 0."""
    return Case(When(condition, then=1), default=0)


def primary_region_within(region_ids):
    """Where a report's primary region is among ``region_ids`` (a list or a subquery)."""
    return Q(primary_region_id__in=region_ids)


def bylines():
    """Prefetch a report's bylines in order, with their authors."""
    return Prefetch("report_authors", ReportAuthor.objects.select_related("author"))


def card_bylines():
    """Prefetch a report's bylines in order, with only their authors' names and slugs: what a
    card, a feed item or a listing shows of them (an author row is wide, and a listing has
    dozens)."""
    names = ReportAuthor.objects.select_related("author").only(
        "report", "author", "position", "author__name", "author__slug"
    )
    return Prefetch("report_authors", names)


def page_rows():
    """What a report's page shows besides the report and its primary region (``for_page``):
    lookups for ``prefetch_related``, one query each."""
    return [
        "key_points",
        "sources",
        "update_notes",
        Prefetch("regions", Region.objects.order_by("path", "name")),
        "topics",
        bylines(),
    ]


def modification():
    """A report's ``Report.modified_at`` as an expression (the same rule in SQL)."""
    latest_note = (
        UpdateNote.objects.filter(report=OuterRef("pk"))
        .order_by("-noted_at")
        .values("noted_at")[:1]
    )
    published = Coalesce(Subquery(latest_note), F("first_published_at"))
    # status_changed_at is set only once the report went public, so never before then.
    return Case(
        When(status=Report.Status.WITHDRAWN, then=Coalesce("withdrawn_at", "updated_at")),
        When(status_changed_at__isnull=False, then=Greatest(published, "status_changed_at")),
        default=published,
    )


# What a card shows of a report and what tags it (``reports.cards``, ``card_tags``).
CARD_FIELDS = (
    "pk",
    "slug",
    "title",
    "summary",
    "kind",
    "publish_at",
    "hero_image",
    "hero_width",
    "hero_height",
    "primary_region_id",
    "primary_region__name",
    "primary_region__slug",
)


@contextmanager
def _within_as_stored(report):
    """Leave ``Report.within`` as stored while ``report`` is saved: it is written from other
    rows by ``reports.placement``, and the copy ``report`` holds may be older."""
    if report._state.adding or "within" not in report.__dict__:
        yield
        return
    held, report.within = report.within, F("within")
    try:
        yield
    finally:
        report.within = held


def is_published():
    """Where a report is public now: published, and its time has come (``Report.is_public``
    for one report)."""
    return Q(status=Report.Status.PUBLISHED, publish_at__lte=timezone.now())


def is_withdrawn_after_publication():
    """Where a report was withdrawn after it went public (``Report.was_withdrawn`` for one
    report). One scheduled and withdrawn before its time is not: readers never saw it."""
    went_public = Q(first_published_at__lte=F("withdrawn_at")) | Q(
        withdrawn_at__isnull=True, first_published_at__lte=timezone.now()
    )
    return went_public & Q(status=Report.Status.WITHDRAWN)


class ReportQuerySet(models.QuerySet):
    def published(self):
        """The one definition of what readers may see."""
        return self.filter(is_published())

    def withdrawn(self):
        """Reports withdrawn after they went public: their pages stay, without their text
        (see ``Report.was_withdrawn``)."""
        return self.filter(is_withdrawn_after_publication())

    def with_page(self):
        """Reports with a public page: the published ones, and those withdrawn after they went
        public, whose page stays with a notice instead of their text. The page, the read API,
        the page cache's purges and the cache of page parts all go by this rule;
        ``Report.has_page`` is the same rule for one report."""
        return self.filter(is_published() | is_withdrawn_after_publication())

    def scheduled(self):
        """Reports published for a time still to come: they go public by themselves then."""
        return self.filter(status=Report.Status.PUBLISHED, publish_at__gt=timezone.now())

    def in_region(self, region):
        """Reports tagged with ``region`` or anything it covers, each once: those stored as
        within it (``Report.within``, see ``reports.placement``).

        Each report carries ``primary_here``: whether it is ``primarily_in`` the region.
        """
        primary_here = primary_region_within(region.rollup_ids())
        return self.filter(within__has=region.pk).annotate(
            primary_here=ExpressionWrapper(primary_here, output_field=models.BooleanField())
        )

    def primarily_in(self, region):
        """Reports chiefly about ``region``: their primary region is the region or anything it
        covers (a country within it, or a member of a grouping). A report merely tagged with
        the region, or with a place in it, is not among them."""
        return self.filter(primary_region_within(region.rollup_ids()))

    def related_to(self, report, newest=RELATED_CANDIDATES):
        """Other reports sharing regions or topics with ``report``, those sharing most first.

        Each shared region scores 2 and each shared topic 1; sharing the report's primary region
        scores 1 more. Equal scores go newest first. Only the ``newest`` reports sharing
        anything with it are weighed, the last entered (by id, whatever their status: those
        not among these reports take no part), so that the choice stays quick on a large
        site: an older report sharing as much is left out. Reads the report's regions and
        topics from its prefetched rows (see ``for_page``).
        """
        region_ids = {region.pk for region in report.regions.all()}
        if report.primary_region_id:
            region_ids.add(report.primary_region_id)
        topic_ids = [topic.pk for topic in report.topics.all()]
        if not (region_ids or topic_ids):
            return self.none()
        region_links = Report.regions.through.objects
        topic_links = TaggedReport.objects
        sharing = [(topic_links.filter(tag_id=pk), "content_object_id") for pk in topic_ids]
        for pk in region_ids:
            sharing.append((Report.all_objects.filter(primary_region_id=pk), "pk"))
            sharing.append((region_links.filter(region_id=pk), "report_id"))
        newest_sharing = (
            Report.all_objects.filter(pk__in=newest_of_each(sharing, newest, self.db))
            .exclude(pk=report.pk)
            .order_by("-pk")
            .values("pk")[:newest]
        )

        # The other report's primary region is scored off its row, its other regions summed
        # over its links to them: its primary region, if linked too, is counted once.
        score = Value(0)
        primary = report.primary_region_id
        if region_ids:
            score += 2 * is_true(Q(primary_region_id__in=region_ids))
            weight = Value(2)
            if primary:
                score += is_true(Q(primary_region_id=primary))
                weight += is_true(Q(region_id=primary))
            tagged = region_links.filter(report_id=OuterRef("pk"), region_id__in=region_ids)
            weight = Case(When(region_id=OuterRef("primary_region_id"), then=0), default=weight)
            score += sum_of(tagged, weight)
        if topic_ids:
            filed = topic_links.filter(content_object_id=OuterRef("pk"), tag_id__in=topic_ids)
            score += count_of(filed)
        return (
            self.filter(pk__in=newest_sharing)
            .annotate(shared=score)
            .order_by("-shared", "-publish_at", "-pk")
        )

    def owned_by(self, user):
        """Reports a contributor may call their own: started by them, or under their byline,
        and the working drafts of those (whoever the draft's byline names)."""
        bylined = ReportAuthor.objects.filter(author__user=user).values("report_id")
        return self.filter(
            Q(created_by=user)
            | Q(pk__in=bylined)
            | Q(draft_of__created_by=user)
            | Q(draft_of__in=bylined)
        )

    def with_cards(self):
        """What a listing of report cards shows, in a fixed number of queries: not the body
        nor the search vector, the largest fields, which no card shows."""
        return (
            self.select_related("primary_region")
            .defer("body", "search_vector")
            .prefetch_related(card_bylines())
        )

    def with_card_values(self, *fields):
        """These reports, each with ``card_values``: every value its card shows and is tagged
        by (``CARD_FIELDS`` and its bylines), and those of ``fields`` (names of other fields a
        page shows of them), as one text read in SQL (a str), to tell whether a card changed
        (``reports.kept_pages``): read with the reports a listing draws, or alone by id."""
        bylines = (
            ReportAuthor.objects.filter(report=OuterRef("pk"))
            .order_by("position", "pk")
            .values(
                value=Concat(
                    Cast("author_id", models.TextField()),
                    Value(":"),
                    "author__name",
                    output_field=models.TextField(),
                )
            )
        )
        shown = JSONObject(
            **{field: field for field in (*CARD_FIELDS, *fields)}, bylines=Joined(bylines)
        )
        return self.annotate(card_values=Cast(shown, models.TextField()))

    def for_page(self):
        """Everything a report's own page shows, in a fixed number of queries."""
        return self.select_related("primary_region").prefetch_related(*page_rows())

    def newest_primarily_in_each(self, regions, count):
        """The ``count`` newest of these reports ``primarily_in`` each of ``regions``, for
        lists of headlines: a list of (region, list of reports), in the order of ``regions``.

        A report is listed under one region only when ``regions`` do not overlap (the major
        regions, say). One query per region.
        """
        listed = self.newest_first()
        return [(region, list(listed.primarily_in(region)[:count])) for region in regions]

    def newest_first(self):
        return self.order_by("-publish_at", "-pk")

    def with_modification(self):
        """These reports, each with ``last_modified``: ``Report.modified_at`` read in SQL (a
        report's latest update or correction note, else its first publication)."""
        return self.annotate(last_modified=modification())

    def latest_modification(self):
        """The latest ``Report.modified_at`` among these reports, in one query (a datetime,
        or None when there are none)."""
        return self.aggregate(latest=Max(modification()))["latest"]

    def modified_since(self, when):
        """These reports whose ``Report.modified_at`` is ``when`` (a datetime) or later, by
        the same rule as ``latest_modification``."""
        return self.alias(modified=modification()).filter(modified__gte=when)

    def search(self, text):
        """Reports matching the words of ``text``, best first (see ``reports.search``)."""
        return search.matching(self, text)

    def claim_version(self, pk, expected=None):
        """Count one more save of report ``pk``; return its new version number (an int).

        With ``expected``, only if the stored version is still ``expected``: the check and the
        count are one conditional UPDATE (``SET version = version + 1 WHERE version =
        expected``), so of two saves based on the same version exactly one gets through, on
        PostgreSQL and SQLite alike. The row stays locked (the database, on SQLite) until the
        transaction ends: call this inside the transaction that then writes the report.

        Raises ``ReportOvertaken`` if the stored version is not ``expected``, and
        ``Report.DoesNotExist`` if there is no report ``pk``.
        """
        rows = self.filter(pk=pk)
        claimed = rows if expected is None else rows.filter(version=expected)
        if claimed.update(version=F("version") + 1):
            if expected is not None:
                return expected + 1
            return rows.values_list("version", flat=True).get()
        stored = rows.values_list("version", flat=True).first()
        if stored is None:
            raise Report.DoesNotExist(f"There is no report {pk}.")
        raise ReportOvertaken(pk, expected, stored)


class LiveReportManager(models.Manager.from_queryset(ReportQuerySet)):
    """Reports as readers, listings and counts know them: never a working draft.

    ``Report.objects``, and so every query of the public site and the desk's lists, and every
    related manager (a region's, an author's, a topic's reports), leave working drafts out.
    ``Report.all_objects`` has them too, for the desk's change form and the workflow.
    """

    def get_queryset(self):
        return super().get_queryset().filter(draft_of__isnull=True)


class Report(KeepsOldAddresses, SanitisedOnSaveMixin, models.Model):
    class Kind(models.TextChoices):
        SITREP = "sitrep", "Situation Report"
        ANALYSIS = "analysis", "Analysis"
        BRIEF = "brief", "Brief"
        EXPLAINER = "explainer", "Explainer"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = NormalisedCharField("headline", max_length=200)
    slug = AsciiSlugField(
        max_length=200,
        blank=True,
        populate_from="title",
        help_text="The report's address. Made from the headline when left empty.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SITREP)
    language = models.CharField(
        max_length=8,
        choices=languages.CHOICES,
        default=languages.DEFAULT,
        help_text="The language the report is written in (ISO 639-1).",
    )
    summary = NormalisedTextField(
        max_length=SUMMARY_MAX_LENGTH,
        blank=True,
        help_text="The standfirst: what happened and why it matters.",
    )
    body = RichTextField(extensions=BODY_EXTENSIONS, sanitize=True, blank=True)
    situation_as_of = models.DateField(
        "situation as of",
        null=True,
        blank=True,
        help_text="The date the report describes, as in “On October 28, 2024, …”.",
    )

    primary_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="primary_reports"
    )
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="reports",
        help_text="Other regions and countries the report concerns.",
    )
    topics = TaggableManager(through="TaggedReport", blank=True, related_name="reports")
    authors = models.ManyToManyField(Author, through="ReportAuthor", related_name="reports")

    hero_image = ValidatedImageField(
        upload_to="reports/",
        blank=True,
        width_field="hero_width",
        height_field="hero_height",
        renditions=HERO,
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_alt = NormalisedCharField("image alt text", max_length=250, blank=True)
    hero_caption = NormalisedCharField("caption", max_length=300, blank=True)
    hero_credit = NormalisedCharField("credit", max_length=200, blank=True)

    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        "publish at",
        null=True,
        blank=True,
        help_text="Leave empty to publish now; a future time schedules the report.",
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    featured = models.BooleanField(default=False)
    seo_title = NormalisedCharField("SEO title", max_length=SEO_TITLE_MAX_LENGTH, blank=True)
    seo_description = NormalisedCharField(
        "SEO description", max_length=SEO_DESCRIPTION_MAX_LENGTH, blank=True
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One more on every save (see ``save``); it never goes down, so a change based on an older
    # number was overtaken by another save.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Kept up to date by reports.search (PostgreSQL); GIN-indexed there by migration 0004.
    search_vector = SearchVectorField(null=True, editable=False)
    # The ids of the regions the report is within, kept by reports.placement.
    within = IdSetField(null=True)

    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When readers last saw the report's status change once it had gone public: unpublished,
    # withdrawn, published again (the time it is out again) or rescheduled. Set by ``save``;
    # part of ``modified_at``.
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawal_reason = NormalisedTextField(
        blank=True,
        editable=False,
        help_text="Why the report was withdrawn, shown to readers in the withdrawal notice.",
    )

    # A report that has been published is edited through its working draft, a second row with
    # its own key points, bylines, sources, notes, regions and topics, which readers never see
    # (see reports.workflow). Only the working draft fills in these fields.
    draft_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="working_draft",
    )
    has_unpublished_changes = models.BooleanField(default=False, editable=False)
    changes_publish_at = models.DateTimeField(
        "publish changes at",
        null=True,
        blank=True,
        editable=False,
        help_text="The draft's changes go live by themselves at this time.",
    )

    objects = LiveReportManager()
    all_objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        permissions = [("publish_report", "Can publish, schedule and withdraw reports")]
        indexes = [
            # Published reports newest first straight off the index, with no sort.
            models.Index(fields=["status", "publish_at", "id"], name="report_status_publish"),
            # ... and with the withdrawn ones, as the read API lists them (an OR of two
            # statuses, which the index above cannot give in order).
            models.Index(
                fields=["publish_at", "id"],
                condition=Q(status__in=["published", "withdrawn"]),
                name="report_published_or_withdrawn",
            ),
            models.Index(
                fields=["publish_at", "id"], condition=Q(featured=True), name="report_featured"
            ),
            # The newest reports chiefly about a region, off the index (related reports).
            models.Index(fields=["primary_region", "id"], name="report_primary_region_newest"),
            # The languages in use (reports.search.configs_in_use) off the index.
            models.Index(fields=["language"], name="report_language"),
            # The working drafts with changes to publish, which the desk's list marks.
            models.Index(
                fields=["draft_of"],
                condition=Q(has_unpublished_changes=True),
                name="report_pending_changes",
            ),
            # Live reports newest first, as the desk lists them, straight off the index; and
            # filtered by region, counted and dated off the index alone.
            models.Index(
                fields=["publish_at", "id", "primary_region"],
                condition=Q(draft_of__isnull=True),
                name="report_live_newest_region",
            ),
            # The live published reports, newest first and counted, straight off the index.
            models.Index(
                fields=["publish_at", "id"],
                condition=Q(draft_of__isnull=True, status="published"),
                name="report_live_published",
            ),
            # ... and by first publication, as the news sitemap lists the last two days'.
            models.Index(
                fields=["first_published_at", "id"],
                condition=Q(draft_of__isnull=True, status="published"),
                name="report_live_first_published",
            ),
        ]
        # What the database itself refuses, whatever wrote the row (see publication_problems
        # for the rules that need the key points and bylines).
        constraints = [
            # Slugs are made lower case (diethnos.slugs): unique in any case. A working draft
            # may carry its live report's slug.
            models.CheckConstraint(condition=Q(slug=Lower("slug")), name="report_slug_lower_case"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(draft_of__isnull=True), name="report_live_slug_unique"
            ),
            # A working draft is never itself published: its changes go to its live report.
            models.CheckConstraint(
                condition=Q(draft_of__isnull=True) | Q(status__in=["draft", "in_review"]),
                name="report_working_draft_unpublished",
            ),
            models.CheckConstraint(
                condition=Q(draft_of__isnull=False)
                | Q(changes_publish_at__isnull=True, has_unpublished_changes=False),
                name="report_changes_only_on_working_drafts",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(GreaterThan(Length(Trim("summary")), 0)),
                name="report_published_has_summary",
                violation_error_message=NEEDS_SUMMARY,
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(primary_region__isnull=False),
                name="report_published_has_primary_region",
                violation_error_message=NEEDS_PRIMARY_REGION,
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | Q(publish_at__isnull=False, first_published_at__isnull=False),
                name="report_published_has_publication_time",
                violation_error_message=NEEDS_PUBLICATION_TIME,
            ),
            models.CheckConstraint(
                condition=Q(hero_image="") | Q(GreaterThan(Length(Trim("hero_alt")), 0)),
                name="report_image_has_alt_text",
                violation_error_message=NEEDS_ALT_TEXT,
            ),
            models.CheckConstraint(
                condition=Q(GreaterThan(Length(Trim("title")), 0)), name="report_has_headline"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="report_has_slug"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_review", "published", "withdrawn"]),
                name="report_status_known",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["sitrep", "analysis", "brief", "explainer"]),
                name="report_kind_known",
            ),
            # SQLite keeps no length limit of its own, and no database one on a text field.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("summary"), SUMMARY_MAX_LENGTH),
                name="report_summary_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("seo_title"), SEO_TITLE_MAX_LENGTH),
                name="report_seo_title_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("seo_description"), SEO_DESCRIPTION_MAX_LENGTH),
                name="report_seo_description_length",
            ),
        ]

    address_routes = ["reports:detail"]

    def __str__(self):
        return self.title

    def save(self, *args, expected_version=None, **kwargs):
        """Save, unless someone else saved the report since the version this change is based on.

        ``expected_version`` is that version (an int); by default, the version this instance
        was loaded with. Checking it and counting this save are one statement
        (``ReportQuerySet.claim_version``), so two saves based on the same version never both
        get through. Raises ``ReportOvertaken`` (having written nothing) if the report was
        saved since. Only saves: what a change of status sets off (e-mail to the editors, a
        working draft) is the workflow's (``reports.workflow``).
        """
        seen_before = self.has_gone_public()
        if self.status == self.Status.PUBLISHED:
            self.mark_published()
        if seen_before and self.changes_what_readers_see():
            self.status_changed_at = self.shown_from()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "status_changed_at"}
        with transaction.atomic():
            if self.pk is not None and not kwargs.get("force_insert"):
                expected = self.version if expected_version is None else expected_version
                try:
                    self.version = Report.all_objects.claim_version(self.pk, expected)
                except Report.DoesNotExist:
                    pass  # a report created with its id given
                else:
                    if kwargs.get("update_fields") is not None:
                        kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            with _within_as_stored(self):
                super().save(*args, **kwargs)
        self._note_stored()

    def get_absolute_url(self):
        return Report.address(self.slug)

    @staticmethod
    def address(slug):
        """The path of the public page of the report whose slug is ``slug`` (a str)."""
        return page_address("reports:detail", slug=slug)

    def has_public_pages(self):
        """Once published (or scheduled), the report's address may be kept by readers."""
        return self.first_published_at is not None

    def keeps_addresses(self):
        """A working draft has no pages of its own: it records no moves of its address."""
        return self.draft_of_id is None

    def has_gone_public(self):
        """Whether readers have seen this live report: it was first published by now."""
        return (
            self.draft_of_id is None
            and self.first_published_at is not None
            and self.first_published_at <= timezone.now()
        )

    def _state_readers_see(self):
        return (self.status, self.publish_at)

    def _note_stored(self):
        """Remember the status and publication time as stored (those loaded or saved)."""
        loaded = self.__dict__
        self.stored_status = loaded.get("status")
        if "status" in loaded and "publish_at" in loaded:
            self.stored_state = self._state_readers_see()
        else:
            self.__dict__.pop("stored_state", None)

    def changes_what_readers_see(self):
        """Whether saving this report changes its status or publication time, as stored, in a
        way readers see: it goes public, is scheduled, unpublished or withdrawn, or comes
        back (a report merely sent for review, or back to draft, is seen by no one either
        way). Reads the stored row when this instance was not loaded with both."""
        if self.pk is None or self._state.adding:
            return False
        before = getattr(self, "stored_state", None)
        if before is None:
            before = Report.all_objects.filter(pk=self.pk).values_list("status", "publish_at")
            before = before.first()
        after = self._state_readers_see()
        shown = {self.Status.PUBLISHED, self.Status.WITHDRAWN}
        return before is not None and before != after and bool({before[0], after[0]} & shown)

    def shown_from(self):
        """When readers see the report as it is now being saved: its publication time when it
        is published for a time still to come, else now (a datetime)."""
        now = timezone.now()
        if self.status == self.Status.PUBLISHED and self.publish_at > now:
            return self.publish_at
        return now

    @property
    def is_working_draft(self):
        return self.draft_of_id is not None

    @property
    def is_public_content(self):
        """Whether a change to this row can change what readers see (see diethnos.page_cache)."""
        return self.draft_of_id is None

    @property
    def live(self):
        """The report readers know: the one this working draft is of, else this one."""
        return self.draft_of if self.draft_of_id else self

    @classmethod
    def from_db(cls, db, field_names, values):
        report = super().from_db(db, field_names, values)
        report._note_stored()
        report.stored_primary_region_id = report.__dict__.get("primary_region_id")
        return report

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using, fields, from_queryset)
        if fields is None:
            self._note_stored()

    @property
    def edited_through_draft(self):
        """Whether the desk edits this report through a working draft: as stored, it has been
        published (or scheduled) or withdrawn, so its row is what readers see or were shown.
        (A form setting the status on the instance changes nothing here until it is saved.)"""
        status = getattr(self, "stored_status", None) if self.pk else None
        return self.draft_of_id is None and status in (
            self.Status.PUBLISHED,
            self.Status.WITHDRAWN,
        )

    @property
    def og_image_url(self):
        """The absolute URL of the hero image's social media card, or ""."""
        return Renditions.card_url(self.hero_image)

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def was_withdrawn(self):
        """Withdrawn after being public: the page stays, with a withdrawal notice instead.

        One scheduled and withdrawn before its time never went public: it has no page, even
        once that time has passed (the rule of ``ReportQuerySet.withdrawn``)."""
        if self.status != self.Status.WITHDRAWN or self.first_published_at is None:
            return False
        return self.first_published_at <= (self.withdrawn_at or timezone.now())

    @property
    def has_page(self):
        """Whether the report is among ``Report.objects.with_page()``: public, or withdrawn
        after it went public (its page stays, with a withdrawal notice)."""
        return self.is_public or self.was_withdrawn

    @property
    def all_regions(self):
        """The primary region first, then the others, each once (from the prefetched rows)."""
        others = [region for region in self.regions.all() if region.pk != self.primary_region_id]
        return [self.primary_region, *others] if self.primary_region else others

    @property
    def updated_on(self):
        """When the report was last updated for its readers (a datetime), or None.

        An update is something the editors declare with a note: the date of the latest update
        or correction note of a published report. Saving alone (a typo fixed, a tag added)
        is no update. Reads the prefetched notes.
        """
        if self.first_published_at is None:
            return None
        return max((note.noted_at for note in self.update_notes.all()), default=None)

    @property
    def modified_at(self):
        """When the report last changed for readers (a datetime; None if never published).

        A withdrawn report's is its withdrawal (its last save if the time was not kept).
        Otherwise, the latest of its latest update or correction note (else its first
        publication) and the last change of status readers saw (``status_changed_at``): it
        was unpublished, or published again after being unpublished or withdrawn.

        What feeds, sitemaps, structured data and the read API give as the last modification.
        Reads the prefetched notes; ``modification()`` is the same rule in SQL.
        """
        if self.first_published_at is None:
            return None
        if self.status == self.Status.WITHDRAWN:
            return self.withdrawn_at or self.updated_at
        published = self.updated_on or self.first_published_at
        return max(published, self.status_changed_at or published)

    @property
    def is_scheduled(self):
        """Whether the report is among ``Report.objects.scheduled()``."""
        return self.status == self.Status.PUBLISHED and not self.is_public

    @property
    def display_status(self):
        return "Scheduled" if self.is_scheduled else self.get_status_display()

    def validate_constraints(self, exclude=None):
        # The slug is unique among live reports (a conditional constraint, which Django would
        # report for the whole form): said here next to the slug, a working draft's included.
        exclude = set(exclude or ())
        super().validate_constraints({*exclude, "slug"})
        if not self.slug or "slug" in exclude:
            return
        if self.slug != self.slug.lower():
            raise ValidationError({"slug": "A slug is in lower case."})
        others = Report.objects.filter(slug=self.slug).exclude(pk=self.pk)
        if self.draft_of_id:
            others = others.exclude(pk=self.draft_of_id)
        if others.exists():
            message = self._meta.get_field("slug").error_messages["unique"]
            params = {"model_name": capfirst(self._meta.verbose_name)}
            raise ValidationError({"slug": ValidationError(message, "unique", params)})

    def clean(self):
        if self.status == self.Status.PUBLISHED:
            # Set the publication times as save() will: the database requires them.
            self.mark_published()
        problems = {}
        if self.hero_image and not self.hero_alt.strip():
            problems["hero_alt"] = NEEDS_ALT_TEXT
        elif keeps_previous_description(self, "hero_image", "hero_alt"):
            problems["hero_alt"] = NEEDS_NEW_ALT_TEXT
        if problems:
            raise ValidationError(problems)

    def publication_problems(self, values=None, key_points=None, authors=None):
        """What keeps this report from being published: {name: message}, empty if nothing.

        The rules of publication, written once: the desk's form and inlines, its list actions
        and ``publish()`` all ask here. The report is checked as it would be saved:

        - ``values``: {field name: value} in place of this instance's own, such as a form's
          cleaned data; a field left out is read from the instance, saved or not.
        - ``key_points``: the texts of its key points, such as an inline's kept rows; None
          reads the saved ones (none for a report not saved yet).
        - ``authors``: the authors of its byline, likewise.

        Names are field names ("summary", "primary_region"), or "key_points" and "authors".
        Raises nothing; ``publish()`` raises a ValidationError with these problems. Rules
        that hold for every save whatever the status (alt text for an image, lengths, unique
        slugs) are the model's and the database's, not repeated here.
        """
        values = values or {}

        def value(name, attname=None):
            return values[name] if name in values else getattr(self, attname or name)

        if key_points is None:
            key_points = self.key_points.values_list("text", flat=True) if self.pk else []
        if authors is None:
            authors = [link.author for link in self.report_authors.all()] if self.pk else []

        problems = {}
        if not (value("summary") or "").strip():
            problems["summary"] = NEEDS_SUMMARY
        if not value("primary_region", "primary_region_id"):
            problems["primary_region"] = NEEDS_PRIMARY_REGION
        key_points = list(key_points)
        if not key_points:
            problems["key_points"] = NEEDS_KEY_POINT
        elif len(key_points) > MAX_KEY_POINTS:
            problems["key_points"] = TOO_MANY_KEY_POINTS
        else:
            for number, text in enumerate(key_points, 1):
                try:
                    KeyPoint(text=text).full_clean(
                        exclude=["report"], validate_unique=False, validate_constraints=False
                    )
                except ValidationError as error:
                    message = " ".join(error.messages)
                    problems["key_points"] = f"Key point {number}: {message}"
                    break
        if not list(authors):
            problems["authors"] = NEEDS_AUTHOR
        return problems

    def mark_published(self, when=None):
        """Set the fields publication needs; the caller saves (and checks problems first)."""
        now = timezone.now()
        self.status = self.Status.PUBLISHED
        self.publish_at = when or self.publish_at or now
        if self.first_published_at is None or self.first_published_at > now:
            self.first_published_at = self.publish_at


@receiver(pre_save, sender=Report)
def count_raw_saves(sender, instance, raw=False, **kwargs):
    """A raw save of a stored report counts as a save too, so the version never goes down.

    Restoring a version from History (django-reversion writes the stored copy with
    ``save_base(raw=True)``, bypassing ``Report.save``) and ``loaddata`` would otherwise put
    back the version number they carry, and a form loaded since would be taken as current. A
    report put back after deletion, or loaded anew, keeps the number it carries.
    """
    if raw and instance.pk is not None:
        try:
            instance.version = Report.all_objects.claim_version(instance.pk)
        except Report.DoesNotExist:
            pass


class PartOfReport:
    """A row that belongs to a report (key point, byline, source, note, topic): what readers
    see only if its report is live, not a working draft (see diethnos.page_cache)."""

    report_field = "report"

    @property
    def is_public_content(self):
        field = self._meta.get_field(self.report_field)
        if field.is_cached(self):
            return getattr(self, self.report_field).is_public_content
        report_id = getattr(self, field.attname)
        drafts = Report._base_manager.filter(pk=report_id, draft_of__isnull=False)
        return not drafts.exists()


class TaggedReport(PartOfReport, TaggedItemBase):
    report_field = "content_object"

    content_object = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_reports")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_report_topic")
        ]
        # The newest reports filed under a topic, off the index (related reports).
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_report_newest")]


class KeyPoint(PartOfReport, models.Model):
    """A one-sentence takeaway, shown in the Key points box at the top of a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="key_points")
    position = models.PositiveSmallIntegerField(default=0)
    text = NormalisedCharField(max_length=KEY_POINT_MAX_LENGTH)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(GreaterThan(Length(Trim("text")), 0)), name="key_point_has_text"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), KEY_POINT_MAX_LENGTH),
                name="key_point_text_length",
            ),
        ]

    def __str__(self):
        return self.text

    def clean_fields(self, exclude=None):
        # Tidy the spacing before the field's own checks, so that spaces alone count as blank.
        self.text = " ".join(self.text.split())
        super().clean_fields(exclude)

    def clean(self):
        if SENTENCE_BREAK.search(self.text):
            raise ValidationError({"text": ONE_SENTENCE})


class ReportAuthor(PartOfReport, models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="report_authors")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="report_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "author"], name="unique_report_author")
        ]
        verbose_name = "byline"

    def __str__(self):
        return str(self.author)


class Source(PartOfReport, models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveSmallIntegerField(default=0)
    title = NormalisedCharField(max_length=300)
    publisher = NormalisedCharField(max_length=200, blank=True)
    url = NormalisedURLField("URL", max_length=500, blank=True)
    date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(GreaterThan(Length(Trim("title")), 0)), name="source_has_title"
            ),
        ]

    def __str__(self):
        return self.title


class UpdateNoteQuerySet(models.QuerySet):
    def corrections(self):
        """Corrections and clarifications: the notes of the corrections log."""
        return self.filter(kind__in=UpdateNote.CORRECTING)

    def public(self):
        """Notes readers see: those of published reports (never of a working draft, nor of a
        scheduled or withdrawn report)."""
        return self.filter(report__in=Report.objects.published())


class UpdateNote(PartOfReport, models.Model):
    """A dated note on the page: an update to the report, a correction of an error, or a
    clarification of what it said."""

    class Kind(models.TextChoices):
        UPDATE = "update", "Update"
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"

    # The kinds listed in the corrections log.
    CORRECTING = (Kind.CORRECTION, Kind.CLARIFICATION)

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="update_notes")
    # Names the note whichever row holds it: a working draft's note keeps its uid when its
    # changes are published (reports.content), so the corrections feed's guid stays the same.
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=13, choices=Kind.choices, default=Kind.UPDATE)
    noted_at = models.DateTimeField("date", default=timezone.now)
    text = NormalisedTextField()

    objects = UpdateNoteQuerySet.as_manager()

    class Meta:
        ordering = ["noted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(GreaterThan(Length(Trim("text")), 0)), name="update_note_has_text"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["update", "correction", "clarification"]),
                name="update_note_kind_known",
            ),
            models.UniqueConstraint(fields=["report", "uid"], name="unique_report_note_uid"),
        ]
        indexes = [
            models.Index(fields=["kind", "noted_at"], name="update_note_kind_noted"),
            # The corrections log, newest first, straight off the index.
            models.Index(
                fields=["noted_at", "id"],
                condition=Q(kind__in=["correction", "clarification"]),
                name="update_note_correcting",
            ),
        ]
        verbose_name = "update or correction"
        verbose_name_plural = "updates and corrections"

    def __str__(self):
        return f"{self.get_kind_display()} of {self.noted_at:%d %B %Y}"

    def get_absolute_url(self):
        return f"{self.report.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        """The id of the note on its report's page."""
        return f"note-{self.uid}"


reversion.register(KeyPoint)
reversion.register(ReportAuthor)
reversion.register(Source)
reversion.register(UpdateNote)
reversion.register(TaggedReport)
reversion.register(
    Report,
    follow=["key_points", "report_authors", "sources", "update_notes", "tagged_items"],
    exclude=["within"],  # worked out from other rows, not content (reports.placement)
)


# Models that live in modules of their own, each with what it is used for.
from .presence import EditingPresence  # noqa: E402, F401
from .sharing import ShareLink  # noqa: E402, F401
