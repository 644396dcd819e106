from django.shortcuts import render

from diethnos.page_cache import tag_page
from diethnos.pagination import paginate
from reports.models import UpdateNote
from tags.report_counts import LISTINGS, NOTES, kept_count

from .models import CorrectionsPolicy


def public_corrections():
    """Every correction and clarification of a published report, newest first, with its
    report."""
    return (
        UpdateNote.objects.corrections()
        .public()
        .select_related("report")
        .order_by("-noted_at", "-pk")
    )


def corrections_index(request):
    """``/corrections/``: the corrections log, paged with ``?page=N``."""
    tag_page(request, "corrections")
    corrections = public_corrections()
    return render(
        request,
        "corrections/index.html",
        {
            "page": paginate(
                request,
                corrections,
                count=kept_count("corrections", corrections, (LISTINGS, NOTES)),
            )
        },
    )


def policy(request):
    """``/corrections/policy/``: the corrections policy, as the editors wrote it."""
    tag_page(request, "corrections-policy")
    return render(request, "corrections/policy.html", {"policy": CorrectionsPolicy.current()})
