"""Editors list, add, change and delete the redirects from old addresses in the desk."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("diethnos")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="diethnos", codename__endswith="redirect"
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="diethnos"))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_roles"),
        ("reports", "0007_ascii_slug_field"),
        ("diethnos", "0001_redirects"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
