"""Editors hear by e-mail when a report is sent to them for review, once per submission."""

import pytest
from django.db import transaction
from django.urls import reverse

from reports import workflow
from reports.models import Report

from .admin_forms import report_form_data
from .factories import (
    AuthorFactory,
    ContributorFactory,
    EditorFactory,
    ReportFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db

LIST = reverse("admin:reports_report_changelist")
ADD = reverse("admin:reports_report_add")


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


@pytest.fixture
def contributor():
    user = ContributorFactory(first_name="Amara", last_name="Okafor")
    AuthorFactory(user=user, name="Amara Okafor")
    return user


@pytest.fixture
def editors():
    return [EditorFactory(), EditorFactory(), UserFactory(is_superuser=True, is_staff=True)]


def own_draft(user, **kwargs):
    return ReportFactory(
        status=Report.Status.DRAFT, publish_at=None, authors=[user.author], **kwargs
    )


def recipients(outbox):
    return sorted(address for message in outbox for address in message.to)


def test_editors_get_one_email_each_when_a_draft_is_sent_for_review_from_the_list(
    client, contributor, editors, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://news.example.org"
    co_author = AuthorFactory(name="Lena Fischer")
    draft = own_draft(contributor, title="Grain corridor under strain")
    draft.report_authors.create(author=co_author, position=1)
    client.force_login(contributor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(LIST, {"action": "send_for_review", "_selected_action": [draft.pk]})

    assert recipients(mailoutbox) == sorted(user.email for user in editors)
    assert all(len(message.to) == 1 for message in mailoutbox)
    message = mailoutbox[0]
    assert "Grain corridor under strain" in message.subject
    assert "\n" not in message.subject
    assert "Amara Okafor, Lena Fischer" in message.body
    assert "Sent for review by: Amara Okafor" in message.body
    assert f"https://news.example.org/admin/reports/report/{draft.pk}/change/" in message.body


def test_contributors_are_not_emailed(
    client, contributor, editors, mailoutbox, django_capture_on_commit_callbacks
):
    other = ContributorFactory()
    draft = own_draft(contributor)
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(LIST, {"action": "send_for_review", "_selected_action": [draft.pk]})
    assert contributor.email not in recipients(mailoutbox)
    assert other.email not in recipients(mailoutbox)
    assert len(mailoutbox) == len(editors)


def test_saving_the_form_with_status_in_review_emails_the_editors(
    client, contributor, editors, mailoutbox, django_capture_on_commit_callbacks
):
    draft = own_draft(contributor, title="Port strikes")
    co_author = AuthorFactory(name="Lena Fischer")
    client.force_login(contributor)
    data = report_form_data(draft, status="in_review", authors=[co_author])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(draft), data)
    assert response.status_code == 302
    assert recipients(mailoutbox) == sorted(user.email for user in editors)
    assert "Port strikes" in mailoutbox[0].subject
    assert "By: Amara Okafor, Lena Fischer" in mailoutbox[0].body  # as saved with the form


def test_a_report_added_straight_into_review_names_its_byline(
    client, contributor, editors, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, report_form_data(status="in_review", key_points=["One."]))
    assert response.status_code == 302
    assert len(mailoutbox) == len(editors)
    assert "By: Amara Okafor" in mailoutbox[0].body


def test_a_second_save_while_in_review_sends_nothing(
    client, contributor, editors, mailoutbox, django_capture_on_commit_callbacks
):
    draft = own_draft(contributor)
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url(draft), report_form_data(draft, status="in_review"))
    assert len(mailoutbox) == len(editors)

    mailoutbox.clear()
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(draft), report_form_data(draft, title="Sharper headline"))
        client.post(LIST, {"action": "send_for_review", "_selected_action": [draft.pk]})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Report.Status.IN_REVIEW
    assert mailoutbox == []


def test_going_back_to_draft_and_submitting_again_emails_again(
    contributor, editors, mailoutbox, django_capture_on_commit_callbacks
):
    draft = own_draft(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        assert workflow.submit_for_review(draft, by=contributor)
        assert not workflow.submit_for_review(draft, by=contributor)
    assert len(mailoutbox) == len(editors)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(draft)
        workflow.submit_for_review(draft, by=contributor)
    assert len(mailoutbox) == 2 * len(editors)


def test_editors_without_an_email_address_or_an_active_account_are_skipped(
    contributor, mailoutbox, django_capture_on_commit_callbacks
):
    reachable = EditorFactory()
    EditorFactory(email="")
    EditorFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(own_draft(contributor), by=contributor)
    assert recipients(mailoutbox) == [reachable.email]


def test_nothing_is_sent_when_the_save_is_rolled_back(
    contributor, editors, mailoutbox, django_capture_on_commit_callbacks
):
    draft = own_draft(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            workflow.submit_for_review(draft, by=contributor)
            raise RuntimeError("the rest of the save failed")
    assert mailoutbox == []
    draft.refresh_from_db()
    assert draft.status == Report.Status.DRAFT


def test_reports_an_editor_publishes_directly_send_nothing(
    client, editors, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editors[0])
    data = report_form_data(
        status="published",
        primary_region=region("UA").pk,
        key_points=["One."],
        authors=[AuthorFactory()],
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(ADD, data).status_code == 302
        ReportFactory()
    assert Report.objects.filter(status=Report.Status.PUBLISHED).count() == 2
    assert mailoutbox == []


def test_a_mail_server_that_is_down_does_not_undo_or_break_the_submission(
    client, contributor, editors, django_capture_on_commit_callbacks, settings, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    draft = own_draft(contributor)
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST, {"action": "send_for_review", "_selected_action": [draft.pk]})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Report.Status.IN_REVIEW
    assert "Could not send the e-mail of send_review_request" in caplog.text
