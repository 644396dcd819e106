"""Uploaded images: what is accepted, and how a stored original is cleaned.

Every image field of the project is a ``ValidatedImageField``. An upload is decoded by Pillow
(its name and declared content type are not trusted), must be a still JPEG, PNG, WebP or AVIF
within the size and pixel limits of the settings, with colours that can be shown as they are
meant (``diethnos.colours``), and is stored re-encoded once: turned upright by its EXIF
orientation and stripped of metadata (GPS position, camera, comments), its mode, palette,
transparency and colour profile kept. The sizes it is then published in are in
``diethnos.renditions``.
"""

import warnings
from io import BytesIO
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFileDescriptor
from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError, features

from diethnos.colours import UnusableProfile, check_displayable

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP") + (("AVIF",) if features.check("avif") else ())
# GIF is decoded only to tell an animation apart from a still image in the error message.
PROBED_FORMATS = (*ACCEPTED_FORMATS, "GIF")
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "AVIF": ".avif"}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "AVIF": "image/avif"}
# How a stored original is re-encoded, per format.
SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
    "AVIF": {"quality": 75},
}


def accepted_formats_text():
    names = [name.replace("WEBP", "WebP") for name in ACCEPTED_FORMATS]
    return ", ".join(names[:-1]) + " or " + names[-1]


