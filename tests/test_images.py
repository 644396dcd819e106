"""Uploaded images: only safe still images are accepted, and they are stored cleaned."""

import os
import re
import struct
import subprocess
import sys
import tomllib
import zlib
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html
from PIL import ExifTags, Image

from authors.models import Author
from diethnos.renditions import CARD_SIZE, SquareCrop
from diethnos.templatetags.pictures import picture_sources
from reports.models import Report

from .admin_forms import report_form_data
from .factories import AuthorFactory, EditorFactory, ReportFactory, image_upload

pytestmark = pytest.mark.django_db


class ProfilePhotoForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["photo", "photo_alt"]


def stored_files(settings):
    media = settings.MEDIA_ROOT
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def upload_photo(upload, author=None):
    author = author or AuthorFactory()
    form = ProfilePhotoForm({"photo_alt": "A portrait."}, {"photo": upload}, instance=author)
    if form.is_valid():
        form.save()
    return form


def png_claiming(width, height):
    """A PNG whose header announces ``width`` x ``height`` pixels (a decompression bomb)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def animated(image_format, name):
    frames = [Image.new("RGB", (20, 20), color) for color in ("red", "blue", "green")]
    buffer = BytesIO()
    frames[0].save(buffer, image_format, save_all=True, append_images=frames[1:], duration=100)
    return SimpleUploadedFile(name, buffer.getvalue())


BAD_UPLOADS = {
    "a text file named .jpg": (
        lambda: SimpleUploadedFile("photo.jpg", b"not an image at all", "image/jpeg"),
        "This file is not an image that can be read.",
    ),
    "a truncated JPEG": (
        lambda: SimpleUploadedFile("photo.jpg", image_upload(size=(300, 200)).read()[:400]),
        "This file is not an image that can be read.",
    ),
    "a decompression bomb": (
        lambda: SimpleUploadedFile("bomb.png", png_claiming(30000, 30000), "image/png"),
        "The image is too large in pixels; it may have at most 40 megapixels.",
    ),
    "an image over the pixel limit": (
        lambda: SimpleUploadedFile("huge.png", png_claiming(8000, 6000), "image/png"),
        "The image is too large in pixels; it may have at most 40 megapixels.",
    ),
    "an animated GIF": (
        lambda: animated("GIF", "moving.gif"),
        "Animated images are not accepted. Upload a still image.",
    ),
    "an animated WebP": (
        lambda: animated("WEBP", "moving.webp"),
        "Animated images are not accepted. Upload a still image.",
    ),
    "a still GIF": (
        lambda: image_upload("still.gif", image_format="GIF"),
        "GIF images are not accepted. Upload a JPEG, PNG, WebP",
    ),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_a_bad_profile_photo_is_refused_with_a_message_and_nothing_is_stored(case, settings):
    make_upload, message = BAD_UPLOADS[case]
    form = upload_photo(make_upload())
    assert not form.is_valid()
    assert message in form.errors["photo"][0]
    assert stored_files(settings) == []


def test_an_oversized_file_is_refused(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 2_000_000
    noisy = Image.effect_noise((1400, 1400), 100).convert("RGB")
    buffer = BytesIO()
    noisy.save(buffer, "PNG")
    assert buffer.tell() > 2_000_000
    form = upload_photo(SimpleUploadedFile("big.png", buffer.getvalue(), "image/png"))
    assert form.errors["photo"] == [
        f"The file is {buffer.tell() / 1e6:.1f} MB; images may be at most 2 MB."
    ]
    assert stored_files(settings) == []


def test_the_pixel_limit_comes_from_the_settings(settings):
    settings.IMAGE_MAX_PIXELS = 1000
    form = upload_photo(image_upload(size=(40, 30)))
    assert form.errors["photo"] == [
        "The image is too large in pixels; it may have at most 0.001 megapixels."
    ]


def test_a_bad_hero_image_is_refused_in_the_editors_desk(client, settings):
    client.force_login(EditorFactory())
    upload = SimpleUploadedFile("hero.jpg", b"<?php echo 1; ?>", "image/jpeg")
    data = {**report_form_data(), "hero_image": upload, "hero_alt": "A port at night."}
    response = client.post(reverse("admin:reports_report_add"), data)
    assert response.status_code == 200
    assert "This file is not an image that can be read." in response.content.decode()
    assert not Report.objects.exists()
    assert stored_files(settings) == []


def test_a_good_hero_image_is_stored_through_the_editors_desk(client, settings):
    client.force_login(EditorFactory())
    data = {
        **report_form_data(),
        "hero_image": image_upload("hero.jpg", size=(640, 480)),
        "hero_alt": "A port at night.",
    }
    response = client.post(reverse("admin:reports_report_add"), data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.hero_image.name.startswith("reports/hero")
    assert (report.hero_width, report.hero_height) == (640, 480)


def test_the_file_input_offers_only_accepted_types():
    html = str(ProfilePhotoForm()["photo"])
    assert 'accept="image/jpeg,image/png,image/webp' in html


def test_an_image_assigned_in_code_is_checked_before_it_is_stored(settings):
    author = AuthorFactory()
    author.photo = SimpleUploadedFile("photo.jpg", b"not an image")
    with pytest.raises(ValidationError):
        author.save()
    assert stored_files(settings) == []


def jpeg_from_a_phone():
    """A JPEG taken sideways: orientation 6 (turn 90° clockwise), GPS position, camera, comment."""
    image = Image.new("RGB", (60, 20), "white")
    image.paste((200, 0, 0), (0, 0, 10, 20))  # red on the left edge, which becomes the top
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (50.0, 27.0, 0.0),
    }
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"at home", quality=95)
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), "image/jpeg")


def test_a_photo_is_stored_upright_and_without_metadata(settings):
    raw = jpeg_from_a_phone()
    with Image.open(raw) as original:
        assert original.getexif()[ExifTags.Base.Orientation] == 6
    raw.seek(0)
    form = upload_photo(raw)
    assert form.is_valid(), form.errors
    author = Author.objects.get()
    assert (author.photo_width, author.photo_height) == (20, 60)
    with author.photo.open() as file, Image.open(file) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (20, 60)
        assert not stored.getexif()
        assert "exif" not in stored.info
        assert "comment" not in stored.info
        red, green, _ = stored.getpixel((10, 2))
        assert red > 150 and green < 80  # the red edge is now at the top
    assert b"PhoneMaker" not in (settings.MEDIA_ROOT / author.photo.name).read_bytes()


def test_an_image_keeps_its_format_and_gets_the_matching_extension():
    form = upload_photo(image_upload("portrait.jpg", image_format="PNG", pnginfo=None))
    assert form.is_valid(), form.errors
    author = Author.objects.get()
    assert author.photo.name.endswith(".png")
    with author.photo.open() as file, Image.open(file) as stored:
        assert stored.format == "PNG"


def test_an_unchanged_image_is_not_read_again_when_the_profile_is_saved(settings):
    upload_photo(image_upload())
    author = Author.objects.get()
    (settings.MEDIA_ROOT / author.photo.name).unlink()
    form = ProfilePhotoForm({"photo_alt": "Another description."}, instance=author)
    assert form.is_valid(), form.errors
    form.save()


def report_with_hero(size=(2000, 1000), **fields):
    """A published report whose hero image went through the editors' desk."""
    report = ReportFactory(**fields)
    report.hero_image = image_upload("hero.jpg", size=size)
    report.hero_alt = "Smoke over the port."
    report.save()
    return report


