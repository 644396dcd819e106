from django.contrib import admin

from .desk import DeskAdmin
from .models import Redirect

# The scripts of every desk form that prefills a slug (prepopulated_fields), in this order.
SLUG_PREFILL_JS = ["admin/js/urlify.js", "admin/slug-prefill.js"]


@admin.register(Redirect)
class RedirectAdmin(DeskAdmin):
    """Every old address that leads to a new one: recorded when a slug changes or topics are
    merged, and editable here (add one for a page that moved some other way)."""

    list_display = ["old_path", "new_path", "created_at"]
    search_fields = ["old_path", "new_path"]
    fields = ["old_path", "new_path"]
    date_hierarchy = "created_at"
