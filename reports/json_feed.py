"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written by Django's syndication views.

``JsonFeed`` takes the same feed and items as the RSS feeds (``reports.feeds``), so that both
list the same reports by the same rules; what only JSON Feed carries (each author's page, an
item's summary, image and language) comes in the items' extra arguments.
"""

import json

from django.utils.feedgenerator import SyndicationFeed

from diethnos.text import normalise_text

VERSION = "https://jsonfeed.org/version/1.1"
CONTENT_TYPE = "application/feed+json; charset=utf-8"


def rfc3339(moment):
    """``moment`` (an aware datetime, or None) as RFC 3339 text, or None."""
    return moment.isoformat() if moment else None


def json_safe(value, multiline=False):
    """``value`` (str, list or dict of them, or anything else) with its text normalised as
    every feed writes it (``diethnos.text.normalise_text``): never a lone surrogate or a
    control character, whatever is stored."""
    if isinstance(value, str):
        return normalise_text(value, multiline=multiline)
    if isinstance(value, list | tuple):
        return [json_safe(part) for part in value]
    if isinstance(value, dict):
        return {
            key: json_safe(part, multiline=key in ("content_html", "summary", "description"))
            for key, part in value.items()
        }
    return value


def without_empty(data):
    """``data`` (a dict) without the members that are None, empty strings or empty lists:
    JSON Feed leaves out what it has no value for."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


class JsonFeed(SyndicationFeed):
    """A JSON Feed 1.1 document of the feed and its items.

    Items take, besides Django's usual arguments: ``authors`` (a list of {"name", "url"}),
    ``summary``, ``image`` (an absolute URL or "") and ``language`` (a language tag).
    """

    content_type = CONTENT_TYPE

    def document(self):
        """The feed as a dict, ready for ``json.dumps``."""
        feed = self.feed
        document = without_empty(
            {
                "version": VERSION,
                "title": feed["title"],
                "home_page_url": feed["link"],
                "feed_url": feed["feed_url"],
                "description": feed["description"],
                "language": feed["language"],
                "items": [self.item(item) for item in self.items],
            }
        )
        document.setdefault("items", [])  # required, even when empty
        return json_safe(document)

    @staticmethod
    def item(item):
        data = without_empty(
            {
                "id": str(item["unique_id"] or item["link"]),
                "url": item["link"],
                "title": item["title"],
                "summary": item.get("summary"),
                "image": item.get("image"),
                "date_published": rfc3339(item["pubdate"]),
                "date_modified": rfc3339(item["updateddate"]),
                "authors": [without_empty(author) for author in item.get("authors", [])],
                "tags": list(item["categories"] or []),
                "language": item.get("language"),
            }
        )
        # An item has content_html or content_text: this one always has the HTML.
        return {**data, "content_html": item["description"] or ""}

    def write(self, outfile, encoding):
        outfile.write(json.dumps(self.document(), ensure_ascii=False, indent=1))
