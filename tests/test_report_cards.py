"""Report cards are drawn once and kept in the cache (reports/cards.py), and every change to
what a card shows appears at once, whatever makes it."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from reports.models import Report
from reports.search import reindex

from . import changes_behind_the_cache as changes
from .changes_behind_the_cache import drawn
from .factories import ReportFactory, image_upload, region

pytestmark = pytest.mark.django_db

CARD = "components/report_card.html"


def cards_drawn(response):
    return drawn(response, CARD)


@pytest.fixture
def listed(nadias_report):
    """Three published reports on a topic; the first one is Nadia Rahman's."""
    ReportFactory.create_batch(2, topics=[nadias_report.topics.get()])
    return nadias_report


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


def move_the_primary_region(report):
    Report.objects.filter(pk=report.pk).update(primary_region=region("PL"))
    return "· Poland</p>"


def add_a_hero_image(report):
    report.hero_image = image_upload("port.jpg", size=(640, 480))
    report.hero_alt = "A port at night."
    report.save()
    return "<picture>"


# Each change, and how a card shows what it made.
CHANGES = [
    (changes.retitle, "{}"),
    (change_summary, "{}"),
    (change_kind, "{}"),
    (change_publication_time, "{}"),
    (changes.rename_the_primary_region, "· {}</p>"),
    (move_the_primary_region, "{}"),
    (changes.rename_the_author, "By {}"),
    (changes.add_an_author, "By Nadia Rahman and {}"),
    (add_a_hero_image, "{}"),
]


@pytest.mark.parametrize(
    ("change", "shows"), CHANGES, ids=[change.__name__ for change, _ in CHANGES]
)
def test_every_change_to_what_a_card_shows_appears_at_once(client, listed, change, shows):
    before = " ".join(client.get("/reports/").content.decode().split())
    shown = shows.format(change(listed))
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
