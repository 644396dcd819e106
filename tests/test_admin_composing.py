"""Composing a report in the editors' desk, with its inlines, through real admin requests."""

import re
import warnings

import pytest
from django.core.paginator import UnorderedObjectListWarning
from django.urls import reverse
from lxml import html

from reports.models import Report

from .admin_forms import desk_row, form_on_page, report_form_data
from .factories import AuthorFactory, EditorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db

ADD = reverse("admin:reports_report_add")


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def test_the_add_page_is_laid_out_in_the_order_an_editor_works(editor_client):
    html = editor_client.get(ADD).content.decode()
    order = [
        "Headline and summary",
        "Key points",
        "Body",
        "Byline",
        "Regions and topics",
        "Image",
        "Sources",
        "Publishing",
        "Search engines",
    ]
    positions = [re.search(rf"<h2[^>]*>\s*{label}", html).start() for label in order]
    assert positions == sorted(positions), order
    assert "data-django-prose-editor" in html  # the WYSIWYG body editor
    assert "data-autocomplete-light" not in html
    assert html.count("admin-autocomplete") >= 3  # regions, topics, bylines


def test_an_editor_composes_and_publishes_a_report_with_key_points_bylines_and_sources(
    editor_client,
):
    author = AuthorFactory()
    topic = TopicFactory(name="Maritime security")
    data = report_form_data(
        primary_region=region("UA").pk,
        regions=[region("RU").pk],
        topics=[topic.pk],
        status="published",
        key_points=["Drones struck two ports overnight.", "Grain exports were paused."],
        authors=[author],
        sources=["Port authority statement"],
    )
    response = editor_client.post(ADD, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    report = Report.objects.get(slug=data["slug"])
    assert report.is_public
    assert [p.text for p in report.key_points.all()] == [
        "Drones struck two ports overnight.",
        "Grain exports were paused.",
    ]
    assert list(report.authors.all()) == [author]
    assert list(report.topics.all()) == [topic]
    assert report.primary_region.iso2 == "UA"
    assert set(report.regions.values_list("iso2", flat=True)) == {"RU"}
    assert report.sources.get().title == "Port authority statement"


def test_a_draft_may_be_saved_unfinished(editor_client):
    response = editor_client.post(ADD, report_form_data(summary=""))
    assert response.status_code == 302
    assert Report.objects.get().status == Report.Status.DRAFT


def test_publishing_an_incomplete_report_explains_each_problem_and_keeps_the_input(editor_client):
    data = report_form_data(status="published", summary="", title="A headline worth keeping")
    response = editor_client.post(ADD, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A published report needs a summary." in html
    assert "A published report needs a primary region." in html
    assert "A published report needs at least one key point." in html
    assert "A published report needs at least one author." in html
    assert "A headline worth keeping" in html  # nothing typed is lost
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["x" * 401], "at most 400 characters"),
        (["   "], None),
        (["Troops arrived in Kursk. Fighting began soon after."], "one sentence"),
        ([f"Point number {i}." for i in range(11)], "at most 10 key points"),
    ],
)
def test_key_points_must_be_one_short_sentence_each_and_at_most_ten(editor_client, texts, message):
    data = report_form_data(key_points=texts)
    response = editor_client.post(ADD, data)
    if message is None:  # an empty row is simply not saved
        assert response.status_code == 302
        assert not Report.objects.get().key_points.exists()
        return
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Report.objects.exists()


def test_an_over_long_key_point_is_told_only_that_it_is_too_long(editor_client):
    response = editor_client.post(ADD, report_form_data(key_points=["A long point " * 40]))
    html = response.content.decode().replace("&#x27;", "'")
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    errors = [error for found in lists for error in re.findall(r"<li>(.*?)</li>", found, re.S)]
    assert len(errors) == 1
    assert "at most 400 characters" in errors[0]


def test_abbreviations_are_not_mistaken_for_a_second_sentence(editor_client):
    data = report_form_data(key_points=["Gen. Syrskyi met U.S. officials in Kyiv."])
    assert editor_client.post(ADD, data).status_code == 302


def test_an_image_needs_alt_text(editor_client, tmp_path):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, "JPEG")
    upload = SimpleUploadedFile("hero.jpg", buffer.getvalue(), content_type="image/jpeg")
    response = editor_client.post(ADD, {**report_form_data(), "hero_image": upload})
    assert response.status_code == 200
    assert "Describe the image for readers who cannot see it." in response.content.decode()


