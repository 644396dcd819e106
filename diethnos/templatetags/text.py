from django import template

from diethnos.text import normalise_text

register = template.Library()


@register.filter(is_safe=True)
def single_line(value):
    """``value`` as one line of text with only characters XML can carry (see
    ``normalise_text``): for XML written by a template, whatever is stored."""
    return normalise_text(str(value), multiline=False)
