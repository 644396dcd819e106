from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("diethnos", "0002_content_version")]

    operations = [
        migrations.AddField(
            model_name="contentversion",
            name="published_through",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
