"""Feeds of published reports, the latest and per region, topic and author: RSS 2.0, and
JSON Feed 1.1 (``reports.json_feed``) with the same items."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed

from authors.models import Author
from diethnos.page_cache import tag_page
from diethnos.site import absolute_url
from diethnos.text import normalise_text
from tags.models import Region, Topic

from .json_feed import JsonFeed
from .models import Report

FEED_LENGTH = 20


def xml_safe(value, multiline=False):
    """``value`` (a feed's or an item's data: str, list or dict of them, or anything else)
    with its text normalised, so that the feed stays well-formed XML whatever is stored."""
    if isinstance(value, str):
        return normalise_text(value, multiline=multiline)
    if isinstance(value, list | tuple):
        return [xml_safe(part) for part in value]
    if isinstance(value, dict):
        return {key: xml_safe(part, multiline=key == "description") for key, part in value.items()}
    return value


class ReportRss(Rss201rev2Feed):
    """RSS 2.0 naming every author of an item (``dc:creator``), not only the first, and
    writing only characters XML can carry."""

    def write(self, outfile, encoding):
        self.feed = xml_safe(self.feed)
        self.items = [xml_safe(item) for item in self.items]
        super().write(outfile, encoding)

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": "http://purl.org/dc/elements/1.1/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name in item["creators"]:
            handler.addQuickElement("dc:creator", name)


class LatestReportsFeed(Feed):
    feed_type = ReportRss
    description_template = "feeds/report_description.html"
    # An item's guid names the report, not its address, which may change (see item_guid).
    item_guid_is_permalink = False

    def __call__(self, request, *args, **kwargs):
        # Kept in the page cache, and by browsers and CDNs, as pages are: purged with every
        # change to a public report, author, region or topic (reports.page_tags).
        tag_page(request, "feeds")
        return super().__call__(request, *args, **kwargs)

    def title(self, obj):
        return settings.SITE_NAME

    def description(self, obj):
        return f"The latest situation reports and analysis from {settings.SITE_NAME}."

    def link(self, obj):
        return absolute_url(reverse("reports:home"))

    def feed_url(self, obj):
        return absolute_url(reverse("reports:feed"))

    def reports(self, obj):
        return Report.objects.published()

    def items(self, obj):
        reports = self.reports(obj).with_cards()
        reports = reports.prefetch_related("key_points", "regions", "topics", "update_notes")
        return reports.newest_first()[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        """A tag URI (RFC 4151) naming the report by its id: the same whatever its slug."""
        host = urlsplit(settings.SITE_URL).hostname
        return f"tag:{host},{item.created_at:%Y}:report:{item.pk}"

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.modified_at

    def item_categories(self, item):
        topics = [topic.name for topic in item.topics.all()]
        return topics + [region.name for region in item.all_regions]

    def item_extra_kwargs(self, item):
        return {"creators": [link.author.name for link in item.report_authors.all()]}


class AsJsonFeed:
    """Makes a reports feed a JSON Feed 1.1 of the same items, at the route named like the
    RSS feed's with ``json-`` before the name (``reports:json-feed``); each item also
    carries its authors' pages, its summary, image and language."""

    feed_type = JsonFeed

    def feed_url(self, obj):
        app, _, name = self.rss_route.rpartition(":")
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return absolute_url(reverse(f"{app}:json-{name}", kwargs=kwargs))

    def item_extra_kwargs(self, item):
        authors = [
            {"name": link.author.name, "url": absolute_url(link.author.get_absolute_url())}
            for link in item.report_authors.all()
        ]
        return {
            "authors": authors,
            "summary": item.summary,
            "image": item.og_image_url,
            "language": item.language,
        }


class LatestReportsJsonFeed(AsJsonFeed, LatestReportsFeed):
    rss_route = "reports:feed"


class ReportsOnFeed(LatestReportsFeed):
    """The reports on one region, topic or author page, newest first."""

    route = None  # the feed's URL name

    def get_object(self, request, slug):
        return get_object_or_404(self.pages(), slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj):
        return f"The latest reports on {obj.name} from {settings.SITE_NAME}."

    def link(self, obj):
        return absolute_url(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute_url(reverse(self.route, kwargs={"slug": obj.slug}))


class RegionReportsFeed(ReportsOnFeed):
    """Every report on a region or anything beneath it, as on the region's page."""

    route = "regions:feed"

    def pages(self):
        return Region.objects.all()

    def reports(self, obj):
        return Report.objects.published().in_region(obj)


class TopicReportsFeed(ReportsOnFeed):
    route = "topics:feed"

    def pages(self):
        return Topic.objects.all()

    def reports(self, obj):
        return Report.objects.published().filter(topics=obj)


class AuthorReportsFeed(ReportsOnFeed):
    route = "authors:feed"

    def pages(self):
        return Author.objects.active()

    def description(self, obj):
        return f"The latest reports by {obj.name} on {settings.SITE_NAME}."

    def reports(self, obj):
        return Report.objects.published().filter(authors=obj)


class RegionReportsJsonFeed(AsJsonFeed, RegionReportsFeed):
    rss_route = RegionReportsFeed.route


class TopicReportsJsonFeed(AsJsonFeed, TopicReportsFeed):
    rss_route = TopicReportsFeed.route


class AuthorReportsJsonFeed(AsJsonFeed, AuthorReportsFeed):
    rss_route = AuthorReportsFeed.route
