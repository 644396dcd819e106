"""What a report needs before it is published holds however it is published.

Each rule is tried on every way a report gets published: ``workflow.publish()`` from code, the
desk's list action, the desk's form (a new report, a saved draft, the preview) and the demo
loader; and a published report cannot lose what it needs through the desk.
"""

from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from reports import workflow
from reports.demo.loader import _report
from reports.models import (
    NEEDS_AUTHOR,
    NEEDS_KEY_POINT,
    NEEDS_PRIMARY_REGION,
    NEEDS_SUMMARY,
    ONE_SENTENCE,
    TOO_MANY_KEY_POINTS,
    Report,
)

from .admin_forms import desk_row, report_form_data
from .factories import AuthorFactory, EditorFactory, ReportFactory, region

pytestmark = pytest.mark.django_db

ADD = reverse("admin:reports_report_add")
LIST = reverse("admin:reports_report_changelist")
PREVIEW_NEW = reverse("admin:reports_report_preview_new")
TWO_SENTENCES = "Troops arrived in Kursk. Fighting began soon after."


@dataclass
class Rule:
    name: str  # where publication_problems reports it
    message: str
    lacking: dict = field(default_factory=dict)  # what a report breaking it has
    desk: dict | None = None  # the same in the desk's form, where it differs


RULES = {
    "a summary": Rule("summary", NEEDS_SUMMARY, {"summary": ""}),
    "a primary region": Rule(
        "primary_region", NEEDS_PRIMARY_REGION, {"primary_region": None}, {"primary_region": ""}
    ),
    "a key point": Rule("key_points", NEEDS_KEY_POINT, {"key_points": []}),
    "at most ten key points": Rule(
        "key_points", TOO_MANY_KEY_POINTS, {"key_points": [f"Point {n}." for n in range(11)]}
    ),
    "one sentence per key point": Rule("key_points", ONE_SENTENCE, {"key_points": [TWO_SENTENCES]}),
    "an author": Rule("authors", NEEDS_AUTHOR, {"authors": []}),
}
rules = pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def draft_lacking(rule):
    return ReportFactory(status=Report.Status.DRAFT, publish_at=None, **rule.lacking)


def text_of(response):
    return response.content.decode().replace("&#x27;", "'")


def new_report_data(rule):
    """What the desk's add form sends for a report to publish that breaks ``rule``."""
    complete = {
        "status": "published",
        "primary_region": region("UA").pk,
        "key_points": ["Drones struck two ports overnight."],
        "authors": [AuthorFactory()],
    }
    return report_form_data(**{**complete, **(rule.desk or rule.lacking)})


@rules
def test_publishing_from_code_refuses_a_report_lacking(rule):
    report = draft_lacking(rule)
    with pytest.raises(ValidationError) as refused:
        workflow.publish(report)
    assert rule.message in " ".join(refused.value.message_dict[rule.name])
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


@rules
def test_the_list_action_refuses_to_publish_a_report_lacking(editor_client, rule):
    report = draft_lacking(rule)
    response = editor_client.post(
        LIST, {"action": "publish", "_selected_action": [report.pk]}, follow=True
    )
    assert f"“{report.title}” was not published" in text_of(response)
    assert rule.message in text_of(response)
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


@rules
def test_the_desk_refuses_to_publish_a_new_report_lacking(editor_client, rule):
    response = editor_client.post(ADD, new_report_data(rule))
    assert response.status_code == 200
    assert rule.message in text_of(response)
    assert not Report.objects.exists()


@rules
def test_the_desk_refuses_to_publish_a_saved_draft_lacking(editor_client, rule):
    report = draft_lacking(rule)
    data = report_form_data(report, status="published")
    response = editor_client.post(reverse("admin:reports_report_change", args=[report.pk]), data)
    assert response.status_code == 200
    assert rule.message in text_of(response)
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


@rules
def test_the_preview_of_a_report_to_publish_lacking_says_what_is_missing(editor_client, rule):
    response = editor_client.post(PREVIEW_NEW, new_report_data(rule))
    assert response.status_code == 400
    assert rule.message in text_of(response)


