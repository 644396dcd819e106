"""Every page has a readable ASCII address, whatever the script of its name and whatever made
its slug: the desk's forms, code, taggit, the loaders."""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from authors.models import Author
from diethnos.models import Redirect
from diethnos.redirects import reslug_rows
from diethnos.slugs import slug_for
from reports.demo import loader
from reports.models import Report
from tags.models import Region, Topic
from tags.regions import load_regions

from .admin_forms import report_form_data
from .factories import AuthorFactory, EditorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db

# What Django's ``slug`` path converter accepts.
SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")

# Names in the scripts an outlet's editors type, and what readers see in the address.
NAMES = [
    ("Énergie", "energie"),
    ("Ασφάλεια", "asfaleia"),
    # Greek vowel pairs as Greek's own romanisation spells them, not letter by letter.
    ("Παπαδόπουλος", "papadopoulos"),
    ("Ευρώπη", "evropi"),
    ("ΟΥΚΡΑΝΙΑ", "oukrania"),
    ("Αυστραλία", "avstralia"),
    ("Безопасность", "bezopasnost"),
    ("الأمن الغذائي", "lmn-lghdhiy"),
    ("安全保障", "anquanbaozhang"),
    ("Côte d’Azur", "cote-dazur"),
    ("🔥", "fire"),
    ("🇺🇦", "ua"),
]
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
# Names with nothing to make a slug from: the model's name stands in.
SYMBOLS_ONLY = ["!!!", "—", "?"]


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def assert_public_pages_answer(client, *urls):
    for url in ["/", "/topics/", "/regions/", "/authors/", "/reports/", *urls]:
        assert client.get(url).status_code == 200, url


# -- the reported cases --------------------------------------------------------------------


def add_topic_in_the_desk(client, name, slug):
    response = client.post(
        reverse("admin:tags_topic_add"), {"name": name, "slug": slug, "description": ""}
    )
    assert response.status_code == 302, response.content.decode()
    return Topic.objects.get(name=name)


def test_a_topic_added_in_the_desk_as_energie_has_the_address_energie_and_every_page_answers(
    editor_client, client
):
    # The slug as the desk's prefill used to leave it for a name outside ASCII.
    topic = add_topic_in_the_desk(editor_client, "Énergie", "énergie")
    assert topic.slug == "energie"
    assert client.get("/topics/").status_code == 200
    report = ReportFactory(topics=[topic])

    assert_public_pages_answer(client, report.get_absolute_url(), "/topics/energie/")
    sitemap = client.get("/sitemap-topics.xml")
    assert sitemap.status_code == 200
    locations = etree.fromstring(sitemap.content).xpath("//s:loc/text()", namespaces=SITEMAP)
    assert [urlsplit(location).path for location in locations] == ["/topics/energie/"]
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'href="/topics/energie/"' in page


def test_a_greek_topic_added_in_the_desk_reads_asfaleia_in_its_address(editor_client, client):
    topic = add_topic_in_the_desk(editor_client, "Ασφάλεια", "ασφάλεια")
    assert topic.slug == "asfaleia"
    report = ReportFactory(topics=[topic])
    assert_public_pages_answer(client, report.get_absolute_url(), "/topics/asfaleia/")


# -- the one slug function ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "slug"), NAMES)
def test_names_in_any_script_are_transliterated_to_a_readable_slug(name, slug):
    assert slug_for(name, 100) == slug


def test_a_slug_is_cut_to_the_length_given_without_a_hyphen_at_the_end():
    assert slug_for("Ελληνικά νησιά στο Αιγαίο", 14) == "ellinika-nisia"
    assert slug_for("Ελληνικά νησιά στο Αιγαίο", 15) == "ellinika-nisia"


@pytest.mark.parametrize("name", SYMBOLS_ONLY)
def test_a_name_with_nothing_to_make_a_slug_from_gives_the_fallback(name):
    assert slug_for(name, 50) == ""
    assert slug_for(name, 50, fallback="topic") == "topic"


@given(st.text(), st.integers(min_value=1, max_value=200))
def test_any_text_gives_a_slug_the_routes_accept_and_a_slug_is_its_own_slug(text, max_length):
    slug = slug_for(text, max_length, fallback="x")
    assert SLUG.match(slug)
    assert len(slug) <= max_length
    assert slug == slug.lower()
    assert slug_for(slug, max_length) == slug
    assert reverse("topics:detail", kwargs={"slug": slug})


