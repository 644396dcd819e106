"""The editors' desk: composing, reviewing, scheduling and publishing reports."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Prefetch, Q, Subquery
from django.forms.formsets import all_valid
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version

from diethnos.admin import SLUG_PREFILL_JS
from diethnos.content_security import RichTextAdminMixin
from diethnos.desk import DeskAdmin
from diethnos.forms import URL_FORMFIELDS
from diethnos.images import ValidatedImageField
from diethnos.list_filters import DropDownFilter
from diethnos.pagination import CappedPaginator, Paginator
from diethnos.pending_uploads import PENDING_UPLOAD_FORMFIELDS, discard_used, keep_uploads
from tags.models import Topic

from . import overtaken, presence, search, workflow
from .admin_forms import (
    DATE_FORMFIELDS,
    PUBLISH_CHANGES,
    REQUESTED_STATUS,
    SCHEDULE_CHANGES,
    SUBMIT_CHANGES,
    BylineFormSet,
    KeyPointForm,
    KeyPointFormSet,
    OrderedRowsFormSet,
    ReportAdminForm,
    RowForm,
    SourceForm,
    UpdateNoteForm,
    WorkingDraftAdminForm,
)
from .content import ReportContent
from .diffs import compare
from .error_summary import error_summary
from .models import (
    MAX_KEY_POINTS,
    KeyPoint,
    Report,
    ReportAuthor,
    ReportOvertaken,
    Source,
    UpdateNote,
)
from .permissions import can_publish, contributor_may_change, is_own
from .preview import preview_unsaved
from .sharing import DEFAULT_DAYS, MAX_DAYS, ShareLink

# ---------------------------------------------------------------------------------------------
# Inlines


class OrderedInline(admin.TabularInline):
    """A tabular inline whose rows are put in order by dragging them, or with the keyboard,
    rather than by typing positions (see ``admin_forms.RowForm``)."""

    template = "admin/reports/ordered_tabular.html"
    form = RowForm
    formset = OrderedRowsFormSet

    class Media:
        js = ["desk/reorder.js"]


class KeyPointInline(OrderedInline):
    model = KeyPoint
    form = KeyPointForm
    formset = KeyPointFormSet
    fields = ["text", "position"]
    extra = 3
    max_num = MAX_KEY_POINTS
    verbose_name = "key point"
    verbose_name_plural = "Key points (one sentence each, 1 to 10, in the order shown)"
    formfield_overrides = {
        KeyPoint._meta.get_field("text").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 90})
        }
    }

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_max=True, **kwargs)


class BylineInline(OrderedInline):
    model = ReportAuthor
    formset = BylineFormSet
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = "author"
    verbose_name_plural = "Byline (in order)"


class SourceInline(OrderedInline):
    formfield_overrides = {**URL_FORMFIELDS, **DATE_FORMFIELDS}
    form = SourceForm
    model = Source
    fields = ["title", "publisher", "url", "date", "position"]
    extra = 1


class UpdateNoteInline(admin.StackedInline):
    formfield_overrides = DATE_FORMFIELDS
    model = UpdateNote
    form = UpdateNoteForm
    fields = ["kind", "noted_at", "text"]
    extra = 0


# ---------------------------------------------------------------------------------------------
# Filters


class TopicFilter(DropDownFilter, admin.SimpleListFilter):
    title = "topic"
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        # The topics of the reports the user sees: another's draft names none of its own.
        # Each topic is looked up until one report is found, not every report read (the
        # first one, LIMIT 1: as EXISTS, PostgreSQL would read every report of each topic).
        reports = model_admin.get_queryset(request)
        first = reports.filter(tagged_items__tag=OuterRef("pk")).order_by().values("pk")[:1]
        filed = Topic.objects.annotate(first_report=Subquery(first))
        return filed.filter(first_report__isnull=False).order_by("name").values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(topics__slug=self.value())
        return queryset


class RegionFilter(DropDownFilter, admin.SimpleListFilter):
    title = "region (with everything beneath it)"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        from tags.models import Region

        reports = model_admin.get_queryset(request)
        # Each region is looked up until one report is found, not every report read.
        tagged = Exists(reports.filter(regions=OuterRef("pk")))
        primary = Exists(reports.filter(primary_region=OuterRef("pk")))
        used = Region.objects.filter(Q(tagged) | Q(primary))
        return used.values_list("slug", "name")

    def queryset(self, request, queryset):
        from tags.models import Region

        if self.value():
            region = Region.objects.filter(slug=self.value()).first()
            return queryset.in_region(region) if region else queryset.none()
        return queryset


class BylineFilter(DropDownFilter, admin.RelatedOnlyFieldListFilter):
    """The authors of the reports the user sees, each looked up until one report is found
    (Django's own filter reads the bylines of every report)."""

    def field_choices(self, field, request, model_admin):
        reports = model_admin.get_queryset(request)
        bylined = Exists(reports.filter(report_authors__author=OuterRef("pk")))
        authors = field.related_model._default_manager.filter(bylined)
        if ordering := self.field_admin_ordering(field, request, model_admin):
            authors = authors.order_by(*ordering)
        # Each by name (as Author.__str__ gives it), not read whole.
        return list(authors.values_list("pk", "name"))


class PendingChangesFilter(admin.SimpleListFilter):
    title = "pending changes"
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("yes", "Unpublished changes"), ("no", "No unpublished changes")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pending=True)
        if self.value() == "no":
            return queryset.filter(pending=False)
        return queryset


