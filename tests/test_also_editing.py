"""Two people editing one report each see that the other is there."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import html

from reports import presence
from reports.models import Report

from .admin_forms import desk_row, form_on_page
from .factories import ContributorFactory, EditorFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


def heartbeat_url(report):
    return reverse("admin:reports_report_editing", args=[report.pk])


def notice_on(response):
    [notice] = html.fromstring(response.content).xpath("//p[contains(@class,'also-editing')]")
    return notice


@pytest.fixture
def alice():
    return EditorFactory(first_name="Alice", last_name="Arnaud")


@pytest.fixture
def bruno():
    return EditorFactory(first_name="Bruno", last_name="Barros")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_second_editor_to_open_a_report_sees_the_first_at_once(alice, bruno):
    report = desk_row(ReportFactory())
    first = signed_in(alice).get(change_url(report))
    assert notice_on(first).get("hidden") is not None  # nobody else yet
    assert notice_on(first).text_content() == ""
    second = signed_in(bruno).get(change_url(report))
    text = notice_on(second).text_content()
    assert text.startswith("Also editing: Alice Arnaud (since ")
    assert notice_on(second).get("hidden") is None


def test_the_first_editor_learns_of_the_second_from_the_heartbeat(alice, bruno):
    report = desk_row(ReportFactory())
    alice_client = signed_in(alice)
    alice_client.get(change_url(report))
    signed_in(bruno).get(change_url(report))
    response = alice_client.post(heartbeat_url(report))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert [other["name"] for other in data["others"]] == ["Bruno Barros"]
    assert data["notice"].startswith("Also editing: Bruno Barros (since ")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_published_report_is_followed_through_its_working_draft(alice, bruno):
    report = ReportFactory()
    signed_in(alice).get(change_url(report), follow=True)
    second = signed_in(bruno).get(change_url(report), follow=True)
    assert "Alice Arnaud" in notice_on(second).text_content()


def test_someone_who_left_is_no_longer_named_but_a_recent_save_is(alice, bruno):
    report = desk_row(ReportFactory(status=Report.Status.DRAFT))
    alice_client = signed_in(alice)
    alice_client.get(change_url(report))
    bruno_client = signed_in(bruno)
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert bruno_client.post(heartbeat_url(report)).json() == {"notice": "", "others": []}
    presence.saved(report, alice)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        notice = bruno_client.post(heartbeat_url(report)).json()["notice"]
        assert notice.startswith("Also editing: Alice Arnaud (last saved ")
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert bruno_client.post(heartbeat_url(report)).json()["notice"] == ""


def test_saving_the_form_counts_as_a_save(alice, bruno):
    report = desk_row(ReportFactory(status=Report.Status.DRAFT))
    alice_client = signed_in(alice)
    data = form_on_page(alice_client.get(change_url(report)))
    data["title"] = ["A new headline"]
    response = alice_client.post(change_url(report), data)
    assert response.status_code == 302
    notice = notice_on(signed_in(bruno).get(change_url(report))).text_content()
    assert "Alice Arnaud (since " in notice and "last saved " in notice


def test_the_no_lost_update_refusal_stays(alice, bruno):
    report = desk_row(ReportFactory(status=Report.Status.DRAFT))
    alice_client, bruno_client = signed_in(alice), signed_in(bruno)
    alice_form = form_on_page(alice_client.get(change_url(report)))
    bruno_form = form_on_page(bruno_client.get(change_url(report)))
    bruno_form["title"] = ["Bruno's headline"]
    assert bruno_client.post(change_url(report), bruno_form).status_code == 302
    alice_form["summary"] = ["Alice's summary."]
    refused = alice_client.post(change_url(report), alice_form)
    assert refused.status_code == 200
    assert "Someone else saved this report" in refused.content.decode()
    assert "Bruno Barros" in notice_on(refused).text_content()


def test_the_heartbeat_is_for_staff_who_may_change_the_report(client, alice):
    report = desk_row(ReportFactory(status=Report.Status.DRAFT))
    # Signed out: sent to sign in.
    assert client.post(heartbeat_url(report)).status_code == 302
    # A contributor, for another's report: as for a report that does not exist.
    contributor = ContributorFactory()
    client.force_login(contributor)
    assert client.post(heartbeat_url(report)).status_code in (403, 404)
    # Someone who may only view it.
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_report"))
    own = ReportFactory(status=Report.Status.DRAFT, created_by=viewer)
    client.force_login(viewer)
    assert client.post(heartbeat_url(own)).status_code == 403
    page = client.get(change_url(own))
    assert b"data-editing-url" not in page.content
    # Only a POST.
    client.force_login(alice)
    assert client.get(heartbeat_url(report)).status_code == 405
    assert not presence.EditingPresence.objects.filter(user__in=[contributor, viewer]).exists()


def test_the_heartbeat_needs_the_csrf_token(alice):
    report = desk_row(ReportFactory(status=Report.Status.DRAFT))
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(heartbeat_url(report)).status_code == 403
    page = client.get(change_url(report))
    token = html.fromstring(page.content).xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]
    response = client.post(heartbeat_url(report), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_the_change_form_loads_the_script_from_the_site_itself(alice):
    report = desk_row(ReportFactory(status=Report.Status.DRAFT))
    page = html.fromstring(signed_in(alice).get(change_url(report)).content)
    assert any(src.endswith("admin/also-editing.js") for src in page.xpath("//script/@src"))
    assert page.xpath("//p[@data-editing-url]/@data-editing-url") == [heartbeat_url(report)]
