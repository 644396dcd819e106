"""The corrections log (/corrections/), its feed, and the corrections policy page."""

import importlib
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from lxml import html

from corrections.models import DEFAULT_POLICY, CorrectionsPolicy
from reports import workflow
from reports.models import Report, UpdateNote

from .factories import ContributorFactory, EditorFactory, ReportFactory, UpdateNoteFactory
from .surfaces import json_ld_of, xml_of

pytestmark = pytest.mark.django_db

BASE = "https://news.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = BASE


def note(report, kind=UpdateNote.Kind.CORRECTION, hours_ago=1, text=None):
    return UpdateNoteFactory(
        report=report,
        kind=kind,
        noted_at=timezone.now() - timedelta(hours=hours_ago),
        text=text or f"{kind} of {report.title}, {hours_ago} hours ago.",
    )


def log_items(client, url="/corrections/"):
    response = client.get(url)
    assert response.status_code == 200
    return html.fromstring(response.content).xpath("//ol[@class='corrections-log']/li")


def test_corrections_and_clarifications_are_listed_newest_first_with_links_to_their_notes(client):
    first, second = ReportFactory(title="Ports struck"), ReportFactory(title="Talks resume")
    old = note(first, hours_ago=30, text="The port is in Odesa, not Izmail.")
    new = note(second, UpdateNote.Kind.CLARIFICATION, hours_ago=2, text="The talks are informal.")
    note(first, UpdateNote.Kind.UPDATE, hours_ago=1, text="An update is no correction.")
    items = log_items(client)
    assert [item.xpath("string(.//a)") for item in items] == ["Talks resume", "Ports struck"]
    assert "Clarification" in items[0].text_content()
    assert "The talks are informal." in items[0].text_content()
    assert "Correction" in items[1].text_content()
    assert items[0].xpath(".//a/@href") == [f"{second.get_absolute_url()}#note-{new.uid}"]
    assert items[1].xpath(".//a/@href") == [f"{first.get_absolute_url()}#note-{old.uid}"]
    # The anchor is on the report's page, where a clarification shows as a correction does.
    page = html.fromstring(client.get(second.get_absolute_url()).content)
    [shown] = page.xpath(f"//li[@id='note-{new.uid}']")
    assert "note-clarification" in shown.get("class")
    assert "Clarification" in shown.text_content()


def test_the_log_is_paged(client):
    report = ReportFactory()
    for hours in range(25):
        note(report, hours_ago=hours + 1)
    assert len(log_items(client)) == 20
    assert len(log_items(client, "/corrections/?page=2")) == 5
    assert client.get("/corrections/?page=3").status_code == 404
    assert client.get("/corrections/?page=x").status_code == 404
    page = html.fromstring(client.get("/corrections/").content)
    assert page.xpath("//link[@rel='next']/@href") == ["/corrections/?page=2"]