def read_image(storage_name, settings):
    with Image.open(settings.MEDIA_ROOT / storage_name) as image:
        image.load()
        return image


def url_to_name(url):
    return url.removeprefix("/media/")


def test_renditions_of_a_hero_image_are_written_when_it_is_saved(settings):
    report = report_with_hero(size=(2000, 1000))
    picture = picture_sources(report.hero_image)
    (webp,) = picture.sources
    for source, image_format in ((webp, "WEBP"), (picture.img, "JPEG")):
        widths = []
        for candidate in source.srcset.split(", "):
            url, descriptor = candidate.split()
            image = read_image(url_to_name(url), settings)
            assert image.format == image_format
            assert f"{image.width}w" == descriptor
            assert image.height == image.width // 2
            widths.append(image.width)
        assert widths == [480, 800, 1200, 1600]
    assert (picture.img.width, picture.img.height) == (800, 400)
    assert read_image(url_to_name(picture.img.src), settings).size == (800, 400)


def test_a_small_image_is_never_enlarged(settings):
    report = report_with_hero(size=(1000, 600))
    picture = picture_sources(report.hero_image)
    assert [c.split()[1] for c in picture.img.srcset.split(", ")] == ["480w", "800w", "1000w"]
    largest = picture.img.srcset.split(", ")[-1].split()[0]
    assert read_image(url_to_name(largest), settings).size == (1000, 600)


