"""What a search finds, drawn once and kept until the reports change.

Counting a common word's results in every region, topic, author, kind and year, and ranking
them, reads tens of thousands of rows on a large site. So the first ``KEPT`` results' ids in
order, how many there are, the facets and the suggestions are kept in the shared cache for
that search (its words and filters), drawn in the current generation of ``tags.report_counts``:
any change to a report, region, topic or author starts a new one, and what is kept lapses when
the next scheduled report goes live. A page of results is then read by id; pages beyond
``KEPT`` results are read from the database.

On PostgreSQL, a search finding more than ``EXACT_UP_TO`` reports (a very common word) is not
counted through: how many it finds and its facets are estimated from a sample of the reports
(``reports.facets.facets``) and shown as "about" so many, and its first ``EXACT_UP_TO`` results
can be paged through, as large search engines do. Counting tens of thousands of results
exactly takes longer than a reader should wait after each publication.
"""

import hashlib
import json
from dataclasses import dataclass

from tags.report_counts import kept_until_reports_change

from . import search
from .facets import about, facets
from .models import Report
from .suggestions import did_you_mean, named_page

KEPT = 200  # ten pages of results
EXACT_UP_TO = 2000  # results counted exactly; beyond, estimated
SAMPLE = 2  # the percentage of the reports' pages an estimate reads


@dataclass
class Found:
    """What a search finds: ``total`` results, the ``ids`` of the first KEPT in order, the
    ``facets`` (reports.facets), a ``suggestion`` (a str or None), the region's or topic's
    page its words name (``named``, a reports.suggestions.NamedPage or None), and whether
    ``total`` and the facets' counts are ``estimated`` (more than EXACT_UP_TO results)."""

    total: int
    ids: list
    facets: list
    suggestion: str | None
    named: object
    estimated: bool = False

    @property
    def pageable(self):
        """How many results can be paged through: all, or the first EXACT_UP_TO of an
        estimated number."""
        return min(self.total, EXACT_UP_TO) if self.estimated else self.total


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
        filtered = form.filtered(published)
        estimated = search.uses_full_text() and _more_than(filtered, EXACT_UP_TO)
        found_facets, total = facets(filtered, data, SAMPLE if estimated else None)
        if estimated:
            total = max(about(total), EXACT_UP_TO + 1)
        first = form.first_results(published).values_list("pk", flat=True)
        ids = list(first[:KEPT]) if total else []
        q = data["q"]
        found = Found(
            total=total,
            ids=ids,
            facets=found_facets,
            suggestion=did_you_mean(q, total),
            named=named_page(q) if q else None,
            estimated=estimated,
        )
        next_due = Report.objects.scheduled().order_by("publish_at").first()
        return found, next_due.publish_at.timestamp() if next_due else 0

    return kept_until_reports_change(cache_key(data), draw)


def _more_than(reports, n):
    """Whether there are more than ``n`` of ``reports``, read no further than n + 1 of them."""
    return reports.order_by()[: n + 1].count() > n


class Results:
    """The results of a search as a sequence for the paginator: ``len()`` is the number of
    results; a slice within the kept ids is read by id (with cards and highlighting), one
    beyond them from the database."""

    def __init__(self, form, found):
        self.form, self.found = form, found

    def __len__(self):
        return self.found.pageable

    def count(self):
        return self.found.pageable

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