def test_editing_keeps_inline_rows_and_adds_new_ones(editor_client):
    report = desk_row(ReportFactory(key_points=["First point."]))
    data = report_form_data(report, key_points=["Second point."])
    response = editor_client.post(change_url(report), data)
    assert response.status_code == 302
    assert [p.text for p in report.key_points.all()] == ["First point.", "Second point."]


def test_a_second_editor_saving_an_outdated_form_is_warned_instead_of_overwriting(editor_client):
    report = desk_row(ReportFactory(title="Original headline", summary="Original summary."))
    stale = form_on_page(editor_client.get(change_url(report)))
    stale["title"] = ["Second editor's headline"]
    fresh = report_form_data(
        report, title="First editor's headline", summary="First editor's summary."
    )
    assert editor_client.post(change_url(report), fresh).status_code == 302

    response = editor_client.post(change_url(report), stale)
    assert response.status_code == 200
    assert "Someone else saved this report" in response.content.decode()
    report.refresh_from_db()
    assert report.title == "First editor's headline"

    # The editor has been warned; saving the form they got back is a deliberate choice, and
    # keeps what the first editor changed where they had changed nothing.
    assert editor_client.post(change_url(report), form_on_page(response)).status_code == 302
    report.refresh_from_db()
    assert report.title == "Second editor's headline"
    assert report.summary == "First editor's summary."


def test_the_list_shows_status_authors_region_and_dates_in_a_constant_number_of_queries(
    editor_client, django_assert_max_num_queries
):
    for _ in range(3):
        ReportFactory(authors=[AuthorFactory(), AuthorFactory()])
    url = reverse("admin:reports_report_changelist")
    with django_assert_max_num_queries(30) as few:
        editor_client.get(url)
    for _ in range(12):
        ReportFactory(authors=[AuthorFactory(), AuthorFactory()])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = editor_client.get(url)
    html = response.content.decode()
    assert "Ukraine" in html and "Published" in html


@pytest.mark.parametrize(
    "query",
    [
        "status__exact=draft",
        "kind__exact=sitrep",
        "region=europe",
        "topic=cyber",
        "q=Kursk",
        "publish_at__year=2025",
    ],
)
def test_the_list_filters_and_search_work(editor_client, query):
    cyber = TopicFactory(name="Cyber")
    ReportFactory(title="Kursk incursion", topics=[cyber], regions=[region("RU")])
    response = editor_client.get(reverse("admin:reports_report_changelist") + "?" + query)
    assert response.status_code == 200


def test_history_can_restore_an_earlier_version(editor_client):
    report = desk_row(ReportFactory(title="First headline"))
    editor_client.post(change_url(report), report_form_data(report, title="First headline"))
    report.refresh_from_db()
    editor_client.post(change_url(report), report_form_data(report, title="Second headline"))
    history = editor_client.get(reverse("admin:reports_report_history", args=[report.pk]))
    assert history.status_code == 200
    from reversion.models import Version

    first = Version.objects.get_for_object(report).order_by("pk").first()
    page = editor_client.get(reverse("admin:reports_report_revision", args=[report.pk, first.pk]))
    assert page.status_code == 200
    # What restoring would change in the draft, word by word.
    assert "First" in [ins.text for ins in html.fromstring(page.content).xpath("//ins")]


def test_topics_merge_into_the_one_used_most(editor_client):
    keep = TopicFactory(name="Cyber")
    duplicate = TopicFactory(name="Cyber security")
    both = ReportFactory(topics=[keep, duplicate])
    only_duplicate = ReportFactory(topics=[duplicate])
    ReportFactory(topics=[keep])
    response = editor_client.post(
        reverse("admin:tags_topic_changelist"),
        {"action": "merge_topics", "_selected_action": [keep.pk, duplicate.pk]},
    )
    assert response.status_code == 302
    assert list(both.topics.all()) == [keep]
    assert list(only_duplicate.topics.all()) == [keep]
    assert not duplicate.__class__.objects.filter(pk=duplicate.pk).exists()


def test_the_topic_search_offers_topics_in_alphabetical_order(editor_client):
    for name in ("Sanctions", "Energy security", "Migration"):
        TopicFactory(name=name)
    query = {"app_label": "reports", "model_name": "report", "field_name": "topics", "term": ""}
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        response = editor_client.get(reverse("admin:autocomplete"), query)
    names = [result["text"] for result in response.json()["results"]]
    assert names == ["Energy security", "Migration", "Sanctions"]
