"""Length limits the desk shows as the editor types, and never enforces by cutting text.

A browser cuts text pasted into a field with a ``maxlength`` attribute at that length, silently,
often mid-word. The desk's text fields with a limit carry ``data-maxlength`` instead, with a
count of their characters beside them ("143 / 300", kept up to date by
``static/desk/counters.js`` and named by the field's ``aria-describedby``); text over the limit
is kept in the field, and the form refuses it with Django's message ("Ensure this value has at
most 300 characters (it has 350).").
"""

from functools import cache

from django.utils.html import format_html


class CountedWidget:
    """A text widget followed by the count of its characters against its limit
    (``data-maxlength``), which describes it (``aria-describedby``)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        count_id = f"{attrs['id']}_count" if attrs.get("id") else None
        if count_id:
            described_by = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"{described_by} {count_id}".strip()
        html = super().render(name, value, attrs, renderer)
        length = len(self.format_value(value) or "")
        return html + format_html(
            '<span class="char-count"{} data-count-for="{}">{} / {}</span>',
            format_html(' id="{}"', count_id) if count_id else "",
            attrs.get("id", ""),
            length,
            self.attrs["data-maxlength"],
        )


@cache
def _counted(widget_class):
    return type(f"Counted{widget_class.__name__}", (CountedWidget, widget_class), {})


def show_length(field):
    """Make ``field``, a form field with a ``max_length``, show the count of its characters
    instead of having the browser cut what is typed or pasted at its limit (see the module's
    docstring). Returns ``field``."""
    widget = field.widget
    widget.attrs.pop("maxlength", None)
    widget.attrs["data-maxlength"] = field.max_length
    widget.__class__ = _counted(type(widget))
    return field
