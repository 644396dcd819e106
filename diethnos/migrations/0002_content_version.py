import uuid

from django.db import migrations, models


def first_version(apps, schema_editor):
    apps.get_model("diethnos", "ContentVersion").objects.create(pk=1, value=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [("diethnos", "0001_redirects")]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
