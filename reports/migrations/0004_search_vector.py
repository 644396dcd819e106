import django.contrib.postgres.search
from django.db import migrations

INDEX = "report_search_vector_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON reports_report USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_image_dimensions"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        # A GIN index exists on PostgreSQL only; other databases search without the vector.
        migrations.RunPython(create_index, drop_index),
    ]
