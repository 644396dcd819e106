"""What the editors' desk tells contributors about other people's work: nothing it does not show.

The cases as they were reported (View on site for another's draft, an e-mail address read one
character at a time through the author list), then each surface of the kind: lookups, search,
autocompletes, counts and filters, inline rows, error messages, other apps' pages; and that
editors keep every tool of the desk. ``tests/test_admin_walk.py`` walks every desk address.
"""

import re
import string

import pytest
import time_machine
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html

from authors.admin import AuthorAdmin
from authors.models import Author
from diethnos.desk import DeskAdmin
from reports.models import KeyPoint, Report, ReportAuthor, Source, UpdateNote
from tags.models import Topic

from .admin_forms import report_form_data
from .admin_walk import Request, shown
from .desk_world import MISSING_ID, SECRETS, build_world, leaked
from .factories import TopicFactory, region

pytestmark = pytest.mark.django_db

AUTHORS = reverse("admin:authors_author_changelist")
REPORTS = reverse("admin:reports_report_changelist")
TOPICS = reverse("admin:tags_topic_changelist")
AUTOCOMPLETE = reverse("admin:autocomplete")


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def contributor_client(client, world):
    client.force_login(world.contributor)
    return client


@pytest.fixture
def editor_client(client, world):
    client.force_login(world.editor)
    return client


def view_on_site(model, object_id):
    content_type = ContentType.objects.get_for_model(model)
    return reverse("admin:view_on_site", args=[content_type.pk, object_id])


def listed(response, column="field-name"):
    """The texts of a change list's ``column`` cells."""
    page = html.fromstring(response.content)
    return [cell.text_content().strip() for cell in page.find_class(column)]


def autocomplete(client, app_label, model_name, field_name, term):
    query = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
    return client.get(AUTOCOMPLETE, {**query, "term": term})


def found(response):
    return [result["text"] for result in response.json()["results"]]


# -- View on site -------------------------------------------------------------------------------


def test_view_on_site_for_another_contributors_draft_is_a_404_like_a_missing_report(
    contributor_client, world
):
    theirs = contributor_client.get(view_on_site(Report, world.draft.pk))
    missing = contributor_client.get(view_on_site(Report, MISSING_ID))
    assert theirs.status_code == missing.status_code == 404
    assert "Location" not in theirs
    assert not leaked(theirs.content.decode())


@pytest.mark.parametrize("report", ["in_review", "scheduled", "published"])
def test_view_on_site_leads_nowhere_for_any_report_the_contributor_does_not_see(
    contributor_client, world, report
):
    assert (
        contributor_client.get(view_on_site(Report, getattr(world, report).pk)).status_code == 404
    )


def test_view_on_site_leads_a_contributor_to_their_own_draft_and_to_authors(
    contributor_client, world
):
    own = contributor_client.get(view_on_site(Report, world.own_draft.pk))
    assert own.status_code == 302
    assert own["Location"].endswith(world.own_draft.get_absolute_url())
    author = contributor_client.get(view_on_site(type(world.their_author), world.their_author.pk))
    assert author["Location"].endswith(world.their_author.get_absolute_url())


def test_view_on_site_leads_an_editor_to_anyones_draft(editor_client, world):
    response = editor_client.get(view_on_site(Report, world.draft.pk))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/reports/{SECRETS['draft slug']}/")


@pytest.mark.parametrize(
    "address",
    [f"/admin/r/{MISSING_ID}/1/", "/admin/r/not-a-type/1/", "/admin/r/99999999999999999999/1/"],
)
def test_view_on_site_for_a_content_type_that_does_not_exist_is_a_404(contributor_client, address):
    assert contributor_client.get(address).status_code == 404


def test_view_on_site_for_a_model_with_no_desk_page_is_a_404(contributor_client, world):
    key_point = world.own_draft.key_points.first()
    assert contributor_client.get(view_on_site(KeyPoint, key_point.pk)).status_code == 404


# -- Lookups in the query string ---------------------------------------------------------------


