"""Pictures for the demo content, drawn with Pillow: locator maps and monogram portraits.

The functions take plain values (no database) and return JPEG bytes.
"""

import colorsys
import hashlib
import math
from functools import lru_cache
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

MAP_SIZE = (1600, 900)
PORTRAIT_SIZE = (800, 800)
# Shapes are drawn at twice the size and scaled down, which smooths their edges.
SUPERSAMPLE = 2
JPEG_OPTIONS = {"quality": 90}

# Equirectangular: longitude and latitude map straight to x and y. The frame runs from 80°N to
# 60°S with a taller latitude scale (standard parallels near 44°), so the world fills 16:9.
MARGIN = 40
NORTH, SOUTH = 80, -60

OCEAN = (236, 240, 243)
GRATICULE = (222, 228, 234)
LAND = (160, 175, 188)
AREA = (104, 134, 160)
MARKED = (214, 137, 38)
PRIMARY = (188, 48, 40)
INK = (28, 38, 48)
LABEL = (255, 255, 255)

# Dot radii, at the final size.
DOT, AREA_DOT, MARKED_DOT, PRIMARY_DOT, RING = 4, 5, 7, 8, 20
RINGED_AT_MOST = 6  # more highlighted countries than this: no rings, they would merge


def project(latitude, longitude):
    """The (x, y) of a point on the map, at the final size."""
    longitude = (longitude + 180) % 360 - 180
    width, height = MAP_SIZE
    x = MARGIN + (longitude + 180) / 360 * (width - 2 * MARGIN)
    y = MARGIN + (NORTH - latitude) / (NORTH - SOUTH) * (height - 2 * MARGIN)
    return x, y


def _in_frame(point):
    return SOUTH <= point[0] <= NORTH


def _dot(draw, xy, radius, fill=None, outline=None, width=0):
    x, y = (v * SUPERSAMPLE for v in xy)
    r = radius * SUPERSAMPLE
    draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=width)


def _line(draw, start, end):
    draw.line(
        [tuple(v * SUPERSAMPLE for v in start), tuple(v * SUPERSAMPLE for v in end)],
        fill=GRATICULE,
        width=SUPERSAMPLE,
    )


@lru_cache(maxsize=2)
def _base_map(countries):
    """The background, graticule and a dot per country, at the supersampled size."""
    size = tuple(v * SUPERSAMPLE for v in MAP_SIZE)
    image = Image.new("RGB", size, OCEAN)
    draw = ImageDraw.Draw(image)
    left, top = MARGIN, MARGIN
    right, bottom = MAP_SIZE[0] - MARGIN, MAP_SIZE[1] - MARGIN
    for longitude in range(-180, 181, 30):
        x = left + (longitude + 180) / 360 * (right - left)
        _line(draw, (x, top), (x, bottom))
    for latitude in range(-60, NORTH + 1, 30):
        y = project(latitude, 0)[1]
        _line(draw, (left, y), (right, y))
    for point in filter(_in_frame, countries):
        _dot(draw, project(*point), DOT, fill=LAND)
    return image


def _centre(points):
    """The middle of ``points`` on the map (longitudes averaged round the globe)."""
    latitude = sum(p[0] for p in points) / len(points)
    longitude = math.degrees(
        math.atan2(
            sum(math.sin(math.radians(p[1])) for p in points),
            sum(math.cos(math.radians(p[1])) for p in points),
        )
    )
    return project(latitude, longitude)


def _label(draw, text, points):
    """Write ``text`` by the highlighted ``points``: beside a single one (right, else left),
    under a group of them (else above)."""
    font = ImageFont.load_default(size=34 * SUPERSAMPLE)
    pad_x, pad_y = 14 * SUPERSAMPLE, 9 * SUPERSAMPLE
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    box_w, box_h = right - left + 2 * pad_x, bottom - top + 2 * pad_y
    width, height = (v * SUPERSAMPLE for v in MAP_SIZE)
    xs = [project(*p)[0] * SUPERSAMPLE for p in points]
    ys = [project(*p)[1] * SUPERSAMPLE for p in points]
    cx, cy = (v * SUPERSAMPLE for v in _centre(points))
    edge = 12 * SUPERSAMPLE
    if len(set(points)) == 1:
        gap = (RING + 10) * SUPERSAMPLE
        x = xs[0] + gap if xs[0] + gap + box_w <= width - edge else xs[0] - gap - box_w
        y = cy - box_h / 2
    else:
        gap = (PRIMARY_DOT + 12) * SUPERSAMPLE
        x = cx - box_w / 2
        y = max(ys) + gap if max(ys) + gap + box_h <= height - edge else min(ys) - gap - box_h
    x = min(max(x, edge), width - edge - box_w)
    y = min(max(y, edge), height - edge - box_h)
    draw.rounded_rectangle(
        (x, y, x + box_w, y + box_h), radius=box_h / 4, fill=INK, outline=LABEL, width=SUPERSAMPLE
    )
    draw.text((x + pad_x - left, y + pad_y - top), text, font=font, fill=LABEL)


def locator_map(countries, primary, label, marked=(), area=()):
    """A 1600x900 JPEG dot map of the world: a dot per country in ``countries``, the ``area``
    countries tinted, the ``marked`` ones highlighted and the ``primary`` ones (ringed, when
    few) highlighted strongly and labelled ``label``.

    Every country is a (latitude, longitude) pair.
    """
    image = _base_map(tuple(countries)).copy()
    draw = ImageDraw.Draw(image)
    primary = [p for p in primary if _in_frame(p)]
    for point in filter(_in_frame, area):
        _dot(draw, project(*point), AREA_DOT, fill=AREA)
    for point in filter(_in_frame, marked):
        _dot(draw, project(*point), MARKED_DOT, fill=MARKED, outline=OCEAN, width=SUPERSAMPLE)
    for point in primary:
        if len(primary) <= RINGED_AT_MOST:
            _dot(draw, project(*point), RING, outline=PRIMARY, width=3 * SUPERSAMPLE)
        _dot(draw, project(*point), PRIMARY_DOT, fill=PRIMARY, outline=OCEAN, width=SUPERSAMPLE)
    if primary:
        _label(draw, label, primary)
    return _jpeg(image.reduce(SUPERSAMPLE))


def initials(name):
    """ "Mei-Ling Chua" -> "MC", "Nikolas" -> "N"."""
    words = name.split()
    return "".join(word[0] for word in (words[:1] + words[1:][-1:])).upper()


def name_colour(name):
    """A muted colour of its own for each name, the same every time."""
    hue = int.from_bytes(hashlib.sha256(name.encode()).digest()[:2], "big") / 65536
    return tuple(round(v * 255) for v in colorsys.hls_to_rgb(hue, 0.36, 0.36))


def monogram(name):
    """An 800x800 JPEG of the initials of ``name`` in white on its colour."""
    image = Image.new("RGB", PORTRAIT_SIZE, name_colour(name))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=300)
    text = initials(name)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = (PORTRAIT_SIZE[0] - (right - left)) / 2 - left
    y = (PORTRAIT_SIZE[1] - (bottom - top)) / 2 - top
    draw.text((x, y), text, font=font, fill=LABEL)
    return _jpeg(image)


def _jpeg(image):
    buffer = BytesIO()
    image.save(buffer, "JPEG", **JPEG_OPTIONS)
    return buffer.getvalue()
