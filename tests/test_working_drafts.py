"""A published report is edited through its working draft: readers see nothing of the changes
until an editor publishes them, at once or at a set time."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from lxml import html
from reversion.models import Version

from reports import workflow
from reports.content import ReportContent
from reports.diffs import compare
from reports.models import Report, UpdateNote

from .admin_forms import desk_row, report_form_data
from .factories import (
    AuthorFactory,
    ContributorFactory,
    EditorFactory,
    ReportFactory,
    TopicFactory,
    region,
)
from .surfaces import feed_urls, json_feed_urls, page_urls, sitemap_urls

pytestmark = pytest.mark.django_db


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


@pytest.fixture
def editor(client):
    user = EditorFactory(email="editor@example.org")
    client.force_login(user)
    return user


def published_report():
    ukraine, poland = region("UA"), region("PL")
    return ReportFactory(
        title="Ports struck overnight",
        slug="ports-struck-overnight",
        summary="Drones hit two ports.",
        primary_region=ukraine,
        regions=[poland],
        topics=[TopicFactory(name="Shipping")],
        authors=[AuthorFactory(name="Amara Okafor")],
        key_points=["Two ports were hit.", "Shipping paused."],
        sources=["Port authority statement"],
    )


def edit_in_desk(client, report, button=None, **fields):
    """Save the desk's form of ``report``'s working draft with ``fields`` changed (and a
    workflow ``button`` pressed); returns the draft as stored after."""
    draft = desk_row(report)
    data = report_form_data(
        draft,
        title="Ports struck again",
        summary="Drones hit three ports.",
        key_points=["A third port was hit."],
        **fields,
    )
    if button:
        data[button] = "1"
    response = client.post(change_url(draft), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    return draft


def public_surfaces(client, report):
    """Every public surface ``report`` is on, as an anonymous reader gets it: {url: body}."""
    client.logout()
    urls = page_urls(report) + sitemap_urls() + feed_urls(report) + [reverse("corrections:feed")]
    urls += json_feed_urls(report)
    urls += [reverse("reports:search") + "?q=ports", reverse("reports:search") + "?q=third"]
    return {url: client.get(url).content.decode() for url in urls}


# ---------------------------------------------------------------------------------------------
# Readers see the live version only


def test_every_public_surface_is_unchanged_while_a_draft_of_a_published_report_is_saved(
    client, editor, django_capture_on_commit_callbacks, purges, settings
):
    settings.PAGE_CACHE_SECONDS = 600
    with django_capture_on_commit_callbacks(execute=True):  # indexed for search, as published
        report = published_report()
        ReportFactory(title="Another report on shipping", primary_region=region("UA"))
        UpdateNote.objects.create(report=report, kind="correction", text="Two ports, not one.")
    before = public_surfaces(client, report)
    purges.clear()
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        draft = edit_in_desk(client, report)
    assert draft.title == "Ports struck again"
    after = public_surfaces(client, report)
    for url, body in before.items():
        assert after[url] == body, url
        assert "Ports struck again" not in after[url] and "third port" not in after[url]
    # The page cache keeps its pages: a draft purges none.
    assert purges == []


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/reports/",
        "/regions/europe/",
        "/topics/",
        "/authors/",
        "/feed/",
        "/sitemap-reports.xml",
        "/news-sitemap.xml",
        "/search/?q=ports",
        "/corrections/",
        "/corrections/feed/",
    ],
)
def test_no_listing_shows_a_working_draft(client, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # indexed for search, as published
        report = published_report()
        UpdateNote.objects.create(report=report, kind="correction", text="Two ports, not one.")
    draft = desk_row(report)
    Report.all_objects.filter(pk=draft.pk).update(title="Ports struck again")
    page = client.get(url).content.decode()
    assert page.count(report.get_absolute_url()) >= 1 or url in ("/topics/", "/authors/")
    assert "Ports struck again" not in page
    assert Report.objects.count() == 1 and Report.all_objects.count() == 2


def test_the_desks_list_shows_live_reports_with_their_pending_changes(client, editor):
    report = published_report()
    other = ReportFactory(title="Untouched report")
    edit_in_desk(client, report)
    page = client.get(reverse("admin:reports_report_changelist") + "?pending=yes")
    rows = html.fromstring(page.content).xpath("//table[@id='result_list']/tbody/tr")
    assert [row.xpath(".//th//a")[0].text for row in rows] == ["Ports struck overnight"]
    listed = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert "Ports struck again" not in listed and other.title in listed


def test_opening_a_published_report_takes_the_editor_to_its_working_draft(client, editor):
    report = published_report()
    response = client.get(change_url(report))
    draft = Report.all_objects.get(draft_of=report)
    assert response["Location"] == change_url(draft)
    page = client.get(change_url(draft)).content.decode()
    assert "Live version" in page and "No unpublished changes" in page
    edit_in_desk(client, report)
    page = client.get(change_url(draft)).content.decode()
    assert "Draft with unpublished changes" in page


# ---------------------------------------------------------------------------------------------
# Publishing changes


def test_publish_changes_makes_them_live_at_once_everywhere(
    client, editor, django_capture_on_commit_callbacks, purges, settings
):
    settings.PAGE_CACHE_SECONDS = 600
    report = published_report()
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        draft = edit_in_desk(client, report, button="_publish_changes")
    assert f"report:{report.pk}" in set().union(*purges)  # its cached pages are dropped
    report.refresh_from_db()
    assert report.title == "Ports struck again"
    assert set(report.key_points.values_list("text", flat=True)) == {
        "Two ports were hit.",
        "Shipping paused.",
        "A third port was hit.",
    }
    assert not draft.has_unpublished_changes
    surfaces = public_surfaces(client, report)
    assert "Ports struck again" in surfaces[report.get_absolute_url()]
    assert "A third port was hit." in surfaces["/feed/"]


def test_changes_lacking_what_publication_needs_are_refused(client, editor):
    report = published_report()
    draft = desk_row(report)
    data = report_form_data(draft, summary="")
    data["_publish_changes"] = "1"
    response = client.post(change_url(draft), data)
    assert response.status_code == 200
    assert "needs a summary" in response.content.decode()
    report.refresh_from_db()
    assert report.summary == "Drones hit two ports."


def test_scheduled_changes_go_live_on_time_with_no_worker(client, editor, settings):
    settings.PAGE_CACHE_SECONDS = 600
    report = published_report()
    now = timezone.now()
    when = now + timedelta(hours=1)
    with time_machine.travel(now, tick=False):
        edit_in_desk(
            client,
            report,
            button="_schedule_changes",
            changes_go_live_at_0=timezone.localtime(when).strftime("%Y-%m-%d"),
            changes_go_live_at_1=timezone.localtime(when).strftime("%H:%M:%S"),
        )
        client.logout()
        assert "Ports struck overnight" in client.get(report.get_absolute_url()).content.decode()
    with time_machine.travel(when + timedelta(seconds=1), tick=False):
        page = client.get(report.get_absolute_url()).content.decode()
    assert "Ports struck again" in page
    draft = Report.all_objects.get(draft_of=report)
    assert draft.changes_publish_at is None and not draft.has_unpublished_changes


def test_due_changes_are_applied_once_however_many_ask(editor):
    report = published_report()
    draft = desk_row(report)
    draft.title = "Ports struck again"
    draft.save()
    workflow.publish_changes(draft, when=timezone.now() + timedelta(minutes=1), by=editor)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert workflow.publish_due_changes() == 1
        assert workflow.publish_due_changes() == 0
    report.refresh_from_db()
    assert report.title == "Ports struck again"
    comments = Version.objects.get_for_object(report).values_list("revision__comment", flat=True)
    assert list(comments).count("Scheduled changes published.") == 1


def test_discarding_puts_the_live_version_back_into_the_draft(client, editor):
    report = published_report()
    draft = edit_in_desk(client, report)
    response = client.post(reverse("admin:reports_report_discard", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Ports struck overnight"
    assert ReportContent.of(draft) == ReportContent.of(report)
    assert not draft.has_unpublished_changes


# ---------------------------------------------------------------------------------------------
# Contributors propose, editors publish


def test_a_contributor_proposes_changes_for_review_and_only_an_editor_publishes_them(
    client, django_capture_on_commit_callbacks
):
    contributor = ContributorFactory()
    author = AuthorFactory(user=contributor)
    EditorFactory(email="desk@example.org")
    report = ReportFactory(title="As published", authors=[author])
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        draft = edit_in_desk(client, report, button="_submit_changes")
    assert draft.status == Report.Status.IN_REVIEW
    assert [message.to for message in mail.outbox] == [["desk@example.org"]]
    draft = edit_in_desk(client, report, button="_publish_changes")
    report.refresh_from_db()
    assert report.title == "As published"
    with pytest.raises(PermissionDenied):
        workflow.publish_changes(draft, by=contributor)


def test_saving_a_report_sends_no_mail():
    report = ReportFactory(status=Report.Status.IN_REVIEW, publish_at=None)
    report.title = "Saved again"
    report.save()
    Report(title="New in review", status=Report.Status.IN_REVIEW).save()
    assert mail.outbox == []


# ---------------------------------------------------------------------------------------------
# History: diffs and restoring


def test_the_diff_tells_key_points_added_removed_reordered_and_reworded():
    old = ReportContent(
        fields={},
        key_points=("Ports were hit.", "Shipping paused.", "Insurers raised rates sharply."),
    )
    new = ReportContent(
        fields={},
        key_points=("Shipping paused.", "Ports were hit.", "Insurers raised their rates sharply.")
        + ("Grain exports stopped.",),
    )
    rows = workflow_rows(old, new)
    kinds = {(row.kind, row.new or row.old) for row in rows}
    assert ("added", "Grain exports stopped.") in kinds
    assert ("reworded", "Insurers raised their rates sharply.") in kinds
    assert {row.kind for row in rows if row.old in ("Ports were hit.", "Shipping paused.")} == {
        "same",
        "moved",
    }
    removed = workflow_rows(new, old)
    assert ("removed", "Grain exports stopped.") in {(row.kind, row.old) for row in removed}


def workflow_rows(old, new):
    from reports.diffs import rows

    return rows("Key points", old.key_points, new.key_points, rewording=True).rows


def test_the_diff_of_the_body_is_word_by_word():
    report = published_report()
    old = ReportContent.of(report)
    new = ReportContent(
        fields={**old.fields, "body": "<p>On October 28, 2024, something else happened.</p>"},
        key_points=old.key_points,
        bylines=old.bylines,
        sources=old.sources,
        regions=old.regions,
        topics=old.topics,
    )
    diff = compare(old, new)
    assert ("added", "else") in diff.body.new
    assert all(kind == "same" for kind, _ in diff.body.old)
    assert not diff.headline.changed and not diff.regions.changed


def test_history_compares_two_versions_side_by_side(client, editor):
    report = published_report()
    edit_in_desk(client, report)
    draft = Report.all_objects.get(draft_of=report)
    versions = list(Version.objects.get_for_object(draft).order_by("pk"))
    page = client.get(
        reverse("admin:reports_report_compare", args=[draft.pk]),
        {"from": versions[0].pk, "to": versions[-1].pk},
    )
    assert page.status_code == 200
    added = [
        " ".join(ins.text_content().split()) for ins in html.fromstring(page.content).xpath("//ins")
    ]
    assert "A third port was hit." in added and "again" in added
    assert client.get(reverse("admin:reports_report_history", args=[draft.pk])).status_code == 200
    assert (
        client.get(
            reverse("admin:reports_report_compare", args=[draft.pk]), {"from": "x", "to": "1"}
        ).status_code
        == 404
    )


def test_restoring_a_version_goes_to_the_draft_and_never_to_the_live_page(client, editor):
    report = published_report()
    draft = edit_in_desk(client, report, button="_publish_changes")
    report.refresh_from_db()
    assert report.title == "Ports struck again"
    first = Version.objects.get_for_object(draft).order_by("pk").first()  # as first published
    response = client.post(reverse("admin:reports_report_revision", args=[draft.pk, first.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    report.refresh_from_db()
    assert draft.title == "Ports struck overnight" and draft.has_unpublished_changes
    assert report.title == "Ports struck again"


# ---------------------------------------------------------------------------------------------
# Withdrawal


def test_a_withdrawal_takes_a_reason_shown_on_the_page_and_kept_in_history(client, editor):
    report = published_report()
    url = reverse("admin:reports_report_withdraw", args=[report.pk])
    assert client.post(url, {"reason": "  "}).status_code == 400
    with pytest.raises(ValidationError):
        workflow.withdraw(report, reason="")
    assert client.post(url, {"reason": "The casualty figures were wrong."}).status_code == 302
    client.logout()
    page = html.fromstring(client.get(report.get_absolute_url()).content)
    notice = " ".join(
        page.xpath("//div[contains(@class, 'notice-withdrawn')]")[0].text_content().split()
    )
    assert "The casualty figures were wrong." in notice
    latest = Version.objects.get_for_object(report).first()
    assert latest.field_dict["withdrawal_reason"] == "The casualty figures were wrong."
    assert latest.revision.comment == "Withdrawn: The casualty figures were wrong."


def test_the_publish_due_changes_command_publishes_them_for_sites_without_the_page_cache(editor):
    from io import StringIO

    from django.core.management import call_command

    report = published_report()
    draft = desk_row(report)
    draft.title = "Ports struck again"
    draft.save()
    workflow.publish_changes(draft, when=timezone.now() + timedelta(minutes=1), by=editor)
    out = StringIO()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        call_command("publish_due_changes", stdout=out)
    assert out.getvalue() == "1 report(s) changed.\n"
    report.refresh_from_db()
    assert report.title == "Ports struck again"
