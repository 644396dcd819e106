"""A report's page keeps its <head> tags and its <article> in the cache (reports/page_parts.py):
drawn once for each version of what they show, every change appearing at once, whatever
makes it, and previews always drawn afresh."""

import pytest
from django.utils import timezone

from authors.models import Author
from reports.models import KeyPoint, Report, Source, UpdateNote
from tags.models import Region, Topic

from . import changes_behind_the_cache as changes
from .changes_behind_the_cache import drawn
from .factories import EditorFactory, ReportFactory

pytestmark = pytest.mark.django_db

ARTICLE = "components/key_points.html"
HEAD = "components/meta/report.html"


def page(client, report):
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    return response


def test_the_head_and_article_are_drawn_once_then_read_from_the_cache(client, nadias_report):
    first = page(client, nadias_report)
    assert drawn(first, ARTICLE) == 1 and drawn(first, HEAD) == 1
    again = page(client, nadias_report)
    assert drawn(again, ARTICLE) == 0 and drawn(again, HEAD) == 0
    assert again.content == first.content


def rewrite_the_body(report):
    Report.objects.filter(pk=report.pk).update(body="<p>Insurers raised their rates.</p>")
    return "Insurers raised their rates."


def change_a_key_point(report):
    KeyPoint.objects.filter(report=report).update(text="Ships turned back.")
    return "<li>Ships turned back.</li>"


def add_a_source(report):
    Source.objects.create(report=report, position=0, title="Port authority notice")
    return "Port authority notice"


def add_a_correction(report):
    UpdateNote.objects.create(
        report=report, kind=UpdateNote.Kind.CORRECTION, text="The port is in Odesa."
    )
    return "The port is in Odesa."


def rename_another_region(report):
    Region.objects.filter(iso2="TR").update(name="Türkiye (Turkey)")
    return ">Türkiye (Turkey)</a>"


def rename_the_topic(report):
    Topic.objects.filter(name="Food security").update(name="Food supply")
    return ">Food supply</a>"


def change_the_authors_bio(report):
    Author.objects.filter(name="Nadia Rahman").update(short_bio="Covers shipping and ports.")
    return "Covers shipping and ports."


def withdraw(report):
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.WITHDRAWN, first_published_at=timezone.now()
    )
    return "This report has been withdrawn"


# Each change, and how the page shows what it made.
CHANGES = [
    (changes.retitle, "<h1>{}</h1>"),
    (rewrite_the_body, "{}"),
    (change_a_key_point, "{}"),
    (add_a_source, "{}"),
    (add_a_correction, "{}"),
    (changes.rename_the_primary_region, ">{}</a>"),
    (rename_another_region, "{}"),
    (rename_the_topic, "{}"),
    (changes.rename_the_author, ">{}</a>"),
    (change_the_authors_bio, "{}"),
    (changes.add_an_author, ">{}</a>"),
    (withdraw, "{}"),
]


@pytest.mark.parametrize(
    ("change", "shows"), CHANGES, ids=[change.__name__ for change, _ in CHANGES]
)
def test_every_change_to_what_the_page_shows_appears_at_once(client, nadias_report, change, shows):
    before = page(client, nadias_report).content.decode()
    shown = shows.format(change(nadias_report))
    after = page(client, nadias_report).content.decode()
    assert shown not in before
    assert shown in after


def test_a_change_of_the_sites_address_shows_at_once(client, settings, nadias_report):
    settings.SITE_URL = "https://news.example.org"
    page(client, nadias_report)
    settings.SITE_URL = "https://analysis.example.org"
    assert "https://analysis.example.org/reports/" in page(client, nadias_report).content.decode()


def test_an_editors_preview_is_drawn_afresh_every_time(client):
    draft = ReportFactory(status=Report.Status.DRAFT, publish_at=None, title="Coming soon")
    client.force_login(EditorFactory())
    assert drawn(page(client, draft), ARTICLE) == 1
    Report.objects.filter(pk=draft.pk).update(title="Coming later")
    again = page(client, draft)
    assert drawn(again, ARTICLE) == 1
    assert "<h1>Coming later</h1>" in again.content.decode()
