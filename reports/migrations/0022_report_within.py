from django.db import migrations

import diethnos.id_sets
from reports.placement import BATCH, covering, within


def place_every_report(apps, schema_editor):
    """Store the regions each report is within (reports.placement)."""
    Region = apps.get_model("tags", "Region")
    Report = apps.get_model("reports", "Report")
    covers = covering(
        dict(Region.objects.values_list("pk", "path")),
        Region.members.through.objects.values_list("from_region_id", "to_region_id"),
    )
    placed = {
        pk: {primary} if primary else set()
        for pk, primary in Report._base_manager.values_list("pk", "primary_region_id")
    }
    for report_id, region_id in Report.regions.through.objects.values_list(
        "report_id", "region_id"
    ):
        placed[report_id].add(region_id)
    reports = [Report(pk=pk, within=within(regions, covers)) for pk, regions in placed.items()]
    Report._base_manager.bulk_update(reports, ["within"], batch_size=BATCH)


INDEX = "report_within_gin"


def create_index(apps, schema_editor):
    # The regions' pages, feeds and the read API find a region's reports by it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON reports_report USING gin (within)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0021_indexes_for_the_desk_list"),
        ("tags", "0006_topic_and_region_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="within",
            field=diethnos.id_sets.IdSetField(null=True),
        ),
        migrations.RunPython(place_every_report, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_index, drop_index),
    ]
