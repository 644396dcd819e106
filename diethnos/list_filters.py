"""List filters of many choices (regions, topics, authors) drawn as a drop-down list in a small
form rather than as a link for each choice: the sidebar of a desk list offering hundreds of them
is drawn in a fraction of the time, and stays short. The form works without scripts and from the
keyboard (a labelled ``<select>`` and a button); it keeps the list's other filters, search and
order, and starts again from the first page."""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


class DropDownFilter:
    """Mixin for a ``SimpleListFilter`` or a related field's ``FieldListFilter`` whose choices
    (its ``lookup_choices``, (value, label) pairs) are offered in a ``<select>``.

    ``choices(changelist)`` returns the choices still drawn as links, as Django's choices
    (dicts of ``selected``, ``query_string``, ``display``): "All", and a related field's empty
    choice (the rows with none). It leaves on the filter what the template draws the form
    from: ``parameter`` (the select's name), ``kept`` ((name, value) of each other query
    parameter, sent again) and ``options`` (the ``<option>`` elements, safe HTML)."""

    template = "admin/drop_down_filter.html"

    def choices(self, changelist):
        own = self.expected_parameters()
        self.parameter = own[0]
        params = changelist.filter_params  # without the page number
        self.kept = [(name, value) for name in params if name not in own for value in params[name]]
        values = [value for value, _label in self.lookup_choices]
        if changelist.add_facets:
            # Django's own choices hold the counts: "All", one for each value, then any other.
            drawn = list(super().choices(changelist))
            labels = [choice["display"] for choice in drawn[1 : len(values) + 1]]
            links = [drawn[0], *drawn[len(values) + 1 :]]
        else:
            labels = [label for _value, label in self.lookup_choices]
            links = [
                {
                    "selected": not any(params.get(name) for name in own),
                    "query_string": changelist.get_query_string(remove=own),
                    "display": _("All"),
                }
            ]
            if getattr(self, "include_empty_choice", False):
                links.append(
                    {
                        "selected": bool(params.get(self.lookup_kwarg_isnull)),
                        "query_string": changelist.get_query_string(
                            {self.lookup_kwarg_isnull: "True"}, [self.lookup_kwarg]
                        ),
                        "display": self.empty_value_display,
                    }
                )
        chosen = set(params.get(self.parameter, ()))
        # Written directly, escaped as Django escapes (its escape and format_html for each of
        # hundreds of options cost more than the rest of the sidebar).
        self.options = mark_safe(  # noqa: S308 (each value and label escaped)
            "".join(
                f'<option value="{escape(value)}"{" selected" if value in chosen else ""}>'
                f"{escape(str(label))}</option>"
                for value, label in zip(map(str, values), labels, strict=True)
            )
        )
        self.chosen = bool(chosen)
        return links