# ---------------------------------------------------------------------------------------------
# The admin


@admin.register(Report)
class ReportAdmin(RichTextAdminMixin, DeskAdmin, VersionAdmin):
    form = ReportAdminForm
    formfield_overrides = {ValidatedImageField: PENDING_UPLOAD_FORMFIELDS, **DATE_FORMFIELDS}
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
        PendingChangesFilter,
        "kind",
        RegionFilter,
        TopicFilter,
        ("authors", BylineFilter),
        "featured",
    ]
    list_select_related = ["primary_region"]
    # A page in the back half of the list is read from its end (diethnos.pagination), and
    # the reports are counted once, not again unfiltered.
    paginator = Paginator
    show_full_result_count = False
    list_per_page = 50
    search_fields = ["title", "summary", "slug", "key_points__text"]
    date_hierarchy = "publish_at"
    # The date bar finds its years, months or days without reading every report listed.
    change_list_template = "admin/reports/report/change_list.html"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["primary_region", "regions"]
    save_on_top = True
    actions = ["send_for_review", "publish", "unpublish", "withdraw"]
    fieldsets = [
        ("Headline and summary", {"fields": ["title", "slug", "kind", "language", "summary"]}),
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

    # A published report's working draft: its content, and when to publish its changes.
    draft_publishing = (
        "Publishing",
        {"fields": ["featured", "changes_go_live_at", "version_seen", "values_seen"]},
    )

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

    # How long after a change the form is saved by itself (see autosave_view).
    autosave_seconds = 20

    class Media:
        css = {"all": ["admin/diethnos-admin.css", "desk/desk-forms.css"]}
        js = [
            *SLUG_PREFILL_JS,
            "desk/counters.js",
            "admin/also-editing.js",
            "desk/error-summary.js",
            "desk/publishing.js",
            "desk/autosave.js",
        ]

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
        if obj is not None and obj.is_working_draft:
            context["working_draft"] = self.working_draft_context(request, obj)
        if change and obj is not None and self.has_change_permission(request, obj):
            presence.seen(obj, request.user)
            context["also_editing"] = presence.notice(presence.others(obj, request.user))
            context["editing_url"] = reverse("admin:reports_report_editing", args=[obj.pk])
            context["share_links"] = self.share_links_context(request, obj)
        if form.is_bound:
            # Drawn again after a refused save: keep what was chosen, list what to fix.
            keep_uploads(form)
            if not (context.get("revert") or context.get("recover")):  # History's own form
                inlines = context.get("inline_admin_formsets", [])
                context["error_summary"] = error_summary(form, inlines)
                context["errors"] = []  # the summary says it all, once
        if obj is None or not obj.is_working_draft:
            context["publish_buttons"] = self.publish_buttons_context(request, obj)
        if obj is not None and change and self.has_change_permission(request, obj):
            context["autosave_url"] = reverse("admin:reports_report_autosave", args=[obj.pk])
            context["autosave_seconds"] = self.autosave_seconds
        return super().render_change_form(request, context, add, change, form_url, obj)

    def publish_buttons_context(self, request, report):
        """What the buttons of an unpublished report's form offer (publish_buttons.html)."""
        if report is not None and report.status not in (
            Report.Status.DRAFT,
            Report.Status.IN_REVIEW,
        ):
            return None
        publish_at = report.publish_at if report is not None else None
        return {
            "may_publish": can_publish(request.user),
            "may_submit": report is None or report.status == Report.Status.DRAFT,
            "publish_label": publish_label(publish_at),
        }

    # -- share links and who else is editing --------------------------------------------------

    def share_links_context(self, request, report):
        """The share links of ``report`` (a report or its working draft) that its change form
        lists, newest first, and where to make and revoke them."""
        links = list(
            ShareLink.objects.filter(report_id=report.draft_of_id or report.pk).select_related(
                "created_by"
            )
        )
        for link in links:
            link.url = request.build_absolute_uri(link.get_absolute_url())
            link.revoke_url = reverse(
                "admin:reports_report_revoke_share", args=[report.pk, link.pk]
            )
        return {
            "links": links,
            "create_url": reverse("admin:reports_report_share", args=[report.pk]),
            "default_days": DEFAULT_DAYS,
            "max_days": MAX_DAYS,
        }

    def share_view(self, request, object_id):
        """POST: make a share link to the report, open for ``days`` days."""
        report = self.report_to_change(request, object_id)
        try:
            link = ShareLink.make(report, by=request.user, days=int(request.POST.get("days", "")))
        except ValueError:
            self.message_user(
                request,
                f"No share link made: choose between 1 and {MAX_DAYS} days.",
                messages.ERROR,
            )
        else:
            url = request.build_absolute_uri(link.get_absolute_url())
            self.message_user(
                request,
                format_html(
                    "Share link made, open until {}: {}",
                    workflow._when(link.expires_at),
                    url,
                ),
            )
        return HttpResponseRedirect(self.change_url(report) + "#share-links")

    def revoke_share_view(self, request, object_id, link_id):
        """POST: revoke one of the report's share links."""
        report = self.report_to_change(request, object_id)
        link = get_object_or_404(ShareLink, pk=link_id, report_id=report.draft_of_id or report.pk)
        link.revoke()
        self.message_user(request, "Share link revoked: it no longer opens the report.")
        return HttpResponseRedirect(self.change_url(report) + "#share-links")

    def editing_view(self, request, object_id):
        """POST, from the change form's script every half minute: record that the user has the
        report open, and answer JSON naming the others editing it: ``{"notice": "Also editing:
        …" or "", "others": [{"name", "since", "last_seen", "last_saved"}]}``."""
        report = self.report_to_change(request, object_id)
        presence.seen(report, request.user)
        others = presence.others(report, request.user)
        return JsonResponse(
            {
                "notice": presence.notice(others),
                "others": [
                    {
                        "name": other.name,
                        "since": other.since.isoformat(),
                        "last_seen": other.last_seen.isoformat(),
                        "last_saved": other.last_saved and other.last_saved.isoformat(),
                    }
                    for other in others
                ],
            }
        )

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
        """The report (or working draft) ``report_id`` as stored now, or None."""
        try:
            return Report.all_objects.filter(pk=report_id).first()
        except (ValueError, ValidationError):
            return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.stored(unquote(object_id))
        if report is not None and report.edited_through_draft:
            # Readers see this row: the desk edits its working draft.
            if self.may_edit_through_draft(request, report):
                draft = workflow.working_draft(report, by=request.user)
                if request.method == "POST":
                    self.message_user(
                        request,
                        "This report is published: changes are made in its working draft. "
                        "Nothing was saved; make your changes here.",
                        messages.WARNING,
                    )
                return HttpResponseRedirect(self.change_url(draft))
        view = partial(super().change_view, request, object_id, form_url, extra_context)
        return self.against_stored(request, unquote(object_id), view)

    # -- working drafts: a published report is edited apart from what readers see --------------

    @staticmethod
    def change_url(report):
        return reverse("admin:reports_report_change", args=[quote(report.pk)])

    def may_edit_through_draft(self, request, report):
        """Whether ``request.user`` may edit the working draft of ``report`` (a live report
        edited through one): editors, and the contributors whose report it is."""
        if not super().has_change_permission(request, report):
            return False
        return can_publish(request.user) or is_own(request.user, report)

    def working_draft_context(self, request, draft):
        """What the change form of the working draft ``draft`` says about it and its live
        report (see working_draft.html and workflow_buttons.html)."""
        live = draft.draft_of
        saved_by, saved_at = overtaken._last_save(draft)
        return {
            "draft": draft,
            "live": live,
            "saved_by": saved_by,
            "saved_at": saved_at or draft.updated_at,
            "may_publish": can_publish(request.user),
            "discard_url": reverse("admin:reports_report_discard", args=[draft.pk]),
            "withdraw_url": reverse("admin:reports_report_withdraw", args=[live.pk]),
            "history_url": reverse("admin:reports_report_history", args=[draft.pk]),
        }

    def run_requested_transition(self, request, report, form):
        """After the desk saved ``report``, do what the button pressed asks: publish or
        schedule a working draft's changes, send them for review; for a report edited directly,
        the status chosen in the form (publish, schedule, send for review)."""
        user = request.user
        if report.is_working_draft:
            workflow.note_saved_draft(report)
            if PUBLISH_CHANGES in request.POST and can_publish(user):
                live = workflow.publish_changes(report, by=user)
                self.message_user(
                    request, _public_link("Changes published: readers see them now at", live)
                )
            elif SCHEDULE_CHANGES in request.POST and can_publish(user):
                when = form.cleaned_data["changes_go_live_at"]
                live = workflow.publish_changes(report, when=when, by=user)
                self.message_user(
                    request,
                    _public_link(
                        f"Changes scheduled for {workflow._when(when)}: readers see them then at",
                        live,
                    ),
                )
            elif SUBMIT_CHANGES in request.POST:
                if workflow.submit_for_review(report, by=user):
                    self.message_user(request, "Changes sent to the editors for review.")
            return
        requested = getattr(request, "requested_status", None)
        if requested == Report.Status.PUBLISHED:
            workflow.publish(report, when=report.publish_at, by=user)
            if report.is_scheduled:
                when = workflow._when(report.publish_at)
                said = f"“{report}” is scheduled: it goes live by itself on {when} at"
            else:
                said = f"“{report}” is published: readers see it now at"
            self.message_user(request, _public_link(said, report))
        elif requested == Report.Status.IN_REVIEW:
            if workflow.submit_for_review(report, by=user):
                self.message_user(request, f"“{report}” sent to the editors for review.")

    def response_change(self, request, obj):
        if obj.is_working_draft and any(
            button in request.POST for button in (PUBLISH_CHANGES, SCHEDULE_CHANGES, SUBMIT_CHANGES)
        ):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def discard_view(self, request, object_id):
        """Discard a working draft's changes, after a confirmation."""
        draft = self.report_to_change(request, object_id)
        if not draft.is_working_draft:
            raise Http404("Only a published report's working draft has changes to discard.")
        if request.method == "POST":
            workflow.discard_changes(draft, by=request.user)
            self.message_user(request, "Changes discarded: the draft is the live version again.")
            return HttpResponseRedirect(self.change_url(draft))
        return self.workflow_page(request, draft, "discard.html", "Discard changes")

    def autosave_view(self, request, object_id):
        """Save the change form posted (by static/desk/autosave.js) as it stands, quietly.

        Never publishes, schedules or sends anything for review (the stored status is kept,
        the form's buttons ignored), and writes no version to History. A published report is
        edited through its working draft: ``object_id`` is the draft's. Refused, with JSON
        {"error": message}, with 409 if the report was saved since the form was loaded
        (``version_seen``), 400 if the form does not validate or is not a desk form, 403/404
        as the change form is. Saved, JSON {"saved_at": "HH:MM", "version", "values_seen",
        "rows": {inline prefix: [row id or null, by row]}}: what the page updates so that its
        next save is based on this one.
        """
        report = self.stored(unquote(object_id))
        if report is None or not self.rows_for(request).filter(pk=report.pk).exists():
            raise Http404
        if report.edited_through_draft:
            return _refused("This report is published: its working draft is saved instead.")
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        data = request.POST.copy()
        for button in (PUBLISH_CHANGES, SCHEDULE_CHANGES, SUBMIT_CHANGES, *REQUESTED_STATUS):
            data.pop(button, None)
        if not report.is_working_draft:
            data["status"] = report.status
        try:
            seen = int(data.get("version_seen", ""))
        except ValueError:
            return _refused("The form does not say which version it was loaded at.")
        if seen != report.version:
            return _refused(OVERTAKEN_AUTOSAVE, status=409)
        request.POST, request.saves_before_form = data, 0
        form = self.get_form(request, report, change=True)(data, {}, instance=report)
        formsets, _ = self._create_formsets(request, form.instance, change=True)
        if any(f"{formset.prefix}-TOTAL_FORMS" not in data for formset in formsets):
            return _refused("This is not the report's form.")
        if _rows_after_a_gap(formsets, data):
            # Only rows the page can then mark as saved (see autosave.js): those filled in
            # order. The others are saved with the form.
            formsets, _ = self._create_formsets(request, form.instance, change=True)
        if not (form.is_valid() and all_valid(formsets)):
            return _refused(
                "Not saved automatically: the form has something to fix, shown when you save."
            )
        try:
            with transaction.atomic():
                report = self.save_form(request, form, change=True)
                self.save_model(request, report, form, change=True)
                self.save_related(request, form, formsets, change=True)
        except ReportOvertaken:
            return _refused(OVERTAKEN_AUTOSAVE, status=409)
        stored = Report.all_objects.get(pk=report.pk)
        unbound, inlines = overtaken.desk_forms(self, request, stored)
        rows = {}
        for formset in formsets:
            deleted = {obj.pk for obj in formset.deleted_objects}
            rows[formset.prefix] = [
                row.instance.pk if row.instance.pk not in deleted else None for row in formset.forms
            ]
        saved_at = formats.time_format(timezone.localtime(), "H:i")
        return JsonResponse(
            {
                "saved_at": saved_at,
                "version": stored.version,
                "values_seen": overtaken.values_seen(unbound, inlines.values()),
                "rows": rows,
            }
        )

    def withdraw_view(self, request, object_id):
        """Withdraw a live report, with the reason readers will be given."""
        if not can_publish(request.user):
            raise PermissionDenied
        report = self.stored(unquote(object_id))
        if report is None:
            raise Http404
        live = report.live
        if live.status != Report.Status.PUBLISHED:
            raise Http404("Only a published report is withdrawn.")
        error = None
        if request.method == "POST":
            try:
                workflow.withdraw(live, reason=request.POST.get("reason", ""), by=request.user)
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                self.message_user(request, f"“{live}” withdrawn.")
                return HttpResponseRedirect(self.change_url(live))
        response = self.workflow_page(
            request, live, "withdraw.html", "Withdraw report", error=error
        )
        if error:
            response.status_code = 400
        return response

    def workflow_page(self, request, report, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/reports/report/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": Report._meta,
                "title": title,
                "report": report,
                "original": report,
                "change_url": self.change_url(report),
                **context,
            },
        )

    # -- history: versions, what changed between two, restoring ------------------------------
    # django-reversion reverts a revision before it checks anything, so each view checks first.

    def report_to_change(self, request, object_id):
        """The report the desk edits under ``object_id``: the working draft for a published
        report (made if it has none), else the report; checked for the user's permission."""
        report = self.get_object(request, unquote(object_id))
        if report is None:
            raise Http404
        if report.edited_through_draft:
            if not self.may_edit_through_draft(request, report):
                raise PermissionDenied
            report = workflow.working_draft(report, by=request.user)
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        return report

    def versions_of(self, report):
        """The versions History shows for ``report`` (what the desk edits): its own and, for a
        working draft, its live report's; newest first."""
        ids = [str(report.pk)] + ([str(report.draft_of_id)] if report.is_working_draft else [])
        return (
            Version.objects.get_for_model(Report)
            .filter(object_id__in=ids)
            .select_related("revision", "revision__user")
            .order_by("-revision__date_created", "-pk")
        )

    def may_revert(self, request, revision):
        """Whether the user may change every report ``revision`` would put back."""
        ids = {
            int(pk)
            for pk in revision.version_set.get_for_model(Report).values_list("object_id", flat=True)
        }
        reports = list(self.rows_for(request).filter(pk__in=ids))
        # A report missing here was deleted or is not the user's: reverting would restore it.
        if len(reports) < len(ids) and not can_publish(request.user):
            return False
        return all(self.has_change_permission(request, report) for report in reports)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "add/preview/",
                view(partial(preview_unsaved, self)),
                name="reports_report_preview_new",
            ),
            path(
                "<path:object_id>/preview/",
                view(partial(preview_unsaved, self)),
                name="reports_report_preview",
            ),
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="reports_report_compare",
            ),
            path(
                "<path:object_id>/discard/", view(self.discard_view), name="reports_report_discard"
            ),
            path(
                "<path:object_id>/autosave/",
                view(require_POST(self.autosave_view)),
                name="reports_report_autosave",
            ),
            path(
                "<path:object_id>/withdraw/",
                view(self.withdraw_view),
                name="reports_report_withdraw",
            ),
            path(
                "<path:object_id>/share/",
                view(require_POST(self.share_view)),
                name="reports_report_share",
            ),
            path(
                "<path:object_id>/share/<int:link_id>/revoke/",
                view(require_POST(self.revoke_share_view)),
                name="reports_report_revoke_share",
            ),
            path(
                "<path:object_id>/editing/",
                view(require_POST(self.editing_view)),
                name="reports_report_editing",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        report = self.report_to_change(request, object_id)
        versions = list(self.versions_of(report))
        for version in versions:
            version.is_live = version.object_id != str(report.pk)
            version.restore_url = reverse(
                "admin:reports_report_revision", args=[quote(report.pk), version.pk]
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": Report._meta,
            "module_name": str(Report._meta.verbose_name_plural).capitalize(),
            "title": f"History: {report}",
            "subtitle": None,
            "object": report,
            "original": report,
            "versions": versions,
            "compare_url": reverse("admin:reports_report_compare", args=[quote(report.pk)]),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/reports/report/object_history.html", context)

    def version_of(self, report, version_id):
        """One of the versions History shows for ``report``, or a 404."""
        try:
            return self.versions_of(report).get(pk=int(version_id))
        except (ValueError, TypeError, Version.DoesNotExist):
            raise Http404("No such version of this report.") from None

    def compare_view(self, request, object_id):
        """Two versions of a report side by side: what changed from ``?from=`` to ``?to=``."""
        report = self.report_to_change(request, object_id)
        old = self.version_of(report, request.GET.get("from"))
        new = self.version_of(report, request.GET.get("to"))
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        try:
            diff = compare(ReportContent.of_version(old), ReportContent.of_version(new))
        except RevertError:
            raise Http404("This version can no longer be read.") from None
        return self.workflow_page(
            request,
            report,
            "compare.html",
            f"Compare versions: {report}",
            old=old,
            new=new,
            old_label=f"Version of {workflow._when(old.revision.date_created)}",
            new_label=f"Version of {workflow._when(new.revision.date_created)}",
            diff=diff,
            history_url=reverse("admin:reports_report_history", args=[quote(report.pk)]),
        )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        report = self.report_to_change(request, object_id)
        if report.is_working_draft:
            return self.restore_to_draft_view(request, report, version_id)
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

    def restore_to_draft_view(self, request, draft, version_id):
        """Restore a version into a published report's working draft, after showing what
        would change in the draft; the live page is left as it is."""
        version = self.version_of(draft, version_id)
        if request.method == "POST":
            workflow.restore(version, by=request.user)
            self.message_user(
                request,
                "The version is restored to the draft. Readers see it once you publish the "
                "changes.",
            )
            return HttpResponseRedirect(self.change_url(draft))
        try:
            diff = compare(ReportContent.of(draft), ReportContent.of_version(version))
        except RevertError:
            raise Http404("This version can no longer be read.") from None
        return self.workflow_page(
            request,
            draft,
            "restore.html",
            f"Restore a version to the draft: {draft}",
            version=version,
            old_label="The draft now",
            new_label=f"Version of {workflow._when(version.revision.date_created)}",
            diff=diff,
            history_url=reverse("admin:reports_report_history", args=[quote(draft.pk)]),
        )

    def recoverlist_view(self, request, extra_context=None):
        if not can_publish(request.user):
            raise PermissionDenied
        # django-reversion takes what the default manager leaves out for deleted: not the
        # working drafts, nor the drafts folded back into their report.
        existing = {str(pk) for pk in Report.all_objects.values_list("pk", flat=True)}
        deleted = [
            version
            for version in Version.objects.get_deleted(Report).select_related("revision")
            if version.object_id not in existing and not _is_draft_version(version)
        ]
        return super().recoverlist_view(request, {"deleted": deleted, **(extra_context or {})})

    def recover_view(self, request, version_id, extra_context=None):
        if not can_publish(request.user):
            raise PermissionDenied
        version = get_object_or_404(Version, pk=version_id)
        view = partial(super().recover_view, request, version_id, extra_context)
        # Someone may have recovered the report already: then this form is checked against it.
        return self.against_stored(request, version.object_id, view, restoring=True)

    # -- what each role sees and may change ---------------------------------------------------

    def rows_for(self, request):
        """Every report row ``request.user`` may open, working drafts included."""
        queryset = Report.all_objects.prefetch_related("report_authors__author")
        if can_publish(request.user):
            return queryset
        return queryset.owned_by(request.user)

    def shows_every_row(self, request):
        # Working drafts are never listed, but nothing of them is hidden from editors: they
        # open each from its report.
        return can_publish(request.user)

    def get_queryset(self, request):
        # The list: live and unpublished reports, never a working draft.
        pending = Report.all_objects.filter(draft_of=OuterRef("pk"), has_unpublished_changes=True)
        queryset = self.rows_for(request).filter(draft_of__isnull=True)
        # Each row's byline: its authors' names, read with the bylines in one query (names
        # alone: an author read whole costs more than the rest of its row).
        bylines = ReportAuthor.objects.only("report").annotate(author_name=F("author__name"))
        queryset = queryset.prefetch_related(None).prefetch_related(
            Prefetch("report_authors", queryset=bylines)
        )
        return queryset.annotate(pending=Exists(pending))

    def get_search_results(self, request, queryset, search_term):
        """On PostgreSQL the desk's search looks the words up in the index readers' search
        uses (``reports.search.matches``: stemmed, in each report's language, "a phrase",
        or, -not), or takes them as a report's address (slug); a report not indexed yet (its
        vector is built once its transaction commits) is matched plainly. Elsewhere the
        words match ``search_fields`` plainly. Returns (queryset, whether it may hold
        duplicates)."""
        term = " ".join(search_term.split())
        if not term or not search.uses_full_text(queryset.db):
            return super().get_search_results(request, queryset, search_term)
        unindexed, _ = super().get_search_results(
            request, queryset.filter(search_vector=None), term
        )
        # The few reports found by address or matched plainly are read first, as a list of
        # ids each report is checked against: a report is then matched on its own, so the
        # newest page of a common word is read off the date's index, and a rare word's
        # matches off the search index.
        others = queryset.filter(
            Q(_OneOf(queryset.filter(slug=term.lower()))) | Q(_OneOf(unindexed))
        )
        return search.matches(queryset, term) | others, False

    def get_changelist(self, request, **kwargs):
        return ReportChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # A search for a common word matches most reports: they are counted up to a cap.
        if request.GET.get(SEARCH_VAR, "").strip():
            return CappedPaginator(queryset, per_page, orphans, allow_empty_first_page)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    def get_object(self, request, object_id, from_field=None):
        try:
            return self.rows_for(request).get(pk=object_id)
        except (Report.DoesNotExist, ValueError, ValidationError):
            return None

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is not None and obj.edited_through_draft:
            return False  # readers see this row: its working draft is edited instead
        return obj is None or can_publish(request.user) or contributor_may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # A working draft goes with its report; its changes are discarded, not deleted.
        if obj is not None and obj.is_working_draft:
            return False
        return super().has_delete_permission(request, obj)

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        if can_publish(request.user):
            return []
        return ["publish_at", "featured"]

    def get_fieldsets(self, request, obj=None):
        if obj is None or not obj.is_working_draft:
            return self.fieldsets
        name, options = self.draft_publishing
        fields = options["fields"]
        if not can_publish(request.user):
            fields = [field for field in fields if field != "changes_go_live_at"]
        return [
            (name, {**options, "fields": fields}) if part == "Publishing" else (part, options_)
            for part, options_ in self.fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.is_working_draft:
            kwargs.setdefault("form", WorkingDraftAdminForm)
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
        if db_field.name == "status":
            # A report is withdrawn with a reason, from the list or its working draft.
            allowed = {Report.Status.DRAFT, Report.Status.IN_REVIEW, Report.Status.PUBLISHED}
            if not can_publish(request.user):
                allowed.discard(Report.Status.PUBLISHED)
            field.choices = [(v, label) for v, label in field.choices if v in allowed]
        return field

    # -- saving ---------------------------------------------------------------------------
    # The form saves the content; a change of status it asks for is the workflow's, done once
    # the key points and bylines are saved too (see run_requested_transition).

    def save_model(self, request, obj, form, change):
        # What ModelAdmin.save_model does, refusing the save if someone else saved the report
        # since the form was loaded.
        request.requested_status = None
        if not obj.is_working_draft:
            stored = form.initial.get("status", Report.Status.DRAFT) if change else None
            if obj.status != stored and obj.status in (
                Report.Status.PUBLISHED,
                Report.Status.IN_REVIEW,
            ):
                request.requested_status = obj.status
                obj.status = stored or Report.Status.DRAFT
        if moved := getattr(form, "slug_moved", None):
            self.message_user(
                request,
                f"The address “{moved[0]}” belongs to another report: this one’s is “{moved[1]}”. "
                "Change the slug if you want another.",
                messages.WARNING,
            )
        discard_used(form)
        if not change:
            obj.created_by = request.user
            obj.save()
            return
        expected = form.cleaned_data["version_seen"] + getattr(request, "saves_before_form", 0)
        obj.save(expected_version=expected)
        presence.saved(obj, request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report = form.instance
        if "topics" in form.cleaned_data:
            report.topics.set(form.cleaned_data["topics"])
        author = getattr(request.user, "author", None)
        if author and not can_publish(request.user) and not report.report_authors.exists():
            ReportAuthor.objects.create(report=report, author=author)
        self.run_requested_transition(request, report, form)

    # -- list columns ---------------------------------------------------------------------

    def action_checkbox(self, report):
        # Django's own, written directly: drawing a form widget for each row costs more than
        # the rest of the row.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            report.pk,
            f"Select this object for an action - {report}",
        )

    @admin.display(description="status", ordering="status")
    def status_label(self, report):
        # Unpublished changes are told in the same column, to leave the list's width to dates.
        return format_html(
            '<span class="status status-{}">{}</span>{}',
            report.status,
            report.display_status,
            mark_safe(' <span class="status status-pending">changes pending</span>')  # noqa: S308
            if getattr(report, "pending", False)
            else "",
        )

    @admin.display(description="authors")
    def byline(self, report):
        return ", ".join(link.author_name for link in report.report_authors.all())

    # -- actions ------------------------------------------------------------------------------
    # Each selected report is changed as stored now, its row locked until the action is done,
    # so an action never writes back what was read before someone else's save.

    def change_each(self, request, queryset, change, verb="changed"):
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
            except ValidationError as error:
                problems = " ".join(error.messages)
                self.message_user(request, f"“{report}” was not {verb}: {problems}", messages.ERROR)
        return done

    @admin.action(description="Send selected reports for review")
    def send_for_review(self, request, queryset):
        sent = self.change_each(
            request, queryset, lambda report: workflow.submit_for_review(report, by=request.user)
        )
        self.message_user(request, f"{sent} report(s) sent for review.", messages.SUCCESS)

    @admin.action(
        description="Publish selected reports (or schedule them), or their pending changes",
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        def publish(report):
            if report.status != Report.Status.PUBLISHED:
                return workflow.publish(report, by=request.user)
            draft = Report.all_objects.filter(draft_of=report, has_unpublished_changes=True)
            if not draft.exists():
                return False
            return workflow.publish_changes(draft.get(), by=request.user)

        published = self.change_each(request, queryset, publish, verb="published")
        if published:
            self.message_user(request, f"{published} report(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected reports (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        done = self.change_each(
            request, queryset, lambda report: workflow.unpublish(report, by=request.user)
        )
        self.message_user(request, f"{done} report(s) back to draft.", messages.SUCCESS)

    @admin.action(
        description="Withdraw selected reports (the page stays, with a notice)",
        permissions=["publish"],
    )
    def withdraw(self, request, queryset):
        reason = request.POST.get("reason", "")
        if "apply" not in request.POST or not reason.strip():
            # Ask for the reason readers will be given first.
            return TemplateResponse(
                request,
                "admin/reports/report/withdraw_selected.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": Report._meta,
                    "title": "Withdraw reports",
                    "reports": queryset,
                    "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                    "error": workflow.NEEDS_REASON if "apply" in request.POST else None,
                },
                status=400 if "apply" in request.POST else 200,
            )

        def withdraw(report):
            if report.status != Report.Status.PUBLISHED:
                return False
            return workflow.withdraw(report, reason=reason, by=request.user)

        done = self.change_each(request, queryset, withdraw)
        self.message_user(request, f"{done} report(s) withdrawn.", messages.SUCCESS)


class ReportChangeList(ChangeList):
    """The desk's list of reports, whose rows link to their reports' forms with the list's
    filters and search kept for the way back, as Django's rows do; the filters are added to
    each link as they are, rather than Django working out again for each row (by resolving
    its link) whether the link leads back to the list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django adds ``preserved_filters`` to each row's link: they are in it already.
        self.kept_on_links, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        return f"{url}?{self.kept_on_links}" if self.kept_on_links else url


OVERTAKEN_AUTOSAVE = (
    "Not saved automatically: someone else saved this report since you opened it. Save "
    "to see their changes next to yours."
)


def _refused(message, status=400):
    return JsonResponse({"error": message}, status=status)


def _rows_after_a_gap(formsets, data):
    """Leave out of ``data`` (a mutable QueryDict, which ``formsets`` were bound to) the new
    inline rows that follow an empty one: True if any was left out (bind them again)."""
    trimmed = False
    for formset in formsets:
        initial = formset.initial_form_count()
        new = formset.forms[initial:]
        empty = next((i for i, row in enumerate(new) if not row.has_changed()), None)
        if empty is not None and any(row.has_changed() for row in new[empty:]):
            data[f"{formset.prefix}-TOTAL_FORMS"] = str(initial + empty)
            trimmed = True
    return trimmed


def publish_label(publish_at):
    """What the publish button of an unpublished report says: "Publish now", or "Schedule
    for 30 Nov 2026, 14:00" for a ``publish_at`` still to come."""
    if publish_at is None or publish_at <= timezone.now():
        return "Publish now"
    return f"Schedule for {formats.date_format(timezone.localtime(publish_at), 'j M Y, H:i')}"


def _public_link(said, report):
    """``said``, then the address of ``report``'s public page, linked."""
    url = report.get_absolute_url()
    return format_html('{} <a href="{}">{}</a>.', said, url, url)


class _OneOf(Func):
    """Whether a report is one of the reports ``rows`` (a QuerySet) holds, their ids read once
    for the whole query rather than for each report: ``id = ANY(ARRAY(<their ids>))``, which
    PostgreSQL can look up in the ids' index (where ``IN (<their ids>)`` cannot)."""

    output_field = BooleanField()

    def __init__(self, rows):
        super().__init__(F("pk"), ArraySubquery(rows.order_by().values("pk")))

    def as_sql(self, compiler, connection, **extra_context):
        (report, report_params), (ids, ids_params) = (
            compiler.compile(part) for part in self.get_source_expressions()
        )
        return f"{report} = ANY({ids})", (*report_params, *ids_params)


def _is_draft_version(version):
    try:
        return version.field_dict.get("draft_of_id") is not None
    except RevertError:
        return False
