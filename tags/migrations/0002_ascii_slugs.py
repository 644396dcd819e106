"""Topic and region slugs outside ASCII (taggit kept "énergie") are transliterated, as every
slug now is ("energie"); their old addresses redirect to the new ones."""

from django.db import migrations

from diethnos.redirects import reslug_rows


def ascii_slugs(apps, schema_editor):
    redirects = apps.get_model("diethnos", "Redirect").objects
    # The addresses of each one's pages, as the routes stood then.
    Topic = apps.get_model("tags", "Topic")
    reslug_rows(Topic, "name", ["/topics/{}/", "/topics/{}/feed/"], redirects)
    Region = apps.get_model("tags", "Region")
    reslug_rows(Region, "name", ["/regions/{}/", "/regions/{}/feed/"], redirects)


class Migration(migrations.Migration):
    dependencies = [
        ("tags", "0001_initial"),
        ("diethnos", "0001_redirects"),
    ]

    operations = [migrations.RunPython(ascii_slugs, migrations.RunPython.noop)]