# -- every slugged model, every way of making a slug --------------------------------------


def author_form(name, slug):
    fields = ["role_line", "short_bio", "bio", "photo_alt", "website", "email"]
    fields += ["x", "bluesky", "linkedin", "orcid"]
    return {"name": name, "slug": slug, "is_active": "on", **dict.fromkeys(fields, "")}


def region_form(name, slug):
    fields = ["description", "official_name", "iso2", "iso3", "m49", "latitude", "longitude"]
    data = {"name": name, "slug": slug, "kind": "group", **dict.fromkeys(fields, "")}
    return {**data, "parent": "", "members": [region("GR").pk, region("CY").pk]}


def report_form(name, slug):
    return report_form_data(title=name, slug=slug)


DESK_FORMS = {
    Topic: ("admin:tags_topic_add", lambda name, slug: {"name": name, "slug": slug}),
    Author: ("admin:authors_author_add", author_form),
    Region: ("admin:tags_region_add", region_form),
    Report: ("admin:reports_report_add", report_form),
}
NAME_FIELD = {Topic: "name", Author: "name", Region: "name", Report: "title"}


def stored(model, name):
    return model.objects.get(**{NAME_FIELD[model]: name})


@pytest.mark.parametrize("model", DESK_FORMS, ids=lambda model: model.__name__)
@pytest.mark.parametrize(
    ("name", "typed", "slug"),
    [
        ("Ασφάλεια στη Μεσόγειο", "ασφάλεια-στη-μεσόγειο", "asfaleia-sti-mesogeio"),
        ("Ασφάλεια στη Μεσόγειο", "Ασφάλεια στη Μεσόγειο", "asfaleia-sti-mesogeio"),
        ("Énergie et climat", "", "energie-et-climat"),
        ("Énergie et climat", "energie", "energie"),
        ("!!!", "", None),
        ("!!!", "—", None),
    ],
    ids=["prefilled-greek", "pasted-greek", "left-empty", "typed-ascii", "symbols", "dash"],
)
def test_a_slug_made_or_typed_in_the_desk_is_stored_in_ascii(
    editor_client, model, name, typed, slug
):
    route, form = DESK_FORMS[model]
    response = editor_client.post(reverse(route), form(name, typed))
    assert response.status_code == 302, response.content.decode()
    assert stored(model, name).slug == (slug or model._meta.model_name)


