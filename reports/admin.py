"""The editors' desk: composing, reviewing, scheduling and publishing reports."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.models import Version

from diethnos.admin import SLUG_PREFILL_JS
from diethnos.content_security import RichTextAdminMixin
from diethnos.desk import DeskAdmin
from diethnos.forms import URL_FORMFIELDS
from tags.models import Topic

from . import overtaken
from .admin_forms import BylineFormSet, KeyPointFormSet, ReportAdminForm
from .models import (
    MAX_KEY_POINTS,
    KeyPoint,
    Report,
    ReportAuthor,
    ReportOvertaken,
    Source,
    UpdateNote,
)
from .permissions import can_publish, contributor_may_change
from .preview import preview_unsaved

# ---------------------------------------------------------------------------------------------
# Inlines


class KeyPointInline(admin.TabularInline):
    model = KeyPoint
    formset = KeyPointFormSet
    fields = ["text", "position"]
    extra = 3
    max_num = MAX_KEY_POINTS
    verbose_name = "key point"
    verbose_name_plural = "Key points (one sentence each, 1 to 10, in the order shown)"
    formfield_overrides = {
        KeyPoint._meta.get_field("text").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 90, "maxlength": 400})
        }
    }

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_max=True, **kwargs)


class BylineInline(admin.TabularInline):
    model = ReportAuthor
    formset = BylineFormSet
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = "author"
    verbose_name_plural = "Byline (in order)"


class SourceInline(admin.TabularInline):
    formfield_overrides = URL_FORMFIELDS
    model = Source
    fields = ["title", "publisher", "url", "date", "position"]
    extra = 1


class UpdateNoteInline(admin.StackedInline):
    model = UpdateNote
    fields = ["kind", "noted_at", "text"]
    extra = 0


# ---------------------------------------------------------------------------------------------
# Filters


class TopicFilter(admin.SimpleListFilter):
    title = "topic"
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        # The topics of the reports the user sees: another's draft names none of its own.
        reports = model_admin.get_queryset(request)
        return (
            Topic.objects.filter(tagged_reports__content_object__in=reports)
            .distinct()
            .values_list("slug", "name")
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(topics__slug=self.value())
        return queryset


class RegionFilter(admin.SimpleListFilter):
    title = "region (with everything beneath it)"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        from tags.models import Region

        reports = model_admin.get_queryset(request)
        tagged = Report.regions.through.objects.filter(report__in=reports).values("region_id")
        primary = reports.values("primary_region_id")
        used = Region.objects.filter(Q(pk__in=tagged) | Q(pk__in=primary))
        return used.values_list("slug", "name")

    def queryset(self, request, queryset):
        from tags.models import Region

        if self.value():
            region = Region.objects.filter(slug=self.value()).first()
            return queryset.in_region(region) if region else queryset.none()
        return queryset


# ---------------------------------------------------------------------------------------------
# The admin


@admin.register(Report)
class ReportAdmin(RichTextAdminMixin, DeskAdmin, VersionAdmin):
    form = ReportAdminForm
    inlines = [KeyPointInline, BylineInline, SourceInline, UpdateNoteInline]
    list_display = [
        "title",
        "status_label",
        "kind",
        "byline",
        "primary_region",
        "situation_as_of",
        "publish_at",
    ]
    list_filter = [
        "status",
        "kind",
        RegionFilter,
        TopicFilter,
        ("authors", admin.RelatedOnlyFieldListFilter),
        "featured",
    ]
    list_select_related = ["primary_region"]
    search_fields = ["title", "summary", "slug", "key_points__text"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["primary_region", "regions"]
    save_on_top = True
    actions = ["send_for_review", "publish", "unpublish", "withdraw"]
    fieldsets = [
        ("Headline and summary", {"fields": ["title", "slug", "kind", "summary"]}),
        ("Body", {"fields": ["situation_as_of", "body"]}),
        ("Regions and topics", {"fields": ["primary_region", "regions", "topics"]}),
        ("Image", {"fields": ["hero_image", "hero_alt", "hero_caption", "hero_credit"]}),
        (
            "Publishing",
            {"fields": ["status", "publish_at", "featured", "version_seen", "values_seen"]},
        ),
        (
            "Search engines and sharing",
            {
                "fields": ["seo_title", "seo_description"],
                "classes": ["collapse"],
            },
        ),
    ]

    # Where each inline goes between the fieldsets (see the change_form template).
    composing_order = [
        "Headline and summary",
        KeyPointInline,
        "Body",
        BylineInline,
        "Regions and topics",
        "Image",
        SourceInline,
        UpdateNoteInline,
        "Publishing",
        "Search engines and sharing",
    ]

    class Media:
        css = {"all": ["admin/diethnos-admin.css"]}
        js = SLUG_PREFILL_JS

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        fieldsets = {fieldset.name: fieldset for fieldset in context["adminform"]}
        inlines = {type(f.opts): f for f in context.get("inline_admin_formsets", [])}
        context["composing_order"] = [
            {"fieldset": fieldsets[part]} if isinstance(part, str) else {"inline": inlines[part]}
            for part in self.composing_order
            if part in fieldsets or part in inlines
        ]
        form = context["adminform"].form
        formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
        if change and not form.is_bound:
            # The version and values the form is based on (see reports.overtaken); History's
            # restore form is based on the report as stored, not on the version it shows.
            version, values = context.get("stored_base") or (
                obj.version,
                overtaken.values_seen(form, formsets),
            )
            form.initial.update(version_seen=version, values_seen=values)
        if stale := getattr(request, "overtaken", None):
            stale.flag_rows(formsets)
            context["overtaken"] = stale
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- two editors, one report --------------------------------------------------------------

    def against_stored(self, request, report_id, view, *, restoring=False):
        """Run ``view``, a form view that may save report ``report_id``, refusing a form that
        another save overtook.

        Such a form is refused and drawn again with the other editor's changes merged in
        (``reports.overtaken``). A save that gets past that check at the same moment as
        another is refused by the report itself (``ReportOvertaken``), or by the database when
        two editors recover the same report (``IntegrityError``): then the check runs again and
        finds the other save. ``restoring``: ``view`` restores a version from History first.
        """
        if request.method != "POST":
            return view()
        submitted = request.POST
        for attempt in (1, 2):
            report = self.stored(report_id)
            request.POST, request.overtaken = submitted, None
            if report is not None and self.has_change_permission(request, report):
                request.overtaken = overtaken.check(self, request, report, restoring=restoring)
            if request.overtaken:
                request.POST = request.overtaken.data
            # Restoring writes the stored report once (a raw save) before the form saves it.
            request.saves_before_form = 1 if restoring and report is not None else 0
            try:
                return view()
            except (ReportOvertaken, IntegrityError):
                if attempt == 2:
                    raise

    @staticmethod
    def stored(report_id):
        """The report ``report_id`` as stored now, or None."""
        try:
            return Report.objects.filter(pk=report_id).first()
        except (ValueError, ValidationError):
            return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        view = partial(super().change_view, request, object_id, form_url, extra_context)
        return self.against_stored(request, unquote(object_id), view)

    # -- history: reverting and recovering ---------------------------------------------------
    # django-reversion reverts a revision before it checks anything, so each view checks first.

    def report_to_change(self, request, object_id):
        report = self.get_object(request, unquote(object_id))
        if report is None:
            raise Http404
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        return report

    def may_revert(self, request, revision):
        """Whether the user may change every report ``revision`` would put back."""
        ids = {
            int(pk)
            for pk in revision.version_set.get_for_model(Report).values_list("object_id", flat=True)
        }
        reports = list(self.get_queryset(request).filter(pk__in=ids))
        # A report missing here was deleted or is not the user's: reverting would restore it.
        if len(reports) < len(ids) and not can_publish(request.user):
            return False
        return all(self.has_change_permission(request, report) for report in reports)

    def get_urls(self):
        preview = self.admin_site.admin_view
        return [
            path(
                "add/preview/",
                preview(partial(preview_unsaved, self)),
                name="reports_report_preview_new",
            ),
            path(
                "<path:object_id>/preview/",
                preview(partial(preview_unsaved, self)),
                name="reports_report_preview",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        self.report_to_change(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        report = self.report_to_change(request, object_id)
        versions = Version.objects.get_for_object_reference(Report, report.pk)
        version = get_object_or_404(versions.select_related("revision"), pk=version_id)
        if not self.may_revert(request, version.revision):
            raise PermissionDenied
        context = dict(extra_context or {})
        if request.method != "POST":
            # Read before django-reversion puts the older version in place.
            form, formsets = overtaken.desk_forms(self, request, report)
            context["stored_base"] = (
                report.version,
                overtaken.values_seen(form, formsets.values()),
            )
        view = partial(super().revision_view, request, object_id, version_id, context)
        return self.against_stored(request, report.pk, view, restoring=True)

    def recoverlist_view(self, request, extra_context=None):
        if not can_publish(request.user):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not can_publish(request.user):
            raise PermissionDenied
        version = get_object_or_404(Version, pk=version_id)
        view = partial(super().recover_view, request, version_id, extra_context)
        # Someone may have recovered the report already: then this form is checked against it.
        return self.against_stored(request, version.object_id, view, restoring=True)

    # -- what each role sees and may change ---------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("report_authors__author")
        if can_publish(request.user):
            return queryset
        return queryset.owned_by(request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or can_publish(request.user) or contributor_may_change(request.user, obj)

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        if can_publish(request.user):
            return []
        return ["publish_at", "featured"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if stale := getattr(request, "overtaken", None):
            # Refuse this submission, drawn again merged with the other editor's save.
            form = type(form.__name__, (form,), {"overtaken": stale})
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "topics":
            return forms.ModelMultipleChoiceField(
                queryset=Topic.objects.all(),
                required=False,
                widget=AutocompleteSelectMultiple(db_field, self.admin_site),
                help_text="Start typing to find a topic; add new ones under Topics.",
            )
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "status" and not can_publish(request.user):
            allowed = {Report.Status.DRAFT, Report.Status.IN_REVIEW}
            field.choices = [(v, label) for v, label in field.choices if v in allowed]
        return field

    # -- saving ---------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        # What ModelAdmin.save_model does, naming who saved in case the report goes to review,
        # and refusing the save if someone else saved the report since the form was loaded.
        if not change:
            obj.created_by = request.user
            obj.save(submitted_by=request.user)
            return
        expected = form.cleaned_data["version_seen"] + getattr(request, "saves_before_form", 0)
        obj.save(submitted_by=request.user, expected_version=expected)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report = form.instance
        if "topics" in form.cleaned_data:
            report.topics.set(form.cleaned_data["topics"])
        author = getattr(request.user, "author", None)
        if author and not can_publish(request.user) and not report.report_authors.exists():
            ReportAuthor.objects.create(report=report, author=author)

    # -- list columns ---------------------------------------------------------------------

    @admin.display(description="status", ordering="status")
    def status_label(self, report):
        return format_html(
            '<span class="status status-{}">{}</span>', report.status, report.display_status
        )

    @admin.display(description="authors")
    def byline(self, report):
        return ", ".join(link.author.name for link in report.report_authors.all())

    # -- actions ------------------------------------------------------------------------------
    # Each selected report is changed as stored now, its row locked until the action is done,
    # so an action never writes back what was read before someone else's save.

    def change_each(self, request, queryset, change):
        """Apply ``change`` to each selected report as stored now; return how many it changed
        (``change`` returns False for a report it leaves alone)."""
        done = 0
        selected = queryset.values("pk")
        for report in Report.objects.select_for_update().filter(pk__in=selected).order_by("pk"):
            try:
                done += change(report) is not False
            except ReportOvertaken:
                self.message_user(
                    request,
                    f"“{report}” was not changed: someone else saved it at the same moment. "
                    "Try again.",
                    messages.ERROR,
                )
        return done

    @admin.action(description="Send selected reports for review")
    def send_for_review(self, request, queryset):
        sent = self.change_each(
            request, queryset, lambda report: report.submit_for_review(request.user)
        )
        self.message_user(request, f"{sent} report(s) sent for review.", messages.SUCCESS)

    @admin.action(
        description="Publish selected reports (or schedule them)", permissions=["publish"]
    )
    def publish(self, request, queryset):
        def publish(report):
            try:
                report.publish()
            except ValidationError as error:
                problems = " ".join(
                    m for messages_ in error.message_dict.values() for m in messages_
                )
                self.message_user(
                    request, f"“{report}” was not published: {problems}", messages.ERROR
                )
                return False

        published = self.change_each(request, queryset, publish)
        if published:
            self.message_user(request, f"{published} report(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected reports (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        done = self.change_each(request, queryset, lambda report: report.unpublish())
        self.message_user(request, f"{done} report(s) back to draft.", messages.SUCCESS)

    @admin.action(
        description="Withdraw selected reports (the page stays, with a notice)",
        permissions=["publish"],
    )
    def withdraw(self, request, queryset):
        done = self.change_each(request, queryset, lambda report: report.withdraw())
        self.message_user(request, f"{done} report(s) withdrawn.", messages.SUCCESS)
