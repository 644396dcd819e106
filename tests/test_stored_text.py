"""Stored text holds only characters every page, feed and sitemap can carry, whichever way it
was written; and feeds and sitemaps stay well-formed whatever is already stored."""

import importlib
import json
import re

import pytest
import reversion
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from lxml import html
from reversion.models import Version

from authors.forms import ProfileForm
from authors.models import Author
from diethnos.text import FORBIDDEN, NormalisedField, normalise_text
from reports.admin_forms import ReportAdminForm
from reports.models import KeyPoint, Report, Source, UpdateNote
from reports.search import reindex
from tags.models import Region, Topic

from .admin_forms import desk_row, report_form_data
from .factories import (
    AuthorFactory,
    ContributorFactory,
    EditorFactory,
    ReportFactory,
    TopicFactory,
    region,
)
from .surfaces import (
    check_every_surface,
    feed_urls,
    json_feed_of,
    json_feed_urls,
    json_ld_of,
    page_urls,
    xml_of,
)

pytestmark = pytest.mark.django_db

KYIV = "Kyiv\u000bnight strikes"  # Word's Shift+Enter pastes a vertical tab
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
DC = "{http://purl.org/dc/elements/1.1/}"

# One of each kind of character stored text may not hold, with what a field keeps of it.
C0 = [chr(code) for code in range(0x20) if chr(code) not in "\t\n\r\x0b\x0c"]
C1 = [chr(code) for code in range(0x7F, 0xA0) if code != 0x85]
NONCHARACTERS = [chr(code) for code in range(0xFDD0, 0xFDF0)] + [
    chr(plane * 0x10000 + last) for plane in range(17) for last in (0xFFFE, 0xFFFF)
]
LINE_BREAKS = ["\r\n", "\r", "\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"]


def report_feeds(client, report):
    return {url: xml_of(client.get(url)) for url in feed_urls(report)}


def news_titles(client):
    news = xml_of(client.get(reverse("news-sitemap")))
    return [title.text for title in news.iter(f"{NEWS}title")]


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


@pytest.fixture
def report():
    return ReportFactory(topics=[TopicFactory(name="Air defence")], regions=[region("RU")])


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


def published_in_desk(report, **fields):
    """The desk's form of ``report``'s working draft with ``fields``, to publish the changes:
    (url, data)."""
    draft = desk_row(report)
    return change_url(draft), {**report_form_data(draft, **fields), "_publish_changes": "1"}


# ---------------------------------------------------------------------------------------------
# The reported cases: one vertical tab took every feed the report is in down


def test_a_headline_pasted_with_a_vertical_tab_is_fed_as_kyiv_night_strikes(editor_client, report):
    response = editor_client.post(*published_in_desk(report, title=KYIV))
    assert response.status_code == 302, response.context and response.context["errors"]
    report.refresh_from_db()
    assert report.title == "Kyiv night strikes"

    reader = Client()
    for url, rss in report_feeds(reader, report).items():
        [item] = rss.iter("item")
        assert item.findtext("title") == "Kyiv night strikes", url
        assert b"<title>Kyiv night strikes</title>" in reader.get(url).content
    assert news_titles(reader) == ["Kyiv night strikes"]
    check_every_surface(reader, report)


def test_a_summary_with_a_vertical_tab_keeps_every_feed_well_formed(editor_client, report):
    assert editor_client.post(*published_in_desk(report, summary=KYIV)).status_code == 302
    report.refresh_from_db()
    assert report.summary == "Kyiv\nnight strikes"

    for url, rss in report_feeds(Client(), report).items():
        [item] = rss.iter("item")
        assert "<p>Kyiv\nnight strikes</p>" in item.findtext("description"), url


