from django.db import migrations

# Trigram indexes for "Did you mean …?" (reports.suggestions): headlines, and the names of
# regions, topics and authors. PostgreSQL only; other databases suggest without them.
INDEXES = [
    ("report_title_trgm", "reports_report", "title"),
    ("region_name_trgm", "tags_region", "name"),
    ("topic_name_trgm", "tags_topic", "name"),
    ("author_name_trgm", "authors_author", "name"),
]

UNINDEXED = "report_search_vector_pending"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # pg_trgm is a trusted extension: the database's owner may create it.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
            )
        # The few reports whose vector is still to be built, which the desk matches plainly.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {UNINDEXED} ON reports_report (id) "
            "WHERE search_vector IS NULL"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _table, _column in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {UNINDEXED}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0014_report_language"),
        ("tags", "0006_topic_and_region_rules"),
        ("authors", "0009_author_rules"),
    ]

    operations = [
        # The extension is left in place going back: other databases' objects may use it.
        migrations.RunPython(create_indexes, drop_indexes),
    ]
