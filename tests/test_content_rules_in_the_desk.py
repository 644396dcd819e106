"""What is unique, whatever its letter case, and the other rules the desk's forms keep.

Topics are one topic whatever their letters ("Energy", "energy"); slugs of reports, authors,
regions and topics are unique whatever their letters, so that no two addresses differ only in
case; region codes are unique and well formed; an author appears once in a byline. Each rule is
tried in the desk, through the model's own validation (what an import calls) and through the
profile form where the field is there; the database's part is in
test_content_rules_in_the_database.py.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from authors.models import Author
from reports.models import Report
from tags.models import Region, Topic

from .admin_forms import report_form_data
from .factories import AuthorFactory, ContributorFactory, EditorFactory, ReportFactory, TopicFactory
from .factories import region as region_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory(is_superuser=True))
    return client


def form_errors(response):
    """The errors of the desk's main form, by field."""
    assert response.status_code == 200, "the form was accepted"
    return {
        name: " ".join(errors) for name, errors in response.context["adminform"].form.errors.items()
    }


def add_topic(client, name, slug, description=""):
    return client.post(
        reverse("admin:tags_topic_add"), {"name": name, "slug": slug, "description": description}
    )


# -- topics -----------------------------------------------------------------------------------

TOPIC_NAMES = [
    ("Energy", "energy"),
    ("Energy", "ENERGY"),
    ("Hybrid threats", "hybrid Threats"),
    ("Énergie", "énergie"),
    ("Ασφάλεια", "ΑΣΦΆΛΕΙΑ"),
    ("Straße", "STRASSE"),
]


@pytest.mark.parametrize(("existing", "typed"), TOPIC_NAMES)
def test_the_desk_refuses_a_topic_named_as_another_in_other_letters(editor_client, existing, typed):
    TopicFactory(name=existing, slug="existing")
    response = add_topic(editor_client, typed, "typed")
    assert f"There is already a topic “{existing}”" in form_errors(response)["name"]
    assert Topic.objects.count() == 1


def test_the_desk_refuses_renaming_a_topic_as_another_in_other_letters(editor_client):
    TopicFactory(name="Energy", slug="energy")
    sanctions = TopicFactory(name="Sanctions", slug="sanctions")
    response = editor_client.post(
        reverse("admin:tags_topic_change", args=[sanctions.pk]),
        {"name": "ENERGY", "slug": "sanctions", "description": ""},
    )
    assert "There is already a topic “Energy”" in form_errors(response)["name"]
    sanctions.refresh_from_db()
    assert sanctions.name == "Sanctions"


