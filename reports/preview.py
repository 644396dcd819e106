"""Previewing a report as readers will see it, with the changes still unsaved in the form.

The form and its inlines are saved inside a transaction that is then rolled back, so the
preview is drawn by the real report page from real rows, and nothing of it stays behind:
no change, no version, no e-mail, no search index update (those wait for a commit).

A form that another save overtook is previewed as the desk would draw it again: merged with
the other editor's changes (``reports.overtaken``), under the same warning.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.formsets import all_valid
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from . import overtaken
from .models import Report, ReportOvertaken


def preview_unsaved(model_admin, request, object_id=None):
    report = None
    if object_id is not None:
        report = model_admin.report_to_change(request, unquote(object_id))
    elif not model_admin.has_add_permission(request):
        raise PermissionDenied
    for attempt in (1, 2):
        stale = overtaken.check(model_admin, request, report) if report else None
        try:
            return _preview(model_admin, request, report, stale)
        except ReportOvertaken:
            # Saved by someone else at this very moment: check again, and find their save.
            if attempt == 2:
                raise
            report.refresh_from_db()


def _preview(model_admin, request, report, stale):
    change = report is not None
    data = stale.data if stale else request.POST
    # Files are left out: a newly chosen image is not stored for a preview, which keeps the
    # saved one.
    form = model_admin.get_form(request, report, change=change)(data, instance=report)
    form_valid = form.is_valid()
    instance = model_admin.save_form(request, form, change) if form_valid else form.instance
    inlines = model_admin.get_formsets_with_inlines(request, *([report] if change else []))
    formsets = []
    for FormSet, inline in inlines:
        kwargs = model_admin.get_formset_kwargs(
            request, instance, inline, FormSet.get_default_prefix()
        )
        formsets.append(FormSet(**{**kwargs, "data": data, "files": None}))
    if not (form_valid and all_valid(formsets)):
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Report._meta,
            "problems": _problems(form, formsets),
        }
        return render(request, "admin/reports/report/preview_problems.html", context, status=400)

    with transaction.atomic():
        model_admin.save_model(request, instance, form, change)
        model_admin.save_related(request, form, formsets, change)
        shown = Report.all_objects.for_page().get(pk=instance.pk)
        response = render(
            request,
            "reports/report_detail.html",
            {
                "report": shown,
                "preview": True,
                "unsaved": True,
                "related": [],
                "overtaken": stale,
            },
        )
        transaction.set_rollback(True)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def _problems(form, formsets):
    """Every error of the form and its inlines, each named after its field or inline."""
    problems = list(form.non_field_errors())
    for name, errors in form.errors.items():
        if name != "__all__":
            problems.append(f"{form[name].label}: {' '.join(errors)}")
    for formset in formsets:
        label = formset.model._meta.verbose_name.capitalize()
        problems += formset.non_form_errors()
        problems += [f"{label}: {' '.join(e)}" for row in formset.errors for e in row.values()]
    return problems
