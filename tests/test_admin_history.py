"""Who may revert a report to an earlier version, or recover a deleted one, in the editors' desk."""

import pytest
import reversion
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from reversion.models import Version

from reports import workflow
from reports.models import Report

from .admin_forms import report_form_data
from .factories import AuthorFactory, ContributorFactory, EditorFactory, ReportFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:reports_report_changelist")
RECOVER_LIST = reverse("admin:reports_report_recoverlist")


@pytest.fixture
def contributor():
    user = ContributorFactory()
    AuthorFactory(user=user)
    return user


def saved(report, **changes):
    """Save ``report`` with ``changes`` as a new version in its history; return that version."""
    for name, value in changes.items():
        setattr(report, name, value)
    with reversion.create_revision():
        report.save()
    return Version.objects.get_for_object(report).first()


def history_url(report):
    return reverse("admin:reports_report_history", args=[report.pk])


def revision_url(report, version):
    return reverse("admin:reports_report_revision", args=[report.pk, version.pk])


def revert(client, report, version):
    """Post the revision form as the browser sends it, with the old version's fields.

    The form is based on the report as stored, not on the version it restores."""
    old = version.field_dict
    stored = Report.objects.get(pk=report.pk).version
    data = report_form_data(report, title=old["title"], status=old["status"], version_seen=stored)
    return client.post(revision_url(report, version), data)


def test_a_contributor_cannot_revert_someone_elses_published_report(client, contributor):
    report = ReportFactory(title="Original headline")
    first = saved(report)
    saved(report, title="Edited headline")
    client.force_login(contributor)

    assert client.get(history_url(report)).status_code == 404
    assert client.get(revision_url(report, first)).status_code == 404
    assert client.post(revision_url(report, first), {}).status_code == 404
    assert revert(client, report, first).status_code == 404
    report.refresh_from_db()
    assert report.title == "Edited headline"


def test_a_contributor_restores_a_version_of_their_published_report_only_into_its_draft(
    client, contributor
):
    report = ReportFactory(title="Original headline", authors=[contributor.author])
    first = saved(report)
    saved(report, title="Edited headline")
    client.force_login(contributor)

    assert client.get(history_url(report)).status_code == 200
    draft = workflow.working_draft(report)
    assert client.post(revision_url(draft, first)).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Original headline"
    # Only an editor publishes it: the live page is as it was.
    report.refresh_from_db()
    assert report.title == "Edited headline"
    with pytest.raises(PermissionDenied):
        workflow.publish_changes(draft, by=contributor)


def test_a_contributor_sees_the_history_of_and_reverts_their_own_draft(client, contributor):
    report = ReportFactory(
        title="First draft",
        status=Report.Status.DRAFT,
        publish_at=None,
        authors=[contributor.author],
    )
    first = saved(report)
    saved(report, title="Second draft")
    client.force_login(contributor)

    history = client.get(history_url(report))
    assert history.status_code == 200
    assert revision_url(report, first) in history.content.decode()
    assert client.get(revision_url(report, first)).status_code == 200
    assert revert(client, report, first).status_code == 302
    report.refresh_from_db()
    assert report.title == "First draft"


def test_a_contributor_cannot_revert_a_change_made_together_with_other_reports(client, contributor):
    mine = ReportFactory(authors=[contributor.author])
    theirs = ReportFactory(title="Their headline")
    client.force_login(EditorFactory())
    client.post(LIST, {"action": "unpublish", "_selected_action": [mine.pk, theirs.pk]})
    together = Version.objects.get_for_object(mine).first()
    assert together.revision.version_set.get_for_model(Report).count() == 2
    theirs.refresh_from_db()
    saved(theirs, title="Their corrected headline")

    client.force_login(contributor)
    mine.refresh_from_db()
    assert revert(client, mine, together).status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "Their corrected headline"


def test_an_editor_restores_anyones_report_to_its_draft_and_publishes_it(client, contributor):
    report = ReportFactory(title="Original headline", authors=[contributor.author])
    first = saved(report)
    saved(report, title="Edited headline")
    editor = EditorFactory()
    client.force_login(editor)

    assert client.get(history_url(report)).status_code == 200
    draft = workflow.working_draft(report)
    assert client.post(revision_url(draft, first)).status_code == 302
    report.refresh_from_db()
    assert report.title == "Edited headline"  # restoring never changes the live page

    draft.refresh_from_db()
    workflow.publish_changes(draft, by=editor)
    report.refresh_from_db()
    assert report.title == "Original headline"
    assert report.is_public


def deleted_report(client):
    report = ReportFactory(title="Deleted draft", status=Report.Status.DRAFT, publish_at=None)
    saved(report)
    client.force_login(EditorFactory())
    client.post(reverse("admin:reports_report_delete", args=[report.pk]), {"post": "yes"})
    assert not Report.objects.filter(pk=report.pk).exists()
    return report, Version.objects.get_deleted(Report).get()


def test_a_contributor_neither_lists_nor_recovers_deleted_reports(client, contributor):
    report, version = deleted_report(client)
    client.force_login(contributor)

    assert client.get(RECOVER_LIST).status_code == 403
    recover = reverse("admin:reports_report_recover", args=[version.pk])
    assert client.get(recover).status_code == 403
    assert client.post(recover, report_form_data(report)).status_code == 403
    assert not Report.objects.filter(pk=report.pk).exists()


def test_an_editor_recovers_a_deleted_report(client):
    report, version = deleted_report(client)

    listing = client.get(RECOVER_LIST)
    assert listing.status_code == 200
    assert "Deleted draft" in listing.content.decode()
    recover = reverse("admin:reports_report_recover", args=[version.pk])
    data = report_form_data(report, version_seen=version.field_dict["version"])
    assert client.post(recover, data).status_code == 302
    assert Report.objects.get(pk=report.pk).title == "Deleted draft"
