"""Two editors, one report: a desk form that another save overtook, and the merge that keeps both.

The report form in the editors' desk carries the version it was loaded at (``version_seen``)
and, signed, the values it showed then (``values_seen``: every field of the form and of its
inline rows, as the browser sends them). When the report has been saved since, the desk refuses
the form and draws it again as a three-way merge of those values (the base), the report as
stored now (theirs) and the submitted form (yours):

- a field or inline row that only the other editor changed takes their value;
- one that only you changed keeps yours;
- one you both changed, differently, keeps yours and is flagged with theirs;

and lists what the other editor changed. Saving the merged form keeps both sets of changes.

The base travels in the form, signed, rather than as Django's hidden initial value of each field
(``show_hidden_initial``), because the restore form in History shows an older version of the
report: its base must be the report as stored, not the values it shows.
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from html import unescape

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator, capfirst
from django_prose_editor.fields import ProseEditorFormField
from reversion.errors import RevertError
from reversion.models import Version

SALT = "reports.overtaken.values_seen"
# The form's own bookkeeping, and an inline row's: never merged.
FORM_STATE = {"version_seen", "values_seen"}
ROW_STATE = {"DELETE", "ORDER"}
# Texts longer than this many words are shown as their changed passages only.
LONG_TEXT_WORDS = 40
CONTEXT_WORDS = 6

UNCHANGED, THEIRS, YOURS, CONFLICT = "unchanged", "theirs", "yours", "conflict"


@dataclass
class Change:
    """Something the other editor changed: ``label`` says what, ``old`` and ``new`` are
    readable values ("" for none); ``kind`` is "changed", or "added" or "removed" for an
    inline row."""

    label: str
    old: str
    new: str
    kind: str = "changed"

    @cached_property
    def passages(self):
        """For a long text, the changed passages with a few words around each, else None.

        A list of passages, each a list of (kind, text), kind being "same", "old" or "new".
        """
        old, new = self.old.split(), self.new.split()
        if max(len(old), len(new)) <= LONG_TEXT_WORDS:
            return None
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        passages = []
        for group in matcher.get_grouped_opcodes(CONTEXT_WORDS):
            parts = []
            for tag, i1, i2, j1, j2 in group:
                if tag == "equal":
                    parts.append(("same", " ".join(old[i1:i2])))
                    continue
                if i2 > i1:
                    parts.append(("old", " ".join(old[i1:i2])))
                if j2 > j1:
                    parts.append(("new", " ".join(new[j1:j2])))
            passages.append(parts)
        return passages


@dataclass
class Overtaken:
    """A submitted desk form that another save overtook, merged with that save.

    ``version``: the report's stored version, which the merged form is now based on.
    ``data``: the submitted data with the other editor's changes merged in (a QueryDict).
    ``changes``: what the other editor changed since the form was loaded (Change items; none
    if the form did not say what it was loaded with). ``conflicts``: labels of what you both
    changed. ``field_flags`` ({field name: message}) and ``row_flags`` ({(inline prefix, row
    index): {field name or None: message}}) flag them on the form. ``saved_by`` and
    ``saved_at``: who saved the report last and when, from its History ("" and None if not
    known).
    """

    version: int
    data: QueryDict
    changes: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    field_flags: dict = field(default_factory=dict)
    row_flags: dict = field(default_factory=dict)
    saved_by: str = ""
    saved_at: datetime | None = None

    @property
    def message(self):
        """The refusal, in a sentence or three."""
        who = ""
        if self.saved_at:
            when = formats.date_format(timezone.localtime(self.saved_at), "DATETIME_FORMAT")
            who = f" ({self.saved_by}, {when})" if self.saved_by else f" ({when})"
        return (
            f"Someone else saved this report while you were editing it{who}, so your changes "
            "were not saved. The form now shows their changes wherever you had changed "
            "nothing, and yours everywhere else; where you both changed something, yours is "
            "kept and flagged. Check the form, then save again."
        )

    def flag_rows(self, formsets):
        """Flag, on the inline rows of ``formsets`` (bound to ``data``), what you both changed."""
        for formset in formsets:
            for index, form in enumerate(formset.forms):
                for name, message in self.row_flags.get((formset.prefix, index), {}).items():
                    form.add_error(name, message)


def desk_forms(model_admin, request, report):
    """The desk's form and inline formsets for ``report`` as stored, unbound, as its change
    page shows them to ``request.user``: (form, {prefix: formset})."""
    form = model_admin.get_form(request, report, change=True)(instance=report)
    formsets = {}
    for FormSet, inline in model_admin.get_formsets_with_inlines(request, report):
        prefix = FormSet.get_default_prefix()
        formsets[prefix] = FormSet(
            instance=report, prefix=prefix, queryset=inline.get_queryset(request)
        )
    return form, formsets


def values_seen(form, formsets):
    """What an unbound desk form and its inline formsets show, signed: the ``values_seen``
    a form carries (a str)."""
    values = {
        "fields": {name: _data(form[name]) for name in _merged_fields(form)},
        "files": {
            name: _file_name(form[name].initial)
            for name, form_field in form.fields.items()
            if isinstance(form_field, forms.FileField)
        },
        "rows": {
            formset.prefix: {
                str(row.instance.pk): {name: _data(row[name]) for name in _row_fields(formset)}
                for row in formset.initial_forms
            }
            for formset in formsets
        },
    }
    return signing.dumps(values, salt=SALT, compress=True)


def check(model_admin, request, report, *, restoring=False):
    """The desk form submitted in ``request`` for ``report``, if another save overtook it.

    Returns an ``Overtaken``, or None when the form was loaded at the stored version (or does
    not say at which). ``restoring``: the form is History's restore or recover form, whose
    inline rows are those of the version it restores.
    """
    try:
        seen = int(request.POST.get("version_seen", ""))
    except ValueError:
        return None
    if seen == report.version:
        return None
    try:
        base = signing.loads(request.POST.get("values_seen", ""), salt=SALT)
    except signing.BadSignature:
        base = None
    form, formsets = desk_forms(model_admin, request, report)
    merge = _Merge(request.POST, request.FILES, base)
    merge.form(form)
    for formset in formsets.values():
        merge.rows(formset, restoring=restoring)
    merge.data.setlist("version_seen", [str(report.version)])
    merge.data.setlist("values_seen", [values_seen(form, formsets.values())])
    saved_by, saved_at = _last_save(report)
    return Overtaken(
        version=report.version,
        data=merge.data,
        changes=merge.changes,
        conflicts=merge.conflicts,
        field_flags=merge.field_flags,
        row_flags=merge.row_flags,
        saved_by=saved_by,
        saved_at=saved_at,
    )


class _Merge:
    """The three-way merge of a submitted desk form (see the module's docstring)."""

    def __init__(self, submitted, files, base):
        self.submitted, self.files, self.base = submitted, files, base
        self.data = submitted.copy()
        self.changes, self.conflicts = [], []
        self.field_flags, self.row_flags = {}, {}

    def form(self, form):
        """Merge the report form's own fields, ``form`` being bound to the stored report."""
        for name in _merged_fields(form):
            bound = form[name]
            theirs = _data(bound)
            base = None if self.base is None else self.base["fields"].get(name)
            yours = bound.field.widget.value_from_datadict(
                self.submitted, self.files, bound.html_name
            )
            outcome = self._field(bound.field, name, bound.label, base, theirs, yours)
            if outcome == THEIRS:
                for key, values in theirs.items():
                    self.data.setlist(key, values)
            elif outcome == CONFLICT:
                self.field_flags[name] = _flag(bound.field, name, theirs)
        for name, form_field in form.fields.items():
            if isinstance(form_field, forms.FileField):
                self._file(form[name])

    def rows(self, formset, *, restoring):
        """Merge the rows of one inline, ``formset`` holding the stored rows.

        Rows are matched by id. After the merge the rows that exist when the form is saved come
        first, with their ids (the stored rows; when restoring, the restored version's), then
        new rows.
        """
        prefix, template = formset.prefix, formset.empty_form
        pk_name = formset.model._meta.pk.name
        names = _row_fields(formset)
        label = capfirst(formset.model._meta.verbose_name)
        stored = {str(row.instance.pk): row for row in formset.initial_forms}
        base = None if self.base is None else self.base["rows"].get(prefix, {})
        total = _count(self.submitted, f"{prefix}-TOTAL_FORMS")
        initial = _count(self.submitted, f"{prefix}-INITIAL_FORMS")

        # (id or "", data named without the row's prefix, flags); _put_rows keeps the id of a
        # row that exists when the form is saved and makes the others new rows.
        merged = []
        submitted_ids = set()
        for index in range(total):
            key = f"{prefix}-{index}-"
            data = {
                k[len(key) :]: self.submitted.getlist(k)
                for k in self.submitted
                if k.startswith(key)
            }
            pk = (data.get(pk_name) or [""])[0] if index < initial else ""
            if not pk:
                merged.append(("", data, {}))
                continue
            submitted_ids.add(pk)
            deleting = formset.can_delete and forms.CheckboxInput().value_from_datadict(
                self.submitted, {}, key + "DELETE"
            )
            base_row = None if base is None else base.get(pk)
            number = f"{label} {index + 1}"
            if pk in stored:
                merged.append(
                    (
                        pk,
                        *self._row(
                            template, names, number, key, data, base_row, stored[pk], deleting
                        ),
                    )
                )
            elif base is not None and base_row is None:
                merged.append((pk, data, {}))  # a row of the version being restored
            elif not deleting:
                # Deleted by the other editor: kept if you changed it.
                if base_row is not None:
                    removed = _summary(template, names, _flat(base_row))
                    self.changes.append(Change(f"{label} removed", removed, "", "removed"))
                if base_row is None or self._yours_changed(template, names, key, base_row):
                    self.conflicts.append(number)
                    kept = {k: v for k, v in data.items() if k != "DELETE"}
                    message = "Someone else deleted this; saving adds it back as you changed it."
                    merged.append((pk, kept, {None: message}))
                elif restoring:
                    # The restored version brings it back: delete it again, as they did.
                    merged.append((pk, {**data, "DELETE": ["on"]}, {}))

        for pk, row in stored.items():
            if pk in submitted_ids:
                continue
            data = {}
            for name in row.fields:
                if name not in ROW_STATE:
                    data.update(_data(row[name]))
            base_row = None if base is None else base.get(pk)
            if base_row is None:
                added = _summary(template, names, data)
                self.changes.append(Change(f"{label} added", "", added, "added"))
                merged.append((pk, data, {}))
                continue
            # In the form's base but not in the form: the version being restored lacks it.
            # Kept only if the other editor changed it since.
            they_changed = False
            for name in names:
                form_field = template.fields[name]
                base_value = base_row.get(name, {})
                left_as_it_was = _raw(form_field, name, base_value)
                outcome = self._field(
                    form_field,
                    name,
                    f"{label}, {form_field.label.lower()}",
                    base_value,
                    _pick(data, name),
                    left_as_it_was,
                )
                they_changed = they_changed or outcome != UNCHANGED
            if they_changed:
                self.conflicts.append(label)
                message = (
                    "Someone else changed this since; the version you are restoring does not "
                    "have it. Delete it if it should go."
                )
                merged.append((pk, data, {None: message}))

        exists = submitted_ids if restoring else set(stored)
        self._put_rows(formset, merged, exists)

    def _row(self, template, names, number, key, data, base_row, stored_row, deleting):
        """Merge one row that the form and the stored report both have: (data, flags)."""
        data, flags = dict(data), {}
        changed = False
        meaningful = [n for n in names if n != "position"]
        for name in names:
            form_field = template.fields[name]
            theirs = _data(stored_row[name])
            yours = form_field.widget.value_from_datadict(self.submitted, self.files, key + name)
            label = number if meaningful == [name] else f"{number}, {form_field.label.lower()}"
            base = None if base_row is None else base_row.get(name)
            outcome = self._field(form_field, name, label, base, theirs, yours)
            changed = changed or outcome != UNCHANGED
            if outcome == THEIRS:
                data.update(theirs)
            elif outcome == CONFLICT:
                flags[name] = _flag(form_field, name, theirs)
        if deleting and changed and None not in flags:
            self.conflicts.append(number)
            flags[None] = "Someone else changed this; saving deletes it as you asked."
        return data, flags

    def _field(self, form_field, name, label, base, theirs, yours):
        """The outcome for one field: base and theirs as {name: [values]} (base None if not
        known), yours as the field's widget reads it."""
        theirs_raw = _raw(form_field, name, theirs)
        if base is None:
            if _changed(form_field, theirs_raw, yours):
                self.conflicts.append(str(label))
                return CONFLICT
            return UNCHANGED
        base_raw = _raw(form_field, name, base)
        if not _changed(form_field, base_raw, theirs_raw):
            return UNCHANGED
        old, new = _display(form_field, base_raw), _display(form_field, theirs_raw)
        self.changes.append(Change(str(label), old, new))
        if not _changed(form_field, base_raw, yours):
            return THEIRS
        if not _changed(form_field, theirs_raw, yours):
            return YOURS
        self.conflicts.append(str(label))
        return CONFLICT

    def _yours_changed(self, template, names, key, base_row):
        for name in names:
            form_field = template.fields[name]
            yours = form_field.widget.value_from_datadict(self.submitted, self.files, key + name)
            if _changed(form_field, _raw(form_field, name, base_row.get(name, {})), yours):
                return True
        return False

    def _file(self, bound):
        if self.base is None:
            return
        base_name = self.base["files"].get(bound.name, "")
        theirs_name = _file_name(bound.initial)
        if base_name == theirs_name:
            return
        label = str(bound.label)
        self.changes.append(Change(label, _basename(base_name), _basename(theirs_name)))
        yours = bound.field.widget.value_from_datadict(self.submitted, self.files, bound.html_name)
        if yours is not None:  # you chose another image, or cleared it
            self.conflicts.append(label)
            shown = f"“{_basename(theirs_name)}”" if theirs_name else "nothing"
            self.field_flags[bound.name] = (
                f"Someone else changed this too, to {shown}; yours is kept here."
            )

    def _put_rows(self, formset, merged, exists):
        prefix = formset.prefix
        pk_name, fk_name = formset.model._meta.pk.name, formset.fk.name
        limits = {
            name: self.submitted.get(f"{prefix}-{name}", default)
            for name, default in (
                ("MIN_NUM_FORMS", formset.min_num),
                ("MAX_NUM_FORMS", formset.max_num),
            )
        }
        for key in [key for key in self.data if key.startswith(f"{prefix}-")]:
            del self.data[key]
        kept = [row for row in merged if row[0] and row[0] in exists]
        new = [row for row in merged if not (row[0] and row[0] in exists)]
        for index, (_pk, data, flags) in enumerate(kept + new):
            if index >= len(kept):
                data = {k: v for k, v in data.items() if k not in {pk_name, fk_name}}
            for key, values in data.items():
                self.data.setlist(f"{prefix}-{index}-{key}", values)
            if flags:
                self.row_flags[(prefix, index)] = flags
        self.data[f"{prefix}-TOTAL_FORMS"] = str(len(kept) + len(new))
        self.data[f"{prefix}-INITIAL_FORMS"] = str(len(kept))
        for name, value in limits.items():
            self.data[f"{prefix}-{name}"] = str(value)


# ---------------------------------------------------------------------------------------------
# Values as the browser sends them, and as a reader would say them


def _merged_fields(form):
    return [
        name
        for name, form_field in form.fields.items()
        if name not in FORM_STATE and not isinstance(form_field, forms.FileField)
    ]


def _row_fields(formset):
    skipped = {formset.fk.name, formset.model._meta.pk.name, *ROW_STATE}
    return [name for name in formset.empty_form.fields if name not in skipped]


def _data(bound_field):
    """An unbound field's value as the browser sends it: {name: [values]}, named without the
    form's prefix (a date and time, say, are two names)."""
    widget = bound_field.field.hidden_widget()
    context = widget.get_context(bound_field.name, bound_field.value(), {})["widget"]
    parts = context["subwidgets"] if "subwidgets" in context else [context]
    data = {} if parts else {bound_field.name: []}
    for part in parts:
        value = part["value"]
        data.setdefault(part["name"], []).append("" if value is None else str(value))
    return data


def _flat(row):
    """A row's values by field ({field: {name: [values]}}) as one {name: [values]}."""
    return {key: values for data in row.values() for key, values in data.items()}


def _pick(data, name):
    """The part of a row's ``data`` that holds the field ``name``."""
    return {
        k: v for k, v in data.items() if k == name or re.fullmatch(rf"{re.escape(name)}_\d+", k)
    }


def _raw(form_field, name, data):
    """The value a field's widgets read from ``data`` ({name: [values]})."""
    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values)
    return form_field.hidden_widget().value_from_datadict(query, {}, name)