@pytest.mark.parametrize(
    "model", [m for m in DESK_FORMS if m is not Report], ids=lambda model: model.__name__
)
def test_a_slug_typed_in_the_desk_that_another_row_has_is_refused_with_a_way_out(
    editor_client, model
):
    make(model, "Énergie")
    route, form = DESK_FORMS[model]
    response = editor_client.post(reverse(route), form("Energie", "ÉNERGIE"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        f"A {model._meta.verbose_name.capitalize()} has this address already. Change the slug, "
        "or leave it empty to have one made."
    ]
    response = editor_client.post(reverse(route), form("Energie", ""))
    assert response.status_code == 302
    assert stored(model, "Energie").slug == "energie-2"


def test_a_report_slug_typed_in_the_desk_that_another_report_has_is_numbered(editor_client):
    make(Report, "Énergie")
    route, form = DESK_FORMS[Report]
    response = editor_client.post(reverse(route), form("Energie", "ÉNERGIE"))
    assert response.status_code == 302
    assert stored(Report, "Energie").slug == "energie-2"


@pytest.mark.parametrize("model", DESK_FORMS, ids=lambda model: model.__name__)
def test_the_desk_prefills_slugs_in_ascii_and_leaves_other_scripts_to_the_server(
    editor_client, model
):
    page = editor_client.get(reverse(DESK_FORMS[model][0])).content.decode()
    fields = json.loads(
        re.search(r'data-prepopulated-fields="([^"]*)"', page).group(1).replace("&quot;", '"')
    )
    assert [field["allowUnicode"] for field in fields] == [False]
    # Django's URLify is wrapped, after it is loaded, to leave names in other scripts to the server.
    scripts = re.findall(r'<script src="/static/admin/js/([^"]+)"', page)
    scripts += re.findall(r'<script src="/static/(admin/slug-prefill.js)"', page)
    assert "urlify.js" in scripts
    assert page.index("admin/js/urlify.js") < page.index("admin/slug-prefill.js")


def make(model, name, **fields):
    fields.setdefault("slug", "")
    if model is Report:
        return ReportFactory(title=name, **fields)
    if model is Author:
        return AuthorFactory(name=name, **fields)
    if model is Region:
        return Region.objects.create(name=name, kind=Region.Kind.GROUP, **fields)
    return Topic.objects.create(name=name, **fields)


MODELS = [Report, Author, Region, Topic]
NAME_LENGTH = {model: model._meta.get_field(NAME_FIELD[model]).max_length for model in MODELS}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize(("name", "slug"), NAMES)
def test_a_row_saved_without_a_slug_gets_one_from_its_name_and_its_pages_answer(
    client, model, name, slug
):
    obj = make(model, name)
    assert obj.slug == slug
    for url in obj.addresses():
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_slug_given_in_code_is_stored_in_ascii(model):
    obj = make(model, "Named", slug="Ασφάλεια")
    obj.refresh_from_db()
    assert obj.slug == "asfaleia"


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_made_slug_that_another_row_has_is_numbered(model):
    # Names that differ in more than case: topic names are unique whatever their case.
    first, second, third = (make(model, name) for name in ["Énergie", "Energie", "Energie!"])
    assert [first.slug, second.slug, third.slug] == ["energie", "energie-2", "energie-3"]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("name", SYMBOLS_ONLY)
def test_a_name_of_symbols_only_gets_the_models_name_as_its_slug(model, name):
    first, second = make(model, name), make(model, name + " ")
    assert [first.slug, second.slug] == [model._meta.model_name, f"{model._meta.model_name}-2"]


def test_a_long_name_gives_a_numbered_slug_that_still_fits():
    length = Topic._meta.get_field("slug").max_length
    # Each "Щи " (3 characters) gives "shchi-" (6): a name that fits makes a slug that does not.
    first = Topic.objects.create(name="Щи " * 33)
    second = Topic.objects.create(name="Щи " * 33 + "!")
    assert len(first.slug) == length
    assert len(first.slug) <= length and len(second.slug) <= length
    assert second.slug == first.slug[: length - 2] + "-2"


def test_full_clean_turns_a_pasted_slug_into_ascii():
    report = ReportFactory.build(slug="Ασφάλεια", primary_region=region("GR"))
    report.full_clean(exclude=["primary_region"])
    assert report.slug == "asfaleia"


# -- taggit -----------------------------------------------------------------------------


def test_a_topic_added_to_a_report_by_name_gets_an_ascii_slug(client):
    report = ReportFactory()
    report.topics.add("Énergie", "Ασφάλεια", "Безопасность")
    assert sorted(report.topics.values_list("slug", flat=True)) == [
        "asfaleia",
        "bezopasnost",
        "energie",
    ]
    assert_public_pages_answer(client, report.get_absolute_url(), "/topics/asfaleia/feed/")


def test_topics_whose_names_differ_but_make_the_same_slug_are_numbered():
    report = ReportFactory()
    report.topics.add("Energie")
    report.topics.add("Énergie")
    assert sorted(report.topics.values_list("slug", flat=True)) == ["energie", "energie-2"]


def test_a_topic_named_in_emoji_only_gets_a_readable_slug(client):
    report = ReportFactory()
    report.topics.add("🔥", "!!!")
    assert sorted(report.topics.values_list("slug", flat=True)) == ["fire", "topic"]
    assert_public_pages_answer(client, "/topics/fire/", "/topics/topic/")


TOPIC_NAMES = st.text(
    st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=100
).filter(lambda name: name.strip())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=st.lists(TOPIC_NAMES, min_size=1, max_size=3))
def test_any_topic_name_gives_an_address_that_answers(client, names):
    report = ReportFactory()
    report.topics.add(*names)
    for topic in report.topics.all():
        assert SLUG.match(topic.slug)
        assert client.get(topic.get_absolute_url()).status_code == 200
    assert client.get("/topics/").status_code == 200
    assert client.get(report.get_absolute_url()).status_code == 200


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=TOPIC_NAMES)
def test_any_name_gives_every_model_a_slug_every_route_takes(name):
    # Each example on its own: two names differing only in case are one topic's name.
    savepoint = transaction.savepoint()
    try:
        for model in MODELS:
            obj = make(model, name[: NAME_LENGTH[model]])
            assert SLUG.match(obj.slug)
            assert all(obj.addresses())
    finally:
        transaction.savepoint_rollback(savepoint)


