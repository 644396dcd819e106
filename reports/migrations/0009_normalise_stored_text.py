"""Text stored before it was normalised on every write: normalised the same way now."""

from django.db import migrations

from diethnos.text import normalise_stored_text

# Each model's text fields, and whether each is multi-line.
TEXT_FIELDS = {
    "Report": {
        "title": False,
        "summary": True,
        "body": True,
        "hero_alt": False,
        "hero_caption": False,
        "hero_credit": False,
        "seo_title": False,
        "seo_description": False,
    },
    "KeyPoint": {"text": False},
    "Source": {"title": False, "publisher": False, "url": False},
    "UpdateNote": {"text": True},
}


def normalise(apps, schema_editor):
    for model, fields in TEXT_FIELDS.items():
        normalise_stored_text(apps.get_model("reports", model), fields)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_editors_manage_redirects"),
    ]

    operations = [
        migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True),
    ]
