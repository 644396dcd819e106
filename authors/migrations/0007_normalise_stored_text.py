"""Text stored before it was normalised on every write: normalised the same way now."""

from django.db import migrations

from diethnos.text import normalise_stored_text

# The author's text fields, and whether each is multi-line.
TEXT_FIELDS = {
    "name": False,
    "role_line": False,
    "short_bio": True,
    "bio": True,
    "photo_alt": False,
    "website": False,
    "email": False,
    "x": False,
    "bluesky": False,
    "linkedin": False,
    "orcid": False,
}


def normalise(apps, schema_editor):
    normalise_stored_text(apps.get_model("authors", "Author"), TEXT_FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("authors", "0006_slug_field_and_no_slug_history"),
    ]

    operations = [
        migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True),
    ]
