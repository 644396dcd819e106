"""Rich text: what the editor may produce, and sanitising it on every save."""

from django_prose_editor.fields import ProseEditorField, ProseEditorFormField

from .text import NormalisedField, NormalisedFormField, normalise_text

# The editor checks spelling (django-prose-editor turns it off unless told otherwise).
_INLINE = {
    "NoSpellCheck": False,
    "Bold": True,
    "Italic": True,
    "Link": {"enableTarget": False},
    "HardBreak": True,
}

BIO_EXTENSIONS = {**_INLINE, "BulletList": True, "OrderedList": True, "ListItem": True}

BODY_EXTENSIONS = {
    **BIO_EXTENSIONS,
    "Heading": {"levels": [2, 3]},
    "Blockquote": True,
    "Subscript": True,
    "Superscript": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
}


class RichTextFormField(NormalisedFormField, ProseEditorFormField):
    pass


class RichTextField(NormalisedField, ProseEditorField):
    """Rich text (HTML) of several lines, normalised as other text before and after it is
    sanitised: a character reference such as ``&#11;`` comes out of the sanitiser as the
    character itself."""

    multiline = True
    form_class = RichTextFormField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sanitise = self.sanitize

        def normalised_sanitise(html):
            html = sanitise(normalise_text(html, multiline=True))
            return normalise_text(html, multiline=True)

        self.sanitize = normalised_sanitise


class SanitisedOnSaveMixin:
    """Sanitise every rich-text field in ``save()``, so HTML that bypasses forms (imports,
    scripts, the shell) is cleaned as well."""

    def save(self, *args, **kwargs):
        for field in self._meta.concrete_fields:
            if isinstance(field, ProseEditorField):
                setattr(self, field.attname, field.sanitize(getattr(self, field.attname) or ""))
        super().save(*args, **kwargs)
