"""The forms of the editors' desk: the report form and the checks on its inlines."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .models import TOO_MANY_KEY_POINTS, Report


class ReportPartsFormSet(BaseInlineFormSet):
    """An inline of a report's parts (key points, byline) that, when the report is to be
    published, shows what ``Report.publication_problems`` finds wrong with the kept rows."""

    part = None  # the name of these rows in publication_problems
    part_field = None  # the form field that holds each row's part

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.status != Report.Status.PUBLISHED:
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
        widgets = {"summary": forms.Textarea(attrs={"rows": 3, "maxlength": 300})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version_seen"].initial = self.instance.version
        # A change is checked against the version it was loaded at: it must say which.
        self.fields["version_seen"].required = self.instance.pk is not None
        if "topics" in self.fields:
            self.fields["topics"].initial = (
                list(self.instance.topics.all()) if self.instance.pk else []
            )

    def clean(self):
        cleaned = super().clean()
        if self.overtaken:
            for name, message in self.overtaken.field_flags.items():
                self.add_error(name, message)
            raise ValidationError(self.overtaken.message, code="overtaken")
        if cleaned.get("status") == Report.Status.PUBLISHED:
            # The key points and byline are the inlines' to check.
            problems = self.instance.publication_problems(values=cleaned)
            for field, message in problems.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)
        return cleaned
