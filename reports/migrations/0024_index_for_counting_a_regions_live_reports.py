from django.db import migrations

INDEX = "report_live_within"


def create_index(apps, schema_editor):
    # The desk's list counts a region's reports (working drafts left out) off this index
    # alone, each live report's regions read beside its id, rather than off the table: the
    # GIN index on "within" finds them, but a count of tens of thousands then reads each row.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON reports_report (id) INCLUDE (within) "
            "WHERE draft_of_id IS NULL"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0023_report_status_changed_at")]

    operations = [migrations.RunPython(create_index, drop_index)]
