"""Bring existing topics and regions within the rules the next migration makes the database keep.

- Topics whose names differ only in letter case are merged into the one used most, as the
  desk's "Merge" action does: their reports and experts move to it, their addresses redirect
  to its own, then they are deleted.
- A blank name is filled in (slugs were made ASCII, lower case and distinct by 0002, text cleaned by 0004).
- Region codes are put in capitals (and M49 codes padded to three digits); a code that still
  is not one, or that another region already has, is cleared.

What was changed is printed, so that editors can look at it.
"""

import re
from collections import defaultdict

from django.db import migrations

from diethnos.redirects import record_moves

# A topic's page and feed, as the routes stood then.
TOPIC_PATHS = ["/topics/{}/", "/topics/{}/feed/"]
CODE_FORMATS = {"iso2": r"[A-Z]{2}", "iso3": r"[A-Z]{3}", "m49": r"[0-9]{3}"}


def report(message):
    print(f"\n  {message}", end="")  # noqa: T201 - shown by migrate, as its own lines are


def give_names(model, kind):
    for row in model.objects.order_by("pk"):
        if not row.name.strip():
            row.name = row.slug or f"{kind.capitalize()} {row.pk}"
            row.save(update_fields=["name"])
            report(f"{kind} {row.pk}: blank name filled in ({row.name}).")


def merge_topics_differing_only_in_case(apps):
    Topic = apps.get_model("tags", "Topic")
    redirects = apps.get_model("diethnos", "Redirect").objects
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
            record_moves(
                [(path.format(duplicate.slug), path.format(keep.slug)) for path in TOPIC_PATHS],
                redirects,
            )
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
    give_names(Topic, "topic")
    merge_topics_differing_only_in_case(apps)
    give_names(Region, "region")
    tidy_region_codes(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tags", "0004_normalise_stored_text"),
        # Topics are merged with their uses, which these apps hold.
        ("reports", "0009_normalise_stored_text"),
        ("authors", "0007_normalise_stored_text"),
        ("diethnos", "0001_redirects"),
    ]

    operations = [migrations.RunPython(tidy, migrations.RunPython.noop)]
