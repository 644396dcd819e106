"""The sizes images are published in, made with django-imagekit when an image is saved.

An image field names its ``Renditions`` (``ValidatedImageField(renditions=...)``). Each size is
an imagekit spec with the "Optimistic" cache file strategy: every rendition is written when the
source image is saved, and looking up its URL never asks the storage whether it exists. Pages
therefore only compute URLs; they never read or check image files.

Every spec brings the image to 8 bits a sample, crops and resizes it and converts it to sRGB
(``InSRGB``; see ``diethnos.colours``), and flattens JPEG renditions onto white (``OnWhite``:
JPEG has no transparency), so that pilkit's own conversion before saving only meets RGB, or
RGBA for WebP, which it leaves alone. Renditions carry no colour profile: they are sRGB.
"""

from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from imagekit import ImageSpec, register
from imagekit.cachefiles import ImageCacheFile
from imagekit.registry import generator_registry
from imagekit.specs.sourcegroups import ImageFieldSourceGroup
from PIL import Image, ImageOps
from pilkit.processors import ProcessorPipeline, ResizeToFit

from diethnos.colours import eight_bit, in_srgb

FORMATS = ("WEBP", "JPEG")  # WebP for browsers that take it, JPEG for the rest
OPTIONS = {"WEBP": {"quality": 80}, "JPEG": {"quality": 82, "optimize": True, "progressive": True}}
CARD_SIZE = (1200, 630)  # the Open Graph card


class InSRGB:
    """Bring the image to 8 bits a sample, run ``processors`` (its crop and resize) on that,
    and convert the result to sRGB from the original's colour profile: the colours are
    converted on the rendition's pixels, not on every pixel of a large original."""

    def __init__(self, *processors):
        self.processors = ProcessorPipeline(processors)

    def process(self, image):
        icc_profile = image.info.get("icc_profile")
        return in_srgb(self.processors.process(eight_bit(image)), icc_profile)


class OnWhite:
    """Transparent parts over white, for formats without transparency: RGBA becomes RGB."""

    def process(self, image):
        if image.mode != "RGBA":
            return image
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image.convert("RGB"), mask=image.getchannel("A"))
        return flat


FINISH = {"WEBP": [], "JPEG": [OnWhite()]}  # the last processors, per format


class SquareCrop:
    """Crop the largest square: centred across, a third of the way down (where faces are)."""

    def process(self, image):
        width, height = image.size
        side = min(width, height)
        left = (width - side) // 2
        top = (height - side) // 3
        return image.crop((left, top, left + side, top + side))


class Fill:
    """Resize and crop to exactly ``width`` x ``height``, keeping the centre. Unlike pilkit's
    ResizeToFill, which pastes onto an RGBA canvas, it keeps the image's mode (grey or CMYK
    still to be converted with their colour profile)."""

    def __init__(self, width, height):
        self.size = (width, height)

    def process(self, image):
        return ImageOps.fit(image, self.size, Image.Resampling.LANCZOS)


_specs = {}


def spec(spec_id, processors, image_format):
    """Register (once) and return the id of an imagekit spec: ``processors`` (the crop and
    resize) within ``InSRGB``, then the format's ``FINISH``."""
    if spec_id not in _specs:
        attrs = {
            "processors": [InSRGB(*processors), *FINISH[image_format]],
            "format": image_format,
            "options": OPTIONS[image_format],
            "cachefile_strategy": "imagekit.cachefiles.strategies.Optimistic",
        }
        _specs[spec_id] = type(f"Rendition[{spec_id}]", (ImageSpec,), attrs)
        register.generator(spec_id, _specs[spec_id])
    return spec_id


def size_spec(size, image_format, *, square):
    """The spec of a rendition ``size`` pixels wide (and high, when ``square``)."""
    if square:
        processors = [SquareCrop(), ResizeToFit(size, size, upscale=False)]
    else:
        processors = [ResizeToFit(width=size, upscale=False)]
    shape = "square" if square else "width"
    return spec(f"diethnos:{shape}-{size}-{image_format.lower()}", processors, image_format)


CARD_SPEC = spec("diethnos:card", [Fill(*CARD_SIZE)], "JPEG")


def url(spec_id, source):
    """The URL of a rendition, computed without touching storage."""
    return ImageCacheFile(generator_registry.get(spec_id, source=source)).url


@dataclass(frozen=True)
class Source:
    """One ``<source>`` (or the ``<img>``): a format's srcset and the fallback's size."""

    image_format: str
    srcset: str
    src: str
    width: int | None
    height: int | None

    @property
    def mime_type(self):
        return f"image/{self.image_format.lower()}"


class Renditions:
    """A set of widths an image is published in, cropped square when ``square``.

    ``fallback`` is the width the ``<img src>`` gets, for browsers without srcset.
    """

    def __init__(self, sizes, *, fallback, square=False):
        self.sizes = tuple(sorted(sizes))
        self.fallback = fallback
        self.square = square
        self.spec_ids = [
            size_spec(size, image_format, square=square)
            for image_format in FORMATS
            for size in self.sizes
        ] + [CARD_SPEC]

    def register_source(self, model, field_name):
        source_group = ImageFieldSourceGroup(model, field_name)
        for spec_id in self.spec_ids:
            register.source_group(spec_id, source_group)

    def generate(self, image, force=False):
        """Write the missing renditions of ``image``, or all of them again when ``force``.

        Returns how many were written. (Done by itself when the image is saved.)
        """
        written = 0
        for spec_id in self.spec_ids:
            file = ImageCacheFile(generator_registry.get(spec_id, source=image))
            if force:
                # Storage never overwrites: it would save under a new name that nothing serves.
                file.storage.delete(file.name)
            elif file.storage.exists(file.name):
                continue
            file.generate(force=True)
            written += 1
        return written

    def rendered_sizes(self, width, height):
        """(size, width, height) of each distinct rendition of a ``width`` x ``height`` image,
        smallest first. Sizes the image is too small for come out at its own size (nothing is
        enlarged), so only the first of them is listed. Unknown dimensions: nominal sizes."""
        if not (width and height):
            return [(size, size, size if self.square else None) for size in self.sizes]
        rendered = {}
        for size in self.sizes:
            if self.square:
                side = min(size, width, height)
                rendered.setdefault(side, (size, side, side))
            else:
                w = min(size, width)
                rendered.setdefault(w, (size, w, round(height * w / width)))
        return list(rendered.values())

    def sources(self, image, width, height, fallback=None):
        """The ``Source`` per format (WebP first) for a ``<picture>`` of ``image``; its ``src``
        is the smallest rendition at least ``fallback`` pixels wide (default: ``self.fallback``).
        """
        wanted = fallback or self.fallback
        rendered = self.rendered_sizes(width, height)
        fallback = next((r for r in rendered if r[0] >= wanted), rendered[-1])
        sources = []
        for image_format in FORMATS:
            spec_ids = {
                size: size_spec(size, image_format, square=self.square) for size in self.sizes
            }
            srcset = ", ".join(f"{url(spec_ids[size], image)} {w}w" for size, w, _ in rendered)
            src = url(spec_ids[fallback[0]], image)
            sources.append(Source(image_format, srcset, src, fallback[1], fallback[2]))
        return sources

    @staticmethod
    def card_url(image):
        """The absolute URL of the 1200x630 Open Graph card of ``image``, or ""."""
        if not image:
            return ""
        return urljoin(settings.SITE_URL + "/", url(CARD_SPEC, image))


HERO = Renditions((480, 800, 1200, 1600), fallback=800)
PORTRAIT = Renditions((96, 192, 400), fallback=192, square=True)
