"""The XML of a sitemap page, written in Python rather than by the template engine.

A page lists up to a thousand addresses, and the template engine takes tens of milliseconds
over so many; ``Urlset`` writes the same bytes as Django's ``sitemap.xml`` template, and
``NewsUrlset`` the Google News sitemap, in a few. Each is passed as the ``template_name`` of
Django's ``sitemap`` view (a TemplateResponse takes any object with a ``render(context,
request)`` method), so that the view's checks, ``Last-Modified`` header and context stay
Django's.
"""

import datetime

from django.utils import timezone
from django.utils.html import escape

from diethnos.text import normalise_text

URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset'
    ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    ' xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
NEWS_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset'
    ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
)
URLSET_END = "\n</urlset>\n"


def _day(value, zone):
    """``value`` (a date or datetime) as Django's ``date:"Y-m-d"`` filter gives it: an aware
    datetime's day in ``zone``, the current time zone."""
    if isinstance(value, datetime.datetime) and value.utcoffset() is not None:
        value = value.astimezone(zone)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


class Urlset:
    """Django's ``sitemap.xml``: each address of ``context["urlset"]`` (the ``sitemap`` view's
    dicts: location, lastmod, changefreq, priority, alternates), as a str."""

    def render(self, context=None, request=None):
        parts = [URLSET_START]
        zone = timezone.get_current_timezone()
        for url in context["urlset"]:
            parts.append(f"<url><loc>{escape(url['location'])}</loc>")
            if url["lastmod"]:
                parts.append(f"<lastmod>{_day(url['lastmod'], zone)}</lastmod>")
            if url["changefreq"]:
                parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
            if url["priority"]:
                parts.append(f"<priority>{escape(url['priority'])}</priority>")
            for alternate in url["alternates"]:
                parts.append(
                    f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}"'
                    f' href="{escape(alternate["location"])}"/>'
                )
            parts.append("</url>")
        parts.append(URLSET_END)
        return "".join(parts)


class NewsUrlset:
    """The Google News sitemap: each report of ``context["urlset"]`` (its ``item``, a row
    with ``title`` and ``first_published_at``) under ``context["publication"]`` (its ``name`` and
    ``language``), as a str."""

    def render(self, context=None, request=None):
        publication = context["publication"]
        named = (
            f"<news:publication><news:name>{escape(publication['name'])}</news:name>"
            f"<news:language>{escape(publication['language'])}</news:language>"
            "</news:publication>"
        )
        parts = [NEWS_START]
        for url in context["urlset"]:
            report = url["item"]
            published = report.first_published_at.astimezone(datetime.UTC)
            title = escape(normalise_text(str(report.title), multiline=False))
            parts.append(
                f"<url><loc>{escape(url['location'])}</loc><news:news>{named}"
                f"<news:publication_date>{published:%Y-%m-%dT%H:%M:%SZ}</news:publication_date>"
                f"<news:title>{title}</news:title></news:news></url>"
            )
        parts.append(URLSET_END)
        return "".join(parts)
