"""The forms of the editors' desk: the report form and the checks on its inlines."""

import re

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.text import capfirst

from diethnos.forms import write_prose
from diethnos.lengths import show_length
from diethnos.slugs import unique_slug

from . import languages
from .models import TOO_MANY_KEY_POINTS, Report

# The buttons of a working draft's form that save it and then publish its changes (now, or at
# the time given), or send them for review.
PUBLISH_CHANGES = "_publish_changes"
SCHEDULE_CHANGES = "_schedule_changes"
SUBMIT_CHANGES = "_submit_changes"
# The buttons of an unpublished report's form that save it and then publish it (or schedule
# it, for a "publish at" still to come), or send it for review.
PUBLISH = "_publish"
SUBMIT_FOR_REVIEW = "_submit_for_review"
REQUESTED_STATUS = {PUBLISH: Report.Status.PUBLISHED, SUBMIT_FOR_REVIEW: Report.Status.IN_REVIEW}

FEATURED_HELP = (
    "Leads the home page: the newest featured report is shown first, in large, above the "
    "others. Untick it on the report that led before if this one should lead now."
)

# Dates as editors type them; every form is tried in turn (month names in English).
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",
    "%d %b %Y",
    "%d %B %Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%b %d %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M", "%I:%M %p", "%I %p", "%I%p"]
DATE_EXPECTED = "Enter a date such as 28 Oct 2024, 2024-10-28 or 28/10/2024."
TIME_EXPECTED = "Enter a time such as 14:00."
# A date typed with its time in the date input: "28 Oct 2024 14:00", "2024-10-28T14:00".
_DATE_AND_TIME = re.compile(r"^(.*?\d)(?:\s+|T)(\d{1,2}(?:[:.]\d{2}){1,2}(?:\s*[ap]m)?)$", re.I)


def _as_typed(value):
    return " ".join(str(value).split()) if isinstance(value, str) else value


class TypedDateField(forms.DateField):
    """A date as editors type it: "28 Oct 2024", "2024-10-28", "28/10/2024" (a time typed
    after it is ignored); an error says which forms are understood."""

    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {"invalid": DATE_EXPECTED}

    def to_python(self, value):
        value = _as_typed(value)
        if isinstance(value, str) and (both := _DATE_AND_TIME.match(value)):
            value = both.group(1)
        return super().to_python(value)


class TypedSplitDateTimeField(forms.SplitDateTimeField):
    """A date and a time (the desk's two inputs) as editors type them; the date input may
    hold the time too ("28 Oct 2024 14:00") when the time input is left empty."""

    default_error_messages = {"invalid_date": DATE_EXPECTED, "invalid_time": TIME_EXPECTED}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_date_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault("input_time_formats", TIME_INPUT_FORMATS)
        super().__init__(**kwargs)

    def clean(self, value):
        if isinstance(value, (list, tuple)) and len(value) == 2:
            date, time = (_as_typed(part) or "" for part in value)
            if date and not time and (both := _DATE_AND_TIME.match(date)):
                date, time = both.groups()
            value = [date, time]
        return super().clean(value)


# formfield_overrides of the desk's report forms and inlines: dates as typed.
DATE_FORMFIELDS = {
    models.DateTimeField: {"form_class": TypedSplitDateTimeField},
    models.DateField: {"form_class": TypedDateField},
}


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
            "language",
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
        if "featured" in self.fields:
            self.fields["featured"].help_text = FEATURED_HELP
        if self.is_bound and not self.instance.is_working_draft and "status" in self.fields:
            # "Publish", "Schedule for …" and "Send for review" ask for a status.
            for button, status in REQUESTED_STATUS.items():
                if button in self.data:
                    self.data = self.data.copy()
                    self.data[self.add_prefix("status")] = status
        if "language" in self.fields:
            # A form sent without it (a script, an older page) keeps the report's language.
            self.fields["language"].required = False
        # (address taken, address given) when the slug typed was another report's.
        self.slug_moved = None

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language or languages.DEFAULT

    def clean_slug(self):
        """A slug another report has is made free by a number (``-2``): the desk says so
        once saved. A number rather than a refusal: saving never fails for it, and the form
        tells nothing of the other report (a draft may be someone else's)."""
        slug = self.cleaned_data.get("slug")
        if not slug or slug != slug.lower():
            return slug  # made from the headline on saving, or refused by the model
        own = [pk for pk in (self.instance.pk, self.instance.draft_of_id) if pk]
        taken = Report.objects.exclude(pk__in=own)
        max_length = Report._meta.get_field("slug").max_length
        free = unique_slug(slug, lambda slug: taken.filter(slug=slug).exists(), max_length)
        if free != slug:
            self.slug_moved = (slug, free)
            # Shown in the form if it is drawn again (another field refused).
            self.data = self.data.copy()
            self.data[self.add_prefix("slug")] = free
        return free

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

    changes_go_live_at = TypedSplitDateTimeField(
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
