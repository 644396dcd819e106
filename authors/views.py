from django.apps import apps
from django.shortcuts import get_object_or_404, render

from diethnos.page_cache import tag_cards, tag_page
from diethnos.pagination import paginate
from tags.report_counts import kept_count

from .models import Author


def _published():
    # Reports depend on authors, not the other way round: look the model up at run time.
    return apps.get_model("reports", "Report").objects.published()


def author_index(request):
    authors = Author.objects.active().with_report_counts(_published())
    tag_page(request, "listing:authors")
    return render(request, "authors/author_index.html", {"authors": authors})


def author_detail(request, slug):
    author = get_object_or_404(Author.objects.active().prefetch_related("expertise"), slug=slug)
    reports = _published().with_cards().newest_first().filter(authors=author)
    page = paginate(request, reports, count=kept_count(f"author:{author.pk}", reports))
    tag_page(request, f"author:{author.pk}", f"byline:{author.pk}")
    tag_page(request, *(f"topic-name:{topic.pk}" for topic in author.expertise.all()))
    tag_cards(request, page)
    return render(request, "authors/author_detail.html", {"author": author, "page": page})
