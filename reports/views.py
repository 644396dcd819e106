from functools import cache

from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.views.decorators.cache import add_never_cache_headers, never_cache

from diethnos.page_cache import tag_cards, tag_page
from diethnos.pagination import paginate
from tags.models import Region
from tags.report_counts import (
    LISTINGS,
    TEXT,
    kept_count,
    kept_until_reports_change,
    lapse_time,
    topics_filed_under_published,
    with_next_publication,
)

from .facets import chips, link, search_url
from .forms import SearchForm
from .kept_pages import is_kept_for, kept_listing, kept_page, kept_reports, rows
from .models import Report, page_rows
from .page_digest import report_page_digest
from .permissions import may_change_own, may_preview, may_preview_own
from .search_results import Results, find

LATEST_ON_HOME = 6
PER_REGION_ON_HOME = 3
RELATED = 4
# What the home page shows of its lead report besides what its card shows.
LEAD_FIELDS = ("hero_alt",)
MY_REPORTS_PER_PAGE = 50


def home(request):
    """The front page: the lead report, the latest ones, the newest reports chiefly about each
    major region, and the topics. A report appears once on the page; a region with none is
    left out. Kept whole for anonymous readers as the listings are (``reports.kept_pages``):
    which reports it lists, and its regions and topics, until a change to the listings; what
    it shows of each report is read again by id on every request."""

    def read(whole):
        # Always read whole: after a change to the listings, the page has most often changed.
        lists = _home_lists(with_values=True)
        lead, latest, by_region = lists["lead"], lists["latest"], lists["by_region"]
        listed = [((lead.pk, "lead"), lead.card_values)] if lead else []
        listed += [((report.pk, "latest"), report.card_values) for report in latest]
        for region, reports in by_region:
            listed += [((report.pk, region.pk), report.card_values) for report in reports]
        topics = lists["topics"]
        regions = [region for region, _ in by_region]
        shown = (rows(regions), rows(topics), [topic.report_count for topic in topics])
        return shown, listed, lead.next_due if lead else None, lists

    def draw(lists):
        if lists is None:
            lists = _home_lists()
        tag_page(request, "home", "listing:topics")
        tag_page(request, *(f"region-name:{region.pk}" for region, _ in lists["by_region"]))
        lead = lists["lead"]
        tag_cards(request, [lead, *lists["latest"]] if lead else [])
        for _, listed in lists["by_region"]:
            tag_cards(request, listed)
        return render(request, "reports/home.html", lists)

    return kept_reports(request, read, draw, fields=LEAD_FIELDS)


def _home_lists(with_values=False):
    """What the home page lists, as its template's context (a dict): ``lead`` (a Report, or
    None when none is published), ``latest`` (a list of reports), ``by_region`` (a list of
    (region, reports) for each major region with some) and ``topics`` (a list of Topic, each
    with ``report_count``). With ``with_values``, each report has ``card_values`` (with
    ``LEAD_FIELDS``), and the lead ``next_due`` (``with_next_publication``)."""
    reports = Report.objects.published().with_cards().newest_first()
    # Lists of headlines: neither the body nor the search vector is read.
    published = Report.objects.published().defer("body", "search_vector")
    if with_values:
        reports = with_next_publication(reports.with_card_values(*LEAD_FIELDS))
        published = published.with_card_values(*LEAD_FIELDS)
    lead = reports.filter(featured=True).first() or reports.first()
    latest = list(reports.exclude(pk=lead.pk)[:LATEST_ON_HOME]) if lead else []
    shown = [report.pk for report in [lead, *latest] if report]
    sections = published.exclude(pk__in=shown).newest_primarily_in_each(
        Region.objects.major(), PER_REGION_ON_HOME
    )
    return {
        "lead": lead,
        "latest": latest,
        "by_region": [(region, listed) for region, listed in sections if listed],
        "topics": topics_filed_under_published(),
    }


def report_list(request):
    """All published reports, newest first, a page at a time (``?kind=`` for one kind); kept
    whole for anonymous readers (``reports.kept_pages``)."""
    kind = request.GET.get("kind", "")
    if kind and kind not in Report.Kind.values:
        raise Http404(f"There is no kind of report called “{kind}”.")

    @cache
    def listed():
        reports = Report.objects.published().with_cards().newest_first()
        if kind:
            reports = reports.filter(kind=kind)
        return (), reports, kept_count(f"reports:{kind}", reports)

    def draw(page):
        tag_page(request, "listing:reports")
        tag_cards(request, page)
        return render(
            request,
            "reports/report_list.html",
            {
                "page": page,
                "kind": kind,
                "kind_label": Report.Kind(kind).label if kind else "",
                "kinds": Report.Kind.choices,
            },
        )

    return kept_listing(request, listed, draw)


