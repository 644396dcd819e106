"""Sitemaps of the public site and of the latest news (/news-sitemap.xml).

/sitemap.xml is an index of one sitemap per section (/sitemap-reports.xml and so on); a
section longer than a sitemap may be is split into pages (?p=2), each listed in the index.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import index, sitemap
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from authors.models import Author
from diethnos.page_cache import tag_page
from diethnos.site import language, site_scheme_and_domain
from tags.models import Region, Topic

from .models import Report

# Google News takes articles published in the last two days.
NEWS_WINDOW = timedelta(days=2)


class PublicSitemap(Sitemap):
    """Addresses on the public site (``settings.SITE_URL``), whichever host was asked."""

    def get_protocol(self, protocol=None):
        return site_scheme_and_domain()[0]

    def get_domain(self, site=None):
        return site_scheme_and_domain()[1]

    @cached_property
    def paginator(self):
        # Counted once per request, however often the index asks.
        return super().paginator


class ReportSitemap(PublicSitemap):
    def items(self):
        return (
            Report.objects.published()
            .newest_first()
            .only("slug", "first_published_at")  # and the notes: what modified_at reads
            .prefetch_related("update_notes")
        )

    def lastmod(self, item):
        return item.modified_at

    def get_latest_lastmod(self):
        return Report.objects.published().latest_modification()


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

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class PageSitemap(PublicSitemap):
    def items(self):
        return [
            "reports:home",
            "reports:list",
            "regions:index",
            "topics:index",
            "authors:index",
            "corrections:index",
            "corrections:policy",
        ]

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


# The sitemaps are kept in the page cache, and by crawlers and CDNs, as pages are: purged with
# every change to a public report, author, region or topic (reports.page_tags).


def sitemap_index(request):
    tag_page(request, "sitemaps")
    sections = {name: section() for name, section in SITEMAPS.items()}
    listed = {name: section for name, section in sections.items() if section.paginator.count}
    response = index(request, listed, sitemap_url_name="sitemap-section")
    # Django names the sections on the host the request came in on, not on SITE_URL.
    scheme, domain = site_scheme_and_domain()
    for entry in response.context_data["sitemaps"]:
        entry.location = urlsplit(entry.location)._replace(scheme=scheme, netloc=domain).geturl()
    return response


def section_sitemap(request, section):
    tag_page(request, "sitemaps")
    return sitemap(request, SITEMAPS, section=section)


def news_sitemap(request):
    tag_page(request, "sitemaps")
    response = sitemap(request, {"news": NewsSitemap}, template_name="sitemaps/news.xml")
    response.context_data["publication"] = {"name": settings.SITE_NAME, "language": language()}
    return response
