"""The report form's layout in the editors' desk: rows put in order on the page, lengths
counted and refused rather than cut, fields named and spell-checked; and the desk's menu."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from lxml import html

from reports.models import Report

from .admin_forms import report_form_data
from .factories import EditorFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:reports_report_add")
KEY_POINTS = ["First of three.", "Second of three.", "Third of three."]


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def added_report(client, **fields):
    response = client.post(ADD, report_form_data(**fields))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.get(slug="drone-strikes-on-the-black-sea-coast")


def texts(report):
    return list(report.key_points.values_list("text", flat=True))


# -- rows in order --------------------------------------------------------------------------


def test_the_order_saved_is_the_order_of_the_positions_the_page_sends(editor_client):
    report = added_report(editor_client, key_points=KEY_POINTS)
    assert texts(report) == KEY_POINTS

    data = report_form_data(report)
    # The page put the third row first: it numbers the rows in the order it shows them.
    for index, position in enumerate([1, 2, 0]):
        data[f"key_points-{index}-position"] = position
    response = editor_client.post(change_url(report), data)

    assert response.status_code == 302
    assert texts(report) == ["Third of three.", "First of three.", "Second of three."]


def test_an_empty_new_row_numbered_by_the_page_is_left_out(editor_client):
    data = report_form_data(key_points=KEY_POINTS[:2])
    data.update({"key_points-TOTAL_FORMS": 4, "key_points-2-position": 2})
    data.update({"key_points-3-position": 3, "key_points-3-text": ""})
    response = editor_client.post(ADD, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert texts(Report.objects.get()) == KEY_POINTS[:2]


def test_new_rows_come_after_the_stored_ones_without_the_page_numbering_them(editor_client):
    report = added_report(editor_client, key_points=KEY_POINTS[:2])
    page = html.fromstring(editor_client.get(change_url(report)).content)

    positions = [
        page.get_element_by_id(f"id_key_points-{i}-position").get("value") for i in range(5)
    ]
    assert positions == ["0", "1", "2", "3", "4"]


def test_rows_have_hidden_positions_and_their_text_once(editor_client):
    report = added_report(editor_client, key_points=KEY_POINTS, sources=["A source title"])
    content = editor_client.get(change_url(report)).content.decode()
    page = html.fromstring(content)

    for prefix in ("key_points", "report_authors", "sources"):
        position = page.get_element_by_id(f"id_{prefix}-0-position")
        assert position.get("type") == "hidden", prefix
        group = page.get_element_by_id(f"{prefix}-group")
        assert group.xpath(".//td[contains(@class, 'original')]/p") == [], prefix
        assert group.xpath(".//button[@aria-label='Move up']"), prefix
        assert group.xpath(".//button[@aria-label='Move down']"), prefix
        assert group.xpath(".//*[@aria-live='polite']"), prefix
    for text in KEY_POINTS:
        assert content.count(text) == 1, text
    assert content.count("A source title") == 1


def test_each_field_of_a_row_is_named_by_its_column(editor_client):
    report = added_report(editor_client, key_points=KEY_POINTS)
    page = html.fromstring(editor_client.get(change_url(report)).content)

    assert page.get_element_by_id("id_key_points-0-text").get("aria-label") == "Text"
    assert page.get_element_by_id("id_key_points-0-DELETE").get("aria-label") == "Delete"
    assert page.get_element_by_id("id_report_authors-0-author").get("aria-label") == "Author"
    assert page.get_element_by_id("id_sources-0-url").get("aria-label") == "URL"
    # The empty row "Add another" copies is named too.
    assert page.get_element_by_id("id_key_points-__prefix__-text").get("aria-label") == "Text"


# -- lengths --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("id_summary", 300),
        ("id_title", 200),
        ("id_seo_title", 70),
        ("id_seo_description", 160),
        ("id_key_points-0-text", 400),
    ],
)
def test_fields_with_a_limit_show_their_length_and_no_maxlength_cuts_them(
    editor_client, field, limit
):
    report = added_report(editor_client, key_points=KEY_POINTS)
    page = html.fromstring(editor_client.get(change_url(report)).content)

    element = page.get_element_by_id(field)
    assert element.get("maxlength") is None
    assert element.get("data-maxlength") == str(limit)
    counter = page.get_element_by_id(f"{field}_count")
    assert counter.get("id") in element.get("aria-describedby").split()
    # Django opens a textarea with a newline, which browsers drop.
    value = (element.text or "").removeprefix("\n") if element.tag == "textarea" else None
    value = element.get("value") if value is None else value
    assert counter.text_content() == f"{len(value or '')} / {limit}"


def test_an_over_long_summary_is_refused_with_its_length_and_kept_whole(editor_client):
    summary = ("A summary that runs on and on. " * 12)[:350]
    response = editor_client.post(ADD, report_form_data(summary=summary))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Ensure this value has at most 300 characters (it has 350)." in content
    page = html.fromstring(content)
    assert page.get_element_by_id("id_summary").text.strip("\n") == summary
    assert not Report.objects.exists()


def test_prose_fields_are_spell_checked(editor_client):
    report = added_report(editor_client, key_points=KEY_POINTS, sources=["A source title"])
    page = html.fromstring(editor_client.get(change_url(report)).content)

    for field in (
        "id_title",
        "id_summary",
        "id_hero_caption",
        "id_key_points-0-text",
        "id_sources-0-title",
        "id_update_notes-__prefix__-text",
    ):
        assert page.get_element_by_id(field).get("spellcheck") == "true", field
    # The rich-text editor is left to check spelling (django-prose-editor turns it off).
    assert "NoSpellCheck" not in page.get_element_by_id("id_body").get(
        "data-django-prose-editor-configurable"
    )


def test_the_author_forms_prose_is_spell_checked(editor_client):
    page = html.fromstring(editor_client.get(reverse("admin:authors_author_add")).content)
    for field in ("id_short_bio", "id_role_line"):
        assert page.get_element_by_id(field).get("spellcheck") == "true", field


# -- the menu -------------------------------------------------------------------------------

EDITORIAL = ["Reports", "Authors", "Regions and topics", "Corrections", "Addresses"]
ADMINISTRATION = ["Authentication and Authorization", "Axes", "Otp_Totp", "Tasks"]


def menu(client, url):
    """The app names of the desk's index (``url`` the index) or its sidebar."""
    page = html.fromstring(client.get(url).content)
    return [
        caption.text_content().strip()
        for caption in page.xpath("//div[contains(@class, 'app-')]//caption")
    ]


@pytest.mark.parametrize("url", ["/admin/", "/admin/reports/report/"])
def test_editors_see_only_the_apps_they_work_with(client, url):
    client.force_login(EditorFactory())
    assert menu(client, url) == EDITORIAL


@pytest.mark.parametrize("url", ["/admin/", "/admin/reports/report/"])
def test_superusers_see_the_editorial_apps_first_and_then_the_sites_administration(client, url):
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(superuser)
    shown = menu(client, url)
    assert shown[: len(EDITORIAL)] == EDITORIAL
    for name in ADMINISTRATION:
        assert any(re.match(name, app, re.IGNORECASE) for app in shown), (name, shown)


def test_an_administration_app_page_is_not_found_for_editors(editor_client):
    assert editor_client.get("/admin/axes/").status_code == 404