def search(request):
    """Published reports found by their words and filters, with the facets of the results,
    the filters applied as removable chips, the region or topic page the words name, and
    "Did you mean …?" when little is found (``reports.facets``, ``reports.suggestions``)."""
    form = SearchForm(request.GET or None)
    context = {"form": form, "page": None}
    if form.is_searching:
        data, params = form.cleaned_data, request.GET.dict()
        found = find(form)
        page = paginate(request, Results(form, found), count=found.pageable)
        tag_cards(request, page)
        context.update(
            page=page,
            results_heading=results_heading(page, found),
            estimated=found.estimated,
            facets=link(found.facets, params),
            chips=chips(data, params),
            named_page=found.named,
            suggestion=found.suggestion,
            suggestion_url=search_url(params, q=found.suggestion) if found.suggestion else "",
        )
    # Its filters list every region, topic and author by name.
    tag_page(request, "search", "listing:regions", "listing:topics", "listing:authors")
    return render(
        request,
        "reports/search.html",
        context,
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def results_heading(page, found):
    """ "25 reports found, page 1 of 2", "About 90,000 reports found, page 1 of 200" (an
    estimate: ``Found.estimated``), or "No reports found"; ``found`` is what the search found
    (reports.search_results.Found)."""
    count = found.total
    if not count:
        return "No reports found"
    heading = f"{count} report{pluralize(count)} found"
    if found.estimated:
        heading = f"About {count:,} reports found"
    if page.has_other_pages():
        heading += f", page {page.number} of {page.paginator.num_pages}"
    return heading


def report_detail(request, slug):
    """A report's page (or its preview, for those who may see it before it is public); kept
    whole for anonymous readers under a digest of every row it shows, read in one query with
    the report itself (``reports.page_digest``, ``reports.kept_pages``)."""
    if is_kept_for(request):
        found = report_page_digest(slug)
        if found is not None:
            digest, lapses_at, read_report = found

            def draw():
                report = read_report()
                prefetch_related_objects([report], *page_rows())
                return _draw_report(request, report)

            return kept_page(request, f"report:{digest}", draw, lapses_at=lapses_at)
    return _draw_report(request, get_object_or_404(Report.objects.for_page(), slug=slug))


def _draw_report(request, report):
    """The page of ``report`` (from ``for_page``) for ``request``; raises Http404 if the
    reader may not see it."""
    if report.has_page:
        preview = False
    elif may_preview(request.user, report):
        preview = True
    else:
        raise Http404("No report here.")
    related = []
    if report.is_public:
        related = related_reports(report)
    tag_page(request, f"report:{report.pk}", *report_page_tags(report))
    tag_cards(request, related)
    response = render(
        request,
        "reports/report_detail.html",
        {"report": report, "preview": preview, "related": related},
    )
    if preview:
        add_never_cache_headers(response)
    if preview or report.was_withdrawn:
        response["X-Robots-Tag"] = "noindex"
    return response


def related_reports(report):
    """The ``RELATED`` reports most related to public ``report`` (a list, with cards).

    Which reports they are follows where reports are filed and when: their ids are kept in
    the cache until a report is published, moved or withdrawn, or a region, topic or author
    changes (``LISTINGS``, ``tags.report_counts``). What their cards say follows any save of
    a live report (``TEXT``): the rows are kept until then, then read again by their ids (two
    queries) without choosing the reports again, which takes far longer on a large site."""
    key = f"related-reports:{report.pk}"

    def load():
        chosen = []

        def choose():
            related = with_next_publication(Report.objects.published().related_to(report))
            chosen.extend(related.with_cards()[:RELATED])
            lapses_at = lapse_time(chosen)
            return ([row.pk for row in chosen], lapses_at), lapses_at

        ids, lapses_at = kept_until_reports_change(f"{key}:ids", choose)
        if chosen:
            return chosen, lapses_at
        found = Report.objects.published().with_cards().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found], lapses_at

    return kept_until_reports_change(key, load, (LISTINGS, TEXT))


def report_page_tags(report):
    """The tags of a report's page besides its own (diethnos.page_cache): the names it shows
    and where its related reports come from (read from the rows ``for_page`` loaded)."""
    regions = [region.pk for region in report.all_regions]
    topics = [topic.pk for topic in report.topics.all()]
    return {
        *(f"region-name:{pk}" for pk in regions),
        *(f"related-region:{pk}" for pk in regions),
        *(f"topic-name:{pk}" for pk in topics),
        *(f"related-topic:{pk}" for pk in topics),
        *(f"byline:{link.author_id}" for link in report.report_authors.all()),
    }


@never_cache
@login_required
def my_reports(request):
    """The signed-in author's own reports in every status, with links to work on them."""
    user = request.user
    author = getattr(user, "author", None)
    page = None
    if author is not None:
        reports = Report.objects.owned_by(user).order_by("-updated_at", "-pk")
        page = paginate(request, reports, per_page=MY_REPORTS_PER_PAGE)
        for report in page:
            report.may_change = may_change_own(user, report)
    return render(
        request,
        "reports/my_reports.html",
        {
            "author": author,
            "page": page,
            "may_add": user.is_staff and user.has_perm("reports.add_report"),
            "may_preview": may_preview_own(user),
        },
    )