# -- the loaders and stored data ---------------------------------------------------------


def test_the_region_loader_makes_ascii_slugs_from_names_in_any_script(tmp_path):
    csv = tmp_path / "countries.csv"
    header = "iso2,iso3,m49,name,region_code,region_name,subregion_code,subregion_name,"
    header += "intermediate_code,intermediate_name,latitude,longitude"
    csv.write_text(
        header + "\n"
        "GR,GRC,300,Ελλάδα,150,Ευρώπη,039,Νότια Ευρώπη,,,39.07,21.82\n"
        "CI,CIV,384,Côte d’Ivoire,002,Africa,202,Sub-Saharan Africa,011,Western Africa,7.5,-5.5\n",
        encoding="utf-8",
    )
    groupings = tmp_path / "groupings.json"
    groupings.write_text("[]", encoding="utf-8")
    load_regions(csv, groupings)
    assert region("GR").slug == "ellada"
    assert region("GR").parent.slug == "notia-evropi"
    assert region("CI").slug == "cote-divoire"


def test_the_demo_loader_makes_ascii_slugs_for_authors_and_reports_named_in_any_script(
    tmp_path, monkeypatch, client
):
    content = {
        "authors": [
            {"slug": "nikolas", "name": "Nikolas Papadopoulos"},  # the example report's author
            {"slug": "Νίκος", "name": "Νίκος Παπαδόπουλος"},
            {"name": "Ελένη Ιωάννου"},
        ],
        "reports": [
            {
                "title": "Ασφάλεια στο Αιγαίο",
                "kind": "analysis",
                "summary": "Περίληψη.",
                "key_points": ["Ένα."],
                "body": "<p>Κείμενο.</p>",
                "situation_as_of": "2025-01-02",
                "published": "2025-01-03T08:00:00Z",
                "primary_region": "GR",
                "topics": ["Ενέργεια"],
                "authors": ["Νίκος", "Ελένη Ιωάννου"],
            }
        ],
    }
    path = tmp_path / "content.json"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(loader, "CONTENT", path)
    monkeypatch.setattr(loader, "_add_pictures", lambda *args: 0)
    call_command("load_demo")
    call_command("load_demo")  # and again, finding what it loaded by the same slugs

    report = Report.objects.get(slug="asfaleia-sto-aigaio")
    assert [author.slug for author in report.authors.order_by("report_links")] == [
        "nikos",
        "eleni-ioannou",
    ]
    assert list(report.topics.values_list("slug", flat=True)) == ["energeia"]
    assert Report.objects.filter(title="Ασφάλεια στο Αιγαίο").count() == 1
    assert_public_pages_answer(client, report.get_absolute_url(), "/authors/nikos/")


def test_stored_slugs_outside_ascii_are_transliterated_and_their_old_addresses_redirect(client):
    energy = TopicFactory(name="Énergie", slug="placeholder")
    Topic.objects.filter(pk=energy.pk).update(slug="énergie")  # as taggit used to store it
    TopicFactory(name="Energie policy", slug="energie")  # the transliterated slug is taken

    assert reslug_rows(Topic, "name", ["/topics/{}/", "/topics/{}/feed/"], Redirect.objects) == 1
    energy.refresh_from_db()
    assert energy.slug == "energie-2"
    response = client.get("/topics/%C3%A9nergie/")
    assert response.status_code == 301
    assert response["Location"] == "/topics/energie-2/"
    assert client.get("/topics/%C3%A9nergie/feed/")["Location"] == "/topics/energie-2/feed/"


def test_every_stored_slug_gives_addresses_the_routes_accept():
    call_command("load_regions")
    for model in MODELS:
        for obj in model.objects.all():
            assert SLUG.match(obj.slug), obj
            assert all(obj.addresses())
