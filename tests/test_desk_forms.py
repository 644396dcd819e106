"""The report form as editors use it: nothing lost on a refused save, autosave, explicit
publishing buttons, errors linked to their fields, dates as typed."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import html
from reversion.models import Version

from reports.models import Report

from .admin_forms import desk_row, form_on_page, report_form_data
from .factories import (
    AuthorFactory,
    ContributorFactory,
    EditorFactory,
    ReportFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db

ADD = reverse("admin:reports_report_add")


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


def autosave_url(report):
    return reverse("admin:reports_report_autosave", args=[report.pk])


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def draft_report(**fields):
    return ReportFactory(status=Report.Status.DRAFT, publish_at=None, **fields)


def versions_of(report):
    return Version.objects.get_for_object_reference(Report, report.pk).count()


def page_of(response):
    return html.fromstring(response.content.decode())


# -- a chosen image survives a refused save ----------------------------------------------------


def kept_reference(response, name="hero_image"):
    inputs = page_of(response).xpath(f'//input[@name="{name}__pending"]')
    return inputs[0].get("value") if inputs else None


def test_an_image_chosen_in_a_refused_save_is_kept_and_used_by_the_next(editor_client):
    data = report_form_data(title="Ports struck", slug="ports-struck")
    response = editor_client.post(ADD, {**data, "hero_image": image_upload("harbour.jpg")})
    assert response.status_code == 200  # refused: no alt text
    assert "Image chosen: <strong>harbour.jpg</strong>, kept" in response.content.decode()
    reference = kept_reference(response)
    assert reference

    data.update(hero_alt="The harbour at dawn", hero_image__pending=reference)
    response = editor_client.post(ADD, data)
    assert response.status_code == 302
    report = Report.objects.get(slug="ports-struck")
    assert report.hero_image.name.endswith(".jpg")
    assert report.hero_alt == "The harbour at dawn"
    assert not default_storage.listdir("pending")[1]  # the kept copy is gone once used


def test_kept_files_are_deleted_once_their_reference_has_expired(settings):
    from diethnos import pending_uploads

    reference = pending_uploads.keep(image_upload("old.jpg"))
    assert pending_uploads.load(reference) is not None
    later = timezone.now() + datetime.timedelta(seconds=pending_uploads.MAX_AGE + 60)
    assert pending_uploads.prune(later) == 1
    assert pending_uploads.load(reference) is None


def test_an_image_chosen_anew_replaces_the_kept_one(editor_client):
    data = report_form_data(title="Ports struck", slug="ports-struck")
    response = editor_client.post(ADD, {**data, "hero_image": image_upload("first.jpg")})
    data.update(hero_alt="Second", hero_image__pending=kept_reference(response))
    editor_client.post(ADD, {**data, "hero_image": image_upload("second.png", image_format="PNG")})
    assert Report.objects.get(slug="ports-struck").hero_image.name.endswith(".png")


def test_a_kept_image_may_be_dropped(editor_client):
    data = report_form_data(title="Ports struck", slug="ports-struck")
    response = editor_client.post(ADD, {**data, "hero_image": image_upload()})
    data.update(hero_image__pending=kept_reference(response), hero_image__pending_drop="on")
    assert editor_client.post(ADD, data).status_code == 302
    assert not Report.objects.get(slug="ports-struck").hero_image


@pytest.mark.parametrize("reference", ["forged", "a:b:c", "x" * 500])
def test_a_forged_reference_is_ignored(editor_client, reference):
    data = report_form_data(slug="ports-struck", hero_image__pending=reference)
    assert editor_client.post(ADD, data).status_code == 302
    assert not Report.objects.get(slug="ports-struck").hero_image


def test_a_refused_image_is_not_kept(editor_client):
    data = report_form_data(title="Ports struck", slug="ports-struck")
    response = editor_client.post(
        ADD, {**data, "hero_image": SimpleUploadedFile("bad.jpg", b"not an image")}
    )
    assert response.status_code == 200
    assert kept_reference(response) is None


def test_an_image_is_kept_when_an_inline_row_refuses_the_save(editor_client):
    data = report_form_data(
        title="Ports struck", slug="ports-struck", hero_alt="The harbour", status="published"
    )
    response = editor_client.post(ADD, {**data, "hero_image": image_upload("harbour.jpg")})
    assert response.status_code == 200  # no key point, no author
    assert kept_reference(response)


def test_an_author_photo_chosen_in_a_refused_save_is_kept(editor_client):
    author = AuthorFactory(name="Amara Okafor")
    url = reverse("admin:authors_author_change", args=[author.pk])
    data = form_on_page(editor_client.get(url), form_id="author_form")
    data = {name: values for name, values in data.items() if name != "photo"}
    response = editor_client.post(url, {**data, "photo": image_upload("amara.jpg")})
    assert response.status_code == 200  # refused: no alt text
    assert "chosen: <strong>amara.jpg</strong>, kept" in response.content.decode()
    data.update(photo_alt=["Amara Okafor"], photo__pending=[kept_reference(response, "photo")])
    assert editor_client.post(url, data).status_code == 302
    author.refresh_from_db()
    assert author.photo


def test_nothing_typed_in_the_inlines_is_lost_on_a_refused_save(editor_client):
    author = AuthorFactory(name="Amara Okafor")
    data = report_form_data(
        title="Ports struck",
        slug="ports-struck",
        status="published",
        summary="",
        key_points=["Two ports were hit."],
        authors=[author],
        sources=["Port authority statement"],
    )
    response = editor_client.post(ADD, data)
    assert response.status_code == 200
    page = page_of(response)
    assert page.xpath('//textarea[@name="key_points-0-text"]')[0].text.strip() == (
        "Two ports were hit."
    )
    assert page.xpath('//select[@name="report_authors-0-author"]/option[@selected]/@value') == [
        str(author.pk)
    ]
    assert page.xpath('//textarea[@name="sources-0-title"]')[0].text.strip() == (
        "Port authority statement"
    )


# -- autosave ------------------------------------------------------------------------------------


def loaded_form(client, report):
    return form_on_page(client.get(change_url(report)))


def test_autosave_saves_an_unpublished_report_without_a_version_in_history(editor_client):
    report = draft_report(title="First headline", key_points=["One."])
    versions = versions_of(report)
    data = loaded_form(editor_client, report)
    data["title"] = ["Second headline"]
    data["key_points-1-text"] = ["Two."]
    response = editor_client.post(autosave_url(report), data)
    assert response.status_code == 200, response.content
    result = response.json()
    report.refresh_from_db()
    assert report.title == "Second headline"
    assert [p.text for p in report.key_points.all()] == ["One.", "Two."]
    assert result["version"] == report.version
    assert result["rows"]["key_points"][:2] == [p.pk for p in report.key_points.all()]
    assert set(result["rows"]["key_points"][2:]) == {None}
    assert len(result["saved_at"]) == 5
    assert versions_of(report) == versions


def test_the_form_saved_after_an_autosave_is_based_on_it(editor_client):
    report = draft_report(title="First headline", key_points=["One."])
    data = loaded_form(editor_client, report)
    data["key_points-1-text"] = ["Two."]
    result = editor_client.post(autosave_url(report), data).json()
    # What autosave.js does with the answer.
    data.update(version_seen=[str(result["version"])], values_seen=[result["values_seen"]])
    data["key_points-1-id"] = [str(result["rows"]["key_points"][1])]
    data["key_points-INITIAL_FORMS"] = ["2"]
    data["title"] = ["Third headline"]
    response = editor_client.post(change_url(report), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == "Third headline"
    assert [p.text for p in report.key_points.all()] == ["One.", "Two."]


def test_autosave_never_publishes(editor_client):
    report = draft_report(key_points=["One."])
    data = loaded_form(editor_client, report)
    data.update(status=["published"], _publish=["Publish now"])
    assert editor_client.post(autosave_url(report), data).status_code == 200
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


def test_autosave_of_a_published_report_goes_to_its_working_draft(editor_client, client):
    report = ReportFactory(title="Live headline", slug="live-headline")
    draft = desk_row(report)
    versions = versions_of(draft), versions_of(report)
    data = loaded_form(editor_client, draft)
    data["title"] = ["Draft headline"]
    data["_publish_changes"] = ["Publish changes now"]
    response = editor_client.post(autosave_url(draft), data)
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    report.refresh_from_db()
    assert draft.title == "Draft headline" and draft.has_unpublished_changes
    assert report.title == "Live headline"
    assert (versions_of(draft), versions_of(report)) == versions
    assert "Draft headline" not in Client().get(report.get_absolute_url()).content.decode()


def test_autosave_posted_for_the_live_row_is_refused(editor_client):
    report = ReportFactory()
    desk_row(report)
    response = editor_client.post(autosave_url(report), {"version_seen": report.version})
    assert response.status_code == 400


def test_autosave_over_someone_elses_save_is_refused_and_says_so(editor_client):
    report = draft_report(title="First headline")
    data = loaded_form(editor_client, report)
    Report.all_objects.get(pk=report.pk).save()  # another editor saves
    data["title"] = ["Mine"]
    response = editor_client.post(autosave_url(report), data)
    assert response.status_code == 409
    assert "someone else saved" in response.json()["error"]
    report.refresh_from_db()
    assert report.title == "First headline"


def test_autosave_leaves_rows_after_an_empty_one_for_the_save(editor_client):
    report = draft_report(key_points=["One."])
    data = loaded_form(editor_client, report)
    data["key_points-2-text"] = ["Three."]  # row 1 left empty
    result = editor_client.post(autosave_url(report), data).json()
    assert [p.text for p in report.key_points.all()] == ["One."]
    assert result["rows"]["key_points"] == [report.key_points.get().pk]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"version_seen": "abc"},
        {"version_seen": "1"},  # no inline management forms
    ],
)
def test_autosave_of_bad_input_is_a_400(editor_client, data):
    report = draft_report()
    assert editor_client.post(autosave_url(report), data).status_code == 400


@pytest.mark.parametrize(
    "changes",
    [
        {"key_points-TOTAL_FORMS": ["abc"]},
        {"key_points-TOTAL_FORMS": ["99999"], "key_points-INITIAL_FORMS": ["-5"]},
        {"key_points-0-id": ["not a number"]},
        {"version_seen": ["99999999999999999999"]},
        {"values_seen": ["forged"]},
        {"primary_region": ["x"], "topics": ["y"]},
    ],
)
def test_autosave_of_tampered_form_data_is_refused_never_a_500(editor_client, changes):
    report = draft_report(title="First headline", key_points=["One."])
    data = {**loaded_form(editor_client, report), **changes, "title": ["Changed"]}
    response = editor_client.post(autosave_url(report), data)
    assert response.status_code in (200, 400, 409)
    assert "error" in response.json() or response.json()["version"] > report.version


def test_autosave_of_an_invalid_form_is_a_400_and_saves_nothing(editor_client):
    report = draft_report(title="First headline")
    data = loaded_form(editor_client, report)
    data.update(title=["Changed"], situation_as_of=["not a date"])
    response = editor_client.post(autosave_url(report), data)
    assert response.status_code == 400
    assert "Not saved automatically" in response.json()["error"]
    report.refresh_from_db()
    assert report.title == "First headline"


def test_autosave_takes_post_only(editor_client):
    assert editor_client.get(autosave_url(draft_report())).status_code == 405


def test_autosave_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(EditorFactory())
    report = draft_report()
    response = client.post(autosave_url(report), {"version_seen": report.version})
    assert response.status_code == 403


def test_autosave_needs_the_permission_to_change_the_report(client):
    report = draft_report(title="Someone else's draft")
    client.force_login(ContributorFactory())
    response = client.post(autosave_url(report), {"version_seen": report.version})
    assert response.status_code in (403, 404)
    report.refresh_from_db()
    assert report.title == "Someone else's draft"
    client.logout()
    response = client.post(autosave_url(report), {"version_seen": report.version})
    assert response.status_code == 302  # to the sign-in page


def test_the_change_form_says_it_saves_itself(editor_client):
    report = draft_report()
    status = page_of(editor_client.get(change_url(report))).get_element_by_id("autosave-status")
    assert status.get("data-url") == autosave_url(report)


# -- publishing is an explicit act ---------------------------------------------------------------


def test_publish_now_publishes_and_links_to_the_public_page(editor_client):
    report = draft_report(title="Ports struck", slug="ports-struck", authors=[AuthorFactory()])
    report.key_points.create(text="Two ports were hit.", position=0)
    data = report_form_data(report, _publish="Publish now")
    response = editor_client.post(change_url(report), data, follow=True)
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED and not report.is_scheduled
    assert (
        "“Ports struck” is published: readers see it now at "
        '<a href="/reports/ports-struck/">/reports/ports-struck/</a>.'
    ) in response.content.decode()


def test_a_publish_time_to_come_schedules_and_says_when(editor_client):
    report = draft_report(title="Ports struck", slug="ports-struck", authors=[AuthorFactory()])
    report.key_points.create(text="Two ports were hit.", position=0)
    page = editor_client.get(change_url(report)).content.decode()
    assert 'value="Publish now"' in page
    data = report_form_data(
        report, publish_at_0="30 Nov 2030", publish_at_1="14:00", _publish="Schedule"
    )
    response = editor_client.post(change_url(report), data, follow=True)
    report.refresh_from_db()
    assert report.is_scheduled
    assert "is scheduled: it goes live by itself on" in response.content.decode()
    assert 'href="/reports/ports-struck/"' in response.content.decode()
    assert report.publish_at == datetime.datetime(2030, 11, 30, 14, 0, tzinfo=datetime.UTC)


def test_a_scheduled_time_is_on_the_button():
    from reports.admin import publish_label

    when = timezone.now().replace(year=timezone.now().year + 2, month=11, day=30, hour=14, minute=0)
    assert publish_label(when) == f"Schedule for 30 Nov {when.year}, 14:00"
    assert publish_label(None) == "Publish now"


def test_send_for_review_sends_it(editor_client):
    report = draft_report(title="Ports struck")
    data = report_form_data(report, _submit_for_review="Send for review")
    response = editor_client.post(change_url(report), data, follow=True)
    report.refresh_from_db()
    assert report.status == Report.Status.IN_REVIEW
    assert "“Ports struck” sent to the editors for review." in response.content.decode()


def test_a_contributor_is_offered_no_publish_button(client):
    contributor = ContributorFactory()
    author = AuthorFactory(user=contributor)
    report = draft_report(authors=[author])
    client.force_login(contributor)
    page = client.get(change_url(report)).content.decode()
    assert 'name="_publish"' not in page
    assert 'name="_submit_for_review"' in page


def test_published_changes_link_to_the_public_page(editor_client):
    report = ReportFactory(title="Ports struck", slug="ports-struck")
    draft = desk_row(report)
    data = report_form_data(draft, title="Ports struck again", _publish_changes="1")
    response = editor_client.post(change_url(draft), data, follow=True)
    assert (
        "Changes published: readers see them now at "
        '<a href="/reports/ports-struck/">/reports/ports-struck/</a>.'
    ) in response.content.decode()


def test_featured_says_what_it_does_and_preview_is_offered_twice(editor_client):
    page = editor_client.get(ADD).content.decode()
    assert "Leads the home page" in page
    assert page.count("Preview as readers will see it") == 2


# -- errors a person can act on ------------------------------------------------------------------


def test_the_error_summary_links_each_problem_to_its_field_once(editor_client):
    data = report_form_data(title="Ports struck", slug="ports-struck", status="published")
    data.update(summary="", situation_as_of="someday")
    response = editor_client.post(ADD, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Please correct the error" not in text
    summary = page_of(response).get_element_by_id("error-summary")
    links = {a.get("href"): a.text_content() for a in summary.xpath(".//a")}
    assert links["#id_summary"] == "Summary: A published report needs a summary."
    assert links["#id_situation_as_of"].startswith("Situation as of: Enter a date such as")
    assert "#key_points-group" in links
    items = [li.text_content().strip() for li in summary.xpath(".//li")]
    assert len(items) == len(set(items))


def test_an_inline_rows_error_links_to_its_input(editor_client):
    data = report_form_data(title="Ports struck", slug="ports-struck", sources=["A source"])
    data["sources-0-url"] = "not an address"
    response = editor_client.post(ADD, data)
    summary = page_of(response).get_element_by_id("error-summary")
    assert summary.xpath('.//a[@href="#id_sources-0-url"]')


@pytest.mark.parametrize(
    "typed", ["28 Oct 2024", "2024-10-28", "28/10/2024", "28 October 2024", "Oct 28, 2024"]
)
def test_dates_are_taken_as_typed(editor_client, typed):
    data = report_form_data(title="Ports struck", slug="ports-struck", situation_as_of=typed)
    assert editor_client.post(ADD, data).status_code == 302
    assert Report.objects.get(slug="ports-struck").situation_as_of == datetime.date(2024, 10, 28)


@pytest.mark.parametrize(
    ("date", "time"),
    [("28 Oct 2030 14:00", ""), ("28 Oct 2030", "14:00"), ("2030-10-28", "14.00")],
)
def test_a_publish_time_is_taken_as_typed(editor_client, date, time):
    data = report_form_data(
        title="Ports struck", slug="ports-struck", publish_at_0=date, publish_at_1=time
    )
    assert editor_client.post(ADD, data).status_code == 302
    expected = datetime.datetime(2030, 10, 28, 14, 0, tzinfo=datetime.UTC)
    assert Report.objects.get(slug="ports-struck").publish_at == expected


def test_a_date_not_understood_says_what_is(editor_client):
    data = report_form_data(situation_as_of="the 28th")
    response = editor_client.post(ADD, data)
    assert "Enter a date such as 28 Oct 2024, 2024-10-28 or 28/10/2024." in (
        response.content.decode()
    )
