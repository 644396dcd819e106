"""Share links show a report's unpublished draft to reviewers without an account: signed,
expiring, revocable, never indexed or cached."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from lxml import html

from diethnos.models import ContentVersion
from reports import workflow
from reports.models import Report
from reports.sharing import DEFAULT_DAYS, ShareLink

from .factories import ContributorFactory, EditorFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


@pytest.fixture
def editor():
    return EditorFactory(first_name="Eleni", last_name="Markou")


@pytest.fixture
def report_with_changes(editor):
    """A published report whose working draft has a new headline, not yet published."""
    report = ReportFactory(title="Live headline", slug="live-headline")
    draft = workflow.working_draft(report, by=editor)
    draft.title = "Draft headline"
    draft.save()
    workflow.note_saved_draft(draft)
    return report


def test_a_share_link_shows_the_working_draft_to_anyone_with_the_banner(
    client, editor, report_with_changes
):
    link = ShareLink.make(report_with_changes, by=editor)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draft headline" in page
    assert "Live headline" not in page
    assert "Preview shared for review" in page
    # The public page still shows the live version.
    live = client.get(report_with_changes.get_absolute_url()).content.decode()
    assert "Live headline" in live and "Draft headline" not in live


def test_a_share_link_to_an_unpublished_report_shows_it(client, editor):
    report = ReportFactory(title="Never published", status=Report.Status.DRAFT)
    link = ShareLink.make(report, by=editor)
    assert "Never published" in client.get(link.get_absolute_url()).content.decode()
    assert client.get(report.get_absolute_url()).status_code == 404


def test_a_link_made_from_the_working_draft_goes_to_its_report(editor, report_with_changes):
    draft = Report.all_objects.get(draft_of=report_with_changes)
    assert ShareLink.make(draft, by=editor).report == report_with_changes


def test_the_shared_page_is_noindex_and_never_cached(client, settings, editor, report_with_changes):
    settings.PAGE_CACHE_SECONDS = 600
    link = ShareLink.make(report_with_changes, by=editor)
    for _ in range(2):
        response = client.get(link.get_absolute_url())
        assert response["X-Robots-Tag"] == "noindex"
        assert response["Cache-Control"] == "private, no-store"
        assert response["Referrer-Policy"] == "no-referrer"
        assert "X-Cache" not in response  # not kept in, nor served from, the page cache
        head = html.fromstring(response.content)
        assert head.xpath("//meta[@name='robots']/@content") == ["noindex"]
        assert head.xpath("//link[@rel='canonical']") == []
        assert head.xpath("//script[@type='application/ld+json']") != []  # the outlet's only
        assert "NewsArticle" not in response.content.decode()


def test_a_share_link_to_a_published_report_with_no_draft_is_still_noindex(client, editor):
    report = ReportFactory(title="Published as is")
    link = ShareLink.make(report, by=editor)
    response = client.get(link.get_absolute_url())
    assert "Published as is" in response.content.decode()
    assert html.fromstring(response.content).xpath("//meta[@name='robots']/@content") == ["noindex"]


def test_a_link_expires_after_a_week_by_default(client, editor, report_with_changes):
    link = ShareLink.make(report_with_changes, by=editor)
    assert link.expires_at - link.created_at == timedelta(days=DEFAULT_DAYS)
    with time_machine.travel(timezone.now() + timedelta(days=DEFAULT_DAYS, seconds=-60)):
        assert client.get(link.get_absolute_url()).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=DEFAULT_DAYS, seconds=1)):
        assert client.get(link.get_absolute_url()).status_code == 404


def test_a_revoked_link_answers_404(client, editor, report_with_changes):
    link = ShareLink.make(report_with_changes, by=editor)
    link.revoke()
    assert client.get(link.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: ("x" if token[0] != "x" else "y") + token[1:],  # the key
        lambda token: token.split(".")[0],  # no signature
        lambda token: "nothing-here",
        lambda token: "%00%ff" + token,
        lambda token: "a" * 300,
    ],
)
def test_a_tampered_token_answers_404_not_500(client, editor, report_with_changes, tamper):
    link = ShareLink.make(report_with_changes, by=editor)
    response = client.get(f"/preview/{tamper(link.token)}/")
    assert response.status_code == 404


def test_a_signed_key_that_names_no_link_answers_404(client, editor, report_with_changes):
    link = ShareLink.make(report_with_changes, by=editor)
    url = link.get_absolute_url()
    link.delete()
    assert client.get(url).status_code == 404


def test_the_shared_page_runs_a_constant_number_of_queries(
    client, editor, django_assert_num_queries
):
    small = ReportFactory(slug="small", key_points=["One."])
    large = ReportFactory(slug="large", key_points=[f"Point {n}." for n in range(10)])
    counts = []
    for report in (small, large):
        link = ShareLink.make(report, by=editor)
        with django_assert_num_queries(8) as captured:
            assert client.get(link.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_making_and_revoking_links_changes_no_public_page(
    client, editor, report_with_changes, django_capture_on_commit_callbacks
):
    before = ContentVersion.objects.get().value if ContentVersion.objects.exists() else None
    client.force_login(editor)
    draft = Report.all_objects.get(draft_of=report_with_changes)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:reports_report_share", args=[draft.pk]), {"days": "3"})
        link = ShareLink.objects.get()
        client.post(reverse("admin:reports_report_revoke_share", args=[draft.pk, link.pk]))
    after = ContentVersion.objects.get().value if ContentVersion.objects.exists() else None
    assert before == after


# ---------------------------------------------------------------------------------------------
# In the desk


def test_an_editor_makes_a_link_for_some_days_and_sees_it_listed(
    client, editor, report_with_changes
):
    client.force_login(editor)
    draft = Report.all_objects.get(draft_of=report_with_changes)
    response = client.post(
        reverse("admin:reports_report_share", args=[draft.pk]), {"days": "3"}, follow=True
    )
    link = ShareLink.objects.get()
    assert link.report == report_with_changes
    assert link.created_by == editor
    assert timedelta(days=3) - (link.expires_at - link.created_at) < timedelta(seconds=1)
    page = html.fromstring(response.content)
    [section] = page.xpath("//section[@id='share-links']")
    url = f"http://testserver{link.get_absolute_url()}"
    assert section.xpath(".//input[@readonly]/@value") == [url]
    assert "Eleni Markou" in section.text_content()
    assert section.xpath(".//button[text()='Revoke']")
    assert section.xpath(".//button[text()='Create share link']")
    assert url in response.content.decode()  # in the message too


@pytest.mark.parametrize("days", ["0", "91", "seven", ""])
def test_a_link_for_a_bad_number_of_days_is_refused_with_a_message(
    client, editor, report_with_changes, days
):
    client.force_login(editor)
    draft = Report.all_objects.get(draft_of=report_with_changes)
    response = client.post(
        reverse("admin:reports_report_share", args=[draft.pk]), {"days": days}, follow=True
    )
    assert response.status_code == 200
    assert "No share link made" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_the_revoke_button_closes_the_link(client, editor, report_with_changes):
    link = ShareLink.make(report_with_changes, by=editor)
    client.force_login(editor)
    draft = Report.all_objects.get(draft_of=report_with_changes)
    response = client.post(
        reverse("admin:reports_report_revoke_share", args=[draft.pk, link.pk]), follow=True
    )
    assert "Share link revoked" in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is not None
    client.logout()
    assert client.get(link.get_absolute_url()).status_code == 404


def test_making_and_revoking_need_a_post(client, editor, report_with_changes):
    client.force_login(editor)
    draft = Report.all_objects.get(draft_of=report_with_changes)
    assert client.get(reverse("admin:reports_report_share", args=[draft.pk])).status_code == 405


def test_a_contributor_shares_their_own_report_but_not_anothers(client):
    contributor = ContributorFactory()
    own = ReportFactory(status=Report.Status.DRAFT, created_by=contributor)
    other = ReportFactory(status=Report.Status.DRAFT)
    client.force_login(contributor)
    response = client.get(change_url(own))
    assert html.fromstring(response.content).xpath("//section[@id='share-links']")
    client.post(reverse("admin:reports_report_share", args=[own.pk]), {"days": "7"})
    assert ShareLink.objects.filter(report=own).exists()
    refused = client.post(reverse("admin:reports_report_share", args=[other.pk]), {"days": "7"})
    assert refused.status_code in (403, 404)
    link = ShareLink.make(other, by=EditorFactory())
    revoke = reverse("admin:reports_report_revoke_share", args=[other.pk, link.pk])
    assert client.post(revoke).status_code in (403, 404)
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_link_of_another_report_is_not_revoked_through_this_one(client, editor):
    mine, theirs = ReportFactory(status="draft"), ReportFactory(status="draft")
    link = ShareLink.make(theirs, by=editor)
    client.force_login(editor)
    revoke = reverse("admin:reports_report_revoke_share", args=[mine.pk, link.pk])
    assert client.post(revoke).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_links_are_not_listed_for_someone_who_may_only_view_the_report(client, editor):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_report"))
    report = ReportFactory(status=Report.Status.DRAFT, created_by=viewer)
    link = ShareLink.make(report, by=editor)
    client.force_login(viewer)
    response = client.get(change_url(report))
    assert response.status_code == 200
    assert b"share-links" not in response.content
    assert link.token.encode() not in response.content
    made = client.post(reverse("admin:reports_report_share", args=[report.pk]), {"days": "7"})
    assert made.status_code == 403
    assert ShareLink.objects.count() == 1
