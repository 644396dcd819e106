from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import add_never_cache_headers

from .models import Report, ReportAuthor
from .permissions import may_preview

PAGE_SIZE = 20


def home(request):
    reports = Report.objects.published().with_cards().newest_first()
    return render(request, "reports/home.html", {"reports": reports[:PAGE_SIZE]})


def report_list(request):
    reports = Report.objects.published().with_cards().newest_first()
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/report_list.html", {"page": page})


def report_detail(request, slug):
    queryset = Report.objects.select_related("primary_region").prefetch_related(
        "key_points",
        "sources",
        "update_notes",
        "regions",
        "topics",
        Prefetch("report_authors", ReportAuthor.objects.select_related("author")),
    )
    report = get_object_or_404(queryset, slug=slug)
    preview = not report.is_public
    if preview and not may_preview(request.user, report):
        raise Http404("No report here.")
    response = render(request, "reports/report_detail.html", {"report": report, "preview": preview})
    if preview:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
    return response
