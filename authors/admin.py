from django.contrib import admin

from .models import Author


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "role_line", "user", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "role_line", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user", "expertise"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "role_line", "short_bio", "bio"]}),
        ("Photo", {"fields": ["photo", "photo_alt"]}),
        (
            "Expertise and links",
            {
                "fields": [
                    "expertise",
                    "website",
                    "email",
                    "show_email",
                    "x",
                    "bluesky",
                    "linkedin",
                    "orcid",
                ]
            },
        ),
        ("Account", {"fields": ["user", "is_active"]}),
    ]