def test_a_topic_keeps_its_name_when_only_its_other_fields_change(editor_client):
    topic = TopicFactory(name="Energy", slug="energy")
    response = editor_client.post(
        reverse("admin:tags_topic_change", args=[topic.pk]),
        {"name": "Energy", "slug": "energy", "description": "Oil, gas and power."},
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.description == "Oil, gas and power."


def test_the_desk_refuses_a_topic_slug_taken_in_other_letters(editor_client):
    TopicFactory(name="Energy", slug="energy")
    response = add_topic(editor_client, "Energy policy", "Energy")
    assert "has this address already" in form_errors(response)["slug"]


def test_validating_a_topic_in_code_refuses_a_name_taken_in_other_letters():
    TopicFactory(name="Energy")
    with pytest.raises(ValidationError) as refused:
        Topic(name="eNeRgY", slug="other").full_clean()
    assert "name" in refused.value.message_dict


def test_filing_a_report_under_a_topic_by_name_finds_it_in_any_letters():
    energy = TopicFactory(name="Energy")
    report = ReportFactory()
    report.topics.add("ENERGY", "energy")
    assert list(report.topics.all()) == [energy]
    assert Topic.objects.count() == 1


# -- slugs ------------------------------------------------------------------------------------


def test_the_desk_numbers_a_report_slug_taken_in_other_letters(editor_client):
    ReportFactory(slug="kyiv-night-strikes")
    response = editor_client.post(
        reverse("admin:reports_report_add"),
        report_form_data(slug="Kyiv-Night-Strikes"),
        follow=True,
    )
    assert Report.objects.filter(slug="kyiv-night-strikes-2").exists()
    assert "this one’s is “kyiv-night-strikes-2”" in response.text


def test_the_desk_numbers_a_taken_report_slug_and_says_so_once(editor_client):
    ReportFactory(slug="kyiv-night-strikes")
    response = editor_client.post(
        reverse("admin:reports_report_add"),
        report_form_data(slug="kyiv-night-strikes"),
        follow=True,
    )
    assert Report.objects.filter(slug="kyiv-night-strikes-2").exists()
    page = response.text
    assert page.count("The address “kyiv-night-strikes” belongs to another report") == 1


def test_a_report_keeps_its_own_slug_when_saved_again(editor_client):
    report = ReportFactory(slug="kyiv-night-strikes")
    response = editor_client.post(
        reverse("admin:reports_report_change", args=[report.pk]),
        report_form_data(report, title="Kyiv night strikes, updated"),
    )
    assert response.status_code == 302


def test_the_desk_refuses_an_author_slug_taken_in_other_letters(editor_client):
    AuthorFactory(name="Ada Lovelace", slug="ada")
    response = editor_client.post(
        reverse("admin:authors_author_add"),
        {"name": "Ada King", "slug": "ADA", "short_bio": "", "bio": "", "is_active": "on"},
    )
    assert "has this address already" in form_errors(response)["slug"]
    assert Author.objects.count() == 1


def region_data(**changes):
    data = {"name": "Black Sea basin", "slug": "black-sea-basin", "kind": "group"}
    data.update(changes)
    return {
        "official_name": "",
        "description": "",
        "parent": "",
        "iso2": "",
        "iso3": "",
        "m49": "",
        "latitude": "",
        "longitude": "",
        "members": [],
        **data,
    }


REGION_MISTAKES = {
    "a slug taken in other letters": ({"slug": "Ukraine"}, "slug", "has this address already"),
    "an ISO alpha-3 code another region has": (
        {"iso3": "UKR"},
        "iso3",
        "Another region has this ISO alpha-3 code.",
    ),
    "an M49 code another region has": ({"m49": "804"}, "m49", "Another region has this M49 code."),
    "an ISO alpha-2 code in small letters": ({"iso2": "ua"}, "iso2", "Two capital letters"),
    "an ISO alpha-3 code of two letters": ({"iso3": "UK"}, "iso3", "Three capital letters"),
    "an M49 code with letters": ({"m49": "8a4"}, "m49", "Three digits"),
}


@pytest.mark.parametrize(
    ("changes", "field", "message"), REGION_MISTAKES.values(), ids=REGION_MISTAKES.keys()
)
def test_the_desk_refuses_a_region_with(editor_client, changes, field, message):
    response = editor_client.post(reverse("admin:tags_region_add"), region_data(**changes))
    assert message in form_errors(response)[field]
    assert not Region.objects.filter(name="Black Sea basin").exists()


def test_validating_a_region_in_code_refuses_a_malformed_code():
    with pytest.raises(ValidationError) as refused:
        Region(name="Somewhere", slug="somewhere", kind="country", iso3="xx").full_clean()
    assert "iso3" in refused.value.message_dict


def test_a_grouping_without_codes_is_accepted(editor_client):
    response = editor_client.post(reverse("admin:tags_region_add"), region_data())
    assert response.status_code == 302
    assert Region.objects.get(slug="black-sea-basin").is_group
    assert region_of("UA").slug == "ukraine"


# -- bylines and the profile form --------------------------------------------------------------


def test_the_desk_refuses_an_author_twice_in_a_byline(editor_client):
    author = AuthorFactory()
    response = editor_client.post(
        reverse("admin:reports_report_add"), report_form_data(authors=[author, author])
    )
    assert response.status_code == 200
    assert "Each author appears once in a byline" in response.content.decode()
    assert not Report.objects.exists()


PROFILE_MISTAKES = {
    "a name of spaces": ({"name": "   "}, "name", "This field is required."),
    "a short bio over 600 characters": (
        {"short_bio": "x" * 601},
        "short_bio",
        "at most 600 characters",
    ),
}


@pytest.mark.parametrize(
    ("changes", "field", "message"), PROFILE_MISTAKES.values(), ids=PROFILE_MISTAKES.keys()
)
def test_the_profile_form_refuses(client, changes, field, message):
    author = AuthorFactory(user=ContributorFactory(), short_bio="Covers the Sahel.")
    client.force_login(author.user)
    data = {
        "name": author.name,
        "role_line": author.role_line,
        "short_bio": author.short_bio,
        "bio": "",
        "photo_alt": "",
        **changes,
    }
    response = client.post(reverse("profile"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    author.refresh_from_db()
    assert author.short_bio == "Covers the Sahel."
