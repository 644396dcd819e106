from dataclasses import dataclass

from django import template

from diethnos.renditions import Source

register = template.Library()


@dataclass(frozen=True)
class Picture:
    sources: list  # the <source> elements, best format first
    img: Source  # what the <img> itself offers (JPEG)


@register.simple_tag
def picture_sources(image, fallback=None):
    """What components/picture.html needs to show ``image`` (an image field's file).

    ``fallback``: the width in pixels the ``<img>`` itself should be (the smallest rendition at
    least that wide), or None (or "") for the field's own fallback width.
    Only URLs are computed, from the dimensions recorded on the row: no image file is read and
    the storage is never asked whether a file exists.
    """
    field = image.field
    width = getattr(image.instance, field.width_field) if field.width_field else None
    height = getattr(image.instance, field.height_field) if field.height_field else None
    renditions = getattr(field, "renditions", None)
    if renditions is None:
        return Picture([], Source("", "", image.url, width, height))
    *sources, img = renditions.sources(image, width, height, fallback=fallback or None)
    return Picture(sources, img)
