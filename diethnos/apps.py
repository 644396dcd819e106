from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save


class DiethnosConfig(AppConfig):
    name = "diethnos"
    # The desk names the section of what this package keeps (redirects from old addresses).
    verbose_name = "Addresses"

    def ready(self):
        from .page_cache import content_changed
        from .redirects import watch_addresses

        for signal in (pre_save, post_save, pre_delete, post_delete, m2m_changed):
            signal.connect(content_changed, dispatch_uid=f"page-cache-{signal!r}")
        watch_addresses()


class DeskAdminConfig(admin_apps.AdminConfig):
    """Django's admin, as the editors' desk (``diethnos.desk.DeskSite``)."""

    default = False
    default_site = "diethnos.desk.DeskSite"
