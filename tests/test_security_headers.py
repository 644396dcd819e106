"""Every response turns off the browser features no page uses, and every page, the editors'
desk included, runs under a Content-Security-Policy that allows no inline script."""

import json
import logging
import os

import pytest
from django.urls import reverse
from lxml import html

from diethnos.content_security import EDITOR_STYLE_HASH

from .admin_forms import desk_row, report_form_data
from .factories import AuthorFactory, EditorFactory, ReportFactory
from .servers import manage

pytestmark = pytest.mark.django_db

DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]


def directives(response):
    """The response's CSP as {directive: [sources]}."""
    policy = response["Content-Security-Policy"]
    return {
        name: sources
        for name, *sources in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_no_inline_script(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


@pytest.fixture
def report():
    return ReportFactory(title="Ceasefire talks resume in Doha")


class TestPermissionsPolicy:
    @pytest.mark.parametrize(
        "url", ["/", "/reports/", "/feed/", "/sitemap.xml", "/healthz", "/accounts/login/"]
    )
    def test_public_responses_turn_off_unused_browser_features(self, client, report, url):
        response = client.get(url)
        assert response.status_code == 200
        policy = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
        for feature in DENIED_FEATURES:
            assert policy[feature] == "()", feature

    def test_the_desk_and_error_pages_turn_them_off_too(self, editor_client, report):
        for url in [
            reverse("admin:index"),
            reverse("admin:reports_report_change", args=[report.pk]),
            "/reports/no-such-report/",
        ]:
            assert "camera=()" in editor_client.get(url)["Permissions-Policy"], url


class TestContentSecurityPolicy:
    def test_public_pages_allow_no_inline_script_and_no_nonce(self, client, report):
        response = client.get(report.get_absolute_url())
        assert_no_inline_script(response)
        assert directives(response)["script-src"] == ["'self'"]
        assert "report-uri" not in directives(response)

    @pytest.mark.parametrize(
        "url",
        [
            "/admin/",
            "/admin/reports/report/",
            "/admin/reports/report/?q=Doha",
            "/admin/authors/author/",
            "/admin/tags/topic/",
        ],
    )
    def test_the_desk_has_a_policy_of_its_own_pages(self, editor_client, report, url):
        response = editor_client.get(url)
        assert response.status_code == 200
        assert_no_inline_script(response)

    def test_the_desk_sign_in_page_too(self, client):
        response = client.get(reverse("admin:login"))
        assert response.status_code == 200
        assert_no_inline_script(response)

    @pytest.mark.parametrize("view", ["history", "delete"])
    def test_the_history_and_the_delete_confirmation_too(self, editor_client, report, view):
        response = editor_client.get(reverse(f"admin:reports_report_{view}", args=[report.pk]))
        assert response.status_code == 200
        assert_no_inline_script(response)

    @pytest.mark.parametrize("page", ["add", "change"])
    def test_the_report_form_lets_only_its_editor_import_map_and_stylesheet_in(
        self, editor_client, report, page
    ):
        args = [] if page == "add" else [desk_row(report).pk]
        response = editor_client.get(reverse(f"admin:reports_report_{page}", args=args))
        assert_no_inline_script(response)
        policy = directives(response)
        nonces = [source for source in policy["script-src"] if source.startswith("'nonce-")]
        assert len(nonces) == 1
        assert policy["style-src"] == ["'self'", EDITOR_STYLE_HASH]
        import_map = html.fromstring(response.content).xpath("//script[@type='importmap']")
        assert len(import_map) == 1
        assert f"'nonce-{import_map[0].get('nonce')}'" == nonces[0]
        # Every other script is a file of the site's own.
        for script in html.fromstring(response.content).xpath("//script[not(@type)]"):
            assert script.get("src"), html.tostring(script)

    def test_the_author_form_too(self, editor_client):
        author = AuthorFactory()
        response = editor_client.get(reverse("admin:authors_author_change", args=[author.pk]))
        assert EDITOR_STYLE_HASH in directives(response)["style-src"]
        assert html.fromstring(response.content).xpath("//script[@type='importmap'][@nonce]")

    def test_a_preview_is_under_the_public_sites_policy(self, editor_client, report):
        draft = desk_row(report)
        response = editor_client.post(
            reverse("admin:reports_report_preview", args=[draft.pk]),
            report_form_data(draft, title="A changed headline"),
        )
        assert response.status_code == 200
        assert "A changed headline" in response.content.decode()
        assert_no_inline_script(response)
        assert directives(response)["script-src"] == ["'self'"]
        assert "camera=()" in response["Permissions-Policy"]


class TestViolationReports:
    @pytest.fixture
    def reporting(self, settings):
        policy = settings.CONTENT_SECURITY_POLICY
        settings.CONTENT_SECURITY_POLICY = {
            **policy,
            "DIRECTIVES": {**policy["DIRECTIVES"], "report-uri": ["/csp-report/"]},
        }

    def test_pages_name_where_browsers_report_violations(self, client, report, reporting):
        response = client.get(report.get_absolute_url())
        assert directives(response)["report-uri"] == ["/csp-report/"]
        assert response["Reporting-Endpoints"] == 'csp="http://testserver/csp-report/"'

    def test_no_reports_are_asked_for_unless_an_address_is_set(self, client, report):
        response = client.get(report.get_absolute_url())
        assert "report-uri" not in directives(response)
        assert "Reporting-Endpoints" not in response

    def test_the_address_comes_from_the_environment(self):
        show = "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY)"
        output = manage(
            {
                **_production_env(),
                "CSP_REPORT_URI": "https://reports.example.org/csp",
            },
            "shell",
            "-c",
            show,
        )
        assert "'report-uri': ['https://reports.example.org/csp']" in output
        assert "'report-to': 'csp'" in output

    def test_the_built_in_endpoint_logs_each_report(self, client, caplog):
        report = {
            "csp-report": {
                "document-uri": "https://news.example.org/admin/reports/report/1/change/",
                "violated-directive": "style-src-elem",
                "blocked-uri": "inline",
            }
        }
        with caplog.at_level(logging.WARNING, logger="diethnos.content_security"):
            response = client.post(
                "/csp-report/", json.dumps(report), content_type="application/csp-report"
            )
        assert response.status_code == 204
        (record,) = caplog.records
        assert "style-src-elem" in record.getMessage()
        assert "/admin/reports/report/1/change/" in record.getMessage()

    def test_it_takes_the_reporting_apis_batches_too(self, client, caplog):
        reports = [
            {"type": "csp-violation", "body": {"documentURL": "https://x/", "blockedURL": "eval"}}
        ] * 3
        with caplog.at_level(logging.WARNING, logger="diethnos.content_security"):
            response = client.post(
                "/csp-report/", json.dumps(reports), content_type="application/reports+json"
            )
        assert response.status_code == 204
        assert len(caplog.records) == 3

    @pytest.mark.parametrize(
        ("body", "status"),
        [("not json", 400), ("[1, 2, 3]", 204), ('{"csp-report": "text"}', 204)],
    )
    def test_it_answers_anything_else_without_an_error(self, client, body, status):
        response = client.post("/csp-report/", body, content_type="application/csp-report")
        assert response.status_code == status

    def test_it_refuses_large_bodies_and_anything_but_a_post(self, client):
        big = json.dumps({"csp-report": {"blocked-uri": "x" * 70_000}})
        response = client.post("/csp-report/", big, content_type="application/csp-report")
        assert response.status_code == 413
        assert client.get("/csp-report/").status_code == 405


def _production_env():
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-production-key-that-is-long-and-random-" + "x" * 30,
        "DJANGO_ALLOWED_HOSTS": "news.example.org",
    }
