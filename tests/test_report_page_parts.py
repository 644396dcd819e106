"""A report's page keeps its <head> tags and its <article> in the cache (reports/page_parts.py):
drawn once for each version of what they show, every change appearing at once, whatever
makes it, and previews always drawn afresh."""

import pytest
from django.utils import timezone

from authors.models import Author
from reports.models import KeyPoint, Report, ReportAuthor, Source, UpdateNote
from tags.models import Region, Topic

from .factories import AuthorFactory, EditorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db

ARTICLE = "components/key_points.html"
HEAD = "components/meta/report.html"


def drawn(response, name):
    return sum(template.name == name for template in response.templates)


@pytest.fixture
def report():
    author = AuthorFactory(name="Nadia Rahman", short_bio="Covers the Black Sea.")
    return ReportFactory(
        title="Grain corridor reopens",
        key_points=["Ships sail again."],
        authors=[author],
        topics=[TopicFactory(name="Food security")],
        regions=[region("TR")],
    )


def page(client, report):
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    return response


def test_the_head_and_article_are_drawn_once_then_read_from_the_cache(client, report):
    first = page(client, report)
    assert drawn(first, ARTICLE) == 1 and drawn(first, HEAD) == 1
    again = page(client, report)
    assert drawn(again, ARTICLE) == 0 and drawn(again, HEAD) == 0
    assert again.content == first.content


def retitle(report):
    Report.objects.filter(pk=report.pk).update(title="Grain corridor closes")
    return "<h1>Grain corridor closes</h1>"


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


def rename_the_primary_region(report):
    Region.objects.filter(pk=report.primary_region_id).update(name="Ukraina")
    return ">Ukraina</a>"


def rename_another_region(report):
    Region.objects.filter(iso2="TR").update(name="Türkiye (Turkey)")
    return ">Türkiye (Turkey)</a>"


def rename_the_topic(report):
    Topic.objects.filter(name="Food security").update(name="Food supply")
    return ">Food supply</a>"


def rename_the_author(report):
    Author.objects.filter(name="Nadia Rahman").update(name="Nadia Rahman-Okafor")
    return ">Nadia Rahman-Okafor</a>"


def change_the_authors_bio(report):
    Author.objects.filter(name="Nadia Rahman").update(short_bio="Covers shipping and ports.")
    return "Covers shipping and ports."


def add_an_author(report):
    ReportAuthor.objects.create(report=report, author=AuthorFactory(name="Tomas Weber"), position=1)
    return ">Tomas Weber</a>"


def withdraw(report):
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.WITHDRAWN, first_published_at=timezone.now()
    )
    return "This report has been withdrawn"


@pytest.mark.parametrize(
    "change",
    [
        retitle,
        rewrite_the_body,
        change_a_key_point,
        add_a_source,
        add_a_correction,
        rename_the_primary_region,
        rename_another_region,
        rename_the_topic,
        rename_the_author,
        change_the_authors_bio,
        add_an_author,
        withdraw,
    ],
)
def test_every_change_to_what_the_page_shows_appears_at_once(client, report, change):
    before = page(client, report).content.decode()
    shown = change(report)
    after = page(client, report).content.decode()
    assert shown not in before
    assert shown in after


def test_a_change_of_the_sites_address_shows_at_once(client, settings, report):
    settings.SITE_URL = "https://news.example.org"
    page(client, report)
    settings.SITE_URL = "https://analysis.example.org"
    assert "https://analysis.example.org/reports/" in page(client, report).content.decode()


def test_an_editors_preview_is_drawn_afresh_every_time(client):
    draft = ReportFactory(status=Report.Status.DRAFT, publish_at=None, title="Coming soon")
    client.force_login(EditorFactory())
    assert drawn(page(client, draft), ARTICLE) == 1
    Report.objects.filter(pk=draft.pk).update(title="Coming later")
    again = page(client, draft)
    assert drawn(again, ARTICLE) == 1
    assert "<h1>Coming later</h1>" in again.content.decode()
