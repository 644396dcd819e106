"""The forms of the editors' desk: the report form and the checks on its inlines."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.text import capfirst

from diethnos.forms import write_prose
from diethnos.lengths import show_length

from .models import TOO_MANY_KEY_POINTS, Report

# The buttons of a working draft's form that save it and then publish its changes (now, or at
# the time given), or send them for review.
PUBLISH_CHANGES = "_publish_changes"
SCHEDULE_CHANGES = "_schedule_changes"
SUBMIT_CHANGES = "_submit_changes"


# The fields of prose, checked for spelling as they are typed (the rich-text body and bio are
# set up in static/desk/labels.js).
PROSE_FIELDS = {"title", "summary", "hero_alt", "hero_caption", "seo_title", "seo_description"}
# The fields whose length the desk counts as they are typed (see diethnos.lengths).
COUNTED_FIELDS = {"title", "summary", "hero_alt", "hero_caption", "seo_title", "seo_description"}


class RowForm(forms.ModelForm):
    """A row of one of the report form's inlines, its prose fields spell-checked and its
    limited ones counted (``prose_fields``, ``counted_fields``).

    In an inline whose rows are put in order by dragging them or with their "Move up" and
    "Move down" buttons (static/desk/reorder.js), the row's ``position`` is a hidden field,
    filled from the order of the rows on the page. A new row with nothing in it but its
    position is an empty row, left out as Django leaves out blank ones."""

    # The prose fields of the inline's rows, spell-checked, and those with a counted length.
    prose_fields = ()
    counted_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "position" in self.fields:
            self.fields["position"].widget = forms.HiddenInput()
        for name in self.prose_fields:
            write_prose(self.fields[name])
        for name in self.counted_fields:
            show_length(self.fields[name])

    def has_changed(self):
        if self.instance.pk is None:
            return any(name != "position" for name in self.changed_data)
        return super().has_changed()


class OrderedRowsFormSet(BaseInlineFormSet):
    """The rows of a tabular inline put in order on the page (see ``RowForm``). A new
    row is placed after those before it until the page numbers it, so that the order holds
    without the page's script too. Every visible field of a row is named by its column
    (``aria-label``), since a row has no labels of its own."""

    def _construct_form(self, i, **kwargs):
        if i >= self.initial_form_count():
            kwargs.setdefault("initial", {"position": i})
        return super()._construct_form(i, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if not field.widget.is_hidden:
                label = "Delete" if name == "DELETE" else capfirst(field.label or name)
                # The widget itself, not the wrapper of a related field's add and change links.
                widget = getattr(field.widget, "widget", field.widget)
                widget.attrs.setdefault("aria-label", label)


def to_be_published(report):
    """Whether the report a form is saving must meet the publication rules: it is to be
    published, or its changes are (the form says so on the instance, ``publishing``)."""
    return report.status == Report.Status.PUBLISHED or getattr(report, "publishing", False)


class KeyPointForm(RowForm):
    prose_fields = counted_fields = ("text",)


class SourceForm(RowForm):
    prose_fields = ("title",)

    class Meta:
        # Titles are long; an address is shown once, in its field (not also as a link).
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "url": forms.URLInput(attrs={"class": "vURLField"}),
        }


class UpdateNoteForm(RowForm):
    prose_fields = ("text",)


class ReportPartsFormSet(OrderedRowsFormSet):
    """An inline of a report's parts (key points, byline) that, when the report is to be
    published, shows what ``Report.publication_problems`` finds wrong with the kept rows."""

    part = None  # the name of these rows in publication_problems
    part_field = None  # the form field that holds each row's part

    def clean(self):
        super().clean()
        if any(self.errors) or not to_be_published(self.instance):
            return
        kept = [
            form.cleaned_data[self.part_field]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = self.instance.publication_problems(**{self.part: kept})
        if self.part in problems:
            raise ValidationError(problems[self.part])


class KeyPointFormSet(ReportPartsFormSet):
    part, part_field = "key_points", "text"
    # Shown for drafts too (the inline validates its maximum): the desk offers no more rows.
    default_error_messages = {"too_many_forms": TOO_MANY_KEY_POINTS}


class BylineFormSet(ReportPartsFormSet):
    part, part_field = "authors", "author"

    def get_unique_error_message(self, unique_check):
        return "Each author appears once in a byline: remove the repeated row."


class ReportAdminForm(forms.ModelForm):
    # What the form was loaded with: the report's version, and its values, signed (see
    # reports.overtaken). A form that another save overtook is refused and drawn again.
    version_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)
    values_seen = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)
    # Set (by the desk) on a form whose submission another save overtook: an Overtaken.
    overtaken = None
    # Whether the form's buttons publish what it saves (a working draft's changes).
    publishing = False

    class Meta:
        model = Report
        fields = [
            "title",
            "slug",
            "kind",
            "summary",
            "situation_as_of",
            "body",
            "primary_region",
            "regions",
            "topics",
            "hero_image",
            "hero_alt",
            "hero_caption",
            "hero_credit",
            "status",
            "publish_at",
            "featured",
            "seo_title",
            "seo_description",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version_seen"].initial = self.instance.version
        # A change is checked against the version it was loaded at: it must say which.
        self.fields["version_seen"].required = self.instance.pk is not None
        if "topics" in self.fields:
            self.fields["topics"].initial = (
                list(self.instance.topics.all()) if self.instance.pk else []
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.SplitDateTimeWidget):
                # Shown as a group named by the field's label: each part is named too.
                date, time = field.widget.widgets
                date.attrs.setdefault("aria-label", f"{field.label}: date")
                time.attrs.setdefault("aria-label", f"{field.label}: time")
        for name in PROSE_FIELDS & set(self.fields):
            write_prose(self.fields[name])
        for name in COUNTED_FIELDS & set(self.fields):
            show_length(self.fields[name])

    def clean(self):
        cleaned = super().clean()
        if self.overtaken:
            for name, message in self.overtaken.field_flags.items():
                self.add_error(name, message)
            raise ValidationError(self.overtaken.message, code="overtaken")
        if cleaned.get("status") == Report.Status.PUBLISHED or self.publishing:
            # The key points and byline are the inlines' to check.
            self.instance.publishing = True
            problems = self.instance.publication_problems(values=cleaned)
            for field, message in problems.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)
        return cleaned


class WorkingDraftAdminForm(ReportAdminForm):
    """The form of a published report's working draft: its content, without the publishing
    fields (the live report's), and a time at which to publish its changes."""

    changes_go_live_at = forms.SplitDateTimeField(
        label="Publish changes at",
        required=False,
        widget=AdminSplitDateTime,
        help_text="For “Schedule changes”: the changes go live by themselves at this time.",
    )

    class Meta(ReportAdminForm.Meta):
        fields = [
            name for name in ReportAdminForm.Meta.fields if name not in {"status", "publish_at"}
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["changes_go_live_at"].initial = self.instance.changes_publish_at
        self.publishing = PUBLISH_CHANGES in self.data or SCHEDULE_CHANGES in self.data

    def clean_changes_go_live_at(self):
        when = self.cleaned_data.get("changes_go_live_at")
        if SCHEDULE_CHANGES in self.data:
            if when is None:
                raise ValidationError("Choose when the changes go live.")
            if when <= timezone.now():
                raise ValidationError("Choose a time still to come, or publish the changes now.")
        return when
