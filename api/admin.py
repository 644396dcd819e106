from django.contrib import admin, messages

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Issues keys to the read API. A new key is shown once, in a message after saving; the
    desk keeps only its digest, so a lost key is replaced by issuing another."""

    list_display = ["name", "prefix", "rate_limit", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "contact"]
    readonly_fields = ["prefix", "created_at"]
    fields = ["name", "contact", "rate_limit", "is_active", "prefix", "created_at"]

    def save_model(self, request, obj, form, change):
        key = None if change else obj.issue()
        super().save_model(request, obj, form, change)
        if key:
            messages.warning(
                request,
                f"The key for {obj.name} is {key} — copy it now: it is not shown again.",
            )
