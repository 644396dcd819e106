"""Old author addresses: a slug an author gave up redirects for good to their current one."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse

from .models import AuthorSlugHistory


def redirect_from_old_slug(request, slug, route):
    """A 301 to ``route`` under the author's current slug, keeping the query; else a 404.

    Called only once no active author answers to ``slug``, so found pages cost nothing more.
    """
    former = (
        AuthorSlugHistory.objects.filter(slug=slug, author__is_active=True)
        .select_related("author")
        .first()
    )
    if former is None:
        raise Http404("No author here.")
    url = reverse(route, kwargs={"slug": former.author.slug})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
