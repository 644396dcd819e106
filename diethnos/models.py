from django.core.exceptions import ValidationError
from django.db import models

from .text import NormalisedCharField

PATH_MAX_LENGTH = 300


class Redirect(models.Model):
    """A public address that moved: a request for ``old_path`` that finds no page there is
    sent permanently to ``new_path`` (see ``diethnos.redirects``)."""

    old_path = NormalisedCharField(
        "old address",
        max_length=PATH_MAX_LENGTH,
        unique=True,
        help_text="The path readers may still ask for, such as /reports/old-headline/.",
    )
    new_path = NormalisedCharField(
        "new address",
        max_length=PATH_MAX_LENGTH,
        help_text="Where they are sent: a path such as /reports/new-headline/, or a full URL.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_path"]
        verbose_name = "redirect from an old address"
        verbose_name_plural = "redirects from old addresses"

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"

    def clean(self):
        if self.old_path and (not self.old_path.startswith("/") or "?" in self.old_path):
            raise ValidationError(
                {"old_path": "Give a path that starts with / and has no query (?…)."}
            )
        # Readers sent round in a circle would never arrive.
        seen, target = {self.old_path}, self.new_path
        others = Redirect.objects.exclude(pk=self.pk)
        while target:
            if target in seen:
                raise ValidationError({"new_path": "This address leads back to the old one."})
            seen.add(target)
            target = others.filter(old_path=target).values_list("new_path", flat=True).first()


class ContentVersion(models.Model):
    """The version of the site's content, a single row: cached pages are stored under it
    (diethnos/page_cache.py), and a change whose purge could not reach the cache gives it a
    new random value. It lives in the database rather than in the cache so that a change
    saved while the cache was unreachable still retires the pages cached before it.
    ``published_through`` is the time up to which scheduled publications have gone live in
    the page cache (their pages purged)."""

    value = models.CharField(max_length=32)
    published_through = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.value
