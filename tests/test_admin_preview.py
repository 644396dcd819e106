"""Editors preview a report as readers will see it, with changes not yet saved."""

import pytest
from django.core import mail
from django.urls import reverse
from reversion.models import Version

from reports.models import Report

from .admin_forms import desk_row, report_form_data
from .factories import AuthorFactory, ContributorFactory, EditorFactory, ReportFactory, region

pytestmark = pytest.mark.django_db

PREVIEW_NEW = reverse("admin:reports_report_preview_new")


def preview_url(report):
    return reverse("admin:reports_report_preview", args=[report.pk])


def test_an_unsaved_new_report_is_previewed_with_its_key_points_and_byline(client):
    client.force_login(EditorFactory())
    author = AuthorFactory(name="Amara Okafor")
    data = report_form_data(
        key_points=["Talks resumed in Doha.", "Both delegations attended."],
        authors=[author],
        primary_region=region("QA").pk,
    )
    response = client.post(PREVIEW_NEW, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview of unsaved changes" in page
    assert f"<h1>{data['title']}</h1>" in page
    assert "Talks resumed in Doha." in page and "Both delegations attended." in page
    assert "Amara Okafor" in page
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"]
    assert not Report.objects.exists()


def test_changes_to_a_published_report_are_previewed_and_nothing_is_saved(
    client, django_capture_on_commit_callbacks
):
    report = ReportFactory(title="Original headline", key_points=["Old point."])
    draft = desk_row(report)
    version, versions = draft.version, Version.objects.count()
    client.force_login(EditorFactory())
    data = report_form_data(draft, title="Changed headline", key_points=["A new point."])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(preview_url(draft), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Changed headline</h1>" in page
    assert "Old point." in page and "A new point." in page
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("Original headline", version)
    assert list(draft.key_points.values_list("text", flat=True)) == ["Old point."]
    assert callbacks == []
    assert Version.objects.count() == versions
    # Readers still see the published report.
    client.logout()
    assert "Original headline" in client.get(report.get_absolute_url()).content.decode()


def test_a_contributor_previews_their_draft_without_sending_it_for_review(client):
    user = ContributorFactory()
    author = AuthorFactory(user=user)
    draft = ReportFactory(status=Report.Status.DRAFT, publish_at=None, authors=[author])
    client.force_login(user)
    data = report_form_data(draft, status="in_review")
    response = client.post(preview_url(draft), data)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Report.Status.DRAFT
    assert mail.outbox == []


def test_nobody_previews_a_report_they_may_not_change(client):
    draft = ReportFactory(status=Report.Status.DRAFT, publish_at=None)
    client.force_login(ContributorFactory())
    response = client.post(preview_url(draft), report_form_data(draft))
    assert response.status_code in (403, 404)
    client.logout()
    response = client.post(preview_url(draft), report_form_data(draft))
    assert response.status_code == 302  # to the sign-in page


def test_a_form_with_problems_explains_them_instead_of_a_preview(client):
    client.force_login(EditorFactory())
    data = report_form_data(title="", key_points=["x" * 401])
    response = client.post(PREVIEW_NEW, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The preview could not be made" in page
    assert "Headline: This field is required." in page
    assert "at most 400 characters" in page


def test_the_report_form_offers_the_preview_in_a_new_tab(client):
    report = desk_row(ReportFactory())
    client.force_login(EditorFactory())
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert f'formaction="{preview_url(report)}"' in page
    assert 'formtarget="_blank"' in page
    page = client.get(reverse("admin:reports_report_add")).content.decode()
    assert f'formaction="{PREVIEW_NEW}"' in page


def test_an_image_chosen_for_the_preview_is_not_stored(client, settings):
    from .factories import image_upload

    report = desk_row(ReportFactory())
    client.force_login(EditorFactory())
    data = {**report_form_data(report), "hero_image": image_upload("new.jpg", size=(800, 600))}
    data["hero_alt"] = "A new picture."
    response = client.post(preview_url(report), data)
    assert response.status_code == 200
    stored = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert stored == []
    report.refresh_from_db()
    assert not report.hero_image


def test_previewing_a_report_that_does_not_exist_is_a_404(client):
    client.force_login(EditorFactory())
    for pk in ("999999", "not-a-number"):
        url = reverse("admin:reports_report_preview", args=[pk])
        assert client.post(url, report_form_data()).status_code == 404
