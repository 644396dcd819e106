"""Images in every mode, bit depth and colour profile give renditions that look like them.

Each image is generated with known colours in stripes across it, uploaded through a form like
the desk's (so it is checked and cleaned as any upload), and then every rendition that was
written (each WebP and JPEG size, and the social-media card) is read back and sampled at the
same stripes. Colours are compared as a reader sees them: in sRGB, with transparent parts
transparent in WebP and white in JPEG.
"""

import struct
import zlib
from dataclasses import dataclass
from io import BytesIO

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, ImageChops, ImageCms

from authors.models import Author
from diethnos import renditions
from diethnos.colours import for_display
from diethnos.renditions import CARD_SPEC, HERO, PORTRAIT
from reports.models import Report

from .admin_forms import report_form_data
from .colour_profiles import display_p3, linear_grey, toy_press_cmyk
from .factories import AuthorFactory, ContributorFactory, EditorFactory, ReportFactory
from .test_images import stored_files
from .test_profile_editing import profile_data

pytestmark = pytest.mark.django_db

SIZE = (192, 128)
# Four stripes, each 32 pixels wide, inside the square crop of author photos; the margins
# repeat the outer stripes. Samples are taken across the middle of each stripe.
STRIPES = [(32, 64), (64, 96), (96, 128), (128, 160)]
SAMPLES = [(left + right) // 2 for left, right in STRIPES]
TOLERANCE = 12  # per channel, for lossy encoding on the way in and out

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
P3 = display_p3()
GREY = linear_grey()
PRESS = toy_press_cmyk()

COLOURS = [(200, 60, 40), (40, 160, 80), (50, 70, 190), (128, 128, 128)]
GREYS = [32, 96, 160, 224]
ALPHAS = [255, 255, 128, 0]


def striped(mode, values, size=SIZE):
    """A ``mode`` image whose stripes hold ``values`` (pixel values of that mode)."""
    image = Image.new(mode, size, values[0])
    for (left, right), value in zip(STRIPES, values, strict=True):
        image.paste(value, (left, 0, right, size[1]))
    image.paste(values[-1], (STRIPES[-1][1], 0, size[0], size[1]))
    return image


def palette_image(colours=COLOURS):
    image = striped("P", [0, 1, 2, 3])
    image.putpalette([channel for colour in colours for channel in colour])
    return image


def encoded(image, image_format, **options):
    buffer = BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def png_16_bit(colour_type, values, size=SIZE):
    """A 16-bit PNG (colour type 0 grey, 2 RGB, 4 grey and alpha, 6 RGBA) of stripes of 8-bit
    ``values`` (tuples), each sample widened to 16 bits (v * 257); Pillow writes no such PNG."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    width, height = size
    image = striped("RGBA", [tuple(v) + (0,) * (4 - len(v)) for v in values], size)
    channels = len(values[0])
    row = b"\0" + b"".join(
        struct.pack(f">{channels}H", *(v * 257 for v in image.getpixel((x, 0))[:channels]))
        for x in range(width)
    )
    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def adobe_cmyk_jpeg(image, **options):
    """A CMYK JPEG as Photoshop writes one (and Pillow): with an Adobe marker, its samples
    stored inverted (0 is full ink)."""
    content = encoded(image, "JPEG", quality=95, **options)
    with Image.open(BytesIO(content)) as written:
        assert written.info["adobe"]
        assert written.getpixel((SAMPLES[0], 0)) == image.getpixel((SAMPLES[0], 0))
    return content


def plain_cmyk_jpeg(image):
    """A CMYK JPEG without an Adobe marker, its samples stored as they are (255 is full ink):
    Pillow's inverted samples of the inverted image, with the marker taken out."""
    content = encoded(ImageChops.invert(image), "JPEG", quality=95)
    position, plain = 2, content[:2]
    while content[position + 1] != 0xDA:  # up to the start of the scan
        length = struct.unpack(">H", content[position + 2 : position + 4])[0]
        if content[position + 1] != 0xEE:  # APP14, the Adobe marker
            plain += content[position : position + 2 + length]
        position += 2 + length
    plain += content[position:]
    with Image.open(BytesIO(plain)) as written:
        assert "adobe" not in written.info
        # Pillow assumes Adobe's convention all the same, and reads it inverted.
        inverted = ImageChops.invert(image)
        assert written.getpixel((SAMPLES[0], 0)) == inverted.getpixel((SAMPLES[0], 0))
    return plain


def opaque(colours):
    return [(*colour, 255) for colour in colours]


def grey(levels, alphas=(255, 255, 255, 255)):
    return [(v, v, v, a) for v, a in zip(levels, alphas, strict=True)]


def with_alpha(colours, alphas=ALPHAS):
    return [(*colour, a) for colour, a in zip(colours, alphas, strict=True)]


@dataclass
class Case:
    """An image file (``make`` returns its bytes) and the sRGB RGBA colour of each stripe."""

    image_format: str
    make: object
    expected: list


P3_COLOURS = [(220, 60, 60), (60, 160, 90), (60, 80, 190), (128, 128, 128)]
P3_IN_SRGB = [(239, 35, 50), (0, 163, 82), (54, 81, 197), (128, 128, 128)]
LINEAR_GREYS_IN_SRGB = [99, 165, 208, 241]  # 32, 96, 160, 224 of linear light
INKS = [(255, 0, 0, 0), (0, 255, 255, 0), (0, 0, 0, 255), (0, 0, 0, 0)]  # C, M+Y, K, none
INKS_NAIVE = [(0, 255, 255), (255, 0, 0), (0, 0, 0), (255, 255, 255)]  # as browsers show them
INKS_ON_THE_PRESS = [(0, 160, 225), (225, 0, 0), (40, 35, 35), (255, 255, 255)]

CASES = {
    # PNG: every mode it carries, with and without transparency and profiles.
    "1-bit PNG": Case(
        "PNG", lambda: encoded(striped("1", [0, 255, 0, 255]), "PNG"), grey([0, 255, 0, 255])
    ),
    "1-bit PNG with a transparent colour": Case(
        "PNG",
        lambda: encoded(striped("1", [0, 255, 0, 255]), "PNG", transparency=0),
        grey([0, 255, 0, 255], [0, 255, 0, 255]),
    ),
    "grey PNG": Case("PNG", lambda: encoded(striped("L", GREYS), "PNG"), grey(GREYS)),
    "grey PNG with a transparent colour": Case(
        "PNG",
        lambda: encoded(striped("L", GREYS), "PNG", transparency=224),
        grey(GREYS, [255, 255, 255, 0]),
    ),
    "grey and alpha PNG": Case(
        "PNG",
        lambda: encoded(striped("LA", list(zip(GREYS, ALPHAS, strict=True))), "PNG"),
        grey(GREYS, ALPHAS),
    ),
    "palette PNG": Case("PNG", lambda: encoded(palette_image(), "PNG"), opaque(COLOURS)),
    "4-bit palette PNG": Case(
        "PNG", lambda: encoded(palette_image(), "PNG", bits=4), opaque(COLOURS)
    ),
    "palette PNG with a transparent colour": Case(
        "PNG",
        lambda: encoded(palette_image(), "PNG", transparency=3),
        with_alpha(COLOURS, [255, 255, 255, 0]),
    ),
    "palette PNG with translucent colours": Case(
        "PNG",
        lambda: encoded(palette_image(), "PNG", transparency=bytes(ALPHAS)),
        with_alpha(COLOURS),
    ),
    "RGB PNG": Case("PNG", lambda: encoded(striped("RGB", COLOURS), "PNG"), opaque(COLOURS)),
    "RGB PNG with a transparent colour": Case(
        "PNG",
        lambda: encoded(striped("RGB", COLOURS), "PNG", transparency=COLOURS[3]),
        with_alpha(COLOURS, [255, 255, 255, 0]),
    ),
    "RGBA PNG": Case(
        "PNG", lambda: encoded(striped("RGBA", with_alpha(COLOURS)), "PNG"), with_alpha(COLOURS)
    ),
    "16-bit grey PNG": Case(
        "PNG", lambda: encoded(striped("I;16", [v * 257 for v in GREYS]), "PNG"), grey(GREYS)
    ),
    "16-bit grey PNG with a transparent colour": Case(
        "PNG",
        lambda: encoded(striped("I;16", [v * 257 for v in GREYS]), "PNG", transparency=224 * 257),
        grey(GREYS, [255, 255, 255, 0]),
    ),
    "16-bit grey and alpha PNG": Case(
        "PNG",
        lambda: png_16_bit(4, list(zip(GREYS, ALPHAS, strict=True))),
        grey(GREYS, ALPHAS),
    ),
    "16-bit RGB PNG": Case("PNG", lambda: png_16_bit(2, COLOURS), opaque(COLOURS)),
    "16-bit RGBA PNG": Case("PNG", lambda: png_16_bit(6, with_alpha(COLOURS)), with_alpha(COLOURS)),
    "RGB PNG with an sRGB profile": Case(
        "PNG", lambda: encoded(striped("RGB", COLOURS), "PNG", icc_profile=SRGB), opaque(COLOURS)
    ),
    "RGB PNG in Display P3": Case(
        "PNG",
        lambda: encoded(striped("RGB", P3_COLOURS), "PNG", icc_profile=P3),
        opaque(P3_IN_SRGB),
    ),
    "RGBA PNG in Display P3": Case(
        "PNG",
        lambda: encoded(striped("RGBA", with_alpha(P3_COLOURS)), "PNG", icc_profile=P3),
        with_alpha(P3_IN_SRGB),
    ),
    "palette PNG in Display P3": Case(
        "PNG",
        lambda: encoded(palette_image(P3_COLOURS), "PNG", icc_profile=P3),
        opaque(P3_IN_SRGB),
    ),
    "grey PNG with a linear grey profile": Case(
        "PNG",
        lambda: encoded(striped("L", GREYS), "PNG", icc_profile=GREY),
        grey(LINEAR_GREYS_IN_SRGB),
    ),
    "grey and alpha PNG with a linear grey profile": Case(
        "PNG",
        lambda: encoded(
            striped("LA", list(zip(GREYS, ALPHAS, strict=True))), "PNG", icc_profile=GREY
        ),
        grey(LINEAR_GREYS_IN_SRGB, ALPHAS),
    ),
    "16-bit grey PNG with a linear grey profile": Case(
        "PNG",
        lambda: encoded(striped("I;16", [v * 257 for v in GREYS]), "PNG", icc_profile=GREY),
        grey(LINEAR_GREYS_IN_SRGB),
    ),
    # JPEG: grey, RGB and CMYK (which Pillow writes as Adobe does, inverted).
    "grey JPEG": Case(
        "JPEG", lambda: encoded(striped("L", GREYS), "JPEG", quality=95), grey(GREYS)
    ),
    "RGB JPEG": Case(
        "JPEG", lambda: encoded(striped("RGB", COLOURS), "JPEG", quality=95), opaque(COLOURS)
    ),
    "RGB JPEG with an sRGB profile": Case(
        "JPEG",
        lambda: encoded(striped("RGB", COLOURS), "JPEG", quality=95, icc_profile=SRGB),
        opaque(COLOURS),
    ),
    "RGB JPEG in Display P3": Case(
        "JPEG",
        lambda: encoded(striped("RGB", P3_COLOURS), "JPEG", quality=95, icc_profile=P3),
        opaque(P3_IN_SRGB),
    ),
    "grey JPEG with an sRGB profile": Case(
        "JPEG",
        lambda: encoded(striped("L", GREYS), "JPEG", quality=95, icc_profile=SRGB),
        grey(GREYS),
    ),
    "grey JPEG in Display P3": Case(
        "JPEG",
        lambda: encoded(striped("L", GREYS), "JPEG", quality=95, icc_profile=P3),
        grey(GREYS),
    ),
    "grey JPEG with a linear grey profile": Case(
        "JPEG",
        lambda: encoded(striped("L", GREYS), "JPEG", quality=95, icc_profile=GREY),
        grey(LINEAR_GREYS_IN_SRGB),
    ),
    "Adobe (inverted) CMYK JPEG without a profile": Case(
        "JPEG", lambda: adobe_cmyk_jpeg(striped("CMYK", INKS)), opaque(INKS_NAIVE)
    ),
    "plain (not inverted) CMYK JPEG without a profile": Case(
        "JPEG", lambda: plain_cmyk_jpeg(striped("CMYK", INKS)), opaque(INKS_NAIVE)
    ),
    "CMYK JPEG with a press profile": Case(
        "JPEG",
        lambda: adobe_cmyk_jpeg(striped("CMYK", INKS), icc_profile=PRESS),
        opaque(INKS_ON_THE_PRESS),
    ),
    # WebP and AVIF: RGB, RGBA and (AVIF) grey.
    "RGB WebP": Case(
        "WEBP", lambda: encoded(striped("RGB", COLOURS), "WEBP", quality=95), opaque(COLOURS)
    ),
    "RGBA WebP": Case(
        "WEBP",
        lambda: encoded(striped("RGBA", with_alpha(COLOURS)), "WEBP", lossless=True),
        with_alpha(COLOURS),
    ),
    "RGB WebP in Display P3": Case(
        "WEBP",
        lambda: encoded(striped("RGB", P3_COLOURS), "WEBP", quality=95, icc_profile=P3),
        opaque(P3_IN_SRGB),
    ),
    "RGB AVIF": Case(
        "AVIF", lambda: encoded(striped("RGB", COLOURS), "AVIF", quality=95), opaque(COLOURS)
    ),
    "RGBA AVIF": Case(
        "AVIF",
        lambda: encoded(striped("RGBA", with_alpha(COLOURS)), "AVIF", quality=95),
        with_alpha(COLOURS),
    ),
    "grey AVIF": Case(
        "AVIF", lambda: encoded(striped("L", GREYS), "AVIF", quality=95), grey(GREYS)
    ),
    "RGB AVIF in Display P3": Case(
        "AVIF",
        lambda: encoded(striped("RGB", P3_COLOURS), "AVIF", quality=95, icc_profile=P3),
        opaque(P3_IN_SRGB),
    ),
}

EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "AVIF": "avif"}


class HeroImageForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["hero_image", "hero_alt"]


class PhotoForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["photo", "photo_alt"]


def upload(name, content):
    return SimpleUploadedFile(name, content)


def upload_hero(upload_file):
    """Upload ``upload_file`` as a report's hero image; return the form and the report."""
    report = ReportFactory()
    form = HeroImageForm(
        {"hero_alt": "Test stripes."}, {"hero_image": upload_file}, instance=report
    )
    if form.is_valid():
        form.save()
    return form, report


def rendition_x(spec_id, source_size, rendition_size, x):
    """Where column ``x`` of the source lands across a rendition made by ``spec_id``."""
    width, height = source_size
    rendered_width, rendered_height = rendition_size
    if spec_id == CARD_SPEC:  # cropped to the card's shape around the centre, then resized
        crop_width = min(width, height * rendered_width / rendered_height)
        return (x + 0.5 - (width - crop_width) / 2) * rendered_width / crop_width - 0.5
    if ":square-" in spec_id:
        side = min(width, height)
        return (x + 0.5 - (width - side) // 2) * rendered_width / side - 0.5
    return (x + 0.5) * rendered_width / width - 0.5


def seen_on_white(colour):
    """An RGBA colour as a JPEG shows it: over white."""
    *rgb, alpha = colour
    return tuple(round(c * alpha / 255 + 255 * (1 - alpha / 255)) for c in rgb) + (255,)


def differences(image_file, spec_ids, samples, tolerance=TOLERANCE):
    """Every rendition of ``image_file`` (a stored FieldFile) by ``spec_ids``, sampled at
    ``samples`` ({source x: expected sRGB RGBA}); returns what differs, as readable lines."""
    found = []
    source_size = image_file_size(image_file)
    for spec_id in spec_ids:
        path = image_file.storage.path(renditions.url(spec_id, image_file).removeprefix("/media/"))
        with Image.open(path) as rendition:
            rendition.load()
        size = rendition.size
        is_jpeg = rendition.format == "JPEG"
        if rendition.mode not in (("RGB",) if is_jpeg else ("RGB", "RGBA")):
            found.append(f"{spec_id}: mode {rendition.mode}")
        if rendition.info.get("icc_profile"):
            found.append(f"{spec_id}: carries a colour profile; renditions are plain sRGB")
        pixels = rendition.convert("RGBA")
        visible = 0
        for x, expected in samples.items():
            rx = round(rendition_x(spec_id, source_size, size, x))
            if not 2 <= rx < size[0] - 2:
                continue
            visible += 1
            got = pixels.getpixel((rx, size[1] // 2))
            want = seen_on_white(expected) if is_jpeg else expected
            if want[3] == 0:
                matches = got[3] <= tolerance
            else:
                matches = all(abs(g - w) <= tolerance for g, w in zip(got, want, strict=True))
            if not matches:
                found.append(f"{spec_id} at x={x}: {got}, expected {want}")
        if visible < 2:
            found.append(f"{spec_id}: only {visible} samples visible")
    return found


def image_file_size(image_file):
    with image_file.storage.open(image_file.name) as file, Image.open(file) as stored:
        return stored.size


@pytest.mark.parametrize("name", CASES)
def test_every_rendition_of_a_hero_image_looks_like_the_original(name):
    case = CASES[name]
    form, report = upload_hero(upload(f"stripes.{EXTENSIONS[case.image_format]}", case.make()))
    assert form.is_valid(), form.errors
    report.refresh_from_db()
    samples = dict(zip(SAMPLES, case.expected, strict=True))
    assert differences(report.hero_image, HERO.spec_ids, samples) == []


@pytest.mark.parametrize(
    "name",
    [
        "16-bit grey PNG",
        "grey and alpha PNG",
        "palette PNG with a transparent colour",
        "RGBA PNG in Display P3",
        "CMYK JPEG with a press profile",
        "RGB AVIF",
    ],
)
def test_every_rendition_of_an_author_photo_looks_like_the_original(name):
    case = CASES[name]
    author = AuthorFactory()
    uploaded = upload(f"me.{EXTENSIONS[case.image_format]}", case.make())
    form = PhotoForm({"photo_alt": "Test stripes."}, {"photo": uploaded}, instance=author)
    assert form.is_valid(), form.errors
    form.save()
    author.refresh_from_db()
    samples = dict(zip(SAMPLES, case.expected, strict=True))
    assert differences(author.photo, PORTRAIT.spec_ids, samples) == []


def grey_gradient_16_bit(width=256, height=128):
    """A black-to-white gradient across a 16-bit grey PNG: column x is x * 257 (8-bit x)."""
    image = Image.new("I;16", (width, height))
    image.putdata([x * 65535 // (width - 1) for x in range(width)] * height)
    return encoded(image, "PNG")


def test_a_16_bit_grey_gradient_keeps_its_greys_in_every_rendition(client):
    client.force_login(EditorFactory())
    gradient = SimpleUploadedFile("gradient.png", grey_gradient_16_bit(), "image/png")
    with Image.open(BytesIO(gradient.read())) as original:
        assert original.mode == "I;16"
    gradient.seek(0)
    data = {**report_form_data(), "hero_image": gradient, "hero_alt": "A gradient."}
    response = client.post(reverse("admin:reports_report_add"), data)
    assert response.status_code == 302
    report = Report.objects.get()
    samples = {x: (x, x, x, 255) for x in (32, 64, 128, 192)}
    assert differences(report.hero_image, HERO.spec_ids, samples, tolerance=6) == []


PROFILE_REFUSED = (
    "The colour profile embedded in this image cannot be used, so its colours cannot be "
    "shown as they are meant. Export it again with an sRGB profile."
)


@pytest.mark.parametrize(
    "name, content",
    [
        ("damaged.png", lambda: encoded(striped("RGB", COLOURS), "PNG", icc_profile=b"x" * 200)),
        ("cmyk-profile.jpg", lambda: encoded(striped("RGB", COLOURS), "JPEG", icc_profile=PRESS)),
        ("grey-profile.webp", lambda: encoded(striped("RGB", COLOURS), "WEBP", icc_profile=GREY)),
        ("rgb-profile.jpg", lambda: encoded(striped("CMYK", INKS), "JPEG", icc_profile=P3)),
    ],
)
def test_an_image_whose_colour_profile_cannot_be_used_is_refused_with_a_message(
    name, content, settings
):
    form, report = upload_hero(upload(name, content()))
    assert form.errors["hero_image"] == [PROFILE_REFUSED]
    report.refresh_from_db()
    assert not report.hero_image
    assert stored_files(settings) == []


def test_a_photo_with_an_unusable_colour_profile_is_refused_on_the_profile_page(client, settings):
    author = AuthorFactory(user=ContributorFactory())
    client.force_login(author.user)
    data = profile_data(author, photo_alt="Me.")
    data["photo"] = upload(
        "me.jpg", encoded(striped("RGB", COLOURS), "JPEG", icc_profile=b"x" * 200)
    )
    response = client.post(reverse("profile"), data)
    assert response.status_code == 200
    assert PROFILE_REFUSED in response.content.decode()
    author.refresh_from_db()
    assert not author.photo
    assert stored_files(settings) == []


def stored_original(image_file):
    with image_file.storage.open(image_file.name) as file, Image.open(file) as stored:
        stored.load()
        return stored


@pytest.mark.parametrize("name", CASES)
def test_the_stored_original_keeps_its_mode_transparency_profile_and_pixels(name):
    case = CASES[name]
    content = case.make()
    form, report = upload_hero(upload(f"stripes.{EXTENSIONS[case.image_format]}", content))
    assert form.is_valid(), form.errors
    report.refresh_from_db()
    stored = stored_original(report.hero_image)
    with Image.open(BytesIO(content)) as original:
        original.load()
    assert (stored.format, stored.mode, stored.size) == (original.format, original.mode, SIZE)
    assert stored.info.get("transparency") == original.info.get("transparency")
    assert stored.info.get("icc_profile") == original.info.get("icc_profile")
    if original.mode == "CMYK" and "adobe" not in original.info:
        original = ImageChops.invert(original)  # Pillow reads it as inverted, as Adobe's are
    if stored.mode == "P":
        assert stored.getpalette() == original.getpalette()
    lossless = case.image_format == "PNG"
    for x in SAMPLES:
        got, want = stored.getpixel((x, 64)), original.getpixel((x, 64))
        if lossless:
            assert got == want
        else:
            assert all(
                abs(g - w) <= TOLERANCE for g, w in zip(bands(got), bands(want), strict=True)
            ), x


def bands(pixel):
    return pixel if isinstance(pixel, tuple) else (pixel,)


def turned(content, orientation=6):
    """``content`` (PNG bytes) saved again with an EXIF orientation: turn 90° clockwise."""
    with Image.open(BytesIO(content)) as image:
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        return encoded(
            image,
            "PNG",
            exif=exif,
            **{key: image.info[key] for key in ("transparency",) if key in image.info},
        )


@pytest.mark.parametrize(
    "name", ["palette PNG with a transparent colour", "16-bit grey PNG", "grey and alpha PNG"]
)
def test_an_image_turned_upright_keeps_its_mode_and_transparency(name):
    case = CASES[name]
    form, report = upload_hero(upload("turned.png", turned(case.make())))
    assert form.is_valid(), form.errors
    report.refresh_from_db()
    stored = stored_original(report.hero_image)
    assert stored.size == (SIZE[1], SIZE[0])
    assert not stored.getexif()
    with Image.open(BytesIO(case.make())) as original:
        assert stored.mode == original.mode
        assert stored.info.get("transparency") == original.info.get("transparency")
    # The stripes now run down the image, the first at the top.
    shown = for_display(stored).convert("RGBA")
    for y, colour in zip(SAMPLES, case.expected, strict=True):
        got = shown.getpixel((SIZE[1] // 2, y))
        if colour[3] == 0:
            assert got[3] == 0
        else:
            assert all(abs(g - w) <= 1 for g, w in zip(got, colour, strict=True)), (y, got)


EVERY_MODE = {
    # mode: (a pixel value in that mode, the sRGB RGBA colour it is)
    "1": (1, (255, 255, 255, 255)),
    "CMYK": ((0, 255, 255, 0), (255, 0, 0, 255)),
    "F": (0.5, (128, 128, 128, 255)),  # floating point from 0.0 to 1.0
    "HSV": ((0, 255, 255), (255, 0, 0, 255)),
    "I": (32896, (128, 128, 128, 255)),  # 16-bit samples
    "I;16": (32896, (128, 128, 128, 255)),
    "I;16B": (32896, (128, 128, 128, 255)),
    "I;16L": (32896, (128, 128, 128, 255)),
    "I;16N": (32896, (128, 128, 128, 255)),
    "L": (77, (77, 77, 77, 255)),
    "LA": ((77, 128), (77, 77, 77, 128)),
    "La": ((38, 128), (76, 76, 76, 128)),  # premultiplied
    "LAB": ((138, 209, 198), (255, 0, 0, 255)),  # CIE L*a*b* of sRGB red
    "P": (1, (40, 160, 80, 255)),
    "PA": ((1, 128), (40, 160, 80, 128)),
    "RGB": ((200, 60, 40), (200, 60, 40, 255)),
    "RGBA": ((200, 60, 40, 128), (200, 60, 40, 128)),
    "RGBa": ((100, 30, 20, 128), (199, 60, 40, 128)),  # premultiplied
    "RGBX": ((200, 60, 40, 0), (200, 60, 40, 255)),
    "YCbCr": ((76, 85, 255), (255, 0, 0, 255)),
}


def test_every_mode_pillow_has_is_covered():
    assert set(EVERY_MODE) == set(Image.MODES)


@pytest.mark.parametrize("mode", EVERY_MODE)
def test_every_mode_is_shown_as_8_bit_srgb(mode):
    value, expected = EVERY_MODE[mode]
    image = Image.new(mode, (4, 2), value)
    if mode in ("P", "PA"):
        image.putpalette([channel for colour in COLOURS for channel in colour])
    shown = for_display(image)
    assert shown.mode == ("RGBA" if expected[3] < 255 else "RGB")
    got = shown.convert("RGBA").getpixel((1, 1))
    assert all(abs(g - w) <= 6 for g, w in zip(got, expected, strict=True)), got
