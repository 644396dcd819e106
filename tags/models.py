import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Length, Lower, Trim, Upper
from django.db.models.lookups import Exact, GreaterThan
from django.utils.translation import pgettext_lazy
from taggit.models import TagBase

from diethnos.addresses import page_address
from diethnos.id_sets import members_of
from diethnos.redirects import KeepsOldAddresses, record_moves
from diethnos.slugs import AsciiSlugField, numbered, slug_for
from diethnos.text import NormalisedCharField, NormalisedTextField


class RegionQuerySet(models.QuerySet):
    def tree(self):
        return self.exclude(kind=Region.Kind.GROUP)

    def groups(self):
        return self.filter(kind=Region.Kind.GROUP)

    def countries(self):
        return self.filter(kind=Region.Kind.COUNTRY)

    def covering(self, regions):
        """Regions whose page lists reports tagged with any of ``regions``: those regions,
        every node above them in the tree and the groupings that hold them."""
        paths = dict(regions.values_list("pk", "path"))
        prefixes = {prefix for path in paths.values() for prefix in path_prefixes(path)}
        return self.filter(
            models.Q(pk__in=paths)
            | models.Q(path__in=prefixes)
            | models.Q(kind=Region.Kind.GROUP, members__in=paths)
        ).distinct()

    def major(self):
        """The five M49 regions: Africa, Americas, Asia, Europe, Oceania."""
        return self.filter(kind=Region.Kind.REGION)

    def nested(self, counts):
        """These regions as a tree, in one query: the roots, each node with ``branches`` (its
        children, by name), ``covered`` (those of its children with reports) and
        ``report_count`` (looked up in ``counts``, from ``report_counts()``)."""
        nodes = list(self.order_by("name"))
        by_parent = defaultdict(list)
        for node in nodes:
            by_parent[node.parent_id].append(node)
        for node in nodes:
            node.branches = by_parent[node.pk]
            node.report_count = counts.get(node.pk, 0)
        for node in nodes:
            node.covered = [branch for branch in node.branches if branch.report_count]
        return by_parent[None]

    def report_counts(self, reports):
        """How many of ``reports`` (a Report queryset) each region holds, rolled up as on its
        page: every region a report is within (``Report.within``: its regions, the nodes above
        them, the groupings holding them) counts it once.

        Returns {region id: count} for the regions holding any, in one query counted in the
        database.
        """
        connection = connections[reports.db]
        found, params = reports.order_by().values("within").query.sql_with_params()
        placed = members_of("found", "within", connection)
        # Only the queryset's own SQL (its parameters kept apart) is written into the query.
        sql = (
            f"WITH found AS ({found}) "  # noqa: S608
            f"SELECT member, COUNT(*) FROM ({placed}) AS placed GROUP BY member"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor.fetchall())


def path_prefixes(path):
    """The paths from World down to ``path`` itself: "/001/", "/001/150/", ..."""
    codes = [code for code in path.strip("/").split("/") if code]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


# Each code of a region, when it is given: its length, the pattern it matches, and what the
# desk says of another value.
CODE_FORMATS = {
    "iso2": (2, r"[A-Z]{2}", "Two capital letters, like “UA”, or nothing."),
    "iso3": (3, r"[A-Z]{3}", "Three capital letters, like “UKR”, or nothing."),
    "m49": (3, r"[0-9]{3}", "Three digits, like “804” or “002”, or nothing."),
}


