from django.apps import AppConfig


class TagsConfig(AppConfig):
    verbose_name = "Regions and topics"
    name = "tags"
    default_auto_field = "django.db.models.BigAutoField"
