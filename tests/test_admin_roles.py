"""What Editors and Contributors may do in the editors' desk, tested through the admin."""

import pytest
from django.urls import reverse

from reports.models import Report

from .admin_forms import report_form_data
from .factories import AuthorFactory, ContributorFactory, EditorFactory, ReportFactory, region

pytestmark = pytest.mark.django_db

LIST = reverse("admin:reports_report_changelist")
ADD = reverse("admin:reports_report_add")


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


@pytest.fixture
def contributor():
    user = ContributorFactory()
    AuthorFactory(user=user, name="Contributing Analyst")
    return user


@pytest.fixture
def other_contributor():
    user = ContributorFactory()
    AuthorFactory(user=user)
    return user


def own_draft(user, **kwargs):
    return ReportFactory(
        status=Report.Status.DRAFT, publish_at=None, authors=[user.author], **kwargs
    )


def test_both_roles_exist_as_groups_with_their_permissions():
    from django.contrib.auth.models import Group

    editors = Group.objects.get(name="Editors")
    contributors = Group.objects.get(name="Contributors")
    editor_perms = set(editors.permissions.values_list("codename", flat=True))
    contributor_perms = set(contributors.permissions.values_list("codename", flat=True))
    assert {"publish_report", "delete_report", "change_author", "change_region"} <= editor_perms
    assert {"add_report", "change_report", "add_keypoint"} <= contributor_perms
    assert "publish_report" not in contributor_perms
    assert "delete_report" not in contributor_perms
    assert "change_author" not in contributor_perms


def test_a_contributor_adds_a_report_and_is_put_on_its_byline(client, contributor):
    client.force_login(contributor)
    response = client.post(ADD, report_form_data(key_points=["A single takeaway."]))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.created_by == contributor
    assert list(report.authors.all()) == [contributor.author]
    assert report.status == Report.Status.DRAFT


def test_a_contributor_submits_for_review_but_cannot_choose_published(client, contributor):
    client.force_login(contributor)
    response = client.post(ADD, report_form_data(status="in_review"))
    assert response.status_code == 302
    assert Report.objects.get().status == Report.Status.IN_REVIEW

    page = client.get(change_url(Report.objects.get())).content.decode()
    assert 'value="published"' not in page

    tampered = report_form_data(
        slug="tampered",
        status="published",
        primary_region=region("UA").pk,
        key_points=["One."],
        authors=[contributor.author],
    )
    response = client.post(ADD, tampered)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Report.objects.filter(slug="tampered").exists()


def test_a_contributor_cannot_publish_through_the_list_actions(client, contributor):
    report = own_draft(contributor)
    client.force_login(contributor)
    page = client.get(LIST).content.decode()
    assert 'value="send_for_review"' in page
    assert 'value="publish"' not in page
    response = client.post(LIST, {"action": "publish", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    assert response.status_code in (200, 302)


def test_a_contributor_sends_own_drafts_for_review_from_the_list(client, contributor):
    report = own_draft(contributor)
    client.force_login(contributor)
    client.post(LIST, {"action": "send_for_review", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == Report.Status.IN_REVIEW


def test_a_contributor_edits_own_drafts_and_proposes_changes_to_published_ones(client, contributor):
    draft = own_draft(contributor)
    client.force_login(contributor)
    response = client.post(change_url(draft), report_form_data(draft, title="Improved headline"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Improved headline"

    published = ReportFactory(authors=[contributor.author], title="As published")
    response = client.get(change_url(published))
    assert response.status_code == 302  # to the working draft
    proposal = Report.all_objects.get(draft_of=published)
    assert response["Location"] == change_url(proposal)
    # The live row itself is never theirs to change.
    response = client.post(change_url(published), report_form_data(published, title="Sneaky"))
    assert response.status_code == 302
    data = report_form_data(proposal, title="Proposed headline", _publish_changes="1")
    assert client.post(change_url(proposal), data).status_code == 302
    proposal.refresh_from_db()
    published.refresh_from_db()
    assert proposal.title == "Proposed headline"
    assert published.title == "As published"  # only editors publish changes


def test_a_contributor_neither_sees_nor_changes_another_contributors_draft(
    client, contributor, other_contributor
):
    theirs = own_draft(other_contributor, title="Their secret draft")
    client.force_login(contributor)
    assert "Their secret draft" not in client.get(LIST).content.decode()
    response = client.get(change_url(theirs))
    assert response.status_code == 302  # "does not exist" back to the admin index
    response = client.post(change_url(theirs), report_form_data(theirs, title="Hijacked"))
    theirs.refresh_from_db()
    assert theirs.title == "Their secret draft"
    assert client.get(reverse("admin:reports_report_history", args=[theirs.pk])).status_code in (
        302,
        403,
        404,
    )


def test_a_contributor_cannot_delete_reports(client, contributor):
    draft = own_draft(contributor)
    client.force_login(contributor)
    response = client.post(reverse("admin:reports_report_delete", args=[draft.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Report.objects.filter(pk=draft.pk).exists()


def test_an_editor_sees_changes_and_publishes_everyones_work(client, contributor):
    draft = own_draft(contributor, title="Ready for the desk")
    editor = EditorFactory()
    client.force_login(editor)
    assert "Ready for the desk" in client.get(LIST).content.decode()
    client.post(LIST, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_public


def test_publishing_from_the_list_reports_what_is_missing(client):
    incomplete = ReportFactory(status=Report.Status.DRAFT, publish_at=None, key_points=[])
    client.force_login(EditorFactory())
    response = client.post(
        LIST, {"action": "publish", "_selected_action": [incomplete.pk]}, follow=True
    )
    assert "needs at least one key point" in response.content.decode()
    incomplete.refresh_from_db()
    assert incomplete.status == Report.Status.DRAFT


@pytest.mark.parametrize(("action", "status"), [("unpublish", "draft"), ("withdraw", "withdrawn")])
def test_an_editor_unpublishes_or_withdraws(client, action, status):
    report = ReportFactory()
    client.force_login(EditorFactory())
    reason = {"apply": "1", "reason": "The figures were wrong."} if action == "withdraw" else {}
    client.post(LIST, {"action": action, "_selected_action": [report.pk], **reason})
    report.refresh_from_db()
    assert report.status == status
    assert not report.is_public


def test_an_editor_schedules_a_report_for_later(client):
    author = AuthorFactory()
    client.force_login(EditorFactory())
    data = report_form_data(
        status="published",
        primary_region=region("UA").pk,
        key_points=["One."],
        authors=[author],
        publish_at_0="2099-01-01",
        publish_at_1="09:00:00",
    )
    assert client.post(ADD, data).status_code == 302
    report = Report.objects.get()
    assert report.is_scheduled and not report.is_public
    assert "Scheduled" in client.get(LIST).content.decode()


def test_people_outside_the_desk_are_sent_to_sign_in(client):
    assert client.get(LIST).status_code == 302
    client.force_login(ContributorFactory(is_staff=False))
    assert client.get(LIST).status_code == 302
