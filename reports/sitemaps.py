"""Sitemaps of the public site (/sitemap.xml) and of the latest news (/news-sitemap.xml)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control

from authors.models import Author
from diethnos.site import language, site_scheme_and_domain
from tags.models import Region, Topic

from .models import Report

# Crawlers and CDNs may keep a sitemap this long (seconds).
SITEMAP_MAX_AGE = 600
# Google News takes articles published in the last two days.
NEWS_WINDOW = timedelta(days=2)


class PublicSitemap(Sitemap):
    """Addresses on the public site (``settings.SITE_URL``), whichever host was asked."""

    def get_protocol(self, protocol=None):
        return site_scheme_and_domain()[0]

    def get_domain(self, site=None):
        return site_scheme_and_domain()[1]


class ReportSitemap(PublicSitemap):
    def items(self):
        dates = ["first_published_at", "created_at", "updated_at"]  # what modified_at reads
        return (
            Report.objects.published()
            .newest_first()
            .only("slug", *dates)
            .prefetch_related("update_notes")
        )

    def lastmod(self, item):
        return item.modified_at


class RegionSitemap(PublicSitemap):
    """Region pages that list at least one report (directly or rolled up from beneath)."""

    def items(self):
        published = Report.objects.published()
        tagged = Region.objects.filter(
            Q(pk__in=published.values("primary_region"))
            | Q(pk__in=Report.regions.through.objects.filter(report__in=published).values("region"))
        )
        return Region.objects.covering(tagged).order_by("name", "pk")


class TopicSitemap(PublicSitemap):
    def items(self):
        published = Report.objects.published()
        return Topic.objects.filter(tagged_reports__content_object__in=published).distinct()


class AuthorSitemap(PublicSitemap):
    def items(self):
        return Author.objects.active().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(PublicSitemap):
    def items(self):
        return ["reports:home", "reports:list", "regions:index", "topics:index", "authors:index"]

    def location(self, item):
        return reverse(item)


class NewsSitemap(PublicSitemap):
    """Reports first published in the last two days, in the Google News sitemap format."""

    limit = 1000  # the most a news sitemap may hold

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Report.objects.published()
            .filter(first_published_at__gte=since)
            .order_by("-first_published_at", "-pk")
            .only("slug", "title", "first_published_at")
        )


SITEMAPS = {
    "pages": PageSitemap,
    "reports": ReportSitemap,
    "regions": RegionSitemap,
    "topics": TopicSitemap,
    "authors": AuthorSitemap,
}


@cache_control(public=True, max_age=SITEMAP_MAX_AGE)
def site_sitemap(request):
    return sitemap(request, SITEMAPS)


@cache_control(public=True, max_age=SITEMAP_MAX_AGE)
def news_sitemap(request):
    response = sitemap(request, {"news": NewsSitemap}, template_name="sitemaps/news.xml")
    response.context_data["publication"] = {"name": settings.SITE_NAME, "language": language()}
    return response
