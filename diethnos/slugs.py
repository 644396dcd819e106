"""Slugs: the words that name a page in its address, such as ``energie`` in /topics/energie/.

Every slug is made by ``slug_for``, whatever makes it: the desk's forms (a prefilled, typed or
pasted slug), a model saved without one, taggit creating a topic, the region and demo loaders.
Names in any script are transliterated to ASCII with anyascii ("Ασφάλεια" gives ``asfaleia``,
"Énergie" ``energie``, "Безопасность" ``bezopasnost``), so that an address stays readable when
it is copied, shared or printed, and every route can take it with Django's ``slug`` converter.
"""

from anyascii import anyascii
from django import forms
from django.db import models
from django.utils.text import slugify


def slug_for(text, max_length, fallback=""):
    """The slug for ``text`` (a str, or None), as a str.

    Transliterated to ASCII, lower case, words joined by hyphens: only ASCII letters, digits,
    hyphens and underscores, at most ``max_length`` characters, no hyphen or underscore at
    either end. A slug is its own slug. Text that leaves nothing (punctuation only) gives
    ``fallback``.
    """
    slug = slugify(anyascii(text or ""))[:max_length].strip("-_")
    return slug or fallback


def numbered(slug, number, max_length):
    """``slug`` with ``-<number>`` at the end, shortened so that the whole fits ``max_length``."""
    suffix = f"-{number}"
    return slug[: max_length - len(suffix)].rstrip("-_") + suffix


def unique_slug(slug, is_taken, max_length):
    """``slug``, or else the first of ``slug-2``, ``slug-3``... for which ``is_taken(slug)``
    (a callable returning a bool) is false."""
    candidate, number = slug, 1
    while is_taken(candidate):
        number += 1
        candidate = numbered(slug, number, max_length)
    return candidate


class SlugFormField(forms.SlugField):
    """A slug field of a form that turns what was typed or pasted into a slug ("Énergie"
    becomes ``energie``) before checking it, rather than refusing it. Empty stays empty."""

    def to_python(self, value):
        return slug_for(super().to_python(value), self.max_length or 255)


class AsciiSlugField(models.SlugField):
    """A model's unique ASCII slug, made from another of its fields when it is left empty.

    A slug given (by a form, code or an import) is passed through ``slug_for`` when the row is
    validated or saved; the slugs looked up in queries are left as they are. An empty one is
    made from the field named ``populate_from`` (the headline, the name), numbered ``-2``,
    ``-3``... when another row has it already, and named after the model ("topic") when the
    name has nothing to make a slug from.
    """

    default_error_messages = {
        "unique": "A %(model_name)s has this address already. Change the slug, or leave it "
        "empty to have one made.",
    }

    def __init__(self, *args, populate_from=None, **kwargs):
        self.populate_from = populate_from
        kwargs["allow_unicode"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.populate_from:
            kwargs["populate_from"] = self.populate_from
        return name, path, args, kwargs

    def clean(self, value, model_instance):
        # Not in to_python: that would also rewrite the slugs looked up in queries.
        return super().clean(slug_for(value, self.max_length) if value else value, model_instance)

    def pre_save(self, model_instance, add):
        slug = slug_for(getattr(model_instance, self.attname), self.max_length)
        if not slug and self.populate_from:
            name = getattr(model_instance, self.populate_from)
            made = slug_for(name, self.max_length, fallback=model_instance._meta.model_name)
            others = type(model_instance)._base_manager.exclude(pk=model_instance.pk)
            slug = unique_slug(
                made, lambda taken: others.filter(**{self.attname: taken}).exists(), self.max_length
            )
        setattr(model_instance, self.attname, slug)
        return slug

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SlugFormField, **kwargs})
