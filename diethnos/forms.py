"""What every form of the project shares."""

from django.db import models

# An address typed without a scheme ("example.org") is taken as https://, as Django 6 will do.
URL_FORMFIELDS = {models.URLField: {"assume_scheme": "https"}}


def formfield(model_field, **kwargs):
    """A ModelForm's ``formfield_callback``: the project's defaults for each kind of field."""
    for field_class, defaults in URL_FORMFIELDS.items():
        if isinstance(model_field, field_class):
            kwargs = {**defaults, **kwargs}
    return model_field.formfield(**kwargs)


def write_prose(field):
    """Turn the browser's spelling check on in form field ``field``'s widget, as in every
    field of prose the desk shows (the rich-text editor's is turned on by
    static/desk/labels.js). Returns ``field``."""
    field.widget.attrs["spellcheck"] = "true"
    return field
