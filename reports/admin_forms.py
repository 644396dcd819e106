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
    version_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

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
        if "topics" in self.fields:
            self.fields["topics"].initial = (
                list(self.instance.topics.all()) if self.instance.pk else []
            )

    def clean(self):
        cleaned = super().clean()
        self._check_not_overtaken(cleaned)
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

    def _check_not_overtaken(self, cleaned):
        if not self.instance.pk:
            return
        current = Report.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
        current = current.first()
        seen = cleaned.get("version_seen")
        if current is not None and seen is not None and seen != current:
            # Let a second save go through: the editor has now been warned.
            self.data = self.data.copy()
            self.data[self.add_prefix("version_seen")] = current
            raise ValidationError(
                "Someone else saved this report while you were editing it. Your changes are "
                "still in the form: compare with the History page, then save again to "
                "overwrite their version."
            )
