from django.apps import apps
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Region, Topic

PAGE_SIZE = 20


def _reports():
    # Reports depend on tags, not the other way round: look the model up at run time.
    return apps.get_model("reports", "Report").objects.published().with_cards().newest_first()


def region_index(request):
    return render(request, "tags/region_index.html", {"regions": Region.objects.all()})


def region_detail(request, slug):
    region = get_object_or_404(Region, slug=slug)
    reports = _reports().in_region(region)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tags/region_detail.html", {"region": region, "page": page})


def topic_index(request):
    return render(request, "tags/topic_index.html", {"topics": Topic.objects.all()})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    reports = _reports().filter(topics=topic)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tags/topic_detail.html", {"topic": topic, "page": page})
