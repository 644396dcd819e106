"""Report, listing, home, region, topic and author pages are kept whole for anonymous readers
(reports/kept_pages.py): read again with one narrow query and the same bytes and headers, every
change to what they show appearing at once (page cache on or off), never kept for signed-in
people."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from reports import views, workflow
from reports.models import Report, UpdateNote
from tags.models import Region
from tags.report_counts import LISTINGS as LISTINGS_CHANGE
from tags.report_counts import renew

from .factories import (
    AuthorFactory,
    EditorFactory,
    ReportFactory,
    TopicFactory,
    image_upload,
    region,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[0, 600], ids=["page cache off", "page cache on"])
def page_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = request.param
    return request.param


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` runs what the block saved as a committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def listed(commit):
    """A published report in Ukraine by Nadia Rahman on a topic, and another one beside it."""
    with commit():
        topic = TopicFactory(name="Grain exports")
        author = AuthorFactory(name="Nadia Rahman")
        report = ReportFactory(
            title="Grain corridor reopens",
            primary_region=region("UA"),
            topics=[topic],
            authors=[author],
        )
        ReportFactory(title="Ports busy again", primary_region=region("UA"), topics=[topic])
    return report


PAGES = {
    "report": lambda report: report.get_absolute_url(),
    "home": lambda report: "/",
    "all reports": lambda report: "/reports/",
    "region": lambda report: region("UA").get_absolute_url(),
    "region, primary only": lambda report: region("UA").get_absolute_url() + "?primary=1",
    "grouping or parent region": lambda report: region("UA").parent.get_absolute_url(),
    "topic": lambda report: report.topics.get().get_absolute_url(),
    "author": lambda report: report.authors.get().get_absolute_url(),
}
LISTINGS = [name for name in PAGES if name != "report"]


def text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(response.content.decode().split())


@pytest.mark.parametrize("name", PAGES)
def test_a_page_is_read_again_with_one_query_and_the_same_bytes(
    client, listed, name, django_assert_num_queries
):
    url = PAGES[name](listed)
    first = client.get(url)
    assert first.templates  # drawn
    with django_assert_num_queries(1):
        again = client.get(url)
    assert not again.templates  # kept
    assert again.content == first.content
    for header in ("Content-Type", "ETag", "Surrogate-Key", "Cache-Tag", "Cache-Control"):
        assert again.get(header) == first.get(header), header


def test_a_page_drawn_for_another_address_is_another_page(client, listed):
    first = client.get("/reports/")
    assert 'rel="next"' not in first.content.decode()
    assert client.get("/reports/?kind=analysis").content != first.content


def test_a_signed_in_persons_page_is_drawn_every_time(client, listed):
    client.get("/reports/")  # kept for anonymous readers
    client.force_login(EditorFactory())
    for _ in range(2):
        response = client.get("/reports/")
        assert response.templates
        assert "Your account" in response.content.decode()


def test_a_withdrawn_reports_page_is_kept_with_its_noindex_header(client, listed):
    workflow.withdraw(listed, reason="Could not be confirmed.", by=EditorFactory())
    first = client.get(listed.get_absolute_url())
    again = client.get(listed.get_absolute_url())
    assert not again.templates
    assert first["X-Robots-Tag"] == again["X-Robots-Tag"] == "noindex"


def retitle_through_the_desk(report):
    draft = workflow.working_draft(report)
    draft.title = "Grain corridor closes"
    draft.save()
    workflow.publish_changes(draft, by=EditorFactory())
    return "Grain corridor closes", list(PAGES)


def rename_the_region(report):
    ukraine = region("UA")
    ukraine.name = "Ukraina"
    ukraine.save()
    return "Ukraina", list(PAGES)


def rename_the_topic(report):
    topic = report.topics.get()
    topic.name = "Grain trade"
    topic.save()
    return "Grain trade", ["report", "home", "topic"]


def rename_the_author(report):
    author = report.authors.get()
    author.name = "Nadia Rahman-Okafor"
    author.save()
    return "Nadia Rahman-Okafor", list(PAGES)


def publish_another_report(report):
    ReportFactory(
        title="Convoy reaches the port",
        primary_region=region("UA"),
        topics=[report.topics.get()],
        authors=[report.authors.get()],
    )
    return "Convoy reaches the port", LISTINGS


@pytest.mark.parametrize(
    "change",
    [
        retitle_through_the_desk,
        rename_the_region,
        rename_the_topic,
        rename_the_author,
        publish_another_report,
    ],
)
def test_every_change_saved_shows_at_once(client, listed, commit, page_cache, change):
    urls = {name: url(listed) for name, url in PAGES.items()}
    before = {name: text(client, url) for name, url in urls.items()}
    for url in urls.values():
        client.get(url)  # kept (and in the page cache, when it is on)
    with commit():
        shown, names = change(Report.objects.get(pk=listed.pk))
    for name in names:
        assert shown not in before[name], name
        assert shown in text(client, urls[name]), name


def test_a_withdrawn_report_leaves_every_listing_at_once(client, listed, commit, page_cache):
    urls = [PAGES[name](listed) for name in LISTINGS]
    for url in urls:
        assert "Grain corridor reopens" in text(client, url)
    with commit():
        workflow.withdraw(listed, reason="Could not be confirmed.", by=EditorFactory())
    for url in urls:
        assert "Grain corridor reopens" not in text(client, url), url


@pytest.mark.parametrize("name", LISTINGS)
def test_what_a_card_shows_follows_any_change_however_it_is_saved(client, listed, name):
    url = PAGES[name](listed)
    client.get(url)
    Report.objects.filter(pk=listed.pk).update(title="Grain corridor closes")
    Region.objects.filter(pk=listed.primary_region_id).update(name="Ukraina")
    page = text(client, url)
    assert "Grain corridor closes" in page
    assert "· Ukraina" in page


@pytest.mark.parametrize("name", LISTINGS)
def test_a_scheduled_report_shows_on_a_kept_listing_the_moment_it_goes_live(client, listed, name):
    url = PAGES[name](listed)
    live_at = timezone.now() + datetime.timedelta(seconds=30)
    with time_machine.travel(live_at - datetime.timedelta(seconds=20), tick=False) as clock:
        ReportFactory(
            title="Convoy reaches the port",
            primary_region=region("UA"),
            topics=[listed.topics.get()],
            authors=[listed.authors.get()],
            publish_at=live_at,
        )
        assert "Convoy reaches the port" not in text(client, url)
        assert not client.get(url).templates  # kept
        clock.move_to(live_at)
        assert "Convoy reaches the port" in text(client, url)


def test_nothing_kept_is_used_after_the_cache_is_cleared(client, listed):
    first = client.get("/reports/")
    cache.clear()
    again = client.get("/reports/")
    assert again.templates
    assert again.content == first.content


@pytest.mark.parametrize("name", LISTINGS)
def test_a_listing_is_not_drawn_again_when_its_reports_are_listed_again_unchanged(
    client, listed, name
):
    url = PAGES[name](listed)
    first = client.get(url)
    renew(LISTINGS_CHANGE)  # as a change anywhere else does
    again = client.get(url)
    assert not again.templates
    assert again.content == first.content


@pytest.mark.parametrize("name", LISTINGS)
def test_a_card_changed_while_its_listing_was_listed_again_shows_at_once(client, listed, name):
    url = PAGES[name](listed)
    client.get(url)
    renew(LISTINGS_CHANGE)
    Report.objects.filter(pk=listed.pk).update(title="Grain corridor closes")
    again = client.get(url)
    assert again.templates
    assert "Grain corridor closes" in again.content.decode()


@pytest.fixture
def home(commit):
    """A home page with a lead report (with a hero image), six latest reports and, under
    Europe, an older report in Ukraine."""
    now = timezone.now()
    with commit():
        lead = ReportFactory(
            title="Grain corridor reopens",
            featured=True,
            hero_image=image_upload("port.jpg", size=(800, 450)),
            hero_alt="Ships at anchor off Odesa",
            primary_region=region("UA"),
            topics=[TopicFactory(name="Grain exports")],
        )
        for hours in range(2, 8):
            ReportFactory(title=f"Latest {hours}", publish_at=now - datetime.timedelta(hours=hours))
        ReportFactory(
            title="Ports busy again",
            primary_region=region("UA"),
            publish_at=now - datetime.timedelta(days=2),
        )
    page = text(Client(), "/")
    assert "Ports busy again" in page.split("By region")[1]
    return lead


def test_the_lead_reports_picture_text_follows_any_change_however_it_is_saved(client, home):
    assert 'alt="Ships at anchor off Odesa"' in text(client, "/")
    assert not client.get("/").templates  # kept
    Report.objects.filter(pk=home.pk).update(hero_alt="Tankers at anchor off Odesa")
    again = client.get("/")
    assert again.templates
    assert 'alt="Tankers at anchor off Odesa"' in again.content.decode()


@pytest.mark.parametrize(
    ("shown", "title"),
    [("Grain corridor reopens", "Grain corridor closes"), ("Ports busy again", "Ports quiet")],
    ids=["the lead", "under a region"],
)
def test_a_headline_on_the_home_page_follows_any_change_however_it_is_saved(
    client, home, shown, title
):
    text(client, "/")
    assert not client.get("/").templates  # kept
    Report.objects.filter(title=shown).update(title=title)
    page = text(client, "/")
    assert title in page
    assert shown not in page


def test_a_region_renamed_shows_at_once_under_its_section_on_the_home_page(
    client, home, commit, page_cache
):
    assert ">Europe</a></h3>" in text(client, "/")
    client.get("/")  # kept (and in the page cache, when it is on)
    with commit():
        europe = region("europe")
        europe.name = "Europa"
        europe.save()
    page = text(client, "/")
    assert ">Europa</a></h3>" in page
    assert ">Europe</a></h3>" not in page


def test_a_report_page_drawn_from_the_row_its_digest_read_is_the_page_drawn_on_its_own(
    client, commit, monkeypatch
):
    with commit():
        report = ReportFactory(
            hero_image=image_upload("kursk.jpg", size=(800, 450)),
            hero_alt="Soldiers on a road near Kursk",
            situation_as_of=timezone.now().date() - datetime.timedelta(days=1),
            regions=[region("RU"), region("UA")],
            topics=[TopicFactory(name="Alliances")],
            sources=["A wire report"],
        )
        UpdateNote.objects.create(report=report, text="Casualty figures revised.")
    from_digest = client.get(report.get_absolute_url())
    cache.clear()
    monkeypatch.setattr(views, "report_page_digest", lambda slug: None)
    on_its_own = client.get(report.get_absolute_url())
    assert from_digest.templates and on_its_own.templates
    assert from_digest.content == on_its_own.content
