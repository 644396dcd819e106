from django.db import migrations, models
from django.db.models import F


def date_past_withdrawals(apps, schema_editor):
    """Reports withdrawn before the time was kept: their last save, the withdrawal's."""
    Report = apps.get_model("reports", "Report")
    Report.objects.filter(status="withdrawn", withdrawn_at__isnull=True).update(
        withdrawn_at=F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0017_indexes_for_large_listings"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(date_past_withdrawals, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("status__in", ["published", "withdrawn"])),
                fields=["publish_at", "id"],
                name="report_published_or_withdrawn",
            ),
        ),
    ]