def test_the_author_list_answers_an_e_mail_lookup_alike_whatever_the_letter(
    contributor_client, world
):
    """The reported attack read a private address one character at a time (422 requests):
    every guess at every position must now be answered alike."""
    address = SECRETS["e-mail"]
    answers = set()
    for position in range(3):
        for letter in string.ascii_lowercase + string.digits + ".@_-":
            for lookup in ("email__startswith", "email__istartswith", "email__regex"):
                prefix = address[:position] + letter
                value = f"^{prefix}" if lookup.endswith("regex") else prefix
                response = contributor_client.get(AUTHORS, {lookup: value})
                answers.add((response.status_code, response.content))
    assert len(answers) == 1
    assert answers.pop()[0] == 400


@pytest.mark.parametrize(
    ("lookup", "value"),
    [
        ("email", SECRETS["e-mail"]),
        ("email__contains", "@"),
        ("show_email", "0"),
        ("user", "1"),
        ("user__isnull", "false"),
        ("user__username__startswith", "q"),
        ("user__password__startswith", "md5"),
        ("name__startswith", "O"),
        ("reports__title__startswith", "Q"),
        ("report_links__report__status", "draft"),
    ],
)
def test_the_author_list_refuses_every_lookup_no_filter_offers(contributor_client, lookup, value):
    assert contributor_client.get(AUTHORS, {lookup: value}).status_code == 400


@pytest.mark.parametrize(
    ("lookup", "value"),
    [
        ("created_by__username", SECRETS["username"]),
        ("created_by", "1"),
        ("report_authors__author__email__startswith", "q"),
        ("authors__email__startswith", "q"),
        ("authors__user__username", SECRETS["username"]),
        ("title__startswith", "Q"),
        ("key_points__text__icontains", "Qzx"),
        ("search_vector__isnull", "false"),
        ("version__gt", "1"),
    ],
)
def test_the_report_list_refuses_every_lookup_no_filter_offers(contributor_client, lookup, value):
    assert contributor_client.get(REPORTS, {lookup: value}).status_code == 400


# Each example is one request, on the world made once by the test's fixtures.
ONE_REQUEST_EACH = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
AUTHOR_FIELD_NAMES = sorted(
    {field.name for field in Author._meta.get_fields()} | {"pk", "username"}
)
DJANGO_LOOKUPS = ["", "exact", "iexact", "startswith", "istartswith", "contains", "regex", "in"]


@ONE_REQUEST_EACH
@given(
    path=st.lists(st.sampled_from(AUTHOR_FIELD_NAMES), min_size=1, max_size=3),
    lookup=st.sampled_from(DJANGO_LOOKUPS + ["gt", "lt", "gte", "isnull", "year"]),
    value=st.text(st.characters(codec="utf-8"), max_size=12),
)
def test_any_lookup_in_the_author_lists_address_is_refused_for_any_value_unless_a_filter_sends_it(
    contributor_client, path, lookup, value
):
    key = "__".join([*path, lookup] if lookup else path)
    response = contributor_client.get(AUTHORS, {key: value})
    if key in {"is_active__exact", "is_active__isnull", "is_active__gte", "is_active__lt"}:
        assert response.status_code in (200, 302)  # the filter's own, or "?e=1" for a bad value
    else:
        assert response.status_code == 400


def test_a_desk_page_leaves_private_fields_out_of_every_tool_for_those_who_may_not_see_them(
    world,
):
    class AuthorsWithEverything(AuthorAdmin):
        list_display = ["name", "email", "e_mail_column", "user__username"]
        list_filter = ["is_active", "show_email", ("user", admin.RelatedOnlyFieldListFilter)]
        search_fields = ["name", "^email", "=user__username", "report_links__report__title"]
        date_hierarchy = "created_at"

        @admin.display(ordering="-email")
        def e_mail_column(self, author):
            return "hidden"

    desk = AuthorsWithEverything(Author, admin.site)
    request = RequestFactory().get(AUTHORS)
    request.user = world.contributor
    assert desk.get_list_display(request) == ["name", "e_mail_column"]
    assert desk.get_sortable_by(request) == ["name"]
    assert desk.get_list_filter(request) == ["is_active"]
    assert desk.get_search_fields(request) == ["name"]
    assert desk.filter_parameters(request) == {
        *(f"is_active__{lookup}" for lookup in ("exact", "isnull", "isempty", "gte", "lt")),
        *(f"created_at__{part}" for part in ("year", "month", "day")),
    }
    request.user = world.editor
    # Editors see private fields, but not accounts: the Users page is the administrators'.
    assert desk.get_list_display(request) == ["name", "email", "e_mail_column"]
    assert desk.get_sortable_by(request) == ["name", "email", "e_mail_column"]
    assert desk.get_search_fields(request) == ["name", "^email", "report_links__report__title"]
    assert desk.get_list_filter(request) == ["is_active", "show_email"]
    assert {"show_email__exact", "created_at__year"} <= desk.filter_parameters(request)


