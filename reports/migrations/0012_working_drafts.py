"""Working drafts: a published report is edited through a second row that readers never see.

No working draft is made here: the desk makes one when it first opens a published report."""

import diethnos.slugs
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0011_report_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="changes_publish_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="The draft's changes go live by themselves at this time.",
                null=True,
                verbose_name="publish changes at",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="draft_of",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="working_draft",
                to="reports.report",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="has_unpublished_changes",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="report",
            name="withdrawal_reason",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Why the report was withdrawn, shown to readers in the withdrawal notice.",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="slug",
            field=diethnos.slugs.AsciiSlugField(
                blank=True,
                help_text="The report's address. Made from the headline when left empty.",
                max_length=200,
                populate_from="title",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                condition=models.Q(("draft_of__isnull", True)),
                fields=("slug",),
                name="report_live_slug_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("draft_of__isnull", True),
                    ("status__in", ["draft", "in_review"]),
                    _connector="OR",
                ),
                name="report_working_draft_unpublished",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("draft_of__isnull", False),
                    models.Q(
                        ("changes_publish_at__isnull", True), ("has_unpublished_changes", False)
                    ),
                    _connector="OR",
                ),
                name="report_changes_only_on_working_drafts",
            ),
        ),
    ]
