"""Keys that partners send to the read API for a higher rate limit.

A key is shown once, when the desk issues it; only its SHA-256 digest is stored. The key is
32 random bytes, so a fast digest is enough: there is nothing to guess from it.
"""

import hashlib
import secrets

from django.db import models

from diethnos.text import NormalisedCharField

KEY_PREFIX_LENGTH = 8


def digest(key):
    """The stored form of ``key`` (a str): its SHA-256, in hex."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def matching(self, key):
        """The active key whose text is ``key`` (a str), or None."""
        if not key or len(key) > 200:
            return None
        return self.filter(key_digest=digest(key), is_active=True).first()


class ApiKey(models.Model):
    """A partner's key to the read API: a name, the limit it grants, and its digest."""

    name = NormalisedCharField(max_length=120, help_text="Who the key is for, e.g. a partner.")
    contact = models.EmailField(blank=True, help_text="Whom to tell when the key changes.")
    rate_limit = models.PositiveIntegerField(
        "requests a minute",
        null=True,
        blank=True,
        help_text="Leave empty for the site's limit for keys (API_KEY_RATE_LIMIT).",
    )
    prefix = models.CharField(max_length=KEY_PREFIX_LENGTH, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def issue(self):
        """Give this key a new random text and return it (a str): the only time it is known.
        The caller saves the key."""
        key = secrets.token_urlsafe(32)
        self.prefix = key[:KEY_PREFIX_LENGTH]
        self.key_digest = digest(key)
        return key
