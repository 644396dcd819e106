"""The readers' search form: words, and filters by region, topic, author, kind and dates."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from authors.models import Author
from diethnos.text import NormalisedCharFormField
from tags.models import Region, Topic
from tags.report_counts import kept_until_reports_change

from . import search
from .models import Report

MAX_QUERY_LENGTH = 200


def _start_of(day):
    """The first moment of ``day`` (a date) in the current time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


class QuickSelect(forms.Select):
    """A <select> written in Python rather than with a template per option, as Django's is:
    the search form lists hundreds of regions and authors, which templates take longer to draw
    than the search takes to run. The same HTML as Django's ``select.html``."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        parts = [format_html('<select name="{}"{}>', name, attrs)]
        for choice, label in self.choices:
            if isinstance(label, list | tuple):  # a group of options, named unless ""
                if choice:
                    parts.append(format_html('<optgroup label="{}">', choice))
                parts.extend(self._option(value, label, chosen) for value, label in label)
                if choice:
                    parts.append("</optgroup>")
            else:
                parts.append(self._option(choice, label, chosen))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part is escaped)

    @staticmethod
    def _option(value, label, chosen):
        value = str(value)
        if value in chosen:
            chosen.clear()  # only the first option with the value is selected, as in Django
            return format_html('<option value="{}" selected>{}</option>', value, label)
        return format_html('<option value="{}">{}</option>', value, label)


def kept_choices():
    """The region, topic and author options of the search form ({"region": choices, ...}, in
    the shape of a ChoiceField's ``choices``), kept until a report, region, topic or author
    changes (``tags.report_counts``). A topic or author added since may be missing from the
    lists, not from what the form accepts: the fields check a value against the database."""

    def draw():
        choices = {
            "region": region_choices(),
            "topic": [("", "Any"), *Topic.objects.order_by("name").values_list("slug", "name")],
            "author": [
                ("", "Any"),
                *Author.objects.active().order_by("name").values_list("slug", "name"),
            ],
        }
        return choices, 0

    return kept_until_reports_change("search-form-choices", draw)


def region_choices():
    """Regions for a <select>: the M49 tree indented, the groupings, then the countries."""
    tree, groups, countries = [], [], []
    for slug, name, kind, path in Region.objects.order_by("path", "name").values_list(
        "slug", "name", "kind", "path"
    ):
        if kind == Region.Kind.GROUP:
            groups.append((slug, name))
        elif kind == Region.Kind.COUNTRY:
            countries.append((slug, name))
        else:
            depth = max(path.count("/") - 2, 0)
            tree.append((slug, "\u2003" * depth + name))
    countries.sort(key=lambda choice: choice[1])
    return [
        ("", "Anywhere"),
        ("Regions", tree),
        ("Groupings", groups),
        ("Countries and territories", countries),
    ]


class SearchForm(forms.Form):
    q = NormalisedCharFormField(label="Words", required=False, max_length=MAX_QUERY_LENGTH)
    region = forms.ChoiceField(required=False, widget=QuickSelect)
    topic = forms.ModelChoiceField(
        Topic.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Any",
        widget=QuickSelect,
    )
    author = forms.ModelChoiceField(
        Author.objects.active().order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Any",
        widget=QuickSelect,
    )
    kind = forms.ChoiceField(
        choices=[("", "Any"), *Report.Kind.choices], required=False, widget=QuickSelect
    )
    year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2999)
    since = forms.DateField(
        label="Published from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Published until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kept = kept_choices()
        self.fields["region"].choices = kept["region"]
        # Listed from what is kept; a value is still checked against the database (queryset).
        self.fields["topic"].widget.choices = kept["topic"]
        self.fields["author"].widget.choices = kept["author"]

    def clean_q(self):
        # The field has removed control characters (a NUL byte above all upsets PostgreSQL).
        return " ".join(self.cleaned_data["q"].split())

    def clean_region(self):
        slug = self.cleaned_data["region"]
        return Region.objects.get(slug=slug) if slug else None

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise ValidationError("The first date must not be after the second.")
        return cleaned

    @property
    def is_searching(self):
        """Whether the reader asked for anything: words or at least one filter."""
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

    def filtered(self, reports):
        """``reports`` narrowed to what the form asks for, in no particular order (what the
        facets count)."""
        data = self.cleaned_data
        if data["region"]:
            reports = reports.in_region(data["region"])
        if data["topic"]:
            reports = reports.filter(topics=data["topic"])
        if data["author"]:
            reports = reports.filter(authors=data["author"])
        if data["kind"]:
            reports = reports.filter(kind=data["kind"])
        # Days as ranges of times (``__date`` would hide publish_at from its indexes and
        # from the planner's estimates).
        if data["since"]:
            reports = reports.filter(publish_at__gte=_start_of(data["since"]))
        if data["year"]:
            reports = reports.filter(publish_at__year=data["year"])
        if data["until"]:
            reports = reports.filter(publish_at__lt=_start_of(data["until"] + timedelta(days=1)))
        return search.matches(reports, data["q"]) if data["q"] else reports

    def results(self, reports):
        """``reports`` narrowed to what the form asks for: best match first when there are
        words, newest first otherwise."""
        reports = self.filtered(reports)
        q = self.cleaned_data["q"]
        return search.ranked(reports, q) if q else reports.newest_first()

    def first_results(self, reports):
        """The first ``search.RANKED`` of ``results(reports)`` in the same order (a QuerySet,
        to be sliced no further), read quickly however many reports match."""
        reports = self.filtered(reports)
        q = self.cleaned_data["q"]
        return search.first_ranked(reports, q) if q else reports.newest_first()
