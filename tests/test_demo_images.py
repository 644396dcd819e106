"""The demo's pictures: locator maps for reports and monograms for authors, drawn at load time."""

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F
from imagekit.cachefiles import ImageCacheFile
from imagekit.registry import generator_registry
from PIL import Image

from authors.models import Author
from diethnos.renditions import HERO, PORTRAIT
from reports.demo import pictures
from reports.demo.loader import EXAMPLE, load_demo
from reports.models import Report

KYIV, MOSCOW, LIMA, DAKAR = (50.45, 30.52), (55.75, 37.62), (-12.05, -77.04), (14.72, -17.47)
SUDAN = "rsf-seizes-el-fasher-reports-mass-killings"


def _open(data):
    image = Image.open(BytesIO(data))
    assert image.format == "JPEG"
    return image.convert("RGB")


def _near(colour, expected, tolerance=24):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def _pixel(image, point):
    x, y = pictures.project(*point)
    return image.getpixel((round(x), round(y)))


def test_a_locator_map_is_a_16_9_dot_map_with_the_countries_highlighted_by_role():
    image = _open(
        pictures.locator_map([KYIV, MOSCOW, LIMA, DAKAR], [KYIV], "Ukraine", marked=[MOSCOW])
    )
    assert image.size == (1600, 900)
    assert _near(_pixel(image, KYIV), pictures.PRIMARY)
    assert _near(_pixel(image, MOSCOW), pictures.MARKED)
    assert _near(_pixel(image, LIMA), pictures.LAND)
    assert _near(image.getpixel((5, 5)), pictures.OCEAN)


def test_longitudes_past_the_date_line_wrap_round_the_map():
    assert pictures.project(-19, 195)[0] == pytest.approx(pictures.project(-19, -165)[0])


def test_a_monogram_shows_the_initials_on_a_colour_that_comes_from_the_name():
    assert pictures.initials("Mei-Ling Chua") == "MC"
    assert pictures.initials("Nikolas") == "N"
    assert pictures.initials("Ana de la Cruz") == "AC"
    assert pictures.name_colour("Amara Okafor") != pictures.name_colour("Elin Lindqvist")
    data = pictures.monogram("Amara Okafor")
    assert data == pictures.monogram("Amara Okafor")
    image = _open(data)
    assert image.size == (800, 800)
    assert _near(image.getpixel((10, 10)), pictures.name_colour("Amara Okafor"))
    assert any(_near(image.getpixel((x, 400)), (255, 255, 255)) for x in range(200, 600))


def _renditions_exist(image, renditions):
    files = [
        ImageCacheFile(generator_registry.get(spec, source=image)) for spec in renditions.spec_ids
    ]
    return all(file.storage.exists(file.name) for file in files)


def _media():
    root = Path(settings.MEDIA_ROOT)
    return {path: path.stat().st_mtime_ns for path in root.rglob("*") if path.is_file()}


def _pictures():
    return (
        dict(Report.objects.values_list("slug", "hero_image")),
        dict(Author.objects.values_list("slug", "photo")),
    )


def _jpeg(colour="darkslateblue"):
    buffer = BytesIO()
    Image.new("RGB", (1200, 800), colour).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="upload.jpg")


@pytest.mark.django_db
def test_demo_reports_and_authors_get_pictures_once_and_editors_changes_are_kept():
    created, drawn = load_demo()
    assert created == Report.objects.count()
    assert drawn == Report.objects.exclude(hero_image="").count() + Author.objects.count()

    kursk = Report.objects.get(slug=EXAMPLE["slug"])
    assert kursk.hero_image.name.startswith("reports/map-")
    assert (kursk.hero_width, kursk.hero_height) == (1600, 900)
    assert kursk.hero_alt == "Locator map highlighting Russia, with North Korea and Ukraine marked"
    assert kursk.hero_caption == "Locator map"
    assert "OCHA" in kursk.hero_credit
    assert kursk.version == 2  # loaded, then given its map: unedited demo content
    assert _renditions_exist(kursk.hero_image, HERO)
    with_maps = Report.objects.exclude(hero_image="")
    assert with_maps.count() >= 25 and Report.objects.filter(hero_image="").exists()
    assert not any(report.publication_problems() for report in Report.objects.published())

    for author in Author.objects.all():
        assert author.photo_alt == f"Monogram of {author.name}"
        assert (author.photo_width, author.photo_height) == (800, 800)
        assert _renditions_exist(author.photo, PORTRAIT)

    # Loading again draws nothing: the same files, none added or rewritten.
    stored, files = _pictures(), _media()
    assert load_demo() == (0, 0)
    assert _pictures() == stored
    assert _media() == files

    # Demo content an earlier version loaded without pictures, never edited, gets them.
    Report.objects.filter(slug=SUDAN).update(hero_image="", hero_alt="", version=1)
    Author.objects.filter(slug="nikolas").update(photo="", photo_alt="")
    assert load_demo() == (0, 2)
    assert Report.objects.get(slug=SUDAN).hero_alt.startswith("Locator map highlighting Sudan")
    assert Author.objects.get(slug="nikolas").photo_alt == "Monogram of Nikolas"

    # An editor replaces the example's map, removes another and changes two authors' photos.
    kursk.hero_image = _jpeg()
    kursk.hero_alt = "Cranes over the harbour at dusk."
    kursk.save()
    sudan = Report.objects.get(slug=SUDAN)
    sudan.hero_image = None
    sudan.save()
    amara = Author.objects.get(slug="amara-okafor")
    amara.photo = _jpeg("darkred")
    amara.photo_alt = "Amara Okafor at a conference."
    amara.save()
    Author.objects.filter(slug="nikolas").update(created_at=F("created_at") - timedelta(hours=1))
    nikolas = Author.objects.get(slug="nikolas")
    nikolas.photo = None
    nikolas.save()
    stored = _pictures()
    assert load_demo() == (0, 0)
    assert _pictures() == stored
    kursk.refresh_from_db()
    assert kursk.hero_alt == "Cranes over the harbour at dusk."
    assert Author.objects.get(slug="amara-okafor").photo_alt == "Amara Okafor at a conference."
