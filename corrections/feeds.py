"""The corrections log as an RSS 2.0 feed."""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from diethnos.site import absolute_url
from reports.feeds import FEED_LENGTH, LatestReportsFeed, ReportRss

from .views import public_corrections


class CorrectionsFeed(LatestReportsFeed):
    """The latest corrections and clarifications, each linking to its note on its report's
    page. An item's guid names the note (``UpdateNote.uid``), the same whatever the report's
    address and however often its changes are published."""

    feed_type = ReportRss
    description_template = None

    def title(self, obj):
        return f"{settings.SITE_NAME}: corrections and clarifications"

    def description(self, obj):
        return f"Corrections and clarifications of reports published by {settings.SITE_NAME}."

    def link(self, obj):
        return absolute_url(reverse("corrections:index"))

    def feed_url(self, obj):
        return absolute_url(reverse("corrections:feed"))

    def items(self, obj):
        return public_corrections()[:FEED_LENGTH]

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.report.title}"

    def item_description(self, item):
        return item.text

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        """A tag URI (RFC 4151) naming the note by its uid."""
        host = urlsplit(settings.SITE_URL).hostname
        return f"tag:{host},{item.report.created_at:%Y}:note:{item.uid}"

    def item_pubdate(self, item):
        return item.noted_at

    def item_updateddate(self, item):
        return None

    def item_categories(self, item):
        return [item.get_kind_display()]

    def item_extra_kwargs(self, item):
        return {"creators": []}
