from django.core import paginator
from django.core.paginator import InvalidPage
from django.http import Http404
from django.utils.functional import cached_property

PAGE_SIZE = 20


class Paginator(paginator.Paginator):
    """Reads a page of an ordered queryset past its first by finding the page's rows' ids
    first, from the end for a page in the back half.

    The database then skips at most half the rows whatever the page, and none for the last;
    and it skips them in the ids alone (off an index, where one gives the order), working out
    the rest of each row (its columns, annotations) for the page's rows only.
    """

    def page(self, number):
        items = self.object_list
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not bottom or not getattr(items, "ordered", False) or self.orphans:
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        from_end = self.count - top
        ids = items.prefetch_related(None).values("pk")
        if from_end >= bottom:
            ids = ids[bottom:top]
        else:
            ids = ids.reverse()[from_end : self.count - bottom]
        return self._get_page(items.filter(pk__in=ids), number, self)


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows, and pages through those: when there are more (``capped``),
    the count says ``cap`` and its last page is the one holding the cap-th row.

    For a list whose rows are costly to find each (the desk's search for a common word, where
    counting 90,000 matches means reading every report), so that a page costs about the
    same whatever is matched. When capped, a page is read by offset from the start (the
    rows' end is not known); otherwise as ``Paginator`` reads it."""

    cap = 10_000

    @cached_property
    def _counted(self):
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self):
        """The number of rows, or ``cap`` if there are more."""
        return min(self._counted, self.cap)

    @property
    def capped(self):
        """Whether there are more rows than ``cap`` (counted up to one more)."""
        return self._counted > self.cap

    def page(self, number):
        if self.capped:
            return paginator.Paginator.page(self, number)
        return super().page(number)


def paginate(request, items, per_page=PAGE_SIZE, count=None):
    """The page of ``items`` that ``?page=N`` asks for; 404 for a page out of range or not a number.
    ``count``, when the caller knows how many ``items`` there are, saves counting them.

    The page knows the addresses of its neighbours (``previous_url``, ``next_url``), keeping the
    other query parameters (filters) as they are.
    """
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count
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
