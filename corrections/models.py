"""The outlet's corrections policy: one text, which editors keep in the desk."""

from django.db import models

from diethnos.richtext import BODY_EXTENSIONS, RichTextField, SanitisedOnSaveMixin

# Shown until the editors write their own.
DEFAULT_POLICY = (
    "<p>We correct errors of fact as soon as we know of them. A correction says what was "
    "wrong and what is right, and is dated at the foot of the report; a clarification adds "
    "what a reader needs to understand a passage correctly. Every correction and "
    "clarification is also listed on our corrections page.</p>"
)


class CorrectionsPolicy(SanitisedOnSaveMixin, models.Model):
    """The corrections policy page's text (sanitised rich text, as a report's body). There is
    one: ``current()`` reads it, and saving always writes the same row."""

    PK = 1

    text = RichTextField(extensions=BODY_EXTENSIONS, sanitize=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "corrections policy"
        verbose_name_plural = "corrections policy"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="one_policy")]

    def __str__(self):
        return "Corrections policy"

    def save(self, *args, **kwargs):
        self.pk = self.PK
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        """The policy as saved, or, before the editors have saved one, the default text
        (unsaved). One query."""
        return cls.objects.filter(pk=cls.PK).first() or cls(pk=cls.PK, text=DEFAULT_POLICY)
