"""Report cards are drawn once and kept in the cache (reports/cards.py), and every change to
what a card shows appears at once, whatever makes it."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from authors.models import Author
from reports.models import Report, ReportAuthor
from reports.search import reindex
from tags.models import Region

from .factories import AuthorFactory, ReportFactory, TopicFactory, image_upload, region

pytestmark = pytest.mark.django_db

CARD = "components/report_card.html"


def cards_drawn(response):
    return sum(template.name == CARD for template in response.templates)


@pytest.fixture
def listed():
    """Three published reports on a topic; the first one is by Nadia Rahman."""
    topic = TopicFactory(name="Ceasefires")
    author = AuthorFactory(name="Nadia Rahman")
    first = ReportFactory(title="Ceasefire holds in the east", authors=[author], topics=[topic])
    ReportFactory.create_batch(2, topics=[topic])
    return first


PAGES = {
    "home": lambda report: "/",
    "all reports": lambda report: "/reports/",
    "region": lambda report: report.primary_region.get_absolute_url(),
    "topic": lambda report: report.topics.get().get_absolute_url(),
    "author": lambda report: report.authors.get().get_absolute_url(),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_page_draws_its_cards_once_then_reads_them_from_the_cache(client, listed, page):
    address = PAGES[page](listed)
    first = client.get(address)
    assert cards_drawn(first) > 0
    again = client.get(address)
    assert cards_drawn(again) == 0
    assert again.content == first.content


def test_a_report_pages_related_reports_are_cards_kept_in_the_cache(client):
    topic_report = ReportFactory(title="Grain exports resume")
    ReportFactory(title="Port reopens")
    first = client.get(topic_report.get_absolute_url())
    again = client.get(topic_report.get_absolute_url())
    assert "Port reopens" in again.content.decode()
    assert cards_drawn(first) > 0 and cards_drawn(again) == 0
    assert again.content == first.content


def change_title(report):
    Report.objects.filter(pk=report.pk).update(title="Ceasefire collapses in the east")
    return "Ceasefire collapses in the east"


def change_summary(report):
    Report.objects.filter(pk=report.pk).update(summary="Shelling resumed overnight.")
    return "Shelling resumed overnight."


def change_kind(report):
    Report.objects.filter(pk=report.pk).update(kind=Report.Kind.ANALYSIS)
    return f"{Report.Kind.ANALYSIS.label} · Ukraine"


def change_publication_time(report):
    moment = timezone.now() - datetime.timedelta(days=3)
    Report.objects.filter(pk=report.pk).update(publish_at=moment)
    return f'<time datetime="{moment.isoformat()}">'


def rename_the_primary_region(report):
    Region.objects.filter(pk=report.primary_region_id).update(name="Ukraina")
    return "· Ukraina</p>"


def move_the_primary_region(report):
    Report.objects.filter(pk=report.pk).update(primary_region=region("PL"))
    return "· Poland</p>"


def rename_the_author(report):
    Author.objects.filter(name="Nadia Rahman").update(name="Nadia Rahman-Okafor")
    return "By Nadia Rahman-Okafor"


def add_an_author(report):
    ReportAuthor.objects.create(report=report, author=AuthorFactory(name="Tomas Weber"), position=1)
    return "By Nadia Rahman and Tomas Weber"


def add_a_hero_image(report):
    report.hero_image = image_upload("port.jpg", size=(640, 480))
    report.hero_alt = "A port at night."
    report.save()
    return "<picture>"


@pytest.mark.parametrize(
    "change",
    [
        change_title,
        change_summary,
        change_kind,
        change_publication_time,
        rename_the_primary_region,
        move_the_primary_region,
        rename_the_author,
        add_an_author,
        add_a_hero_image,
    ],
)
def test_every_change_to_what_a_card_shows_appears_at_once(client, listed, change):
    before = " ".join(client.get("/reports/").content.decode().split())
    shown = change(listed)
    after = " ".join(client.get("/reports/").content.decode().split())
    assert shown not in before
    assert shown in after


def test_a_card_kept_for_one_listing_is_drawn_as_that_listing_draws_it(client, listed):
    # The report list shows headlines at level 2, a region page at level 3 with the mark.
    client.get("/reports/")
    page = client.get(listed.primary_region.get_absolute_url()).content.decode()
    assert '<h3 class="card-title">' in page
    assert '<span class="mark">Primary region</span>' in page
    assert '<h2 class="card-title">' in client.get("/reports/").content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search")
def test_search_results_are_drawn_afresh_with_the_words_of_each_search(client):
    found = ReportFactory(summary="Shelling near the port; grain exports stopped.")
    reindex([found.pk])
    shelling = client.get("/search/", {"q": "shelling"})
    grain = client.get("/search/", {"q": "grain"})
    assert "<mark>Shelling</mark>" in shelling.content.decode()
    assert "<mark>grain</mark>" in grain.content.decode()
    assert "<mark>Shelling</mark>" not in grain.content.decode()
    assert cards_drawn(grain) == 1
