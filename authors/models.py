from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Lower, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual

from diethnos.addresses import page_address
from diethnos.images import ValidatedImageField, keeps_previous_description
from diethnos.redirects import KeepsOldAddresses
from diethnos.renditions import PORTRAIT, Renditions
from diethnos.richtext import BIO_EXTENSIONS, RichTextField, SanitisedOnSaveMixin
from diethnos.slugs import AsciiSlugField
from diethnos.text import (
    NormalisedCharField,
    NormalisedEmailField,
    NormalisedTextField,
    NormalisedURLField,
)

orcid_validator = RegexValidator(
    r"^https://orcid\.org/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$",
    "Give the full ORCID iD, like https://orcid.org/0000-0002-1825-0097.",
    # Not "invalid": the URL field would show its own message in place of this one.
    code="invalid_orcid",
)


SHORT_BIO_MAX_LENGTH = 600
NEEDS_PHOTO_ALT_TEXT = "Describe the photo for readers who cannot see it."
NEEDS_NEW_PHOTO_ALT_TEXT = (
    "Describe the new photo: this description is the one of the photo it replaces."
)


# Where each profile link must point: the first host is the one named in messages.
PROFILE_HOSTS = {
    "x": ("X", ("x.com", "twitter.com")),
    "bluesky": ("Bluesky", ("bsky.app",)),
    "linkedin": ("LinkedIn", ("linkedin.com",)),
}


# Where readers find the author elsewhere, in the order forms show them.
LINK_FIELDS = ["website", "email", "show_email", "x", "bluesky", "linkedin", "orcid"]


class AuthorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_report_counts(self, reports):
        """Each author with ``report_count``: how many of ``reports`` carry their byline.

        By name: a grouped query does not follow ``Meta.ordering``.
        """
        return self.annotate(
            report_count=models.Count(
                "report_links", filter=models.Q(report_links__report__in=reports)
            )
        ).order_by("name")


class Author(KeepsOldAddresses, SanitisedOnSaveMixin, models.Model):
    """A person with a byline: a staff analyst, a contributor who signs in, or a guest."""

    name = NormalisedCharField(max_length=120)
    slug = AsciiSlugField(
        max_length=120,
        unique=True,
        blank=True,
        populate_from="name",
        help_text="The address of the author's page. Made from the name when left empty.",
    )
    role_line = NormalisedCharField(
        max_length=160, blank=True, help_text='For example "Founder and Director of diethnos".'
    )
    short_bio = NormalisedTextField(
        max_length=SHORT_BIO_MAX_LENGTH,
        blank=True,
        help_text="One paragraph, shown in the author box on reports.",
    )
    bio = RichTextField(extensions=BIO_EXTENSIONS, sanitize=True, blank=True)
    photo = ValidatedImageField(
        upload_to="authors/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        renditions=PORTRAIT,
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_alt = NormalisedCharField("photo alt text", max_length=250, blank=True)
    expertise = models.ManyToManyField("tags.Topic", blank=True, related_name="experts")

    website = NormalisedURLField(blank=True)
    email = NormalisedEmailField(blank=True)
    show_email = models.BooleanField("show e-mail on the public page", default=False)
    x = NormalisedURLField("X", blank=True)
    bluesky = NormalisedURLField(blank=True)
    linkedin = NormalisedURLField("LinkedIn", blank=True)
    orcid = NormalisedURLField("ORCID iD", blank=True, validators=[orcid_validator])

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The account that may sign in and edit this profile. Guest authors have none.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # Slugs are made lower case (diethnos.slugs): unique in any case.
            models.CheckConstraint(condition=Q(slug=Lower("slug")), name="author_slug_lower_case"),
            models.CheckConstraint(
                condition=Q(GreaterThan(Length(Trim("name")), 0)), name="author_has_name"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="author_has_slug"),
            models.CheckConstraint(
                condition=Q(photo="") | Q(GreaterThan(Length(Trim("photo_alt")), 0)),
                name="author_photo_has_alt_text",
                violation_error_message=NEEDS_PHOTO_ALT_TEXT,
            ),
            # No database keeps a text field's length limit of its own.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("short_bio"), SHORT_BIO_MAX_LENGTH),
                name="author_short_bio_length",
            ),
        ]

    address_routes = ["authors:detail", "authors:feed", "authors:json-feed"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return page_address("authors:detail", slug=self.slug)

    def has_public_pages(self):
        return self.is_active

    @property
    def og_image_url(self):
        """The absolute URL of the photo's social media card, or ""."""
        return Renditions.card_url(self.photo)

    def clean(self):
        problems = {}
        if self.photo and not self.photo_alt.strip():
            problems["photo_alt"] = NEEDS_PHOTO_ALT_TEXT
        elif keeps_previous_description(self, "photo", "photo_alt"):
            problems["photo_alt"] = NEEDS_NEW_PHOTO_ALT_TEXT
        for field, (label, hosts) in PROFILE_HOSTS.items():
            url = getattr(self, field)
            host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
            if url and host not in hosts:
                problems[field] = f"Give the address of your {label} profile, on {hosts[0]}."
        if problems:
            raise ValidationError(problems)
