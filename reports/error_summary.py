"""The list of problems at the top of a refused desk form, each linked to its field."""

from django.forms.forms import NON_FIELD_ERRORS
from django.utils.text import capfirst


def error_summary(form, inline_admin_formsets=()):
    """Every error of a bound desk ``form`` and of its inlines (the admin's
    ``inline_admin_formsets``), once each, in the order of the form.

    Returns a list of {"text": str, "target": id of the element to focus, or ""}: a field's
    input, an inline row, or an inline's group (the admin's ids).
    """
    items, seen = [], set()

    def add(text, target=""):
        if text not in seen:
            seen.add(text)
            items.append({"text": text, "target": target})

    for message in form.errors.get(NON_FIELD_ERRORS, []):
        add(message)
    for name in form.fields:
        for message in form.errors.get(name, []):
            bound = form[name]
            if bound.is_hidden:
                add(message)
            else:
                add(f"{bound.label}: {message}", bound.id_for_label or bound.auto_id)
    for inline in inline_admin_formsets:
        formset, opts = inline.formset, inline.opts
        group = f"{formset.prefix}-group"
        for message in formset.non_form_errors():
            add(f"{capfirst(opts.verbose_name_plural)}: {message}", group)
        for index, row in enumerate(formset.forms):
            if formset.can_delete and formset._should_delete_form(row):
                continue
            row_name = f"{capfirst(opts.verbose_name)} {index + 1}"
            for name, messages in row.errors.items():
                if name in row.fields and not row[name].is_hidden:
                    bound = row[name]
                    target = bound.id_for_label or bound.auto_id
                    label = f"{row_name}, {bound.label.lower()}"
                else:
                    target, label = f"{formset.prefix}-{index}", row_name
                for message in messages:
                    add(f"{label}: {message}", target)
    return items
