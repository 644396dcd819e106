"""What machine-readable surfaces say about when a report last changed for its readers."""

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import html

from reports import workflow
from reports.models import Report, UpdateNote

from .factories import ReportFactory, TopicFactory, UpdateNoteFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def backdated():
    """A report entered today that was published a month ago (an imported one, say)."""
    return ReportFactory(publish_at=timezone.now() - timedelta(days=30))


def page(client, report):
    return html.fromstring(client.get(report.get_absolute_url()).content)


def modification_dates(client, report):
    """What each surface says about when ``report`` last changed: the page's "Updated" date,
    its meta tag and JSON-LD, the feed's build date, the sitemap's and the sitemap index's
    lastmod."""
    document = page(client, report)
    [modified_time] = document.xpath("//meta[@property='article:modified_time']/@content")
    scripts = [
        json.loads(script.text)
        for script in document.xpath("//script[@type='application/ld+json']")
    ]
    [article] = [data for data in scripts if "dateModified" in data]
    channel = ET.fromstring(client.get("/feed/").content).find("channel")  # noqa: S314
    urlset = ET.fromstring(client.get("/sitemap-reports.xml").content)  # noqa: S314
    [lastmod] = [
        url.findtext(f"{SITEMAP}lastmod")
        for url in urlset.iter(f"{SITEMAP}url")
        if url.findtext(f"{SITEMAP}loc").endswith(report.get_absolute_url())
    ]
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314
    [index_lastmod] = [
        entry.findtext(f"{SITEMAP}lastmod")
        for entry in index.iter(f"{SITEMAP}sitemap")
        if entry.findtext(f"{SITEMAP}loc").endswith("/sitemap-reports.xml")
    ]
    return {
        "updated": document.xpath(
            "//p[@class='dates']/span[starts-with(., 'Updated')]/time/@datetime"
        ),
        "article:modified_time": modified_time,
        "dateModified": article["dateModified"],
        "lastBuildDate": parsedate_to_datetime(channel.findtext("lastBuildDate")),
        "sitemap": lastmod,
        "sitemap index": index_lastmod,
    }


def expected(when, updated):
    return {
        "updated": [when.isoformat()] if updated else [],
        "article:modified_time": when.isoformat(),
        "dateModified": when.isoformat(),
        "lastBuildDate": when.replace(microsecond=0),
        "sitemap": when.date().isoformat(),
        "sitemap index": when.isoformat(),
    }


def test_a_report_entered_after_publication_was_last_modified_when_published(client, backdated):
    assert modification_dates(client, backdated) == expected(
        backdated.first_published_at, updated=False
    )


def test_saving_a_published_report_without_a_note_changes_no_modification_date(client):
    published = timezone.now() - timedelta(days=30)
    with time_machine.travel(published, tick=False):
        report = ReportFactory(publish_at=published)
    with time_machine.travel(published + timedelta(days=10), tick=False):
        report.title = "A typo fixed in the headline"
        report.save()
        report.topics.add(TopicFactory())
        report.key_points.update(text="A reworded takeaway.")
    assert modification_dates(client, report) == expected(published, updated=False)


@pytest.mark.parametrize("kind", UpdateNote.Kind.values)
def test_an_update_or_correction_note_is_the_reports_last_modification_everywhere(
    client, backdated, kind
):
    UpdateNoteFactory(report=backdated, kind=kind, noted_at=backdated.first_published_at)
    note = UpdateNoteFactory(
        report=backdated, kind=kind, noted_at=timezone.now() - timedelta(days=2)
    )
    assert modification_dates(client, backdated) == expected(note.noted_at, updated=True)


def test_the_latest_note_counts_whatever_order_the_notes_were_written_in(client, backdated):
    latest = UpdateNoteFactory(report=backdated, noted_at=timezone.now() - timedelta(days=2))
    UpdateNoteFactory(report=backdated, noted_at=timezone.now() - timedelta(days=20))
    assert modification_dates(client, backdated) == expected(latest.noted_at, updated=True)


# Every change of status, as a table: what a report goes through, one step a day, and the day
# its last modification is then.

DAY = timedelta(days=1)
START = (timezone.now() - 40 * DAY).replace(microsecond=0)
REASON = "A source could not be verified."


def on_day(day):
    return START + day * DAY


def step(report, action):
    """Do ``action`` (a str naming a change, "schedule:N" publishing for day N) to the report,
    read afresh as the desk does; return the report."""
    report = Report.all_objects.get(pk=report.pk)
    if action == "publish":
        return workflow.publish(report)
    if action.startswith("schedule:"):
        return workflow.publish(report, when=on_day(int(action.split(":")[1])))
    if action == "unpublish":
        return workflow.unpublish(report)
    if action == "withdraw":
        return workflow.withdraw(report, reason=REASON)
    if action == "review":
        workflow.submit_for_review(report)
        return report
    if action == "note":  # an update note, added to the working draft and published
        draft = workflow.working_draft(report)
        UpdateNoteFactory(report=draft, noted_at=timezone.now())
        workflow.publish_changes(draft)
        return report
    if action == "changes":  # changes published without a note
        draft = workflow.working_draft(report)
        draft.title = f"{draft.title}, reworded"
        draft.save()
        workflow.publish_changes(draft)
        return report
    raise ValueError(action)


