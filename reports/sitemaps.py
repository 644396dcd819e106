"""Sitemaps of the public site and of the latest news (/news-sitemap.xml).

/sitemap.xml is an index of one sitemap per section (/sitemap-reports.xml and so on); a
section longer than a sitemap may be is split into pages (?p=2), each listed in the index.
"""

import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import index, sitemap
from django.db.models import Max, Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from authors.models import Author
from diethnos.page_cache import tag_page
from diethnos.pagination import Paginator
from diethnos.site import language, site_scheme_and_domain
from tags.models import Region, Topic
from tags.report_counts import LISTINGS, NOTES, kept_count, kept_until_reports_change

from .models import Report, modification
from .sitemap_xml import NewsUrlset, Urlset

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
    # Pages of 1,000 addresses rather than the 50,000 a sitemap may hold, so that each is
    # drawn quickly however many reports there are; the index lists them all.
    limit = 1000

    def items(self):
        # Rows rather than reports: making a thousand model instances costs more than the rest.
        published = Report.objects.published().newest_first().with_modification()
        return published.values_list("slug", "last_modified", named=True)

    def location(self, item):
        return Report.address(item.slug)

    @cached_property
    def paginator(self):
        # Counted as the list of all reports counts them (the same count, kept until the
        # reports change), and a page in the back half read from the end.
        paginator = Paginator(self.items(), self.limit)
        paginator.count = kept_count("reports:", Report.objects.published())
        return paginator

    def lastmod(self, item):
        return item.last_modified

    def get_latest_lastmod(self):
        def latest():
            # With the next scheduled publication, which makes it lapse, in the same query.
            next_due = Report.objects.scheduled().order_by("publish_at").values("publish_at")
            found = Report.objects.published().aggregate(
                latest=Max(modification()),
                next_due=Min(Subquery(next_due[:1])),
            )
            if found["latest"] is None:
                return None, time.time()  # nothing told when the next report goes live
            next_due = found["next_due"]
            return found["latest"], next_due.timestamp() if next_due else 0

        return kept_until_reports_change("sitemap-reports-lastmod", latest, (LISTINGS, NOTES))


class RegionSitemap(PublicSitemap):
    """Region pages that list at least one report (directly or rolled up from beneath)."""

    def items(self):
        # Each region is looked up until its first published report is found (LIMIT 1), not
        # every report read.
        published = Report.objects.published().order_by().values("pk")
        primary = published.filter(primary_region=OuterRef("pk"))[:1]
        tagged = published.filter(regions=OuterRef("pk"))[:1]
        used = Region.objects.annotate(primary=Subquery(primary), tagged=Subquery(tagged))
        used = used.filter(Q(primary__isnull=False) | Q(tagged__isnull=False))
        return Region.objects.covering(used).order_by("name", "pk")


class TopicSitemap(PublicSitemap):
    def items(self):
        # Each topic is looked up until its first published report is found (LIMIT 1).
        published = Report.objects.published().order_by().values("pk")
        first = published.filter(tagged_items__tag=OuterRef("pk"))[:1]
        return Topic.objects.annotate(first_report=Subquery(first)).filter(
            first_report__isnull=False
        )


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
            .values_list("slug", "title", "first_published_at", named=True)
        )

    def location(self, item):
        return Report.address(item.slug)


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
    return sitemap(request, SITEMAPS, section=section, template_name=Urlset())


def news_sitemap(request):
    tag_page(request, "sitemaps")
    response = sitemap(request, {"news": NewsSitemap}, template_name=NewsUrlset())
    response.context_data["publication"] = {"name": settings.SITE_NAME, "language": language()}
    return response
