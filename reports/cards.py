"""Report cards (``components/report_card.html``), drawn once and kept in the shared cache.

Drawing a card costs more than anything else on a listing page, and a card changes far less
often than the listings that show it. So each card's HTML is kept under a key made of
*everything it shows* (``card_key``): its headline, address, summary, kind, primary region's
name, authors' names, publication time, hero image and the templates that draw it. Any change
to any of these gives another key, so a card is never shown stale, whatever saved the change,
and nothing has to be purged: cards no listing asks for any more simply expire.

A card that shows something else, such as a search result's highlighted headline, is drawn
afresh every time.
"""

import hashlib
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

CARD_TEMPLATE = "components/report_card.html"
# The templates a card is drawn with: a change to any of them gives every card another key.
CARD_TEMPLATES = (CARD_TEMPLATE, "components/picture.html")
CARD_SECONDS = 60 * 60 * 24


def _drawn_with(engine):
    """What a card's HTML depends on besides the report: a digest (str) of the templates it
    is drawn with (as ``engine`` has them), the hero image renditions, and the time zone,
    language and media address it is drawn in."""
    sources = tuple(engine.get_template(name).source for name in CARD_TEMPLATES)
    return (
        f"{_digest(sources)}:{timezone.get_current_timezone_name()}:{translation.get_language()}"
        f":{settings.MEDIA_URL}"
    )


@lru_cache(maxsize=4)
def _digest(sources):
    from .models import Report

    digest = hashlib.blake2b(digest_size=8)
    for source in sources:
        digest.update(source.encode())
    renditions = getattr(Report._meta.get_field("hero_image"), "renditions", None)
    digest.update(repr(vars(renditions) if renditions else None).encode())
    return digest.hexdigest()


def is_kept(report):
    """Whether ``report``'s card is kept in the cache: not when it shows what a single
    request asked for (a search's highlighted headline)."""
    return not getattr(report, "headline", None)


def card_key(report, level, show_mark, drawn_with=""):
    """The cache key of ``report``'s card (a str) drawn at heading ``level`` with or without
    the "Primary region" mark (``show_mark``): made of every value the card shows, and of
    ``drawn_with`` (what else it depends on; see ``draw_cards``).

    ``report`` comes from ``ReportQuerySet.with_cards()``: its primary region and bylines are
    loaded, so this runs no query.
    """
    image = report.hero_image
    region = report.primary_region
    shown = (
        report.pk,
        report.get_absolute_url(),
        report.title,
        report.summary,
        report.get_kind_display(),
        region.name if region else None,
        [link.author.name for link in report.report_authors.all()],
        report.publish_at.isoformat() if report.publish_at else None,
        (image.name, report.hero_width, report.hero_height) if image else None,
        str(level),
        bool(show_mark and getattr(report, "primary_here", False)),
        drawn_with,
    )
    return "card:" + hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def draw_cards(context, reports, level, show_mark):
    """The HTML of the cards of ``reports`` (an iterable of reports from ``with_cards()``), in
    order: a list of SafeString. Cards kept in the cache are read from it in one round trip;
    the others are drawn with ``context`` (the listing's template context) and stored."""
    reports = list(reports)
    engine = context.template.engine
    drawn_with = _drawn_with(engine)
    keys = [
        card_key(report, level, show_mark, drawn_with) if is_kept(report) else None
        for report in reports
    ]
    found = cache.get_many([key for key in keys if key])
    template = engine.get_template(CARD_TEMPLATE)
    cards, drawn = [], {}
    for report, key in zip(reports, keys, strict=True):
        card = found.get(key) if key else None
        if card is not None:
            card = mark_safe(card)  # noqa: S308 - drawn by the template below, escaped there
        else:
            with context.push(report=report, level=level, show_mark=show_mark):
                card = template.render(context)
            if key:
                drawn[key] = str(card)
        cards.append(card)
    if drawn:
        cache.set_many(drawn, CARD_SECONDS)
    return cards
