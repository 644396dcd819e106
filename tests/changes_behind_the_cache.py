"""Changes written straight to the database, behind the caches' back (no save, no signal),
and a count of what a response drew afresh: shared by the tests of report cards
(reports/cards.py) and of a report page's parts (reports/page_parts.py), which each say how
the change shows.

Each change takes the ``nadias_report`` fixture's report and returns the new value it gave
(a str)."""

from authors.models import Author
from reports.models import Report, ReportAuthor
from tags.models import Region

from .factories import AuthorFactory


def drawn(response, template):
    """How many times the template named ``template`` was drawn for ``response`` (an int)."""
    return sum(each.name == template for each in response.templates)


def retitle(report):
    Report.objects.filter(pk=report.pk).update(title="Grain corridor closes")
    return "Grain corridor closes"


def rename_the_primary_region(report):
    Region.objects.filter(pk=report.primary_region_id).update(name="Ukraina")
    return "Ukraina"


def rename_the_author(report):
    Author.objects.filter(name="Nadia Rahman").update(name="Nadia Rahman-Okafor")
    return "Nadia Rahman-Okafor"


def add_an_author(report):
    ReportAuthor.objects.create(report=report, author=AuthorFactory(name="Tomas Weber"), position=1)
    return "Tomas Weber"
