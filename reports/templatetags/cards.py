from django import template

from reports.cards import draw_cards

register = template.Library()


@register.simple_tag(takes_context=True)
def report_cards(context, reports, level=3, show_mark=False):
    """The HTML of each card of ``reports`` (a list of SafeString; see ``reports.cards``), at
    heading ``level``, marking reports primarily in the region when ``show_mark``."""
    return draw_cards(context, reports, level, show_mark)