@pytest.mark.parametrize(
    "state",
    [
        {"status": Report.Status.DRAFT},
        {"status": Report.Status.IN_REVIEW},
        {"status": Report.Status.WITHDRAWN},
        {"publish_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "in review", "withdrawn", "scheduled"],
)
def test_notes_of_reports_readers_cannot_read_never_appear(client, state):
    hidden = ReportFactory(title="Not for readers", **state)
    note(hidden, text="A hidden correction.")
    assert log_items(client) == []
    feed = client.get("/corrections/feed/").content.decode()
    assert "hidden correction" not in feed


def test_a_working_drafts_notes_appear_only_once_its_changes_are_published(client):
    report = ReportFactory(title="Ports struck")
    draft = workflow.working_draft(report)
    note(draft, text="A correction not yet published.")
    assert log_items(client) == []
    workflow.publish_changes(draft)
    [item] = log_items(client)
    assert "A correction not yet published." in item.text_content()


def test_the_feed_is_well_formed_rss_and_each_guid_names_its_note(client):
    report = ReportFactory(title="Ports struck")
    correction = note(report, text="Fixed <the> figures & dates.")
    channel = xml_of(client.get("/corrections/feed/")).find("channel")
    assert channel.findtext("link") == f"{BASE}/corrections/"
    [item] = channel.findall("item")
    assert item.findtext("title") == "Correction: Ports struck"
    assert item.findtext("description") == "Fixed <the> figures & dates."
    assert item.findtext("link") == f"{BASE}{report.get_absolute_url()}#note-{correction.uid}"
    guid = item.find("guid")
    assert guid.get("isPermaLink") == "false"
    assert guid.text == f"tag:news.example.org,{report.created_at:%Y}:note:{correction.uid}"


def test_guids_stay_the_same_when_a_reports_changes_are_published(client):
    report = ReportFactory(title="Ports struck")
    note(report, text="The port is in Odesa.")

    def guids():
        channel = xml_of(client.get("/corrections/feed/")).find("channel")
        return {item.findtext("description"): item.findtext("guid") for item in channel}

    before = guids()
    draft = workflow.working_draft(report)
    draft.title = "Ports struck overnight"
    draft.save()
    note(draft, UpdateNote.Kind.CLARIFICATION, hours_ago=0, text="Two ports, not one.")
    workflow.publish_changes(draft)
    after = guids()
    assert after["The port is in Odesa."] == before["The port is in Odesa."]
    # Publishing again (and discarding) keeps every note's name.
    draft.refresh_from_db()
    workflow.discard_changes(draft)
    workflow.publish_changes(Report.all_objects.get(pk=draft.pk))
    assert guids() == after


def test_the_feed_is_named_in_every_pages_head_and_the_log_in_the_footer(client):
    page = html.fromstring(client.get("/").content)
    assert "/corrections/feed/" in page.xpath("//link[@type='application/rss+xml']/@href")
    assert page.xpath("//footer[@class='site-footer']//a[@href='/corrections/']")


def test_the_log_links_the_policy_and_the_organisation_names_it(client):
    page = html.fromstring(client.get("/corrections/").content)
    assert page.xpath("//a[@href='/corrections/policy/']")
    organisation = json_ld_of(client.get("/corrections/"))[0]
    assert organisation["publishingPrinciples"] == f"{BASE}/corrections/policy/"
    assert organisation["correctionsPolicy"] == f"{BASE}/corrections/policy/"


def test_a_report_names_its_clarifications_among_its_corrections_in_json_ld(client):
    report = ReportFactory()
    note(report, UpdateNote.Kind.CLARIFICATION, text="Clarified.")
    [article] = [
        block for block in json_ld_of(client.get(report.get_absolute_url())) if "headline" in block
    ]
    assert [c["text"] for c in article["correction"]] == ["Clarified."]


# ---------------------------------------------------------------------------------------------
# The policy


def test_the_policy_page_shows_a_default_text_until_the_editors_write_theirs(client):
    response = client.get("/corrections/policy/")
    assert response.status_code == 200
    assert "We correct errors of fact" in response.content.decode()
    assert "We correct errors of fact" in DEFAULT_POLICY


def test_editors_edit_the_policy_in_the_desk_and_it_is_sanitised(client):
    editor = EditorFactory()
    client.force_login(editor)
    listing = client.get(reverse("admin:corrections_correctionspolicy_changelist"))
    assert listing.status_code == 302
    add = listing["Location"]
    assert client.get(add).status_code == 200
    text = (
        '<p>We <strong>correct</strong> openly.</p><script>alert(1)</script><p onclick="x()">Hi</p>'
    )
    response = client.post(add, {"text": text})
    assert response.status_code == 302
    policy = CorrectionsPolicy.objects.get()
    assert "<script" not in policy.text and "onclick" not in policy.text
    assert "<strong>correct</strong>" in policy.text
    client.logout()
    page = client.get("/corrections/policy/").content.decode()
    assert "<strong>correct</strong> openly." in page
    assert "alert(1)" not in page
    # There is one policy: the list opens it, and it is not deleted.
    client.force_login(editor)
    listing = client.get(reverse("admin:corrections_correctionspolicy_changelist"))
    assert listing["Location"] == reverse(
        "admin:corrections_correctionspolicy_change", args=[policy.pk]
    )
    change = client.post(listing["Location"], {"text": "<p>Revised.</p>"})
    assert change.status_code == 302
    assert CorrectionsPolicy.objects.get().text == "<p>Revised.</p>"
    delete = reverse("admin:corrections_correctionspolicy_delete", args=[policy.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_a_policy_saved_from_code_is_sanitised_too():
    CorrectionsPolicy(text="<p>Fine</p><img src=x onerror=alert(1)>").save()
    assert "onerror" not in CorrectionsPolicy.current().text
    CorrectionsPolicy(text="<p>Second</p>").save()
    assert CorrectionsPolicy.objects.count() == 1


def test_contributors_do_not_edit_the_policy(client):
    client.force_login(ContributorFactory())
    url = reverse("admin:corrections_correctionspolicy_add")
    assert client.post(url, {"text": "<p>Mine.</p>"}).status_code == 403
    assert not CorrectionsPolicy.objects.exists()


# ---------------------------------------------------------------------------------------------
# The page cache, and queries


def test_a_new_correction_and_a_new_policy_show_at_once_despite_the_page_cache(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    report = ReportFactory()
    assert log_items(client) == []
    assert client.get("/corrections/")["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        note(report, text="A fresh correction.")
    assert "A fresh correction." in client.get("/corrections/").content.decode()
    assert "A fresh correction." in client.get("/corrections/feed/").content.decode()
    client.get("/corrections/policy/")
    with django_capture_on_commit_callbacks(execute=True):
        CorrectionsPolicy(text="<p>New policy.</p>").save()
    response = client.get("/corrections/policy/")
    assert response["X-Cache"] == "miss"
    assert "New policy." in response.content.decode()


@pytest.mark.parametrize("url", ["/corrections/", "/corrections/feed/", "/corrections/policy/"])
def test_the_corrections_pages_run_a_constant_number_of_queries(
    client, django_assert_num_queries, url
):
    counts = []
    for reports in (1, 8):
        for _ in range(reports):
            report = ReportFactory()
            for hours in range(3):
                note(report, hours_ago=hours + 1)
        with django_assert_num_queries(2 if url == "/corrections/" else 1) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------------------------------------
# Notes made before they had a uid


def test_the_migration_names_every_note_and_a_drafts_notes_as_their_live_originals():
    migration = importlib.import_module(
        "reports.migrations.0013_share_links_presence_and_note_uids"
    )
    report = ReportFactory()
    for hours in (1, 2):
        note(report, hours_ago=hours)
    draft = workflow.working_draft(report)
    note(draft, hours_ago=0, text="Only in the draft.")
    for unnamed in UpdateNote.objects.all():  # as the field added by the migration leaves them
        UpdateNote.objects.filter(pk=unnamed.pk).update(uid=uuid.uuid4())
    before = set(UpdateNote.objects.values_list("uid", flat=True))
    migration.name_notes(apps, None)
    live = {(n.kind, n.noted_at, n.text): n.uid for n in report.update_notes.all()}
    assert len(set(live.values())) == 2 and not before & set(live.values())
    drafted = {(n.kind, n.noted_at, n.text): n.uid for n in draft.update_notes.all()}
    assert {key: drafted[key] for key in live} == live
    assert len(set(drafted.values())) == 3
