"""Rows as the read API gives them (dicts matching ``api.schemas``), read from the rows the
views loaded: none of these runs a query."""

from urllib.parse import urljoin

from django.conf import settings

from diethnos.renditions import FORMATS, HERO, size_spec, url
from reports.models import UpdateNote
from tags.models import Region


def absolute(path):
    """``path`` (or a URL) as an absolute URL on ``SITE_URL``."""
    return urljoin(settings.SITE_URL + "/", path)


def region_ref(region):
    codes = region.kind != Region.Kind.GROUP
    return {
        "name": region.name,
        "slug": region.slug,
        "kind": region.kind,
        "m49": (region.m49 or None) if codes else None,
        "iso2": region.iso2 or None,
        "iso3": region.iso3 or None,
        "url": absolute(region.get_absolute_url()),
    }


def topic_ref(topic):
    return {"name": topic.name, "slug": topic.slug, "url": absolute(topic.get_absolute_url())}


def author_ref(author):
    return {
        "name": author.name,
        "slug": author.slug,
        "role_line": author.role_line,
        "url": absolute(author.get_absolute_url()),
    }


def hero_image(report):
    image = report.hero_image
    if not image:
        return None
    renditions = [
        {
            "url": absolute(url(size_spec(size, image_format, square=False), image)),
            "type": f"image/{image_format.lower()}",
            "width": width,
            "height": height,
        }
        for image_format in FORMATS
        for size, width, height in HERO.rendered_sizes(report.hero_width, report.hero_height)
    ]
    return {
        "alt": report.hero_alt,
        "caption": report.hero_caption,
        "credit": report.hero_credit,
        "width": report.hero_width,
        "height": report.hero_height,
        "renditions": renditions,
    }


def note(note, report):
    return {
        "id": str(note.uid),
        "kind": note.kind,
        "date": note.noted_at,
        "text": note.text,
        "url": absolute(f"{report.get_absolute_url()}#{note.anchor}"),
    }


def report(report):
    """A published report, from a row loaded with ``ReportQuerySet.for_page()``."""
    notes = list(report.update_notes.all())
    return {
        "status": "published",
        "headline": report.title,
        "slug": report.slug,
        "url": absolute(report.get_absolute_url()),
        "kind": report.kind,
        "language": report.language,
        "summary": report.summary,
        "key_points": [point.text for point in report.key_points.all()],
        "body_html": report.body,
        "situation_as_of": report.situation_as_of,
        "published_at": report.first_published_at or report.publish_at,
        "modified_at": report.modified_at or report.publish_at,
        "authors": [author_ref(link.author) for link in report.report_authors.all()],
        "primary_region": region_ref(report.primary_region),
        "regions": [region_ref(region) for region in report.all_regions],
        "topics": [topic_ref(topic) for topic in report.topics.all()],
        "hero_image": hero_image(report),
        "sources": [
            {
                "title": source.title,
                "publisher": source.publisher,
                "url": source.url,
                "date": source.date,
            }
            for source in report.sources.all()
        ],
        "updates": [note(n, report) for n in notes if n.kind == UpdateNote.Kind.UPDATE],
        "corrections": [note(n, report) for n in notes if n.kind in UpdateNote.CORRECTING],
    }


def any_report(row):
    """A report of a list (a row loaded with ``for_page()``): as published (``report``), or
    as withdrawn (``withdrawn_report``)."""
    return withdrawn_report(row) if row.was_withdrawn else report(row)


def withdrawn_report(report):
    """A withdrawn report: what its page still shows (headline, summary, byline, dates), and
    when it was withdrawn as its ``modified_at``."""
    return {
        "status": "withdrawn",
        "headline": report.title,
        "slug": report.slug,
        "url": absolute(report.get_absolute_url()),
        "summary": report.summary,
        "published_at": report.first_published_at,
        "modified_at": report.modified_at,
        "withdrawal_reason": report.withdrawal_reason,
        "authors": [author_ref(link.author) for link in report.report_authors.all()],
    }
