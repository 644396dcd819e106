"""Parts of a report's public page kept in the shared cache: its ``<head>`` tags and its
``<article>``, drawn once for each version of what they show.

A report's page is drawn afresh far more often than its report changes: publishing any report
purges the pages of every report sharing a region or topic with it (their related reports
change), and an author's edit purges every page with their byline. So the parts of the page
drawn from the report alone are kept under a key made of *every row they are drawn from* (the
report, its primary region, key points, sources, update notes, regions, topics, bylines and
authors, as ``ReportQuerySet.for_page`` loads them), of the templates and code that draw them
and of the site's settings they show. Any change to any of these, however it is saved, gives
another key: nothing is ever shown stale, and nothing needs purging.

Previews (staff previews, share links, unsaved changes) are always drawn afresh.
"""

import hashlib
from functools import lru_cache
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation

from .page_digest import NOT_SHOWN

PART_SECONDS = 60 * 60 * 24
# The templates the kept parts are drawn with, besides the page's own.
PART_TEMPLATES = (
    "components/meta/report.html",
    "components/meta/sharing.html",
    "components/byline.html",
    "components/key_points.html",
    "components/picture.html",
    "components/author_box.html",
)
# The code that writes the structured data in the <head>.
PART_CODE = ("reports.structured_data", "authors.structured_data", "tags.structured_data")
# What the page's context says when it shows something other than the live report.
PREVIEW_FLAGS = ("preview", "shared", "unsaved", "overtaken")


def is_kept(context, report):
    """Whether the parts of ``report``'s page drawn with ``context`` are kept: only on its
    public page (the live report, public or withdrawn, and no preview)."""
    if any(context.get(flag) for flag in PREVIEW_FLAGS):
        return False
    return bool(report.pk) and not report.is_working_draft and report.has_page


def _row(instance):
    fields = instance._meta.concrete_fields
    shown = [field for field in fields if (type(instance), field.name) not in NOT_SHOWN]
    return tuple(getattr(instance, field.attname) for field in shown)


def shown_rows(report):
    """Every row the kept parts of ``report``'s page are drawn from (a tuple of tuples), read
    from what ``ReportQuerySet.for_page`` loaded: no query."""
    return (
        _row(report),
        _row(report.primary_region) if report.primary_region else None,
        tuple(_row(point) for point in report.key_points.all()),
        tuple(_row(source) for source in report.sources.all()),
        tuple(_row(note) for note in report.update_notes.all()),
        tuple(_row(region) for region in report.regions.all()),
        tuple(_row(topic) for topic in report.topics.all()),
        tuple((_row(link), _row(link.author)) for link in report.report_authors.all()),
    )


def part_key(name, report, context):
    """The cache key (a str) of the part ``name`` of ``report``'s page drawn with ``context``
    (the page's template context): made of every row the part is drawn from and everything
    else it depends on. Worked out once for all the parts of a page."""
    version = context.render_context.get(("report-parts", id(report)))
    if version is None:
        template = context.template
        engine = template.engine
        sources = (template.source, *(engine.get_template(n).source for n in PART_TEMPLATES))
        drawn_with = (
            _code_digest(sources),
            settings.SITE_URL,
            settings.SITE_NAME,
            settings.MEDIA_URL,
            static("img/logo.png"),
            get_script_prefix(),
            get_urlconf(),
            timezone.get_current_timezone_name(),
            translation.get_language(),
        )
        shown = repr((shown_rows(report), drawn_with)).encode()
        version = hashlib.blake2b(shown, digest_size=16).hexdigest()
        context.render_context[("report-parts", id(report))] = version
    return f"report-part:{name}:{version}"


@lru_cache(maxsize=4)
def _code_digest(sources):
    from .models import Report

    digest = hashlib.blake2b(digest_size=8)
    for source in sources:
        digest.update(source.encode())
    for name in PART_CODE:
        path = Path(import_module(name).__file__)
        digest.update(path.read_bytes() if path.exists() else name.encode())
    renditions = getattr(Report._meta.get_field("hero_image"), "renditions", None)
    digest.update(repr(vars(renditions) if renditions else None).encode())
    return digest.hexdigest()


def kept_part(name, report, context, draw):
    """The HTML (str) of part ``name`` of ``report``'s page: from the cache when kept there,
    else ``draw()``, stored when ``is_kept``."""
    if not is_kept(context, report):
        return draw()
    key = part_key(name, report, context)
    html = cache.get(key)
    if html is None:
        html = draw()
        cache.set(key, str(html), PART_SECONDS)
    return html