@pytest.mark.parametrize("entered", ["by an import", "in the desk"])
def test_a_key_point_with_a_vertical_tab_keeps_every_feed_well_formed(editor_client, entered):
    if entered == "by an import":  # bulk_create, as the demo loader and imports write them
        report = ReportFactory(key_points=[KYIV], topics=[TopicFactory()])
    else:
        report = ReportFactory(topics=[TopicFactory()], key_points=[])
        assert editor_client.post(*published_in_desk(report, key_points=[KYIV])).status_code == 302
    assert report.key_points.get().text == "Kyiv night strikes"

    for url, rss in report_feeds(Client(), report).items():
        [item] = rss.iter("item")
        assert "<li>Kyiv night strikes</li>" in item.findtext("description"), url


def test_a_contributor_naming_themselves_with_a_vertical_tab_cannot_take_the_feeds_down(client):
    author = AuthorFactory(name="Olena Kovalenko", user=ContributorFactory())
    report = ReportFactory(authors=[author], topics=[TopicFactory()])
    client.force_login(author.user)
    response = client.post(reverse("profile"), {"name": "Olena\u000bKovalenko"})
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.name == "Olena Kovalenko"

    reader = Client()
    feeds = report_feeds(reader, report)
    for url, rss in feeds.items():
        [item] = rss.iter("item")
        assert item.findtext(f"{DC}creator") == "Olena Kovalenko", url
    author_feed = feeds[reverse("authors:feed", kwargs={"slug": author.slug})]
    assert author_feed.findtext("channel/title") == "diethnos: Olena Kovalenko"
    check_every_surface(reader, report)


# ---------------------------------------------------------------------------------------------
# The rule


@pytest.mark.parametrize("char", C0 + C1 + ["\x7f"], ids=lambda c: f"U+{ord(c):04X}")
def test_control_characters_other_than_tab_lf_and_cr_are_removed(char):
    for multiline in (False, True):
        assert normalise_text(f"Kyiv{char}night", multiline=multiline) == "Kyivnight"


def test_nul_is_removed_never_stored():
    assert normalise_text("Kyiv\x00 night\x00", multiline=False) == "Kyiv night"


