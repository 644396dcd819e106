from functools import cache

from django.apps import apps
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from diethnos.page_cache import tag_cards, tag_page

from .models import Region, Topic
from .report_counts import (
    count_regions,
    kept_count,
    kept_until_reports_change,
    region_report_count,
)


def _kept_pages():
    # Reports depend on tags, not the other way round: imported at run time.
    from reports import kept_pages

    return kept_pages


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
    """A region's page: its published reports, newest first (``?primary=1``: those chiefly
    about it), with its subregions; kept whole for anonymous readers (``reports.kept_pages``).
    """
    primary_only = request.GET.get("primary") == "1"

    @cache
    def loaded():
        region = get_object_or_404(Region, slug=slug)
        reports = _published().with_cards().newest_first().in_region(region)
        if primary_only:
            reports = reports.filter(primary_here=True)
            count = kept_count(f"region-primary:{region.pk}", _published().primarily_in(region))
        else:
            count = region_report_count(region)
        ancestors = list(region.ancestors())
        subregions = list(region.members.all() if region.is_group else region.children.all())
        return region, reports, count, ancestors, subregions

    def listed():
        region, reports, count, ancestors, subregions = loaded()
        return _kept_pages().rows([region, *ancestors, *subregions]), reports, count

    def draw(page):
        region, _, _, ancestors, subregions = loaded()
        tag_page(request, f"region:{region.pk}", f"region-name:{region.pk}")
        tag_page(request, *(f"region-name:{ancestor.pk}" for ancestor in ancestors))
        tag_cards(request, page)
        context = {
            "region": region,
            "ancestors": ancestors,
            "subregions": subregions,
            "primary_only": primary_only,
            "page": page,
        }
        return render(request, "tags/region_detail.html", context)

    return _kept_pages().kept_listing(request, listed, draw)


def topic_index(request):
    topics = Topic.objects.with_report_counts(_published())
    tag_page(request, "listing:topics")
    return render(request, "tags/topic_index.html", {"topics": topics})


def topic_detail(request, slug):
    """A topic's page: the published reports filed under it, newest first; kept whole for
    anonymous readers (``reports.kept_pages``)."""

    @cache
    def loaded():
        topic = get_object_or_404(Topic, slug=slug)
        reports = _published().with_cards().newest_first().filter(topics=topic)
        return topic, reports, kept_count(f"topic:{topic.pk}", reports)

    def listed():
        topic, reports, count = loaded()
        return _kept_pages().rows([topic]), reports, count

    def draw(page):
        topic, _, _ = loaded()
        tag_page(request, f"topic:{topic.pk}", f"topic-name:{topic.pk}")
        tag_cards(request, page)
        return render(request, "tags/topic_detail.html", {"topic": topic, "page": page})

    return _kept_pages().kept_listing(request, listed, draw)