def test_an_author_photo_gets_square_crops(settings):
    author = AuthorFactory()
    form = upload_photo(image_upload("me.png", size=(300, 500), image_format="PNG"), author)
    assert form.is_valid()
    author.refresh_from_db()
    picture = picture_sources(author.photo)
    sizes = []
    for candidate in picture.sources[0].srcset.split(", "):
        image = read_image(url_to_name(candidate.split()[0]), settings)
        assert image.format == "WEBP"
        sizes.append(image.size)
    assert sizes == [(96, 96), (192, 192), (300, 300)]
    assert read_image(url_to_name(picture.img.src), settings).size == (192, 192)


def test_the_social_media_card_is_1200_by_630_at_an_absolute_address(settings):
    settings.SITE_URL = "https://news.example.org"
    report = report_with_hero(size=(900, 900))
    assert report.og_image_url.startswith("https://news.example.org/media/renditions/")
    card = read_image(url_to_name(report.og_image_url.removeprefix(settings.SITE_URL)), settings)
    assert (card.format, card.size) == ("JPEG", (1200, 630))
    assert AuthorFactory().og_image_url == ""


def page_images(url):
    """The <img> elements of the page at ``url``, parsed."""
    return lxml_html.fromstring(Client().get(url).content).xpath("//img")


def test_the_report_page_offers_webp_and_jpeg_renditions_with_dimensions():
    report = report_with_hero(size=(2000, 1000))
    page = Client().get(report.get_absolute_url()).content.decode()
    [picture] = lxml_html.fromstring(page).xpath("//figure[@class='hero']/picture")
    [webp] = picture.xpath(".//source")
    assert webp.get("type") == "image/webp" and webp.get("srcset").startswith("/media/renditions/")
    assert " 1600w" in webp.get("srcset")
    assert webp.get("sizes") == "(min-width: 48rem) 46rem, 100vw"
    [img] = picture.xpath(".//img")  # JPEG, for browsers without WebP
    assert img.get("src").endswith(".jpg") and " 1600w" in img.get("srcset")
    assert (img.get("width"), img.get("height")) == ("800", "400")
    assert img.get("alt") == "Smoke over the port."
    assert img.get("decoding") == "async"
    assert report.hero_image.url not in page  # the original is never sent to readers


def test_the_hero_image_below_the_key_points_and_byline_photos_load_as_usual():
    # The key points come first: the hero image is no longer the first thing on the screen,
    # so it takes no priority over the text, and is not left to load late either.
    author = AuthorFactory()
    upload_photo(image_upload("me.jpg", size=(500, 500)), author)
    report = report_with_hero(size=(2000, 1000), authors=[author])
    images = page_images(report.get_absolute_url())
    [hero] = [img for img in images if img.get("alt") == "Smoke over the port."]
    [byline] = [img for img in images if img.get("sizes") == "2.5rem"]
    for img in (hero, byline):
        assert img.get("fetchpriority") is None and img.get("loading") is None


def test_the_author_page_offers_square_renditions():
    author = AuthorFactory()
    upload_photo(image_upload("me.jpg", size=(500, 500)), author)
    [img] = page_images(author.get_absolute_url())
    assert img.get("srcset").startswith("/media/renditions/authors/")
    assert " 400w" in img.get("srcset") and img.get("sizes") == "10rem"
    assert (img.get("width"), img.get("height"), img.get("alt")) == ("192", "192", "A portrait.")


def test_listing_cards_show_the_smallest_hero_rendition_with_its_size_and_lazily(settings):
    report = report_with_hero(size=(2000, 1000))
    ReportFactory(title="Without an image")
    for url in ("/reports/", report.primary_region.get_absolute_url()):
        [img] = [img for img in page_images(url) if "/reports/" in img.get("src")]
        assert img.get("src").startswith("/media/renditions/reports/")
        assert read_image(url_to_name(img.get("src")), settings).size == (480, 240)
        assert (img.get("width"), img.get("height")) == ("480", "240")
        assert img.get("loading") == "lazy" and img.get("decoding") == "async"
        assert img.get("alt") == ""  # the headline beside it says what the report is about
        assert " 480w" in img.get("srcset") and "(min-width: 40rem)" in img.get("sizes")


