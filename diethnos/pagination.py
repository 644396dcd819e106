from django.core.paginator import InvalidPage, Paginator
from django.http import Http404

PAGE_SIZE = 20


def paginate(request, items, per_page=PAGE_SIZE):
    """The page of ``items`` that ``?page=N`` asks for; 404 for a page out of range or not a number.

    The page knows the addresses of its neighbours (``previous_url``, ``next_url``), keeping the
    other query parameters (filters) as they are.
    """
    paginator = Paginator(items, per_page)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except InvalidPage as error:
        raise Http404(f"No such page: {error}") from error
    page.previous_url = (
        _page_url(request, page.previous_page_number()) if page.has_previous() else ""
    )
    page.next_url = _page_url(request, page.next_page_number()) if page.has_next() else ""
    return page


def _page_url(request, number):
    query = request.GET.copy()
    if number == 1:
        query.pop("page", None)
    else:
        query["page"] = number
    return f"{request.path}?{query.urlencode()}" if query else request.path