@pytest.mark.parametrize("char", NONCHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_unicode_noncharacters_are_removed(char):
    assert normalise_text(f"Kyiv{char} night", multiline=True) == "Kyiv night"


def test_unpaired_surrogates_are_removed_and_a_pair_becomes_its_character():
    assert normalise_text("Kyiv\ud800 night\udfff", multiline=False) == "Kyiv night"
    assert normalise_text("\udc00Kyiv\ud83d", multiline=False) == "Kyiv"
    assert normalise_text("Kyiv \ud83d\udd25", multiline=False) == "Kyiv \N{FIRE}"


@pytest.mark.parametrize("line_break", LINE_BREAKS, ids=repr)
def test_a_line_break_is_lf_in_multi_line_text_and_a_space_in_a_single_line(line_break):
    assert normalise_text(f"Kyiv{line_break}night", multiline=True) == "Kyiv\nnight"
    assert normalise_text(f"Kyiv{line_break}night", multiline=False) == "Kyiv night"


def test_crlf_is_one_line_break():
    assert normalise_text("One.\r\n\r\nTwo.\r\n", multiline=True) == "One.\n\nTwo.\n"
    assert normalise_text("One.\r\nTwo.", multiline=False) == "One. Two."


def test_text_in_any_script_tabs_and_invisible_marks_are_kept():
    text = (
        "Ασφάλεια\tБезпека \u00a0Énergie — امنیت\u200cملی \u200f\u202bשלום\u202c "
        "\ufeff\U0001f525 \u00ad\ue000 \u0300"
    )
    assert normalise_text(text, multiline=True) == text
    assert normalise_text(text, multiline=False) == text


def test_normalising_twice_changes_nothing():
    text = "".join(C0 + C1 + NONCHARACTERS + LINE_BREAKS) + "\ud800Kyiv\x0b night"
    for multiline in (False, True):
        once = normalise_text(text, multiline=multiline)
        assert normalise_text(once, multiline=multiline) == once
        assert not FORBIDDEN.search(once)


# ---------------------------------------------------------------------------------------------
# Every text field, on every way of writing a model


def text_fields():
    """Every text field of the project's models that people or imports fill in: all but
    slugs (checked by their validators, below), enumerations and computed fields."""
    for label in ("reports", "authors", "tags"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if (
                    isinstance(field, models.CharField | models.TextField)
                    and not isinstance(field, models.SlugField)
                    and not field.choices
                    and field.editable
                ):
                    yield field


TEXT_FIELDS = [pytest.param(field, id=str(field)) for field in text_fields()]


def test_every_text_field_of_every_model_is_normalised():
    fields = [param.values[0] for param in TEXT_FIELDS]
    assert len(fields) >= 32  # reports 13, authors 11, tags 8
    assert [str(f) for f in fields if not isinstance(f, NormalisedField)] == []
    topic_name = Topic._meta.get_field("name")
    assert topic_name.unique
    assert topic_name.max_length == 100


def dirty_and_clean(field):
    """A value for ``field`` with one character of each forbidden kind, and what is stored."""
    if isinstance(field, models.EmailField):
        return "ky\x00iv\ud800@exa\ufffemple.org\x7f", "kyiv@example.org"
    if isinstance(field, models.URLField):
        return "https://example.org/\x01ky\x9fiv\uffff\x00", "https://example.org/kyiv"
    if field.max_length and field.max_length < 10:
        clean = "QZX"[: field.max_length]  # no ISO or M49 code
        return "\x00".join(clean) + "\x1b\ud800", clean
    if isinstance(field, models.TextField):
        return "Kyiv\x0bnight\x00 strikes\r\n\x1b\ud800\ufffe\x85", "Kyiv\nnight strikes\n\n"
    return "Kyiv\x0bnight\x00 strikes\r\n\x1b\ud800\ufffe\x85", "Kyiv night strikes  "


def new(model, n=0):
    """An unsaved row of ``model`` that may be saved as it is."""
    if model is Report:
        return Report(title=f"Report {n}", slug=f"report-{n}")
    if model in (KeyPoint, Source, UpdateNote):
        # Each with the text the database requires of it.
        required = {KeyPoint: "text", Source: "title", UpdateNote: "text"}[model]
        return model(report=ReportFactory(), **{required: "Something"})
    if model is Author:
        return Author(name=f"Author {n}", slug=f"author-{n}")
    if model is Region:
        return Region(name=f"Region {n}", slug=f"region-{n}", kind=Region.Kind.GROUP)
    return Topic(name=f"Topic {n}", slug=f"topic-{n}")


def stored(field, pk):
    return field.model.objects.values_list(field.attname, flat=True).get(pk=pk)


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_save_stores_clean_text_and_leaves_it_on_the_instance(field):
    dirty, clean = dirty_and_clean(field)
    row = new(field.model)
    setattr(row, field.attname, dirty)
    row.save()
    assert getattr(row, field.attname) == clean
    assert stored(field, row.pk) == clean


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_queryset_update_stores_clean_text(field):
    dirty, clean = dirty_and_clean(field)
    row = new(field.model)
    row.save()
    field.model.objects.filter(pk=row.pk).update(**{field.attname: dirty})
    assert stored(field, row.pk) == clean


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_bulk_create_and_bulk_update_store_clean_text(field):
    dirty, clean = dirty_and_clean(field)
    first = new(field.model, 1)
    setattr(first, field.attname, dirty)
    [first, _] = field.model.objects.bulk_create([first, new(field.model, 2)])
    assert stored(field, first.pk) == clean
    field.model.objects.filter(pk=first.pk).update(**{field.attname: clean})
    setattr(first, field.attname, dirty)
    field.model.objects.bulk_update([first], [field.name])
    assert stored(field, first.pk) == clean


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_fixture_loaded_with_loaddata_stores_clean_text(field, tmp_path):
    dirty, clean = dirty_and_clean(field)
    row = new(field.model)
    row.save()
    [data] = json.loads(serializers.serialize("json", [row]))
    data["fields"][field.attname] = dirty
    fixture = tmp_path / "fixture.json"
    fixture.write_text(json.dumps([data]))  # \ud800 is written as an escape
    call_command("loaddata", str(fixture), verbosity=0)
    assert stored(field, row.pk) == clean


def test_restoring_a_version_kept_before_stores_clean_text():
    report = ReportFactory(key_points=["Drones struck ports."])
    with reversion.create_revision():
        report.save()
    version = Version.objects.get_for_object(report).get()
    kept = json.loads(version.serialized_data)
    kept[0]["fields"].update(title=KYIV, summary="One\r\ntwo\x00")
    Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(kept))
    report.title = "Edited"
    report.save()

    Version.objects.get(pk=version.pk).revision.revert()
    report.refresh_from_db()
    assert (report.title, report.summary) == ("Kyiv night strikes", "One\ntwo")


def test_the_demo_loader_stores_clean_text(tmp_path, monkeypatch):
    content = {
        "authors": [
            {
                "slug": "nikolas",
                "name": "Nikolas\x0bPapadopoulos\x00",
                "role_line": "Director\x1b",
                "short_bio": "",
                "bio": "<p>Bio\x0c&#11;</p>",
                "expertise": ["Maritime\x0bsecurity"],
                "links": {"website": "https://example.org/\x01"},
            }
        ],
        "reports": [
            {
                "slug": "kyiv-night-strikes",
                "title": KYIV,
                "kind": "sitrep",
                "summary": "Summary\x0b\x00",
                "key_points": ["First\x0bpoint.\x01"],
                "body": "<p>Body\x0b\x7f</p>",
                "situation_as_of": "2025-11-03",
                "published": "2025-11-03T08:00:00Z",
                "primary_region": "UA",
                "topics": ["Air\x0bdefence"],
                "authors": ["nikolas"],
                "sources": [{"title": "Source\x0b\ufffe", "publisher": "\x1bKyiv"}],
                "updates": [{"kind": "update", "date": "2025-11-04T08:00:00Z", "text": "Note\x0c"}],
                "status": "published",
            }
        ],
    }
    path = tmp_path / "content.json"
    path.write_text(json.dumps(content))
    monkeypatch.setattr("reports.demo.loader.CONTENT", path)
    call_command("load_demo", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115

    report = Report.objects.get(slug="kyiv-night-strikes")
    assert report.title == "Kyiv night strikes"
    assert report.summary == "Summary\n"
    assert report.body == "<p>Body\n</p>"
    assert report.key_points.get().text == "First point."
    assert list(report.topics.values_list("name", flat=True)) == ["Air defence"]
    assert report.sources.values_list("title", "publisher").get() == ("Source ", "Kyiv")
    assert report.update_notes.get().text == "Note\n"
    author = Author.objects.get(slug="nikolas")
    assert (author.name, author.role_line) == ("Nikolas Papadopoulos", "Director")
    assert author.bio == "<p>Bio\n\n</p>"
    assert author.website == "https://example.org/"
    assert author.expertise.get().name == "Maritime security"
    check_every_surface(Client(), report)


def test_slugs_never_hold_control_characters_whatever_is_typed_or_saved():
    typed_slugs = ["kyiv\x00", "kyiv\x0bnight", "kyiv\x01", "kyiv\x85night", "kyiv\ufffe", "\x7f"]
    for n, typed in enumerate(typed_slugs):
        for model in (Report, Author, Region, Topic):
            slug = model._meta.get_field("slug").formfield().clean(typed)
            assert re.fullmatch("[-a-z0-9_]*", slug), (model, typed, slug)
            row = new(model, n)
            row.slug = f"{n}-{typed}"  # each slug its own
            row.save()
            assert re.fullmatch("[-a-z0-9_]+", stored(model._meta.get_field("slug"), row.pk))


# ---------------------------------------------------------------------------------------------
# Every form


def input_value(response, name):
    page = html.fromstring(response.content)
    [field] = page.xpath(f"//*[@name='{name}']")
    return field.text if field.tag == "textarea" else field.get("value")


def test_the_desk_stores_clean_text_from_every_field_of_the_report_form_and_its_inlines(
    editor_client,
):
    author = AuthorFactory()
    data = report_form_data(
        title=KYIV,
        summary="Strikes\r\nhit\x0bthe\x00 city.\x1b",
        body="<p>Body\x0b\x00&#11;&#xFFFE;\x7f</p>",
        hero_caption="Cap\x0btion\x01",
        hero_credit="Cred\x9fit",
        seo_title="SEO\u2028title",
        seo_description="SEO\x0cdescription\ufdd0",
        primary_region=region("UA").pk,
        key_points=["Drones\x0bstruck\x00 ports.\x1f"],
        authors=[author],
        status="published",
    )
    data.update(
        {
            "sources-0-publisher": "Port\x0bauthority\x01",
            "sources-0-url": "https://example.org/\x01report\x7f",
            "sources-0-title": "Statement\x00",
            "sources-0-position": "0",
            "sources-TOTAL_FORMS": "1",
            "update_notes-TOTAL_FORMS": "1",
            "update_notes-0-kind": "correction",
            "update_notes-0-noted_at_0": "2025-11-04",
            "update_notes-0-noted_at_1": "09:00",
            "update_notes-0-text": "Corrected\r\nthe\x0bfigures.\x00",
        }
    )
    response = editor_client.post(reverse("admin:reports_report_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]

    report = Report.objects.get(slug=data["slug"])
    assert report.title == "Kyiv night strikes"
    assert report.summary == "Strikes\nhit\nthe city."
    assert report.body == "<p>Body\n\n</p>"
    assert (report.hero_caption, report.hero_credit) == ("Cap tion", "Credit")
    assert (report.seo_title, report.seo_description) == ("SEO title", "SEO description")
    assert report.key_points.get().text == "Drones struck ports."
    source = report.sources.get()
    assert (source.title, source.publisher, source.url) == (
        "Statement",
        "Port authority",
        "https://example.org/report",
    )
    assert report.update_notes.get().text == "Corrected\nthe\nfigures."
    check_every_surface(Client(), report)


def test_the_desk_counts_the_length_of_a_headline_on_the_text_that_is_kept(editor_client):
    title = "A" * 200
    data = report_form_data(title="\x01".join([title[:100], title[100:]]) + "\x00\ufffe")
    response = editor_client.post(reverse("admin:reports_report_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Report.objects.get().title == title


def test_a_form_sent_back_with_problems_shows_the_text_as_it_would_be_stored(editor_client):
    data = report_form_data(title=KYIV, summary="One\r\ntwo\x0bthree\x00", status="published")
    response = editor_client.post(reverse("admin:reports_report_add"), data)
    assert response.status_code == 200  # a published report needs a primary region
    assert input_value(response, "title") == "Kyiv night strikes"
    assert input_value(response, "summary").strip() == "One\ntwo\nthree"


def test_the_desk_stores_clean_text_from_the_author_topic_and_region_forms(editor_client):
    response = editor_client.post(
        reverse("admin:authors_author_add"),
        {
            "name": "Olena\x0bKovalenko\x00",
            "slug": "olena",
            "role_line": "Analyst\x1b",
            "short_bio": "Covers\r\nUkraine\x0c.",
            "bio": "<p>Bio\x0b&#1;</p>",
            "photo_alt": "",
            "website": "https://example.org/\x01olena",
            "email": '"ol\x01ena"@example.org',
            "x": "https://x.com/olena\x7f",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    author = Author.objects.get(slug="olena")
    assert (author.name, author.role_line) == ("Olena Kovalenko", "Analyst")
    assert (author.short_bio, author.bio) == ("Covers\nUkraine\n.", "<p>Bio\n</p>")
    assert (author.website, author.x) == ("https://example.org/olena", "https://x.com/olena")
    assert author.email == '"olena"@example.org'

    response = editor_client.post(
        reverse("admin:tags_topic_add"),
        {"name": "Air\x0bdefence\x00", "slug": "air-defence", "description": "One\x0btwo\x85"},
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    topic = Topic.objects.get(slug="air-defence")
    assert (topic.name, topic.description) == ("Air defence", "One\ntwo")

    response = editor_client.post(
        reverse("admin:tags_region_add"),
        {
            "name": "Black\x0bSea\x00",
            "slug": "black-sea",
            "kind": "group",
            "description": "The\u2028basin\x1b",
            "official_name": "Black\x0cSea region",
            "iso2": "",
            "iso3": "",
            "m49": "",
            "members": [region("UA").pk, region("RU").pk],
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    grouping = Region.objects.get(slug="black-sea")
    assert (grouping.name, grouping.official_name) == ("Black Sea", "Black Sea region")
    assert grouping.description == "The\nbasin"


def test_a_contributor_profile_stores_clean_text_in_every_field(client):
    author = AuthorFactory(user=ContributorFactory())
    client.force_login(author.user)
    response = client.post(
        reverse("profile"),
        {
            "name": "Olena\x0bKovalenko\x00",
            "role_line": "Analyst\u2028Kyiv",
            "short_bio": "Covers\r\nUkraine\x1b",
            "bio": "<p>Long\x0b&#x0B;bio\x7f</p>",
            "photo_alt": "Alt\x01",
            "website": "https://example.org/\x01olena",
            "email": '"ol\x08ena"@example.org',
            "bluesky": "https://bsky.app/profile/olena\x9f",
            "orcid": "https://orcid.org/0000-0002-1825-0097\x00",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    author.refresh_from_db()
    assert (author.name, author.role_line) == ("Olena Kovalenko", "Analyst Kyiv")
    assert (author.short_bio, author.bio) == ("Covers\nUkraine", "<p>Long\n\nbio</p>")
    assert author.photo_alt == "Alt"
    assert (author.website, author.email) == ("https://example.org/olena", '"olena"@example.org')
    assert author.bluesky == "https://bsky.app/profile/olena"
    assert author.orcid == "https://orcid.org/0000-0002-1825-0097"


def test_the_profile_form_shows_what_it_would_store_when_sent_back_with_problems(client):
    author = AuthorFactory(user=ContributorFactory())
    client.force_login(author.user)
    response = client.post(reverse("profile"), {"name": "Olena\x0bKovalenko", "x": "nonsense"})
    assert response.status_code == 200
    assert input_value(response, "name") == "Olena Kovalenko"


def test_unpaired_surrogates_are_removed_by_the_report_and_profile_forms():
    # A browser cannot send them (request data is decoded as UTF-8); code handing a form
    # data from elsewhere can.
    form = ReportAdminForm(
        data=report_form_data(title="Kyiv\ud800 night\udfff", summary="One\ud83d\ude00")
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Kyiv night"
    assert form.cleaned_data["summary"] == "One\N{GRINNING FACE}"
    author = AuthorFactory()
    form = ProfileForm(data={"name": "\udc00Olena"}, instance=author)
    assert form.is_valid(), form.errors
    assert form.save().name == "Olena"


def test_the_search_form_removes_the_same_characters(client):
    report = ReportFactory(title="Kursk offensive")
    reindex([report.pk])
    for words in ["kursk\x00", "\x01kursk\x1f", "kursk\ufffe", "kursk\x0b"]:
        response = client.get(reverse("reports:search"), {"q": words})
        assert response.status_code == 200, repr(words)
        assert response.context["form"].cleaned_data["q"] == "kursk"
        assert report in response.context["page"].object_list, repr(words)


# ---------------------------------------------------------------------------------------------
# What was stored before: every surface stays whole, and a migration cleans it

# Every forbidden kind a database will hold (PostgreSQL refuses NUL in text).
STORED = "Kyiv\x0bnight\x01\x85strikes\x1b\x7f\x9f\ufffe\uffff\ufdd0\U0010ffff"


def store_raw(row, **values):
    """Write ``values`` into ``row``'s table with SQL, past every field's normalisation."""
    table = connection.ops.quote_name(row._meta.db_table)
    for name, value in values.items():
        column = connection.ops.quote_name(row._meta.get_field(name).column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608 - model names
                [value, row.pk],
            )


def test_every_feed_sitemap_and_json_ld_block_stays_whole_whatever_is_stored(client):
    author = AuthorFactory()
    topic = TopicFactory(name="Air defence")
    report = ReportFactory(
        authors=[author], topics=[topic], regions=[region("RU")], sources=["Statement"]
    )
    store_raw(
        report,
        title=STORED,
        summary=STORED,
        body=f"<p>{STORED}</p>",
        seo_description=STORED,
        hero_alt=STORED,
    )
    store_raw(report.key_points.get(), text=STORED)
    store_raw(report.sources.get(), title=STORED, publisher=STORED)
    store_raw(author, name=STORED, role_line=STORED, short_bio=STORED, bio=STORED)
    store_raw(topic, name=STORED, description=STORED)
    store_raw(region("UA"), name=STORED, description=STORED)
    report.refresh_from_db()
    assert report.title == STORED

    feeds = check_every_surface(client, report)
    for url, rss in feeds.items():
        [item] = rss.iter("item")
        assert item.findtext("title") == "Kyiv night strikes", url
        assert item.findtext(f"{DC}creator") == "Kyiv night strikes", url
        assert "Kyiv night strikes" in [c.text for c in item.iter("category")], url
    for url in json_feed_urls(report):
        [item] = json_feed_of(client.get(url))["items"]
        assert item["title"] == "Kyiv night strikes", url
        assert item["authors"][0]["name"] == "Kyiv night strikes", url
        assert "Kyiv night strikes" in item["tags"], url
    assert news_titles(client) == ["Kyiv night strikes"]
    [article] = [
        block for block in json_ld_of(client.get(report.get_absolute_url())) if "headline" in block
    ]
    assert article["headline"] == STORED  # JSON escapes every character it cannot carry
    for url in page_urls(report):
        assert client.get(url).status_code == 200, url


def test_the_migrations_normalise_text_already_stored_and_may_run_again():
    author = AuthorFactory()
    report = ReportFactory(authors=[author], topics=[TopicFactory()], sources=["Statement"])
    store_raw(report, title=STORED, summary=STORED, body=f"<p>{STORED}</p>")
    store_raw(report.key_points.get(), text=STORED)
    store_raw(report.sources.get(), publisher=STORED)
    store_raw(author, name=STORED, short_bio=STORED)
    store_raw(report.topics.get(), name=STORED)
    store_raw(region("UA"), official_name=STORED)
    migrations = [
        "reports.migrations.0009_normalise_stored_text",
        "authors.migrations.0007_normalise_stored_text",
        "tags.migrations.0004_normalise_stored_text",
    ]
    for _ in range(2):
        for name in migrations:
            importlib.import_module(name).normalise(apps, None)

    def raw(row, name):
        return type(row).objects.values_list(name, flat=True).get(pk=row.pk)

    assert raw(report, "title") == "Kyiv night strikes"
    assert raw(report, "summary") == "Kyiv\nnight\nstrikes"
    assert raw(report, "body") == "<p>Kyiv\nnight\nstrikes</p>"
    assert raw(report.key_points.get(), "text") == "Kyiv night strikes"
    assert raw(report.sources.get(), "publisher") == "Kyiv night strikes"
    assert raw(author, "name") == "Kyiv night strikes"
    assert raw(author, "short_bio") == "Kyiv\nnight\nstrikes"
    assert raw(report.topics.get(), "name") == "Kyiv night strikes"
    assert raw(region("UA"), "official_name") == "Kyiv night strikes"
    assert raw(region("UA"), "name") == "Ukraine"
