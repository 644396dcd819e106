"""Bring existing topics and regions within the rules the next migration makes the database keep.

- Topics whose names differ only in letter case are merged into the one used most, as the
  desk's "Merge" action does: their reports and experts move to it, then they are deleted.
- A blank name or slug is filled in; a slug that differs from another only in letter case gets
  a number ("energy-2").
- Region codes are put in capitals (and M49 codes padded to three digits); a code that still
  is not one, or that another region already has, is cleared.

What was changed is printed, so that editors can look at it.
"""

import re
from collections import defaultdict

from django.db import migrations

CODE_FORMATS = {"iso2": r"[A-Z]{2}", "iso3": r"[A-Z]{3}", "m49": r"[0-9]{3}"}


def report(message):
    print(f"\n  {message}", end="")  # noqa: T201 - shown by migrate, as its own lines are


def free_slug(model, slug, taken):
    """``slug``, or it with the first number that makes it differ from every one in ``taken``
    (lowercased slugs) whatever the letter case."""
    max_length = model._meta.get_field("slug").max_length
    number = 1
    candidate = slug
    while candidate.lower() in taken:
        number += 1
        suffix = f"-{number}"
        candidate = slug[: max_length - len(suffix)] + suffix
    return candidate


def give_names_and_slugs(model, kind):
    taken = {slug.lower() for slug in model.objects.values_list("slug", flat=True)}
    for row in model.objects.order_by("pk"):
        changed = []
        if not row.name.strip():
            row.name = row.slug or f"{kind.capitalize()} {row.pk}"
            changed.append("name")
        if not row.slug:
            row.slug = free_slug(model, f"{kind}-{row.pk}", taken)
            taken.add(row.slug.lower())
            changed.append("slug")
        if changed:
            row.save(update_fields=changed)
            report(f"{kind} {row.pk}: blank {' and '.join(changed)} filled in ({row.name}).")


def number_slugs_differing_only_in_case(model, kind):
    """The first row keeps its slug; each later one differing only in case gets a number."""
    rows = list(model.objects.order_by("pk"))
    taken = {row.slug.lower() for row in rows}
    first = set()
    for row in rows:
        if row.slug.lower() not in first:
            first.add(row.slug.lower())
            continue
        slug = free_slug(model, row.slug, taken)
        taken.add(slug.lower())
        report(f"{kind} {row.name}: slug {row.slug} taken in other letters, now {slug}.")
        row.slug = slug
        row.save(update_fields=["slug"])


def merge_topics_differing_only_in_case(apps):
    Topic = apps.get_model("tags", "Topic")
    TaggedReport = apps.get_model("reports", "TaggedReport")
    Expertise = apps.get_model("authors", "Author").expertise.through
    same = defaultdict(list)
    for topic in Topic.objects.order_by("pk"):
        same[topic.name.strip().casefold()].append(topic)
    for topics in same.values():
        if len(topics) < 2:
            continue
        uses = {topic.pk: TaggedReport.objects.filter(tag_id=topic.pk).count() for topic in topics}
        keep = max(topics, key=lambda topic: (uses[topic.pk], -topic.pk))
        for duplicate in topics:
            if duplicate.pk == keep.pk:
                continue
            for links, other in ((TaggedReport, "content_object_id"), (Expertise, "author_id")):
                field = "tag_id" if links is TaggedReport else "topic_id"
                kept = set(links.objects.filter(**{field: keep.pk}).values_list(other, flat=True))
                moving = links.objects.filter(**{field: duplicate.pk})
                moving.filter(**{f"{other}__in": kept}).delete()
                moving.update(**{field: keep.pk})
            duplicate.delete()
            report(f"topic {duplicate.name} merged into {keep.name}.")


def tidy_region_codes(apps):
    Region = apps.get_model("tags", "Region")
    for field, pattern in CODE_FORMATS.items():
        seen = set()
        for region in Region.objects.exclude(**{field: ""}).order_by("pk"):
            value = getattr(region, field)
            tidy = value.strip().upper()
            if field == "m49" and tidy.isdigit():
                tidy = tidy.zfill(3)
            if not re.fullmatch(pattern, tidy) or tidy in seen:
                report(f"region {region.name}: {field} {value} cleared (not valid, or not unique).")
                tidy = ""
            seen.add(tidy)
            if tidy != value:
                setattr(region, field, tidy)
                region.save(update_fields=[field])


def tidy(apps, schema_editor):
    Topic = apps.get_model("tags", "Topic")
    Region = apps.get_model("tags", "Region")
    give_names_and_slugs(Topic, "topic")
    merge_topics_differing_only_in_case(apps)
    number_slugs_differing_only_in_case(Topic, "topic")
    give_names_and_slugs(Region, "region")
    number_slugs_differing_only_in_case(Region, "region")
    tidy_region_codes(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tags", "0001_initial"),
        # Topics are merged with their uses, which these apps hold.
        ("reports", "0005_listing_indexes"),
        ("authors", "0004_orcid_message"),
    ]

    operations = [migrations.RunPython(tidy, migrations.RunPython.noop)]
