"""Whatever text editors and contributors type or paste, every page answers and every feed,
sitemap and JSON-LD block parses (property-based, with Hypothesis)."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from diethnos.text import FORBIDDEN, NormalisedCharFormField, normalise_text

from .admin_forms import report_form_data
from .factories import (
    AuthorFactory,
    ContributorFactory,
    EditorFactory,
    ReportFactory,
    TopicFactory,
    region,
)
from .surfaces import check_every_surface

pytestmark = pytest.mark.django_db

# The characters that broke pages, drawn far more often than among all of Unicode.
AWKWARD = (
    [chr(code) for code in range(0x20)]
    + [chr(code) for code in range(0x7F, 0xA0)]
    + ["\r\n", "\u2028", "\u2029", "\ufffe", "\uffff", "\ufdd0", "\U0010fffe", "&#11;", "<", "&"]
)
# What a browser can send: any character but surrogates, which UTF-8 cannot encode.
TYPED = st.lists(st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(AWKWARD))).map(
    "".join
)
# What code can hand a form or a model: surrogates too.
ANY = st.lists(st.one_of(st.characters(), st.sampled_from(AWKWARD))).map("".join)

# Each example runs a few dozen requests: a bounded number keeps the test to seconds.
THROUGH_THE_SITE = settings(
    max_examples=30,
    deadline=None,
    # Every example edits the same report and profile, made once by the test's fixtures.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@settings(max_examples=300, deadline=None)
@given(text=ANY, multiline=st.booleans())
def test_normalised_text_is_storable_xml_text_and_stays_as_it_is(text, multiline):
    clean = normalise_text(text, multiline=multiline)
    clean.encode("utf-8")  # no surrogate left
    assert not FORBIDDEN.search(clean)
    assert normalise_text(clean, multiline=multiline) == clean
    if not multiline:
        assert "\n" not in clean and "\r" not in clean
    escaped = clean.replace("&", "&amp;").replace("<", "&lt;")
    element = etree.fromstring(f"<t>{escaped}</t>")  # noqa: S320 - built here
    assert (element.text or "") == clean


@settings(max_examples=200, deadline=None)
@given(text=ANY)
def test_a_form_field_cleans_any_text_or_refuses_it_with_a_message(text):
    field = NormalisedCharFormField(max_length=50, required=False)
    try:
        cleaned = field.clean(text)
    except ValidationError as error:
        assert [problem.code for problem in error.error_list] == ["max_length"]
    else:
        cleaned.encode("utf-8")
        assert not FORBIDDEN.search(cleaned)


@contextmanager
def rolled_back():
    """Undo what runs inside, so that every example starts from the same report and profile."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def people():
    """An editor, and a contributor with a byline on a published report."""
    author = AuthorFactory(user=ContributorFactory())
    report = ReportFactory(
        authors=[author],
        topics=[TopicFactory(name="Air defence")],
        regions=[region("RU")],
        sources=["Statement"],
    )
    editor, contributor = Client(), Client()
    editor.force_login(EditorFactory())
    contributor.force_login(author.user)
    return report, author, editor, contributor


@THROUGH_THE_SITE
@given(
    report_text=st.fixed_dictionaries(
        {
            "title": TYPED,
            "summary": TYPED,
            "body": TYPED,
            "key_point": TYPED,
            "hero_caption": TYPED,
            "seo_description": TYPED,
        }
    ),
    profile_text=st.fixed_dictionaries(
        {"name": TYPED, "role_line": TYPED, "short_bio": TYPED, "bio": TYPED}
    ),
)
def test_any_text_through_the_desk_and_the_profile_form_leaves_every_surface_whole(
    people, report_text, profile_text
):
    report, author, editor, contributor = people
    with rolled_back():
        report.refresh_from_db()
        # A prefix keeps required fields filled in, so that most examples are saved.
        data = report_form_data(
            report,
            title="Report " + report_text["title"][:150],
            summary="Summary " + report_text["summary"][:250],
            body=report_text["body"],
            hero_caption=report_text["hero_caption"][:250],
            seo_description=report_text["seo_description"][:150],
        )
        data["key_points-0-text"] = "Point " + report_text["key_point"][:300]
        response = editor.post(reverse("admin:reports_report_change", args=[report.pk]), data)
        assert response.status_code in (200, 302)
        event(f"desk: {'saved' if response.status_code == 302 else 'sent back'}")

        profile = {
            "name": "Name " + profile_text["name"][:100],
            "role_line": profile_text["role_line"][:150],
            "short_bio": profile_text["short_bio"][:500],
            "bio": profile_text["bio"],
        }
        response = contributor.post(reverse("profile"), profile)
        assert response.status_code in (200, 302)
        event(f"profile: {'saved' if response.status_code == 302 else 'sent back'}")

        report.refresh_from_db()
        check_every_surface(Client(), report)
