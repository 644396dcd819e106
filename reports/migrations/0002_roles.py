"""The two roles of the editors' desk, as groups: Editors and Contributors."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_APPS = ["reports", "authors", "tags", "taggit"]

CONTRIBUTOR_PERMISSIONS = [
    ("reports", "add_report"),
    ("reports", "change_report"),
    ("reports", "view_report"),
    *[
        ("reports", f"{action}_{model}")
        for model in ["keypoint", "reportauthor", "source", "updatenote", "taggedreport"]
        for action in ["add", "change", "delete", "view"]
    ],
    ("authors", "view_author"),
    ("tags", "view_region"),
    ("tags", "view_topic"),
]


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=EDITOR_APPS)
    )

    contributors, _ = Group.objects.get_or_create(name="Contributors")
    for app_label, codename in CONTRIBUTOR_PERMISSIONS:
        contributors.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Contributors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("authors", "0001_initial"),
        ("tags", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