def went_through(actions):
    """A report that went through ``actions``, the first on day 0, the next on day 1, …"""
    report = ReportFactory(status=Report.Status.DRAFT, publish_at=None)
    for day, action in enumerate(actions):
        with time_machine.travel(on_day(day), tick=False):
            report = step(report, action)
    return Report.objects.get(pk=report.pk)


def modified_in_sql(report):
    return Report.objects.with_modification().get(pk=report.pk).last_modified


TRANSITIONS = [
    # (the steps, the day of the last modification)
    (["publish"], 0),
    (["schedule:2"], 2),
    (["publish", "note"], 1),
    (["publish", "changes"], 0),  # saving alone is no update
    (["publish", "withdraw"], 1),
    (["publish", "withdraw", "publish"], 2),
    (["publish", "withdraw", "schedule:5"], 5),
    (["publish", "withdraw", "unpublish"], 2),
    (["publish", "withdraw", "unpublish", "publish"], 3),
    (["publish", "unpublish"], 1),
    (["publish", "unpublish", "review"], 1),  # nothing readers see changes
    (["publish", "unpublish", "publish"], 2),
    (["publish", "unpublish", "review", "publish"], 3),
    (["publish", "note", "unpublish", "publish"], 3),
    (["publish", "unpublish", "schedule:6"], 6),
    (["publish", "schedule:4"], 4),  # taken out again until then
    (["publish", "withdraw", "publish", "note"], 3),
]


@pytest.mark.parametrize(
    ("actions", "day"), TRANSITIONS, ids=["-".join(actions) for actions, _ in TRANSITIONS]
)
def test_every_change_of_status_readers_see_moves_the_modification_date(client, actions, day):
    report = went_through(actions)
    assert report.modified_at == on_day(day)
    assert modified_in_sql(report) == on_day(day)
    if report.has_page:
        api = client.get(f"/api/v1/reports/{report.slug}/").json()
        assert datetime.fromisoformat(api["modified_at"]) == on_day(day)
        since = [item["slug"] for item in modified_since(client, on_day(day))]
        assert report.slug in since
        assert report.slug not in [
            item["slug"] for item in modified_since(client, on_day(day) + timedelta(seconds=1))
        ]


def modified_since(client, when):
    response = client.get("/api/v1/reports/", {"modified_since": when.isoformat()})
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize(
    "actions",
    [["publish", "withdraw", "publish"], ["publish", "unpublish", "publish"]],
    ids=["after a withdrawal", "after unpublishing"],
)
def test_a_report_published_again_was_last_modified_then_everywhere(client, actions):
    report = went_through(actions)
    assert modification_dates(client, report) == expected(on_day(2), updated=False)


def test_the_desks_list_actions_move_the_modification_date(admin_client):
    report = went_through(["publish"])
    changelist = "/admin/reports/report/"
    for day, action in [(1, "unpublish"), (2, "publish")]:
        with time_machine.travel(on_day(day), tick=False):
            response = admin_client.post(
                changelist, {"action": action, "_selected_action": [report.pk]}
            )
        assert response.status_code == 302
        report = Report.all_objects.get(pk=report.pk)
        assert report.modified_at == modified_in_sql(report) == on_day(day)


ACTIONS = ["publish", "schedule", "unpublish", "withdraw", "review", "note", "changes"]


def possible(report, action):
    """Whether the desk offers ``action`` for ``report`` as it stands."""
    status = report.status
    if action in ("withdraw", "changes"):
        return status == Report.Status.PUBLISHED
    if action == "review":
        return status == Report.Status.DRAFT
    if action == "note":
        return report.has_page and status == Report.Status.PUBLISHED
    if action == "unpublish":
        return status in (Report.Status.PUBLISHED, Report.Status.WITHDRAWN)
    return True


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=8))
@example(actions=["publish", "changes", "note", "changes"])
def test_whatever_a_report_goes_through_its_modification_date_moves_with_what_readers_see(
    actions,
):
    """Walking through any changes, one a day: ``modified_at`` reads the same in Python and in
    SQL, never goes back while readers can see the report, and is no earlier than the moment
    readers last saw it appear or change status."""
    report = ReportFactory(status=Report.Status.DRAFT, publish_at=None)
    seen = None  # (has a page, status) at the last look
    latest = None  # the latest modification readers were shown
    for day, action in enumerate(actions):
        with time_machine.travel(on_day(day), tick=False):
            report = Report.all_objects.get(pk=report.pk)
            before = (report.has_page, report.status)
            if action == "schedule":
                action = f"schedule:{day + 2}"
            if possible(report, action.split(":")[0]):
                step(report, action)
            report = Report.all_objects.get(pk=report.pk)
            modified = report.modified_at
            assert modified == modified_in_sql(report), (day, action)
            now_seen = (report.has_page, report.status)
            if report.has_page:
                if latest is not None:
                    assert modified >= latest, (day, action)
                latest = modified
                if now_seen != before:  # by this change
                    assert modified >= on_day(day), (day, action)
                elif now_seen != seen:  # by its publication time coming since the last look
                    assert modified > on_day(day - 1), (day, action)
            seen = now_seen


def test_a_withdrawn_reports_page_gives_its_withdrawal_as_its_modification(client):
    report = went_through(["publish", "withdraw"])
    document = page(client, report)
    assert document.xpath("//meta[@property='article:modified_time']/@content") == [
        on_day(1).isoformat()
    ]
    api = client.get(f"/api/v1/reports/{report.slug}/").json()
    assert datetime.fromisoformat(api["modified_at"]) == on_day(1)
