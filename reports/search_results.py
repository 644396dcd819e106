"""What a search finds, drawn once and kept until the reports change.

Counting a common word's results in every region, topic, author, kind and year, and ranking
them, reads tens of thousands of rows on a large site. So the first ``KEPT`` results' ids in
order, how many there are, the facets and the suggestions are kept in the shared cache for
that search (its words and filters), drawn in the current generation of ``tags.report_counts``:
any change to a report, region, topic or author starts a new one, and what is kept lapses when
the next scheduled report goes live. A page of results is then read by id; pages beyond
``KEPT`` results are read from the database.
"""

import hashlib
import json
from dataclasses import dataclass

from tags.report_counts import kept_until_reports_change

from . import search
from .facets import facets
from .models import Report
from .suggestions import did_you_mean, named_page

KEPT = 200  # ten pages of results


@dataclass
class Found:
    """What a search finds: ``total`` results, the ``ids`` of the first KEPT in order, the
    ``facets`` (reports.facets), a ``suggestion`` (a str or None) and the region's or topic's
    page its words name (``named``, a reports.suggestions.NamedPage or None)."""

    total: int
    ids: list
    facets: list
    suggestion: str | None
    named: object


def cache_key(data):
    """The cache key of a search, from the search form's cleaned data."""
    plain = {
        name: getattr(value, "slug", value if value is None else str(value))
        for name, value in sorted(data.items())
    }
    digest = hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()
    return f"search:{digest[:40]}"


def find(form):
    """What the valid, searching ``form`` (reports.forms.SearchForm) finds, as ``Found``:
    from the cache when current (no query), else drawn and kept."""
    data = form.cleaned_data

    def draw():
        published = Report.objects.published()
        found_facets, total = facets(form.filtered(published), data)
        ids = list(form.results(published).values_list("pk", flat=True)[:KEPT]) if total else []
        q = data["q"]
        found = Found(
            total=total,
            ids=ids,
            facets=found_facets,
            suggestion=did_you_mean(q, total),
            named=named_page(q) if q else None,
        )
        next_due = Report.objects.scheduled().order_by("publish_at").first()
        return found, next_due.publish_at.timestamp() if next_due else 0

    return kept_until_reports_change(cache_key(data), draw)


class Results:
    """The results of a search as a sequence for the paginator: ``len()`` is the number of
    results; a slice within the kept ids is read by id (with cards and highlighting), one
    beyond them from the database."""

    def __init__(self, form, found):
        self.form, self.found = form, found

    def __len__(self):
        return self.found.total

    def count(self):
        return self.found.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("Results are read a page (a slice) at a time.")
        reports = Report.objects.published().with_cards()
        q = self.form.cleaned_data["q"]
        kept = self.found.ids
        if index.stop is not None and index.stop <= len(kept):
            ids = kept[index]
            shown = reports.filter(pk__in=ids)
            by_id = {report.pk: report for report in (search.highlighted(shown, q) if q else shown)}
            # A report no longer public by now is left out, never shown.
            return [by_id[pk] for pk in ids if pk in by_id]
        return list(self.form.results(reports)[index])
