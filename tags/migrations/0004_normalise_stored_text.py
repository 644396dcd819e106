"""Text stored before it was normalised on every write: normalised the same way now."""

from django.db import migrations

from diethnos.text import normalise_stored_text

# Each model's text fields, and whether each is multi-line.
TEXT_FIELDS = {
    "Region": {
        "name": False,
        "official_name": False,
        "iso2": False,
        "iso3": False,
        "m49": False,
        "description": True,
    },
    "Topic": {"name": False, "description": True},
}


def normalise(apps, schema_editor):
    for model, fields in TEXT_FIELDS.items():
        normalise_stored_text(apps.get_model("tags", model), fields)


class Migration(migrations.Migration):
    dependencies = [
        ("tags", "0003_ascii_slug_fields"),
    ]

    operations = [
        migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True),
    ]
