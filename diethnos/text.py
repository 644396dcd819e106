"""Stored text: only characters that every page, feed and sitemap can carry.

``normalise_text`` is the one rule. The model fields below apply it on every write (``save()``,
``QuerySet.update()``, ``bulk_create()``, fixtures, management commands) and their form fields
apply it to what a form receives, before it is validated and whenever it is shown again.
"""

import re

from django import forms
from django.db import models

# Unicode's mandatory line breaks (UAX #14: BK, CR, LF, NL), a CR LF pair counting as one.
# Word's Shift+Enter pastes a vertical tab (U+000B).
LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")

# What XML 1.0 cannot carry or asks documents to avoid: the C0 and C1 control characters other
# than tab, LF and CR (and the line breaks above, replaced first), DEL, and the 66 Unicode
# noncharacters (U+FDD0 to U+FDEF, and the last two code points of each of the 17 planes).
NONCHARACTERS = "".join(f"\\U{plane:04X}FFFE-\\U{plane:04X}FFFF" for plane in range(17))
FORBIDDEN = re.compile(f"[\\x00-\\x08\\x0e-\\x1f\\x7f-\\x9f\\uFDD0-\\uFDEF{NONCHARACTERS}]")

SURROGATE = re.compile("[\ud800-\udfff]")

# A quick first look, since most text needs nothing: the characters of the Basic Multilingual
# Plane that may change (LF only in single-line text), then every character from U+1FFFE up (a
# slower pattern, so only for text that is not ASCII).
_MAY_CHANGE = (
    "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff\\ufdd0-\\ufdef\\ufffe\\uffff"
)
SUSPECT = {True: re.compile(f"[{_MAY_CHANGE}]"), False: re.compile(f"[\\n{_MAY_CHANGE}]")}
SUSPECT_BEYOND_BMP = re.compile("[\U0001fffe-\U0010ffff]")


def normalise_text(value, *, multiline):
    """``value`` (a str) with only characters XML, PostgreSQL and every page can carry.

    Surrogates that make a pair become the character they encode; unpaired ones are removed.
    Line breaks (CR LF, CR, vertical tab, form feed, NEL, U+2028, U+2029) become LF when
    ``multiline``, a space otherwise. The remaining C0 and C1 control characters (NUL among
    them) other than tab, LF and CR, DEL and the Unicode noncharacters are removed. Returns a
    str; applying it again changes nothing.
    """
    suspect = SUSPECT[multiline].search(value) or (
        not value.isascii() and SUSPECT_BEYOND_BMP.search(value)
    )
    if not suspect:
        return value
    if SURROGATE.search(value):
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    value = LINE_BREAK.sub("\n" if multiline else " ", value)
    return FORBIDDEN.sub("", value)


def normalise_stored_text(model, fields):
    """Normalise what rows of ``model`` already hold (for data migrations).

    ``fields`` maps each field name to whether it is multi-line. Rows are changed with
    ``QuerySet.update()``, so nothing else about them changes. Returns how many rows changed.
    """
    changes = []
    for pk, *values in model._default_manager.values_list("pk", *fields).iterator():
        changed = {}
        for (name, multiline), value in zip(fields.items(), values, strict=True):
            clean = normalise_text(value, multiline=multiline) if value else value
            if clean != value:
                changed[name] = clean
        if changed:
            changes.append((pk, changed))
    for pk, changed in changes:
        model._default_manager.filter(pk=pk).update(**changed)
    return len(changes)


def _normalised(value, multiline):
    return normalise_text(value, multiline=multiline) if isinstance(value, str) else value


# ---------------------------------------------------------------------------------------------
# Form fields


class NormalisedFormField:
    """Form field mixin: what the browser sent, normalised before it is validated (so that
    ``max_length`` counts the stored characters) and when the form shows it again."""

    def __init__(self, *, multiline=False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(_normalised(value, self.multiline))

    def bound_data(self, data, initial):
        return _normalised(super().bound_data(data, initial), self.multiline)


class NormalisedCharFormField(NormalisedFormField, forms.CharField):
    pass


class NormalisedURLFormField(NormalisedFormField, forms.URLField):
    pass


class NormalisedEmailFormField(NormalisedFormField, forms.EmailField):
    pass


# ---------------------------------------------------------------------------------------------
# Model fields


class NormalisedField:
    """Model field mixin: the value normalised on its way to the database, on every write
    path, and on the instance when it is saved; forms get the matching form field.

    In migrations the field is the Django field it extends: the rule is not part of the
    schema.
    """

    multiline = False
    form_class = NormalisedCharFormField

    def to_python(self, value):
        return _normalised(super().to_python(value), self.multiline)

    def get_prep_value(self, value):
        return _normalised(super().get_prep_value(value), self.multiline)

    def pre_save(self, model_instance, add):
        value = _normalised(super().pre_save(model_instance, add), self.multiline)
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": self.form_class, "multiline": self.multiline, **kwargs}
        )

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        django_field = next(
            cls for cls in type(self).__mro__ if cls.__module__ == "django.db.models.fields"
        )
        return name, f"django.db.models.{django_field.__name__}", args, kwargs


class NormalisedCharField(NormalisedField, models.CharField):
    """A single line of text: line breaks become spaces."""


class NormalisedTextField(NormalisedField, models.TextField):
    """Text of several lines: every line break becomes LF."""

    multiline = True


class NormalisedURLField(NormalisedField, models.URLField):
    form_class = NormalisedURLFormField


class NormalisedEmailField(NormalisedField, models.EmailField):
    form_class = NormalisedEmailFormField