class CountingStorage:
    """Counts the calls to the default storage that would read, check or write files."""

    METHODS = ("exists", "open", "size", "save", "listdir", "get_modified_time")

    def __init__(self, monkeypatch):
        self.calls = []
        for name in self.METHODS:
            original = getattr(default_storage, name)
            monkeypatch.setattr(default_storage, name, self.counted(name, original))

    def counted(self, name, original):
        def method(*args, **kwargs):
            self.calls.append((name, args))
            return original(*args, **kwargs)

        return method


def test_showing_pages_with_images_never_touches_image_files(monkeypatch):
    author = AuthorFactory()
    upload_photo(image_upload("me.jpg", size=(500, 500)), author)
    report = report_with_hero(authors=[author])
    storage = CountingStorage(monkeypatch)
    client = Client()
    for url in (report.get_absolute_url(), author.get_absolute_url()):
        assert client.get(url).status_code == 200
    assert storage.calls == []


def test_renditions_can_be_regenerated_after_the_sizes_change(settings):
    report = report_with_hero(size=(2000, 1000))
    Report.objects.filter(pk=report.pk).update(hero_width=None, hero_height=None)
    for path in (settings.MEDIA_ROOT / "renditions").rglob("*.*"):
        path.unlink()
    cache.clear()  # imagekit remembers which renditions exist
    stderr = StringIO()
    call_command("regenerate_renditions", stdout=StringIO(), stderr=stderr)
    assert "Renditions: 1/1 images" in stderr.getvalue()
    report.refresh_from_db()
    assert (report.hero_width, report.hero_height) == (2000, 1000)
    picture = picture_sources(report.hero_image)
    for candidate in picture.sources[0].srcset.split(", "):
        assert (settings.MEDIA_ROOT / url_to_name(candidate.split()[0])).exists()


def rendition_files(settings):
    return sorted((settings.MEDIA_ROOT / "renditions").rglob("*.*"))


def regenerate(*args):
    call_command("regenerate_renditions", *args, stdout=StringIO(), stderr=StringIO())


def test_forced_regeneration_rewrites_a_damaged_rendition_under_its_own_name(settings):
    report_with_hero(size=(2000, 1000))
    files = rendition_files(settings)
    damaged = files[0]
    damaged.write_bytes(b"not an image")
    regenerate("--force")
    assert rendition_files(settings) == files  # no copies under other names
    with Image.open(damaged) as image:
        assert image.width in (480, 800, 1200, 1600)


def test_forced_regeneration_applies_changed_processing_in_place(settings, monkeypatch):
    upload_photo(image_upload("me.png", size=(300, 500), image_format="PNG"))
    files = rendition_files(settings)
    monkeypatch.setattr(SquareCrop, "process", lambda self, image: image.crop((0, 0, 50, 50)))
    regenerate("--force")
    assert rendition_files(settings) == files
    sizes = []
    for path in files:
        with Image.open(path) as image:
            sizes.append(image.size)
    assert sorted(sizes) == [(50, 50)] * 6 + [CARD_SIZE]  # the squares, then the card


def test_regeneration_without_force_only_writes_missing_renditions(settings):
    report_with_hero(size=(2000, 1000))
    files = rendition_files(settings)
    damaged, missing = files[0], files[1]
    damaged.write_bytes(b"left alone")
    missing.unlink()
    regenerate()
    assert rendition_files(settings) == files
    assert damaged.read_bytes() == b"left alone"
    with Image.open(missing) as image:
        assert image.width in (480, 800, 1200, 1600)


def test_the_media_storage_is_chosen_by_the_environment():
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    environment.update(
        DJANGO_DEBUG="1",
        DJANGO_MEDIA_STORAGE="storages.backends.s3.S3Storage",
        AWS_STORAGE_BUCKET_NAME="diethnos-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
    )
    code = (
        "from django.conf import settings as s; "
        "print(s.STORAGES['default']['BACKEND'], s.AWS_STORAGE_BUCKET_NAME, s.AWS_S3_ENDPOINT_URL)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "diethnos-media",
        "https://s3.example.org",
    ]


def test_s3_media_storage_installs_as_a_pinned_extra():
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    [requirement] = extras["s3"]
    assert re.fullmatch(r"django-storages\[s3\]==[\d.]+", requirement)
