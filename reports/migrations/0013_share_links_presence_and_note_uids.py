"""Share links and who is editing a report; clarifications; each update note named by a uid.

Existing notes get a uid each. A working draft's note takes the uid of the live report's note it
was copied from (same kind, date and text), so that publishing the draft keeps the note's name.
"""

import django.db.models.deletion
import django.utils.timezone
import reports.sharing
import uuid
from django.conf import settings
from django.db import migrations, models


def name_notes(apps, schema_editor):
    UpdateNote = apps.get_model("reports", "UpdateNote")
    Report = apps.get_model("reports", "Report")
    for note in UpdateNote.objects.filter(report__draft_of__isnull=True).iterator():
        note.uid = uuid.uuid4()
        note.save(update_fields=["uid"])
    for draft in Report._base_manager.filter(draft_of__isnull=False):
        live = {}
        for note in UpdateNote.objects.filter(report_id=draft.draft_of_id):
            live.setdefault((note.kind, note.noted_at, note.text), note.uid)
        taken = set()
        for note in UpdateNote.objects.filter(report=draft).order_by("noted_at", "pk"):
            uid = live.get((note.kind, note.noted_at, note.text))
            note.uid = uid if uid and uid not in taken else uuid.uuid4()
            taken.add(note.uid)
            note.save(update_fields=["uid"])


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0012_working_drafts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EditingPresence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('since', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_seen', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_saved', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='ShareLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(default=reports.sharing._new_key, editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField()),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='updatenote',
            name='update_note_kind_known',
        ),
        migrations.AddField(
            model_name='updatenote',
            name='uid',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(name_notes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='updatenote',
            name='uid',
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name='updatenote',
            name='kind',
            field=models.CharField(choices=[('update', 'Update'), ('correction', 'Correction'), ('clarification', 'Clarification')], default='update', max_length=13),
        ),
        migrations.AddIndex(
            model_name='updatenote',
            index=models.Index(fields=['kind', 'noted_at'], name='update_note_kind_noted'),
        ),
        migrations.AddConstraint(
            model_name='updatenote',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['update', 'correction', 'clarification'])), name='update_note_kind_known'),
        ),
        migrations.AddConstraint(
            model_name='updatenote',
            constraint=models.UniqueConstraint(fields=('report', 'uid'), name='unique_report_note_uid'),
        ),
        migrations.AddField(
            model_name='editingpresence',
            name='report',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reports.report'),
        ),
        migrations.AddField(
            model_name='editingpresence',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='sharelink',
            name='created_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='sharelink',
            name='report',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='share_links', to='reports.report'),
        ),
        migrations.AddConstraint(
            model_name='editingpresence',
            constraint=models.UniqueConstraint(fields=('report', 'user'), name='unique_editing_presence'),
        ),
    ]