@rules
def test_the_demo_loader_refuses_a_published_report_lacking(rule):
    author = AuthorFactory()
    data = {
        "slug": "a-demo-report",
        "title": "A demo report",
        "kind": "sitrep",
        "summary": "What happened, and why it matters.",
        "body": "<p>On October 28, 2024, something happened.</p>",
        "situation_as_of": "2024-10-28",
        "published": "2024-10-29T08:00:00Z",
        "primary_region": "UA",
        "key_points": ["The first takeaway."],
        "authors": [author.slug],
    }
    data.update(rule.lacking)
    if "authors" in rule.lacking:
        data["authors"] = []
    with pytest.raises(ValidationError) as refused:
        _report(data)
    assert rule.message in str(refused.value)
    assert not Report.objects.exists()


DRAFTS_MAY_LACK = ["a summary", "a primary region", "a key point", "an author"]


@pytest.mark.parametrize("rule", [RULES[name] for name in DRAFTS_MAY_LACK], ids=DRAFTS_MAY_LACK)
def test_the_desk_saves_a_draft_lacking(editor_client, rule):
    data = new_report_data(rule)
    data["status"] = "draft"
    assert editor_client.post(ADD, data).status_code == 302
    assert Report.objects.get().status == Report.Status.DRAFT


@pytest.mark.parametrize(
    "rule", [RULES["at most ten key points"], RULES["one sentence per key point"]]
)
def test_the_desk_keeps_the_key_point_limits_for_drafts_too(editor_client, rule):
    data = new_report_data(rule)
    data["status"] = "draft"
    response = editor_client.post(ADD, data)
    assert response.status_code == 200
    assert rule.message in text_of(response)


def without(**changes):
    return lambda report: report_form_data(report, **changes)


# A published report keeps what it needs: the desk's form data that would take it away.
TAKING_AWAY = {
    "its summary": (NEEDS_SUMMARY, without(summary="")),
    "its primary region": (NEEDS_PRIMARY_REGION, without(primary_region="")),
    "its last key point": (NEEDS_KEY_POINT, without(**{"key_points-0-DELETE": "on"})),
    "its last author": (NEEDS_AUTHOR, without(**{"report_authors-0-DELETE": "on"})),
    "its limit of key points": (
        TOO_MANY_KEY_POINTS,
        without(key_points=[f"Point {n}." for n in range(10)]),
    ),
    "its one-sentence key points": (ONE_SENTENCE, without(key_points=[TWO_SENTENCES])),
}


@pytest.mark.parametrize(("message", "form_data"), TAKING_AWAY.values(), ids=TAKING_AWAY.keys())
def test_the_desk_keeps_a_published_report_from_losing(editor_client, message, form_data):
    report = ReportFactory()
    draft = desk_row(report)
    data = {**form_data(draft), "_publish_changes": "1"}
    response = editor_client.post(reverse("admin:reports_report_change", args=[draft.pk]), data)
    assert response.status_code == 200
    assert message in text_of(response)
    report.refresh_from_db()
    assert report.is_public and report.summary and report.primary_region
    assert report.key_points.count() == 1 and report.report_authors.count() == 1


def test_saving_a_published_report_from_code_without_summary_or_region_is_refused():
    """The rules the database holds need no form: a shell or an import meets them too."""
    report = ReportFactory()
    for field_name in ("summary", "primary_region"):
        report.refresh_from_db()
        setattr(report, field_name, "" if field_name == "summary" else None)
        with pytest.raises(IntegrityError), transaction.atomic():
            report.save()


def test_a_report_published_with_everything_it_needs_passes_every_path(editor_client):
    author = AuthorFactory()
    data = report_form_data(
        status="published",
        primary_region=region("UA").pk,
        key_points=[f"Point {n}." for n in range(10)],
        authors=[author],
    )
    assert editor_client.post(PREVIEW_NEW, data).status_code == 200
    assert editor_client.post(ADD, data).status_code == 302
    report = Report.objects.get()
    assert report.is_public
    assert report.publication_problems() == {}
