"""The corrections policy, which editors keep in the desk."""

import diethnos.richtext
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("corrections")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="corrections"))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("reports", "0002_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name='CorrectionsPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(blank=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'corrections policy',
                'verbose_name_plural': 'corrections policy',
                'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='one_policy')],
            },
            bases=(diethnos.richtext.SanitisedOnSaveMixin, models.Model),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
