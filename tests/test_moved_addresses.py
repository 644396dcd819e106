"""Every public address that was ever published keeps working after its page moves: a report,
author, topic or region renamed, or topics merged. One mechanism for all of them (redirects
recorded on save), listed and editable in the desk."""

import xml.etree.ElementTree as ET

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from diethnos.models import Redirect
from reports import workflow
from reports.models import Report
from tags.models import Region, Topic

from .admin_forms import desk_row, report_form_data
from .factories import (
    AuthorFactory,
    ContributorFactory,
    EditorFactory,
    ReportFactory,
    TopicFactory,
    region,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


def redirect_from(client, url):
    response = client.get(url)
    assert response.status_code == 301, url
    return response["Location"]


def feed_guids(client, url="/feed/"):
    channel = ET.fromstring(client.get(url).content).find("channel")  # noqa: S314 - our own
    return [item.findtext("guid") for item in channel.findall("item")]


# -- the reported case ---------------------------------------------------------------------


def test_renaming_a_published_report_in_the_desk_redirects_the_old_address_and_keeps_the_guid(
    editor_client, client
):
    report = ReportFactory(slug="kursk-offensive", primary_region=region("RU"))
    guids = feed_guids(client)
    draft = desk_row(report)
    data = report_form_data(draft, slug="kursk-offensive-stalls", primary_region=region("RU").pk)
    response = editor_client.post(
        reverse("admin:reports_report_change", args=[draft.pk]),
        {**data, "_publish_changes": "1"},
    )
    assert response.status_code == 302, response.content.decode()

    old = client.get("/reports/kursk-offensive/")
    assert old.status_code == 301
    assert old["Location"] == "/reports/kursk-offensive-stalls/"
    assert client.get(old["Location"]).status_code == 200
    assert feed_guids(client) == guids


# -- every kind of page and its feed -------------------------------------------------------


def grouping():
    return Region.objects.create(name="Eastern Mediterranean", slug="east-med", kind="group")


PAGES = {
    "report": (lambda: ReportFactory(slug="before"), ["/reports/{}/"]),
    "author": (
        lambda: AuthorFactory(slug="before"),
        [
            "/authors/{}/",
            "/authors/{}/feed/",
            "/authors/{}/feed.json",
        ],
    ),
    "topic": (
        lambda: TopicFactory(slug="before"),
        [
            "/topics/{}/",
            "/topics/{}/feed/",
            "/topics/{}/feed.json",
        ],
    ),
    "region": (
        lambda: rename(region("UA"), "before"),
        [
            "/regions/{}/",
            "/regions/{}/feed/",
            "/regions/{}/feed.json",
        ],
    ),
    "grouping": (
        lambda: rename(grouping(), "before"),
        [
            "/regions/{}/",
            "/regions/{}/feed/",
            "/regions/{}/feed.json",
        ],
    ),
}


@pytest.mark.parametrize("kind", PAGES)
def test_a_renamed_page_and_its_feed_redirect_permanently_from_their_old_addresses(client, kind):
    make, addresses = PAGES[kind]
    obj = make()
    for address in addresses:
        assert client.get(address.format("before")).status_code == 200
    rename(obj, "after")
    for address in addresses:
        assert redirect_from(client, address.format("before")) == address.format("after")
        assert client.get(address.format("after")).status_code == 200


@pytest.mark.parametrize("kind", PAGES)
def test_the_query_string_goes_along_with_the_redirect(client, kind):
    make, addresses = PAGES[kind]
    rename(make(), "after")
    url = addresses[0].format("before") + "?page=1&utm_source=newsletter"
    assert (
        redirect_from(client, url) == addresses[0].format("after") + "?page=1&utm_source=newsletter"
    )


@pytest.mark.parametrize("kind", PAGES)
def test_a_chain_of_renames_leads_straight_to_the_current_address(client, kind):
    make, addresses = PAGES[kind]
    obj = make()
    for slug in ["second", "third", "fourth"]:
        rename(obj, slug)
    for old in ["before", "second", "third"]:
        for address in addresses:
            assert redirect_from(client, address.format(old)) == address.format("fourth")


def test_renaming_back_and_forth_leaves_no_loop(client):
    report = ReportFactory(slug="a")
    for slug in ["b", "a", "b", "c", "a"]:
        rename(report, slug)
    assert client.get("/reports/a/").status_code == 200
    assert redirect_from(client, "/reports/b/") == "/reports/a/"
    assert redirect_from(client, "/reports/c/") == "/reports/a/"
    assert not Redirect.objects.filter(old_path="/reports/a/").exists()
    assert Redirect.objects.count() == 2


def test_renaming_a_topic_or_region_in_the_desk_redirects_its_old_addresses(editor_client, client):
    topic = TopicFactory(name="Energy", slug="energy")
    response = editor_client.post(
        reverse("admin:tags_topic_change", args=[topic.pk]),
        {"name": "Energy security", "slug": "energy-security", "description": ""},
    )
    assert response.status_code == 302
    assert redirect_from(client, "/topics/energy/feed/") == "/topics/energy-security/feed/"
    group = grouping()
    response = editor_client.post(
        reverse("admin:tags_region_change", args=[group.pk]),
        {"name": group.name, "slug": "levant", "kind": "group", "members": [region("CY").pk]},
    )
    assert response.status_code == 302
    assert redirect_from(client, "/regions/east-med/") == "/regions/levant/"


def test_restoring_a_version_with_an_earlier_slug_redirects_the_later_address(client):
    report = ReportFactory(slug="first-address")
    with reversion.create_revision():
        report.save()
    with reversion.create_revision():
        rename(report, "second-address")
    earliest = Version.objects.get_for_object(report).order_by("pk").first()
    earliest.revision.revert()
    assert client.get("/reports/first-address/").status_code == 200
    assert redirect_from(client, "/reports/second-address/") == "/reports/first-address/"


# -- a live page always wins ----------------------------------------------------------------


def test_a_new_page_that_takes_a_former_address_answers_there(client):
    old = ReportFactory(title="Old", slug="talks")
    rename(old, "talks-collapse")
    new = ReportFactory(title="New", slug="talks")
    response = client.get("/reports/talks/")
    assert response.status_code == 200
    assert response.context["report"] == new
    assert not Redirect.objects.filter(old_path="/reports/talks/").exists()
    assert client.get("/reports/talks-collapse/").context["report"] == old


def test_a_draft_taking_a_former_address_leaves_the_redirect_until_it_is_published(client):
    rename(ReportFactory(slug="talks"), "talks-collapse")
    draft = ReportFactory(slug="talks", status=Report.Status.DRAFT, publish_at=None)
    assert redirect_from(client, "/reports/talks/") == "/reports/talks-collapse/"
    workflow.publish(draft)
    assert client.get("/reports/talks/").status_code == 200
    assert not Redirect.objects.filter(old_path="/reports/talks/").exists()


def test_a_redirect_never_hides_a_page_that_answers(editor_client, client):
    report = ReportFactory(slug="live")
    Redirect.objects.create(old_path="/reports/live/", new_path="/reports/elsewhere/")
    assert client.get(report.get_absolute_url()).status_code == 200


def test_renaming_a_report_never_published_records_nothing(client):
    draft = ReportFactory(slug="working-title", status=Report.Status.DRAFT, publish_at=None)
    rename(draft, "final-title")
    assert not Redirect.objects.exists()
    assert client.get("/reports/working-title/").status_code == 404


def test_an_unknown_address_stays_not_found(client):
    assert client.get("/reports/never-was/").status_code == 404
    assert client.get("/topics/never-was/feed/").status_code == 404


# -- merging topics ---------------------------------------------------------------------------


def test_merged_topics_pages_and_feeds_redirect_to_the_kept_topic(editor_client, client):
    keep = TopicFactory(name="Cyber", slug="cyber")
    duplicate = TopicFactory(name="Cyber security", slug="cyber-security")
    rename(duplicate, "cybersecurity")  # an address it had before also leads to the kept topic
    ReportFactory(topics=[keep, duplicate])
    ReportFactory(topics=[keep])
    response = editor_client.post(
        reverse("admin:tags_topic_changelist"),
        {"action": "merge_topics", "_selected_action": [keep.pk, duplicate.pk]},
    )
    assert response.status_code == 302
    assert not Topic.objects.filter(pk=duplicate.pk).exists()
    for old in ["cyber-security", "cybersecurity"]:
        assert redirect_from(client, f"/topics/{old}/") == "/topics/cyber/"
        assert redirect_from(client, f"/topics/{old}/feed/") == "/topics/cyber/feed/"
    assert client.get("/topics/cyber/").status_code == 200


# -- authors taken off the site ---------------------------------------------------------------


def test_an_author_taken_off_the_site_takes_their_former_addresses_with_them(client):
    author = rename(AuthorFactory(slug="before"), "after")
    author.is_active = False
    author.save(update_fields=["is_active"])
    assert client.get("/authors/before/").status_code == 404
    assert not Redirect.objects.filter(new_path__startswith="/authors/after/").exists()


# -- the desk ---------------------------------------------------------------------------------


def test_editors_find_every_redirect_listed_in_the_desk(editor_client):
    rename(ReportFactory(slug="old-report"), "new-report")
    rename(AuthorFactory(slug="old-author"), "new-author")
    response = editor_client.get(reverse("admin:diethnos_redirect_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    old = ["/reports/old-report/", "/authors/old-author/", "/authors/old-author/feed/"]
    for path in [*old, "/authors/old-author/feed.json"]:
        assert path in page
    found = editor_client.get(reverse("admin:diethnos_redirect_changelist"), {"q": "old-author"})
    assert found.context["cl"].result_count == 3  # the page and its two feeds


def test_an_editor_adds_a_redirect_for_an_address_that_moved_some_other_way(editor_client, client):
    response = editor_client.post(
        reverse("admin:diethnos_redirect_add"),
        {"old_path": "/about-us/", "new_path": "/authors/"},
    )
    assert response.status_code == 302
    assert redirect_from(client, "/about-us/?ref=print") == "/authors/?ref=print"


@pytest.mark.parametrize(
    ("old_path", "new_path", "problem"),
    [
        ("/reports/a/", "/reports/a/", "leads back to the old one"),
        ("/reports/b/", "/reports/a/", "leads back to the old one"),  # /reports/a/ → /reports/b/
        ("reports/c/", "/reports/a/", "starts with /"),
        ("/reports/c/?page=2", "/reports/a/", "has no query"),
    ],
)
def test_the_desk_refuses_a_redirect_that_would_loop_or_never_match(
    editor_client, old_path, new_path, problem
):
    Redirect.objects.create(old_path="/reports/a/", new_path="/reports/b/")
    response = editor_client.post(
        reverse("admin:diethnos_redirect_add"), {"old_path": old_path, "new_path": new_path}
    )
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert Redirect.objects.count() == 1


def test_contributors_do_not_manage_redirects(client):
    client.force_login(ContributorFactory())
    assert client.get(reverse("admin:diethnos_redirect_changelist")).status_code == 403


# -- caches -----------------------------------------------------------------------------------


def test_the_page_cache_never_keeps_an_old_address_from_redirecting(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    report = ReportFactory(slug="cached")
    assert client.get("/reports/cached/").status_code == 200
    assert client.get("/reports/cached/")["X-Cache"] == "hit"
    assert client.get("/reports/not-yet/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        rename(report, "not-yet")
    assert client.get("/reports/not-yet/").status_code == 200
    assert redirect_from(client, "/reports/cached/") == "/reports/not-yet/"
    Redirect.objects.create(old_path="/reports/elsewhere/", new_path="/reports/not-yet/")
    assert client.get("/reports/elsewhere/").status_code == 301


def test_browsers_and_cdns_keep_a_redirect_only_as_long_as_a_page(client, settings):
    rename(ReportFactory(slug="before"), "after")
    response = client.get("/reports/before/")
    assert "max-age=60" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
