"""Bring existing reports within the rules the next migration makes the database keep.

- An unknown status becomes "draft", an unknown kind "sitrep", an unknown note kind "update".
- A blank headline is filled in (slugs were made ASCII, lower case and distinct by 0006, text cleaned by 0009).
- A published report gets the publication times it lacks (from the other one, or from when it
  was created); one that lacks a summary or a primary region goes back to review, as nothing
  can be made up for them.
- An image without alt text gets its caption, or else "Image for the report “<headline>”".
- A summary, SEO title or description, or key point longer than its limit is cut at a word,
  with an ellipsis.
- Blank key points and blank update notes are deleted; a source with a blank title gets its
  address or publisher as its title.

What was changed is printed, so that editors can look at it.
"""

from django.db import migrations

STATUSES = {"draft", "in_review", "published", "withdrawn"}
KINDS = {"sitrep", "analysis", "brief", "explainer"}
NOTE_KINDS = {"update", "correction"}
LIMITS = {"summary": 300, "seo_title": 70, "seo_description": 160}
KEY_POINT_MAX_LENGTH = 400


def report(message):
    print(f"\n  {message}", end="")  # noqa: T201 - shown by migrate, as its own lines are


def shortened(text, length):
    """``text`` cut at the last word that fits in ``length`` characters with an ellipsis."""
    cut = text[: length - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def tidy_report(report_row):
    """Tidy one report in place; returns the names of the fields changed."""
    row = report_row
    changed = []

    def change(field, value):
        setattr(row, field, value)
        changed.append(field)

    if row.status not in STATUSES:
        change("status", "draft")
    if row.kind not in KINDS:
        change("kind", "sitrep")
    if not row.title.strip():
        change("title", row.slug.replace("-", " ").capitalize())
    for field, limit in LIMITS.items():
        if len(getattr(row, field)) > limit:
            change(field, shortened(getattr(row, field), limit))
    if row.hero_image and not row.hero_alt.strip():
        alt = row.hero_caption.strip() or f"Image for the report “{row.title}”"
        change("hero_alt", alt[:250])
    if row.status == "published":
        if row.publish_at is None:
            change("publish_at", row.first_published_at or row.created_at)
        if row.first_published_at is None:
            change("first_published_at", row.publish_at)
        if not row.summary.strip() or row.primary_region_id is None:
            change("status", "in_review")
    return changed


def tidy(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    KeyPoint = apps.get_model("reports", "KeyPoint")
    Source = apps.get_model("reports", "Source")
    UpdateNote = apps.get_model("reports", "UpdateNote")

    for row in Report.objects.order_by("pk"):
        changed = tidy_report(row)
        if changed:
            # A plain UPDATE: the report was not edited, so its "updated" time stays.
            Report.objects.filter(pk=row.pk).update(
                **{field: getattr(row, field) for field in changed}
            )
            report(f"report {row.slug}: {', '.join(sorted(set(changed)))} tidied.")

    for point in KeyPoint.objects.all():
        if not point.text.strip():
            point.delete()
            report(f"report {point.report_id}: a blank key point deleted.")
        elif len(point.text) > KEY_POINT_MAX_LENGTH:
            point.text = shortened(point.text, KEY_POINT_MAX_LENGTH)
            point.save(update_fields=["text"])
            report(f"report {point.report_id}: key point {point.pk} shortened.")
    for source in Source.objects.all():
        if not source.title.strip():
            source.title = (source.url or source.publisher or "Source")[:300]
            source.save(update_fields=["title"])
            report(f"report {source.report_id}: source {source.pk} given a title.")
    for note in UpdateNote.objects.all():
        if not note.text.strip():
            note.delete()
            report(f"report {note.report_id}: a blank update note deleted.")
        elif note.kind not in NOTE_KINDS:
            note.kind = "update"
            note.save(update_fields=["kind"])
            report(f"report {note.report_id}: update note {note.pk} is an update.")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0009_normalise_stored_text"),
    ]

    operations = [migrations.RunPython(tidy, migrations.RunPython.noop)]
