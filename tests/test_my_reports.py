"""My reports: a signed-in author's own reports in every status, and what they may do."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Report

from .factories import AuthorFactory, ContributorFactory, EditorFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/reports/"


@pytest.fixture
def contributor():
    user = ContributorFactory()
    AuthorFactory(user=user, name="Amara Okafor")
    return user


def page_for(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def row(page, title):
    """The table row of the report called ``title``."""
    match = re.search(rf'<th scope="row">{re.escape(title)}</th>(.*?)</tr>', page, re.S)
    assert match, f"no row for {title!r}"
    return match.group(1)


def reports_in_every_status(author):
    now = timezone.now()
    return {
        "Draft": ReportFactory(
            title="A draft", status=Report.Status.DRAFT, publish_at=None, authors=[author]
        ),
        "In review": ReportFactory(
            title="Under review", status=Report.Status.IN_REVIEW, publish_at=None, authors=[author]
        ),
        "Scheduled": ReportFactory(
            title="Coming soon", publish_at=now + timedelta(days=2), authors=[author]
        ),
        "Published": ReportFactory(title="Out now", authors=[author]),
        "Withdrawn": ReportFactory(
            title="Taken down", status=Report.Status.WITHDRAWN, authors=[author]
        ),
    }


def test_the_page_lives_at_accounts_reports():
    assert reverse("my-reports") == URL


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/reports/"


def test_a_contributor_sees_their_reports_and_no_one_elses(client, contributor):
    ReportFactory(title="Under my byline", authors=[contributor.author])
    ReportFactory(title="Started by me", created_by=contributor, authors=[AuthorFactory()])
    other = ContributorFactory()
    AuthorFactory(user=other)
    ReportFactory(
        title="Their draft", status=Report.Status.DRAFT, publish_at=None, authors=[other.author]
    )
    ReportFactory(title="Someone else's published report")

    page = page_for(client, contributor)
    assert "Under my byline" in page
    assert "Started by me" in page
    assert "Their draft" not in page
    assert "Someone else" not in page


def test_every_status_is_shown_including_scheduled(client, contributor):
    reports = reports_in_every_status(contributor.author)
    page = page_for(client, contributor)
    for label, report in reports.items():
        assert f">{label}</span>" in row(page, report.title)


def test_the_table_shows_situation_publication_and_last_change(client, contributor):
    report = ReportFactory(title="Dated", authors=[contributor.author])
    report.situation_as_of = timezone.datetime(2025, 11, 3).date()
    report.save()
    cells = row(page_for(client, contributor), "Dated")
    assert '<time datetime="2025-11-03">3 November 2025</time>' in cells
    assert f'<time datetime="{timezone.localtime(report.publish_at).isoformat()}' in cells
    assert f'<time datetime="{timezone.localtime(report.updated_at).isoformat()}' in cells


def test_a_contributor_may_edit_every_report_of_theirs_published_ones_through_a_draft(
    client, contributor
):
    reports = reports_in_every_status(contributor.author)
    page = page_for(client, contributor)
    for report in reports.values():
        edit = reverse("admin:reports_report_change", args=[report.pk])
        assert f'href="{edit}"' in row(page, report.title)
    assert f'href="{reverse("admin:reports_report_add")}"' in page


def test_an_editor_may_edit_all_their_reports(client):
    editor = EditorFactory()
    AuthorFactory(user=editor)
    reports = reports_in_every_status(editor.author)
    page = page_for(client, editor)
    for report in reports.values():
        assert reverse("admin:reports_report_change", args=[report.pk]) in row(page, report.title)


def test_public_reports_link_to_their_page_and_unpublished_ones_to_a_preview(client, contributor):
    reports = reports_in_every_status(contributor.author)
    page = page_for(client, contributor)
    assert f'href="{reports["Published"].get_absolute_url()}">View' in page
    assert f'href="{reports["Draft"].get_absolute_url()}">Preview' in page
    assert f'href="{reports["Scheduled"].get_absolute_url()}">Preview' in page
    assert client.get(reports["Draft"].get_absolute_url()).status_code == 200


def test_an_author_without_access_to_the_desk_gets_no_desk_links(client):
    user = UserFactory()
    AuthorFactory(user=user)
    report = ReportFactory(
        title="Mine", status=Report.Status.DRAFT, publish_at=None, authors=[user.author]
    )
    page = page_for(client, user)
    assert "Mine" in page
    assert "/admin/" not in page
    assert report.get_absolute_url() not in page  # no preview either


def test_a_signed_in_user_without_an_author_profile_gets_a_friendly_page(client):
    page = page_for(client, UserFactory())
    assert "no author profile" in page
    assert "<table" not in page


def test_the_page_is_never_cached(client, contributor):
    client.force_login(contributor)
    response = client.get(URL)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("count", [1, 30])
def test_the_page_runs_a_constant_number_of_queries(
    client, contributor, django_assert_num_queries, count
):
    for i in range(count):
        status = [Report.Status.DRAFT, Report.Status.IN_REVIEW, Report.Status.PUBLISHED][i % 3]
        ReportFactory(status=status, authors=[contributor.author, AuthorFactory()])
        ReportFactory(status=Report.Status.DRAFT, publish_at=None, created_by=contributor)
    client.force_login(contributor)
    # One of them asks whether the account has two-factor authentication (every signed-in page).
    with django_assert_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200