def test_a_private_field_cannot_be_a_lists_date_hierarchy():
    class AuthorsByInvitation(AuthorAdmin):
        PRIVATE_FIELDS = AuthorAdmin.PRIVATE_FIELDS | {"created_at"}
        date_hierarchy = "created_at"

    errors = AuthorsByInvitation(Author, admin.site).check()
    assert [error.id for error in errors] == ["diethnos.E001"]
    assert AuthorAdmin(Author, admin.site).check() == []


def test_editors_too_filter_only_through_the_lists_filters(client, world):
    client.force_login(world.editor)
    assert client.get(AUTHORS, {"email__startswith": "q"}).status_code == 400
    assert client.get(REPORTS, {"created_by__username": SECRETS["username"]}).status_code == 400
    response = client.get(AUTHORS, {"is_active__exact": "1", "q": SECRETS["e-mail"]})
    assert listed(response) == ["Other Analyst"]


def test_the_report_lists_filters_and_date_hierarchy_still_filter(editor_client, world):
    def titles(**query):
        response = editor_client.get(REPORTS, query)
        assert response.status_code == 200, query
        return set(listed(response, "field-title"))

    assert SECRETS["draft headline"] in titles(status__exact="draft")
    assert SECRETS["draft headline"] not in titles(status__exact="published")
    assert titles(topic=world.topic.slug) == {SECRETS["draft headline"]}
    assert titles(region=region("TV").slug) == {SECRETS["draft headline"]}
    assert titles(**{"authors__id__exact": world.own_author.pk}) == {"Own working draft"}
    assert "Their published report" in titles(
        publish_at__year=str(world.published.publish_at.year), featured__exact="0"
    )
    assert titles(o="-1", p="0", q="Own working", _facets="1") == {"Own working draft"}


# -- Search and autocompletes --------------------------------------------------------------------


def test_contributors_search_authors_by_name_but_not_by_e_mail(contributor_client):
    assert listed(contributor_client.get(AUTHORS, {"q": "Other Analyst"})) == ["Other Analyst"]
    assert listed(contributor_client.get(AUTHORS, {"q": SECRETS["e-mail"]})) == []
    assert listed(contributor_client.get(AUTHORS, {"q": "qzx.private"})) == []


def test_the_byline_autocomplete_finds_authors_by_name_never_by_e_mail_for_contributors(
    contributor_client, world
):
    by_name = autocomplete(contributor_client, "reports", "reportauthor", "author", "Other Ana")
    assert found(by_name) == ["Other Analyst"]
    by_email = autocomplete(contributor_client, "reports", "reportauthor", "author", "qzx.priv")
    assert found(by_email) == []


def test_the_byline_autocomplete_finds_authors_by_e_mail_for_editors(editor_client, world):
    response = autocomplete(editor_client, "reports", "reportauthor", "author", "qzx.private")
    assert found(response) == ["Other Analyst"]


@pytest.mark.parametrize(
    ("model_name", "field_name"),
    [
        ("keypoint", "report"),
        ("reportauthor", "report"),
        ("source", "report"),
        ("updatenote", "report"),
        ("taggedreport", "content_object"),
    ],
)
def test_report_autocompletes_list_a_contributor_only_their_own_reports(
    contributor_client, model_name, field_name
):
    response = autocomplete(contributor_client, "reports", model_name, field_name, "")
    assert found(response) == ["Own working draft"]
    for secret in SECRETS.values():
        response = autocomplete(contributor_client, "reports", model_name, field_name, secret)
        assert found(response) == []