def check_image(file):
    """Raise ValidationError unless ``file`` is an image this site accepts.

    Reads the file from its start and leaves it there. Returns the image's format.
    """
    max_bytes = settings.IMAGE_UPLOAD_MAX_BYTES
    if file.size > max_bytes:
        raise ValidationError(
            "The file is %(size).1f MB; images may be at most %(limit).0f MB.",
            code="file_too_large",
            params={"size": file.size / 1e6, "limit": max_bytes / 1e6},
        )
    not_an_image = ValidationError(
        "This file is not an image that can be read. Upload a %(formats)s image.",
        code="invalid_image",
        params={"formats": accepted_formats_text()},
    )
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; such an image is refused as well.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file, formats=PROBED_FORMATS) as image:
                check_pixels(image.width * image.height)
                if getattr(image, "n_frames", 1) > 1:
                    raise ValidationError(
                        "Animated images are not accepted. Upload a still image.", code="animated"
                    )
                if image.format not in ACCEPTED_FORMATS:
                    raise ValidationError(
                        "%(format)s images are not accepted. Upload a %(formats)s image.",
                        code="format",
                        params={"format": image.format, "formats": accepted_formats_text()},
                    )
                image_format = image.format
                image.verify()
            # verify() leaves the image unusable; decode it fully to catch truncated data too.
            file.seek(0)
            with Image.open(file, formats=ACCEPTED_FORMATS) as image:
                image.load()
                check_colours(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        check_pixels(None)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise not_an_image from error
    finally:
        file.seek(0)
    return image_format


def check_colours(image):
    """Refuse an image whose colours its renditions could not show as they are meant: one
    whose embedded colour profile cannot be read or does not fit its colours."""
    try:
        check_displayable(image)
    except UnusableProfile as error:
        raise ValidationError(
            "The colour profile embedded in this image cannot be used, so its colours cannot "
            "be shown as they are meant. Export it again with an sRGB profile.",
            code="colour_profile",
        ) from error


def check_pixels(pixels):
    """Refuse an image over the pixel limit (``None``: Pillow found it too large to open)."""
    limit = settings.IMAGE_MAX_PIXELS
    if pixels is None or pixels > limit:
        raise ValidationError(
            "The image is too large in pixels; it may have at most %(limit)s megapixels.",
            code="too_many_pixels",
            params={"limit": f"{limit / 1e6:g}"},
        )


def validate_image_upload(value):
    """Model field validator: check a new upload (a stored file was checked when it came in)."""
    if not value or getattr(value, "_committed", True):
        return
    upload = getattr(value, "file", value)
    if not getattr(upload, "image_checked", False):
        check_image(upload)


def normalised(file):
    """The image in ``file`` re-encoded: upright, without metadata, in its own format.

    Returns a ContentFile named with the format's extension.
    """
    file.seek(0)
    with Image.open(file, formats=ACCEPTED_FORMATS) as source:
        image_format = source.format
        icc_profile = source.info.get("icc_profile")
        upright = ImageOps.exif_transpose(source)
        if source.mode == "CMYK" and "adobe" not in source.info:
            # Pillow reads every CMYK JPEG as Photoshop writes them, inverted (0 is full ink),
            # which only the Adobe marker says; without it the samples are as they are.
            upright = ImageChops.invert(upright)
    # A fresh image carries the pixels and nothing else: no EXIF, XMP, comments or text chunks.
    # Its mode stays (bit depth, palette, transparency): renditions are made from it.
    clean = Image.new(upright.mode, upright.size)
    clean.frombytes(upright.tobytes())
    if upright.palette is not None:
        palette_mode = upright.palette.mode
        clean.putpalette(upright.getpalette(palette_mode), palette_mode)
    if "transparency" in upright.info:
        clean.info["transparency"] = upright.info["transparency"]
    options = dict(SAVE_OPTIONS[image_format])
    if icc_profile:
        options["icc_profile"] = icc_profile  # colour, not personal data: kept for true colours
    buffer = BytesIO()
    clean.save(buffer, image_format, **options)
    name = PurePath(file.name).with_suffix(EXTENSIONS[image_format]).name
    return ContentFile(buffer.getvalue(), name=name)


class ImageUploadField(forms.ImageField):
    """The form field of every ``ValidatedImageField``: clear messages for refused uploads."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        image_format = check_image(upload)
        upload.content_type = MIME_TYPES[image_format]
        upload.image_checked = True
        return upload

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ",".join(MIME_TYPES[name] for name in ACCEPTED_FORMATS)
        return attrs


class StoredImageDescriptor(ImageFileDescriptor):
    """Assigning the file a row already has (as every ModelForm save does) keeps its recorded
    width and height instead of reading the file again from storage."""

    def __set__(self, instance, value):
        previous = instance.__dict__.get(self.field.attname)
        stored = isinstance(value, str) or (isinstance(value, FieldFile) and value._committed)
        if previous is not None and stored and value == previous:
            instance.__dict__[self.field.attname] = value
        else:
            super().__set__(instance, value)


class ValidatedImageField(models.ImageField):
    """An ImageField that accepts only safe still images and stores them cleaned.

    Declare ``width_field`` and ``height_field`` after the image field: they are set from the
    cleaned image when it is stored.
    """

    descriptor_class = StoredImageDescriptor
    default_validators = [validate_image_upload]

    def __init__(self, *args, renditions=None, **kwargs):
        # The renditions (diethnos.renditions) are not part of the database schema: they are
        # left out of migrations.
        self.renditions = renditions
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        if self.renditions and not cls._meta.abstract:
            self.renditions.register_source(cls, name)

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # Django reads the file when a row without recorded dimensions is loaded; loading a row
        # must never touch storage (they are recorded on upload, or by regenerate_renditions).
        if force:
            super().update_dimension_fields(instance, force, *args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ImageUploadField, **kwargs})

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            validate_image_upload(file)  # a file assigned in code, not through a form
            file.file = normalised(file.file)
            file.name = file.file.name
            vars(file).pop("_dimensions_cache", None)  # the size before it was turned upright
            self.update_dimension_fields(model_instance, force=True)
        return super().pre_save(model_instance, add)


def keeps_previous_description(instance, image_field, alt_field):
    """Whether ``instance`` brings a new upload in ``image_field`` to replace the image stored
    on its row while ``alt_field`` still holds the stored image's alt text (True or False).

    A new image needs a description of its own: the old one describes another picture. Reads
    the stored row (one query) only when a new file is waiting to be stored.
    """
    image = getattr(instance, image_field)
    if instance.pk is None or not image or image._committed:
        return False
    stored = (
        type(instance)
        ._default_manager.filter(pk=instance.pk)
        .values(image_field, alt_field)
        .first()
    )
    if not stored or not stored[image_field]:
        return False
    previous = stored[alt_field].strip()
    return bool(previous) and getattr(instance, alt_field).strip() == previous


class ImageInput(forms.ClearableFileInput):
    """The file input of an image that may already be stored: the current image as a
    thumbnail, a labelled "Replace" file input (or "Choose" when there is none) and a "Remove"
    checkbox, grouped in a fieldset under the field's label.

    ``noun`` names the image in the labels ("photo"); ``alt_input`` is the id of the input of
    its alt text, which the page's script empties when a new file is chosen (see
    static/js/profile-form.js). Its template is in the project's templates folder, found
    through ``FORM_RENDERER``.
    """

    template_name = "components/widgets/image_input.html"
    use_fieldset = True

    def __init__(self, attrs=None, *, noun="image", alt_field=None, alt_input=None):
        super().__init__(attrs)
        self.noun = noun
        self.alt_field = alt_field
        self.alt_input = alt_input

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        is_initial = context["widget"]["is_initial"]
        instance = getattr(value, "instance", None) if is_initial else None
        context["widget"].update(
            {
                "noun": self.noun,
                "alt_input": self.alt_input,
                "current_alt": getattr(instance, self.alt_field, "") if self.alt_field else "",
            }
        )
        return context
