from django.apps import apps
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from diethnos.page_cache import tag_cards, tag_page
from diethnos.pagination import paginate

from .models import Region, Topic
from .report_counts import (
    count_regions,
    kept_count,
    kept_until_reports_change,
    region_report_count,
)


def _published():
    # Reports depend on tags, not the other way round: look the model up at run time.
    return apps.get_model("reports", "Report").objects.published()


def region_index(request):
    """The places reports cover (``world.covered``, down the tree, and the groupings with
    reports) first; then the whole tree and every grouping, folded away. Drawn once, then kept
    in the cache until a report or region changes (``tags.report_counts``)."""

    def draw():
        counts, lapses_at = count_regions()
        (world,) = Region.objects.tree().nested(counts)
        groups = Region.objects.groups().prefetch_related("members").nested(counts)
        context = {
            "world": world,
            "groups": groups,
            "covered_groups": [group for group in groups if group.report_count],
        }
        return render_to_string("tags/region_index_content.html", context), lapses_at

    content = kept_until_reports_change("region-index", draw)
    tag_page(request, "listing:regions")
    content = mark_safe(content)  # noqa: S308 (a template's output, escaped as any)
    return render(request, "tags/region_index.html", {"content": content})


def region_detail(request, slug):
    region = get_object_or_404(Region, slug=slug)
    reports = _published().with_cards().newest_first().in_region(region)
    primary_only = request.GET.get("primary") == "1"
    if primary_only:
        reports = reports.filter(primary_here=True)
        count = kept_count(f"region-primary:{region.pk}", _published().primarily_in(region))
    else:
        count = region_report_count(region)
    page = paginate(request, reports, count=count)
    ancestors = region.ancestors()
    tag_page(request, f"region:{region.pk}", f"region-name:{region.pk}")
    tag_page(request, *(f"region-name:{ancestor.pk}" for ancestor in ancestors))
    tag_cards(request, page)
    return render(
        request,
        "tags/region_detail.html",
        {
            "region": region,
            "ancestors": ancestors,
            "subregions": region.members.all() if region.is_group else region.children.all(),
            "primary_only": primary_only,
            "page": page,
        },
    )


def topic_index(request):
    topics = Topic.objects.with_report_counts(_published())
    tag_page(request, "listing:topics")
    return render(request, "tags/topic_index.html", {"topics": topics})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    reports = _published().with_cards().newest_first().filter(topics=topic)
    page = paginate(request, reports, count=kept_count(f"topic:{topic.pk}", reports))
    tag_page(request, f"topic:{topic.pk}", f"topic-name:{topic.pk}")
    tag_cards(request, page)
    return render(request, "tags/topic_detail.html", {"topic": topic, "page": page})
