"""Report slugs outside ASCII are transliterated, as every slug now is; their old addresses
redirect to the new ones."""

from django.db import migrations

from diethnos.redirects import reslug_rows


def ascii_slugs(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    # A report's address, as the routes stood then.
    redirects = apps.get_model("diethnos", "Redirect").objects
    reslug_rows(Report, "title", ["/reports/{}/"], redirects)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_listing_indexes"),
        ("diethnos", "0001_redirects"),
    ]

    operations = [migrations.RunPython(ascii_slugs, migrations.RunPython.noop)]