class Region(KeepsOldAddresses, models.Model):
    """A node of the UN M49 tree (world, region, sub-region, country) or an editorial grouping.

    ``path`` is the chain of codes from World down to this node ("/001/150/151/RUS/"), so
    everything beneath a node is one indexed prefix query. Groupings sit outside the tree and
    hold their member countries instead.
    """

    class Kind(models.TextChoices):
        WORLD = "world", "World"
        REGION = "region", "Region"
        SUBREGION = "subregion", "Sub-region"
        INTERMEDIATE = "intermediate", "Intermediate region"
        COUNTRY = "country", "Country or territory"
        GROUP = "group", "Editorial grouping"

    name = NormalisedCharField(max_length=120)
    official_name = NormalisedCharField(
        max_length=200, blank=True, help_text="The OCHA/UN term, where it differs from the name."
    )
    slug = AsciiSlugField(
        max_length=120,
        unique=True,
        blank=True,
        populate_from="name",
        help_text="The region's address. Made from the name when left empty.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="groups",
        limit_choices_to={"kind": "country"},
        help_text="For an editorial grouping: the countries it holds.",
    )
    iso2 = NormalisedCharField("ISO alpha-2", max_length=2, blank=True, db_index=True)
    iso3 = NormalisedCharField("ISO alpha-3", max_length=3, blank=True)
    m49 = NormalisedCharField("M49 code", max_length=3, blank=True)
    latitude = models.DecimalField(max_digits=10, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=10, decimal_places=6, null=True, blank=True)
    description = NormalisedTextField(blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["iso2"], condition=~models.Q(iso2=""), name="unique_region_iso2"
            ),
            models.UniqueConstraint(
                fields=["iso3"],
                condition=~models.Q(iso3=""),
                name="unique_region_iso3",
                violation_error_code="unique",  # shown next to the field
                violation_error_message="Another region has this ISO alpha-3 code.",
            ),
            models.UniqueConstraint(
                fields=["m49"],
                condition=~models.Q(m49=""),
                name="unique_region_m49",
                violation_error_code="unique",
                violation_error_message="Another region has this M49 code.",
            ),
            # Slugs are made lower case (diethnos.slugs): unique in any case.
            models.CheckConstraint(condition=Q(slug=Lower("slug")), name="region_slug_lower_case"),
            models.CheckConstraint(
                condition=Q(GreaterThan(Length(Trim("name")), 0)), name="region_has_name"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="region_has_slug"),
            # Codes are blank or of their full length, in capitals (see CODE_FORMATS).
            *[
                models.CheckConstraint(
                    condition=Q(**{field: ""})
                    | Q(
                        Exact(Length(field), length),
                        Exact(F(field), Upper(field)),
                    ),
                    name=f"region_{field}_format",
                )
                for field, (length, _, _) in CODE_FORMATS.items()
            ],
        ]

    address_routes = ["regions:detail", "regions:feed", "regions:json-feed"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.rebuild_path()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return page_address("regions:detail", slug=self.slug)

    def clean(self):
        problems = {}
        for field, (_, pattern, message) in CODE_FORMATS.items():
            value = getattr(self, field)
            if value and not re.fullmatch(pattern, value):
                problems[field] = message
        if problems:
            raise ValidationError(problems)

    @property
    def is_group(self):
        return self.kind == self.Kind.GROUP

    @property
    def code(self):
        """The code this node contributes to ``path``."""
        return self.m49.zfill(3) if self.m49 and self.kind != self.Kind.COUNTRY else self.iso3

    def rebuild_path(self):
        self.path = (
            f"{self.parent.path if self.parent else '/'}{self.code}/" if not self.is_group else ""
        )

    def ancestors(self):
        """From World down to the parent, in one query."""
        prefixes = path_prefixes(self.path)[:-1]
        if not prefixes:
            return []
        return list(Region.objects.filter(path__in=prefixes).order_by("path"))

    def rollup_ids(self):
        """Ids of this region and everything a report tagged there rolls up into it from.

        A tree node covers its descendants; a grouping covers its member countries.
        A lazy query, so that it runs as a subquery of the query that uses it.
        """
        if self.is_group:
            covered = Region.objects.filter(Q(pk=self.pk) | Q(groups=self))
        else:
            covered = Region.objects.filter(path__startswith=self.path)
        return covered.values_list("pk", flat=True)


class TopicQuerySet(models.QuerySet):
    def with_report_counts(self, reports):
        """Each topic with ``report_count``: how many of ``reports`` are filed under it.

        By name: a grouped query does not follow ``Meta.ordering``.
        """
        return self.annotate(
            report_count=Count(
                "tagged_reports", filter=Q(tagged_reports__content_object__in=reports)
            )
        ).order_by("name")

    def filed_under(self, reports):
        """Only the topics some of ``reports`` are filed under, with ``report_count``, by name.

        A join rather than a filtered count over every topic: much cheaper on a large site.
        """
        return (
            self.filter(tagged_reports__content_object__in=reports)
            .annotate(report_count=Count("tagged_reports"))
            .order_by("name")
        )


class Topic(KeepsOldAddresses, TagBase):
    """A subject reports are filed under, such as "Hybrid threats" (case-insensitive)."""

    # taggit's name, normalised as all stored text is.
    name = NormalisedCharField(
        verbose_name=pgettext_lazy("A tag name", "name"), unique=True, max_length=100
    )
    slug = AsciiSlugField(
        max_length=100,
        unique=True,
        blank=True,
        populate_from="name",
        help_text="The topic's address. Made from the name when left empty.",
    )
    description = NormalisedTextField(blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "topic"
        verbose_name_plural = "topics"
        constraints = [
            # "Energy" and "energy" are one topic (the desk compares every letter, see clean()).
            models.UniqueConstraint(Lower("name"), name="unique_topic_name_any_case"),
            # Slugs are made lower case (diethnos.slugs): unique in any case.
            models.CheckConstraint(condition=Q(slug=Lower("slug")), name="topic_slug_lower_case"),
            models.CheckConstraint(
                condition=Q(GreaterThan(Length(Trim("name")), 0)), name="topic_has_name"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="topic_has_slug"),
        ]

    address_routes = ["topics:detail", "topics:feed", "topics:json-feed"]

    def get_absolute_url(self):
        return page_address("topics:detail", slug=self.slug)

    def slugify(self, tag, i=None):
        """The slug taggit gives a topic it creates: ``slug_for`` its name, numbered from
        ``-2`` on when another topic has it (taggit counts ``i`` from 1)."""
        max_length = self._meta.get_field("slug").max_length
        slug = slug_for(tag, max_length, fallback=self._meta.model_name)
        return numbered(slug, i + 1, max_length) if i else slug

    def clean(self):
        problems = {}
        # Compared here with Python's case folding, every letter alike: SQLite's lower(),
        # which its constraint uses, folds ASCII letters only.
        folded = self.name.casefold()
        for name in Topic.objects.exclude(pk=self.pk).values_list("name", flat=True):
            if name.casefold() == folded:
                problems["name"] = (
                    f"There is already a topic “{name}”: use it, or merge the two in the topic "
                    "list, rather than add the same name in other letters."
                )
                break
        if problems:
            raise ValidationError(problems)

    @transaction.atomic
    def merge(self, duplicates):
        """Move every use of ``duplicates`` onto this topic, then delete them; their addresses
        redirect to this topic's."""
        duplicates = [topic for topic in duplicates if topic.pk != self.pk]
        record_moves(
            (old, new)
            for duplicate in duplicates
            for old, new in zip(duplicate.addresses(), self.addresses(), strict=True)
        )
        for relation in self._meta.related_objects:
            model, field = relation.related_model, relation.field.name
            if relation.many_to_many:
                accessor = relation.get_accessor_name()
                if not hasattr(self, accessor):
                    continue  # a taggit manager: its through rows are merged below
                for duplicate in duplicates:
                    getattr(self, accessor).add(*getattr(duplicate, accessor).all())
                continue
            # A through row (topic, report): keep one row per report.
            others = [
                f.attname for f in model._meta.concrete_fields if f.is_relation and f.name != field
            ]
            seen = set(model.objects.filter(**{field: self}).values_list(*others))
            for item in model.objects.filter(**{f"{field}__in": duplicates}):
                key = tuple(getattr(item, name) for name in others)
                if key in seen:
                    item.delete()
                else:
                    seen.add(key)
                    setattr(item, field, self)
                    item.save(update_fields=[field])
        for duplicate in duplicates:
            duplicate.delete()
