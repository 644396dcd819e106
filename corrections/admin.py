from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from diethnos.content_security import RichTextAdminMixin
from diethnos.desk import DeskAdmin

from .models import CorrectionsPolicy


@admin.register(CorrectionsPolicy)
class CorrectionsPolicyAdmin(RichTextAdminMixin, DeskAdmin):
    """The one corrections policy: its list opens it (or the form to write it)."""

    fields = ["text"]

    def has_add_permission(self, request):
        exists = CorrectionsPolicy.objects.filter(pk=CorrectionsPolicy.PK).exists()
        return not exists and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if CorrectionsPolicy.objects.filter(pk=CorrectionsPolicy.PK).exists():
            args = [CorrectionsPolicy.PK]
            return HttpResponseRedirect(
                reverse("admin:corrections_correctionspolicy_change", args=args)
            )
        if self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:corrections_correctionspolicy_add"))
        return super().changelist_view(request, extra_context)

    def get_changeform_initial_data(self, request):
        return {"text": CorrectionsPolicy.current().text}

    def response_add(self, request, obj, post_url_continue=None):
        return self.response_change(request, obj)