def test_report_autocompletes_list_every_report_for_editors(editor_client, world):
    response = autocomplete(editor_client, "reports", "keypoint", "report", "Qzx")
    assert found(response) == [SECRETS["draft headline"]]


def test_region_and_topic_autocompletes_serve_contributors(contributor_client, world):
    regions = autocomplete(contributor_client, "reports", "report", "primary_region", "Tuvalu")
    assert found(regions) == ["Tuvalu"]
    topics = autocomplete(contributor_client, "authors", "author", "expertise", "Hidden-draft")
    assert found(topics) == ["Hidden-draft topic"]


@pytest.mark.parametrize("term", ["", "q", SECRETS["username"]])
def test_the_account_autocomplete_is_refused_to_contributors_alike_for_any_term(
    contributor_client, term
):
    response = autocomplete(contributor_client, "authors", "author", "user", term)
    assert response.status_code == 403


# -- Counts and filter choices ----------------------------------------------------------------


def test_the_topic_list_counts_only_the_reports_the_user_may_view(client, world):
    TopicFactory(name="Unused topic")
    client.force_login(world.contributor)
    response = client.get(TOPICS, {"q": "topic"})
    counts = dict(zip(listed(response), listed(response, "field-report_count"), strict=True))
    assert counts == {"Hidden-draft topic": "0", "Unused topic": "0"}
    client.force_login(world.editor)
    response = client.get(TOPICS, {"q": "topic"})
    counts = dict(zip(listed(response), listed(response, "field-report_count"), strict=True))
    assert counts == {"Hidden-draft topic": "1", "Unused topic": "0"}


def filter_choices(response):
    """What the filters offer: their links, and the choices of their drop-down lists."""
    page = html.fromstring(response.content)
    offered = page.xpath('//*[@id="changelist-filter"]//a | //*[@id="changelist-filter"]//option')
    return {choice.text_content().strip() for choice in offered}


def test_the_report_lists_filters_offer_only_topics_regions_and_authors_of_visible_reports(
    client, world
):
    of_the_draft = ["Hidden-draft topic", region("TV").name, region("NR").name, "Other Analyst"]
    client.force_login(world.contributor)
    choices = filter_choices(client.get(REPORTS, {"_facets": "1"}))
    for hidden in of_the_draft:
        assert not any(choice.startswith(hidden) for choice in choices), hidden
    assert not leaked(client.get(REPORTS, {"_facets": "1"}).content.decode())
    client.force_login(world.editor)
    choices = filter_choices(client.get(REPORTS, {"_facets": "1"}))
    for offered in of_the_draft:
        assert any(choice.startswith(offered) for choice in choices), (offered, choices)


def test_the_report_list_counts_a_contributors_own_reports_only(contributor_client, world):
    response = contributor_client.get(REPORTS, {"_facets": "1"})
    page = html.fromstring(response.content)
    assert listed(response, "field-title") == ["Own working draft"]
    assert page.find_class("paginator")[0].text_content().split() == ["1", "report"]
    assert page.find_class("action-counter")[0].get("data-actions-icnt") == "1"
    choices = filter_choices(response)
    assert {"Draft (1)", "In review (0)", "Published (0)"} <= choices


# -- Inline rows -----------------------------------------------------------------------------


INLINE_ROWS = {
    "key_points": (KeyPoint, "text"),
    "report_authors": (ReportAuthor, "author"),
    "sources": (Source, "title"),
    "update_notes": (UpdateNote, "text"),
}


def with_row(world, prefix, row_id):
    """The own draft's form, with its ``prefix`` inline holding one existing row, ``row_id``."""
    data = report_form_data(world.own_draft)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": 1,
            f"{prefix}-INITIAL_FORMS": 1,
            f"{prefix}-0-id": row_id,
            f"{prefix}-0-position": 0,
            f"{prefix}-0-text": "Rewritten",
            f"{prefix}-0-title": "Rewritten",
            f"{prefix}-0-author": world.own_author.pk,
            f"{prefix}-0-kind": "update",
            f"{prefix}-0-noted_at_0": "2025-11-03",
            f"{prefix}-0-noted_at_1": "09:00:00",
        }
    )
    return data


