from django.apps import apps
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Author

PAGE_SIZE = 20


def author_index(request):
    return render(request, "authors/author_index.html", {"authors": Author.objects.active()})


def author_detail(request, slug):
    author = get_object_or_404(Author.objects.active(), slug=slug)
    Report = apps.get_model("reports", "Report")
    reports = Report.objects.published().with_cards().newest_first().filter(authors=author)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "authors/author_detail.html", {"author": author, "page": page})
