from django.contrib import admin, messages
from django.db.models import Count, Q
from taggit.models import Tag

from diethnos.admin import SLUG_PREFILL_JS
from diethnos.desk import DeskAdmin
from reports.models import Report

from .models import Region, Topic

# Topics are this project's tags; taggit's own, unused tag model would only confuse editors.
admin.site.unregister(Tag)


@admin.register(Region)
class RegionAdmin(DeskAdmin):
    list_display = ["name", "kind", "parent", "iso2", "iso3", "m49"]
    list_filter = ["kind"]
    search_fields = ["name", "official_name", "iso2", "iso3", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    filter_horizontal = ["members"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "description"]}),
        ("Place in the M49 tree", {"fields": ["parent", "official_name", "iso2", "iso3", "m49"]}),
        ("Coordinates", {"fields": ["latitude", "longitude"], "classes": ["collapse"]}),
        ("Editorial grouping", {"fields": ["members"]}),
    ]

    class Media:
        js = SLUG_PREFILL_JS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


@admin.register(Topic)
class TopicAdmin(DeskAdmin):
    list_display = ["name", "slug", "report_count"]
    search_fields = ["name", "slug"]
    # Counting reports groups the rows, which drops the model's ordering: restate it.
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_topics"]

    class Media:
        js = SLUG_PREFILL_JS

    def get_queryset(self, request):
        # Only the reports the user may see count: a contributor's own.
        reports = self.visible(request, Report)
        return (
            super()
            .get_queryset(request)
            .annotate(
                report_count=Count(
                    "tagged_reports", filter=Q(tagged_reports__content_object__in=reports)
                )
            )
        )

    @admin.display(description="reports", ordering="report_count")
    def report_count(self, topic):
        return topic.report_count

    @admin.action(
        description="Merge selected topics into the one used most", permissions=["change"]
    )
    def merge_topics(self, request, queryset):
        topics = list(queryset.order_by("-report_count", "pk"))
        if len(topics) < 2:
            self.message_user(request, "Select at least two topics to merge.", messages.WARNING)
            return
        keep, duplicates = topics[0], topics[1:]
        keep.merge(duplicates)
        names = ", ".join(topic.name for topic in duplicates)
        self.message_user(request, f"Merged {names} into “{keep.name}”.", messages.SUCCESS)