@pytest.mark.parametrize("prefix", INLINE_ROWS)
@pytest.mark.parametrize(
    "view",
    [
        "admin:reports_report_change",
        "admin:reports_report_preview",
        "admin:reports_report_preview_new",
    ],
)
def test_a_row_of_another_report_is_refused_like_one_that_does_not_exist(
    contributor_client, world, prefix, view
):
    """Django's inline formsets took any row's id, and ignored the row: a missing id alone was
    refused, which told the rows of other people's reports apart."""
    model, _ = INLINE_ROWS[prefix]
    theirs = model.objects.filter(report=world.draft).first()
    before = model.objects.filter(pk=theirs.pk).values().get()
    url = reverse(view, args=[] if view.endswith("_new") else [world.own_draft.pk])
    answers = []
    for row_id in (theirs.pk, MISSING_ID):
        request = Request("POST", url, with_row(world, prefix, row_id))
        # The form proposes the present time for a new update note: the same for both.
        with time_machine.travel(world.own_draft.created_at, tick=False):
            answer = shown(contributor_client, request)
        answer["page"] = re.sub(
            rf'(name="{prefix}-0-id"[^>]*value="){row_id}"', r'\1<id>"', answer["page"]
        )
        assert not leaked(answer["page"])
        answers.append(answer)
    assert answers[0] == answers[1]
    assert answers[0]["status"] in (200, 400)  # the form again, or the preview's problems
    assert model.objects.filter(pk=theirs.pk).values().get() == before


def test_an_editor_still_changes_the_rows_of_a_report(editor_client, world):
    own = world.own_draft.key_points.get()
    data = with_row(world, "key_points", own.pk)
    response = editor_client.post(
        reverse("admin:reports_report_change", args=[own.report_id]), data
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.text == "Rewritten"


# -- Error messages ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["change", "delete", "history"])
def test_pages_of_objects_a_contributor_may_not_view_answer_as_for_missing_ones(
    contributor_client, world, page
):
    """Django's admin answered an object without permission with a 403 on some pages and a
    missing one with a redirect and a message: the two told apart what exists."""
    for model, ids in world.hidden.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
        answers = []
        for object_id in (ids[0], MISSING_ID):
            response = contributor_client.get(reverse(name, args=[object_id]), follow=True)
            messages = [str(m) for m in response.context["messages"]] if response.context else []
            answers.append(
                (
                    response.status_code,
                    [url.replace(str(object_id), "<id>") for url, _ in response.redirect_chain],
                    [message.replace(str(object_id), "<id>") for message in messages],
                )
            )
        assert answers[0] == answers[1], name


def test_another_contributors_draft_is_reported_missing_with_the_message_of_a_missing_one(
    contributor_client, world
):
    def message(object_id):
        url = reverse("admin:reports_report_change", args=[object_id])
        response = contributor_client.get(url, follow=True)
        return [str(m).replace(str(object_id), "<id>") for m in response.context["messages"]]

    assert message(world.draft.pk) == message(MISSING_ID)
    assert message(MISSING_ID) == ["report with ID “<id>” doesn’t exist. Perhaps it was deleted?"]


# -- Every page of the desk -------------------------------------------------------------------


def test_every_page_of_the_desk_follows_its_rules_whichever_app_registered_it():
    assert all(isinstance(model_admin, DeskAdmin) for model_admin in admin.site._registry.values())


def test_contributors_cannot_merge_topics(contributor_client, world):
    other = TopicFactory(name="Hidden-draft Topic copy")
    response = contributor_client.post(
        TOPICS,
        {"action": "merge_topics", "index": "0", "_selected_action": [world.topic.pk, other.pk]},
    )
    assert response.status_code in (200, 302)
    assert Topic.objects.filter(pk=other.pk).exists()


def test_an_editor_reads_anyones_draft_and_the_private_fields_of_authors(editor_client, world):
    draft = editor_client.get(reverse("admin:reports_report_change", args=[world.draft.pk]))
    assert SECRETS["draft headline"] in draft.content.decode()
    author = editor_client.get(reverse("admin:authors_author_change", args=[world.their_author.pk]))
    assert SECRETS["e-mail"] in author.content.decode()
    assert listed(editor_client.get(AUTHORS, {"q": "qzx.private"})) == ["Other Analyst"]
