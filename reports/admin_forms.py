"""The forms of the editors' desk: the report form and the checks on its inlines."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .models import MAX_KEY_POINTS, Report


class KeyPointFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(kept) > MAX_KEY_POINTS:
            raise ValidationError(f"A report has at most {MAX_KEY_POINTS} key points.")
        if not kept and self.instance.status == Report.Status.PUBLISHED:
            raise ValidationError("A published report needs at least one key point.")


class BylineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept and self.instance.status == Report.Status.PUBLISHED:
            raise ValidationError("A published report needs at least one author.")


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
            probe = Report(
                summary=cleaned.get("summary", ""),
                primary_region=cleaned.get("primary_region"),
                hero_image=cleaned.get("hero_image") or None,
                hero_alt=cleaned.get("hero_alt", ""),
            )
            for field, message in probe.field_problems_for_publication().items():
                self.add_error(field if field in self.fields else None, message)
        return cleaned
