"""How any image Pillow opens is brought to the colours a browser shows: 8-bit sRGB.

Renditions carry no colour profile: a browser, a feed reader or a social network shows an
untagged image as sRGB. So every rendition is converted to sRGB from the colours the original
declares (its embedded ICC profile, converted with littleCMS through ``PIL.ImageCms``), and
whatever the image's mode or bit depth becomes 8-bit RGB, or RGBA when it has transparency.

This is done in two steps, ``eight_bit`` then ``in_srgb``, so that renditions can be resized in
between: converting colours is the slow part, and is then done on the rendition's pixels, not
on every pixel of a large original once per rendition.
"""

from io import BytesIO

from PIL import Image, ImageCms, ImageMath

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
LAB = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))  # CIE L*a*b*, D50 white

# The 8-bit modes an image's colour (alpha aside) is in when it is converted to sRGB.
CMS_MODES = {"L", "RGB", "CMYK", "LAB"}
# The mode an image's colour must be in for a profile of each ICC colour space.
PROFILE_MODES = {"GRAY": "L", "RGB": "RGB", "CMYK": "CMYK"}
# Modes that hold their colour and an alpha band together, and the plain mode of their colour.
WITH_ALPHA = {"LA": "L", "La": "L", "RGBA": "RGB", "RGBa": "RGB", "PA": "RGB"}
# Premultiplied alpha and palettes with alpha, and the mode they are split from.
STRAIGHT_ALPHA = {"La": "LA", "RGBa": "RGBA", "PA": "RGBA"}
# Modes of more than 8 bits per sample, and the factor to 8 bits: 16-bit integers (PNG's
# 16-bit greys; 32-bit "I" only arrives from them) and floating point from 0.0 (black) to 1.0.
WIDE_MODES = {
    "I;16": 1 / 257,
    "I;16B": 1 / 257,
    "I;16L": 1 / 257,
    "I;16N": 1 / 257,
    "I": 1 / 257,
    "F": 255,
}


class UnusableProfile(ValueError):
    """The image's embedded colour profile cannot be read, or does not fit its colours."""


def for_display(image, *, strict=False):
    """``image`` (a PIL image of any mode) as 8-bit sRGB: mode RGB, or RGBA if any pixel is
    not fully opaque (alpha not premultiplied). ``in_srgb(eight_bit(image), profile)``."""
    return in_srgb(eight_bit(image), image.info.get("icc_profile"), strict=strict)


def check_displayable(image):
    """Raise ``UnusableProfile`` unless ``for_display`` can show ``image``'s colours as they
    are meant. Converts a single pixel, with the same profile and mode, so it is quick."""
    for_display(image.crop((0, 0, 1, 1)), strict=True)


def eight_bit(image):
    """``image`` (any mode) with 8 bits a sample, in mode L, LA, RGB, RGBA, CMYK or LAB, and
    its ``info`` (colour profile included) kept. Wider samples are scaled down, not clipped;
    palettes are resolved; a transparent colour (PNG tRNS) becomes alpha; premultiplied alpha
    is made straight. Resizing and cropping work alike on all of these modes."""
    image.load()
    colour, alpha = split_alpha(image)
    colour = narrowed(colour)
    if alpha is not None:
        colour = Image.merge(colour.mode + "A", [*colour.split(), alpha])
    colour.info = {key: value for key, value in image.info.items() if key != "transparency"}
    return colour


def in_srgb(image, icc_profile, *, strict=False):
    """``image`` (a mode ``eight_bit`` returns) converted to sRGB, RGB or RGBA (when any pixel
    is not fully opaque).

    ``icc_profile`` (bytes or None) is the profile embedded in the original (Pillow's
    ``info["icc_profile"]``), passed on as crops and resizes may drop ``info``. When there is
    one, it says what the colours are; without one, RGB is taken as sRGB and CMYK is converted
    as browsers show it. A profile that cannot be used is ignored as browsers ignore it, unless
    ``strict``: then ``UnusableProfile`` is raised.
    """
    alpha = None
    colour = image
    if image.mode in ("LA", "RGBA"):
        *bands, alpha = image.split()
        colour = Image.merge(image.mode[:-1], bands)
    shown = to_srgb(colour, icc_profile, strict=strict)
    if alpha is not None and alpha.getextrema() != (255, 255):
        shown.putalpha(alpha)
    return shown


def split_alpha(image):
    """(colour, alpha) of ``image``: alpha is an "L" band, or None when it has none. Palette
    images are resolved to their colours; a transparent colour (PNG tRNS) becomes alpha."""
    if image.mode in WIDE_MODES:
        if "transparency" not in image.info:
            return image, None
        key = image.info["transparency"]
        samples = image if image.mode == "F" else image.convert("I")
        equal = ImageMath.lambda_eval(lambda a: a["equal"](a["image"], key), image=samples)
        return image, equal.convert("L").point(lambda v: 0 if v else 255)
    if image.has_transparency_data and image.mode in ("1", "L", "P", "RGB"):
        image = image.convert("LA" if image.mode in ("1", "L") else "RGBA")
    elif image.mode in ("1", "P"):
        return image.convert("L" if image.mode == "1" else "RGB"), None
    if image.mode not in WITH_ALPHA:
        return image, None
    *bands, alpha = image.convert(STRAIGHT_ALPHA.get(image.mode, image.mode)).split()
    return Image.merge(WITH_ALPHA[image.mode], bands), alpha


def narrowed(image):
    """``image`` (without alpha) in a mode of 8 bits per sample: wider samples are scaled
    down, not clipped; modes littleCMS does not take become RGB."""
    if image.mode in WIDE_MODES:
        scale = WIDE_MODES[image.mode]
        source = image if image.mode == "F" else image.convert("I")
        return source.point(lambda v: v * scale + 0.5).convert("L")
    if image.mode not in CMS_MODES:
        return image.convert("RGB")  # YCbCr, HSV, RGBX: defined without a profile
    return image


def to_srgb(image, icc_profile, *, strict):
    """``image`` (an 8-bit mode in ``CMS_MODES``) converted to sRGB RGB from ``icc_profile``
    (bytes or None)."""
    if image.mode == "LAB":
        return convert(image, LAB)
    if not icc_profile:
        return image.convert("RGB")
    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc_profile))
        profile_mode = PROFILE_MODES.get(source.profile.xcolor_space.strip())
        if image.mode == "L" and profile_mode == "RGB":
            image = image.convert("RGB")  # a grey image some tools leave with an RGB profile
        if image.mode != profile_mode:
            raise UnusableProfile(f"a {profile_mode or 'foreign'} profile in a {image.mode} image")
        return convert(image, source)
    except (ImageCms.PyCMSError, OSError, ValueError) as error:  # UnusableProfile too
        if strict:
            raise UnusableProfile(f"the colour profile cannot be used: {error}") from error
        return image.convert("RGB")  # as browsers show it


def convert(image, source):
    """``image`` converted from the ``source`` profile (ImageCmsProfile) to sRGB RGB."""
    return ImageCms.profileToProfile(
        image, source, SRGB, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB"
    )
