"""Small ICC colour profiles for tests, built byte by byte (ICC.1:2001-04, version 2.1).

Photos arrive with the profiles of cameras, phones and print workflows; none ships with the
machine, so the tests build their own: Display P3 (what phones shoot in), a linear grey and a
toy press CMYK whose inks are given as sRGB colours. Each is ``bytes``, as ``info["icc_profile"]``
holds a profile and ``Image.save(icc_profile=...)`` embeds one.
"""

import struct

from PIL import Image, ImageCms

D50 = (0.9642, 1.0, 0.8249)  # the profile connection space's white


def s15fixed16(*values):
    return b"".join(struct.pack(">i", round(v * 65536)) for v in values)


def xyz_tag(xyz):
    return b"XYZ \0\0\0\0" + s15fixed16(*xyz)


def text_tag(text):
    return b"text\0\0\0\0" + text.encode("ascii") + b"\0"


def description_tag(text):
    ascii_text = text.encode("ascii") + b"\0"
    return (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(ascii_text))
        + ascii_text
        + struct.pack(">II", 0, 0)  # no Unicode description
        + struct.pack(">HB", 0, 0)
        + bytes(67)  # no ScriptCode description
    )


def curve_tag(function, entries=1024):
    """A tone curve sampled from ``function`` (0.0-1.0 to 0.0-1.0)."""
    table = [round(function(i / (entries - 1)) * 65535) for i in range(entries)]
    return b"curv\0\0\0\0" + struct.pack(f">I{entries}H", entries, *table)


def gamma_tag(gamma):
    return b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256))


def srgb_curve(v):
    """The sRGB (and Display P3) tone curve: encoded value to linear light."""
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def profile(device_class, colour_space, pcs, tags):
    """An ICC profile of ``tags`` ({signature: tag bytes}); equal tags are stored once."""
    count = len(tags)
    offset = 128 + 4 + 12 * count
    table, data, stored = [], b"", {}
    for signature, tag in tags.items():
        if tag not in stored:
            stored[tag] = offset + len(data)
            data += tag + bytes(-len(tag) % 4)
        table.append(signature.encode("ascii") + struct.pack(">II", stored[tag], len(tag)))
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + device_class
        + colour_space
        + pcs
        + bytes(12)  # creation date
        + b"acsp"
        + bytes(24)  # platform, flags, manufacturer, model, attributes
        + struct.pack(">I", 0)  # perceptual rendering intent
        + s15fixed16(*D50)
        + bytes(4 + 16 + 28)  # creator, profile id, reserved
    )
    return header + struct.pack(">I", count) + b"".join(table) + data


def display_p3():
    """Display P3: the P3 primaries with a D65 white, adapted to D50 as in Apple's profile,
    and the sRGB tone curve."""
    curve = curve_tag(srgb_curve)
    return profile(
        b"mntr",
        b"RGB ",
        b"XYZ ",
        {
            "desc": description_tag("Display P3"),
            "cprt": text_tag("No copyright, use freely"),
            "wtpt": xyz_tag(D50),
            "rXYZ": xyz_tag((0.515121, 0.241196, -0.001053)),
            "gXYZ": xyz_tag((0.291977, 0.692245, 0.041885)),
            "bXYZ": xyz_tag((0.157104, 0.066574, 0.784073)),
            "rTRC": curve,
            "gTRC": curve,
            "bTRC": curve,
        },
    )


def linear_grey():
    """Grey whose values are linear light (gamma 1.0): 128 is a light grey in sRGB."""
    return profile(
        b"mntr",
        b"GRAY",
        b"XYZ ",
        {
            "desc": description_tag("Linear grey"),
            "cprt": text_tag("No copyright, use freely"),
            "wtpt": xyz_tag(D50),
            "kTRC": gamma_tag(1.0),
        },
    )


# The toy press's paper and solid inks, as sRGB colours; inks overprint by multiplying.
PAPER = (255, 255, 255)
INKS = {"C": (0, 160, 225), "M": (225, 0, 125), "Y": (255, 240, 0), "K": (40, 35, 35)}


def press_colour(cmyk):
    """The sRGB colour of a CMYK value whose inks are each 0 or 255, on the toy press."""
    colour = [1.0, 1.0, 1.0]
    for amount, ink in zip(cmyk, INKS.values(), strict=True):
        if amount:
            colour = [c * v / 255 for c, v in zip(colour, ink, strict=True)]
    return tuple(round(c * PAPER[i]) for i, c in enumerate(colour))


def toy_press_cmyk():
    """A CMYK output profile whose A2B0 table (2 points a side) maps each combination of
    solid inks to ``press_colour``: cyan is (0, 160, 225), not the (0, 255, 255) of a naive
    conversion."""
    corners = [
        ((c, m, y, k)) for c in (0, 255) for m in (0, 255) for y in (0, 255) for k in (0, 255)
    ]
    srgb = Image.new("RGB", (len(corners), 1))
    for x, cmyk in enumerate(corners):
        srgb.putpixel((x, 0), press_colour(cmyk))
    lab = ImageCms.profileToProfile(
        srgb, ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), outputMode="LAB"
    )
    clut = b"".join(bytes(lab.getpixel((x, 0))) for x in range(len(corners)))
    ramp = bytes(range(256))
    lut = (
        b"mft1\0\0\0\0"
        + struct.pack(">BBBB", 4, 3, 2, 0)
        + s15fixed16(1, 0, 0, 0, 1, 0, 0, 0, 1)
        + ramp * 4
        + clut
        + ramp * 3
    )
    return profile(
        b"prtr",
        b"CMYK",
        b"Lab ",
        {
            "desc": description_tag("Toy press CMYK"),
            "cprt": text_tag("No copyright, use freely"),
            "wtpt": xyz_tag(D50),
            "A2B0": lut,
        },
    )