def _changed(form_field, initial, data):
    """Whether ``data`` differs from ``initial``, both as the field's widgets read them, the way
    Django tells a changed field."""
    try:
        initial = form_field.to_python(initial)
    except ValidationError:
        return True
    return form_field.has_changed(initial, data)


def _count(data, key):
    try:
        return max(int(data.get(key, 0)), 0)
    except ValueError:
        return 0


def _flag(form_field, name, theirs):
    shown = Truncator(_display(form_field, _raw(form_field, name, theirs))).chars(200)
    shown = f"“{shown}”" if shown else "nothing"
    return f"Someone else changed this too, to {shown}; yours is kept here."


def _summary(template, names, data):
    """A row in a few words: its fields but the position, as a reader would say them."""
    parts = []
    for name in names:
        if name == "position":
            continue
        form_field = template.fields[name]
        shown = _display(form_field, _raw(form_field, name, _pick(data, name)))
        if shown:
            parts.append(shown)
    return Truncator(" · ".join(parts)).chars(300)


def _display(form_field, raw):
    """``raw`` (as the field's widgets read it) as a reader would say it; "" for nothing."""
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        pks = [pk for pk in raw or [] if pk]
        try:
            return ", ".join(sorted(str(obj) for obj in form_field.queryset.filter(pk__in=pks)))
        except (ValueError, ValidationError):
            return ", ".join(pks)
    if isinstance(form_field, forms.ModelChoiceField):
        if raw in (None, ""):
            return ""
        try:
            obj = form_field.queryset.filter(pk=raw).first()
        except (ValueError, ValidationError):
            obj = None
        return str(obj if obj is not None else raw)
    if isinstance(form_field, forms.BooleanField):
        return "yes" if form_field.to_python(raw) else "no"
    if isinstance(form_field, forms.ChoiceField):
        return str(dict(_flat_choices(form_field.choices)).get(raw, raw or ""))
    try:
        value = form_field.clean(raw)
    except ValidationError:
        return " ".join(filter(None, raw)) if isinstance(raw, list) else str(raw or "")
    if isinstance(form_field, ProseEditorFormField):
        return _plain(value)
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        return formats.localize(timezone.localtime(value))
    if isinstance(value, (date, time)):
        return formats.localize(value)
    return str(value)


def _flat_choices(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield key, label


def _plain(html):
    """Rich text as plain words."""
    return " ".join(unescape(re.sub(r"<[^>]*>", " ", html or "")).split())


def _file_name(value):
    return getattr(value, "name", None) or ""


def _basename(name):
    return name.rsplit("/", 1)[-1]


def _last_save(report):
    """Who saved ``report`` last and when, if its History has that save: (name, datetime)."""
    latest = Version.objects.get_for_object(report).select_related("revision__user").first()
    if latest is None:
        return "", None
    try:
        if latest.field_dict.get("version") != report.version:
            return "", None
    except RevertError:
        return "", None
    user = latest.revision.user
    name = (user.get_full_name() or user.get_username()) if user else ""
    return name, latest.revision.date_created
