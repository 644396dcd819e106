from functools import cache

from django.apps import apps
from django.shortcuts import get_object_or_404, render

from diethnos.page_cache import tag_cards, tag_page
from tags.report_counts import kept_count

from .models import Author


def _kept_pages():
    # Reports depend on authors, not the other way round: imported at run time.
    from reports import kept_pages

    return kept_pages


def _published():
    # Reports depend on authors, not the other way round: look the model up at run time.
    return apps.get_model("reports", "Report").objects.published()


def author_index(request):
    authors = Author.objects.active().with_report_counts(_published())
    tag_page(request, "listing:authors")
    return render(request, "authors/author_index.html", {"authors": authors})


def author_detail(request, slug):
    """An author's page: their profile and published reports, newest first; kept whole for
    anonymous readers (``reports.kept_pages``)."""

    @cache
    def loaded():
        active = Author.objects.active().prefetch_related("expertise")
        author = get_object_or_404(active, slug=slug)
        reports = _published().with_cards().newest_first().filter(authors=author)
        return author, reports, kept_count(f"author:{author.pk}", reports)

    def listed():
        author, reports, count = loaded()
        return _kept_pages().rows([author, *author.expertise.all()]), reports, count

    def draw(page):
        author, _, _ = loaded()
        tag_page(request, f"author:{author.pk}", f"byline:{author.pk}")
        tag_page(request, *(f"topic-name:{topic.pk}" for topic in author.expertise.all()))
        tag_cards(request, page)
        return render(request, "authors/author_detail.html", {"author": author, "page": page})

    return _kept_pages().kept_listing(request, listed, draw)
