"""Each report is indexed in its own language, ranked with recent reports favoured, and the
editors' desk searches the same index on PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from reports.search import reindex

from .admin_forms import report_form_data
from .factories import AuthorFactory, EditorFactory, ReportFactory, region

pytestmark = pytest.mark.django_db(transaction=False)

SEARCH = reverse("reports:search")
FULL_TEXT = connection.vendor == "postgresql"
needs_postgresql = pytest.mark.skipif(not FULL_TEXT, reason="stemming needs PostgreSQL")


def report(**fields):
    created = ReportFactory(**fields)
    reindex([created.pk])
    return created


def titles(client, q, **params):
    response = client.get(SEARCH, {"q": q, **params})
    assert response.status_code == 200
    return [r.title for r in response.context["page"]]


@needs_postgresql
def test_greek_reports_are_found_by_their_words_in_other_forms(client):
    report(
        title="Εκλογές στην Ελλάδα",
        summary="Οι ψηφοφόροι επέστρεψαν στις κάλπες.",
        language="el",
        primary_region=region("GR"),
    )
    report(title="Elections in Greece", summary="Voters returned to the polls.")
    # The singular and the genitive plural of εκλογές (elections); ψηφοφόρος for ψηφοφόροι.
    assert titles(client, "εκλογή") == ["Εκλογές στην Ελλάδα"]
    assert titles(client, "εκλογών") == ["Εκλογές στην Ελλάδα"]
    assert titles(client, "ψηφοφόρος") == ["Εκλογές στην Ελλάδα"]
    # English stemming still applies to the English report, searched at the same time.
    assert titles(client, "election") == ["Elections in Greece"]
    page = client.get(SEARCH, {"q": "κάλπη"}).content.decode()
    assert "στις <mark>κάλπες</mark>" in page


@needs_postgresql
def test_a_report_is_indexed_with_its_languages_configuration(client):
    greek = report(title="Ρωσία και Ουκρανία", language="el")
    vector = Report.objects.filter(pk=greek.pk).values_list("search_vector", flat=True)[0]
    assert "'ρωσ'" in vector  # the Greek stemmer's stem, not the whole word
    english = report(title="Ceasefires hold")
    vector = Report.objects.filter(pk=english.pk).values_list("search_vector", flat=True)[0]
    assert "'ceasefir'" in vector


def test_on_sqlite_and_postgresql_greek_words_are_found(client):
    report(title="Εκλογές στην Ελλάδα", language="el")
    assert titles(client, "Εκλογές") == ["Εκλογές στην Ελλάδα"]


@needs_postgresql
def test_ranking_favours_recent_reports_among_equal_matches(client):
    now = timezone.now()
    report(title="Port strike", publish_at=now - datetime.timedelta(days=300))
    report(title="Port strike again", publish_at=now - datetime.timedelta(days=2))
    report(title="Port strike once more", publish_at=now - datetime.timedelta(days=60))
    assert titles(client, "port strike") == [
        "Port strike again",
        "Port strike once more",
        "Port strike",
    ]
    # Relevance still comes first: the word in a headline outranks a newer body's mention.
    report(title="Weekly", body="<p>A port strike.</p>", publish_at=now)
    assert titles(client, "port strike")[-1] == "Weekly"


def test_the_report_page_marks_its_language(client):
    greek = report(title="Εκλογές", language="el")
    page = client.get(greek.get_absolute_url()).content.decode()
    assert '<article class="report" lang="el">' in page


def test_editors_set_a_reports_language_in_the_desk(client):
    client.force_login(EditorFactory())
    form = client.get(reverse("admin:reports_report_add")).content.decode()
    assert 'name="language"' in form
    assert '<option value="el">Greek</option>' in form
    data = report_form_data(authors=[AuthorFactory()], language="el", key_points=["One."])
    assert client.post(reverse("admin:reports_report_add"), data).status_code == 302
    assert Report.objects.get(title=data["title"]).language == "el"
    refused = report_form_data(title="Other", slug="other", language="xx", key_points=["One."])
    response = client.post(reverse("admin:reports_report_add"), refused)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_desk_form_sent_without_a_language_keeps_the_reports(client):
    client.force_login(EditorFactory())
    greek = ReportFactory(title="Εκλογές", language="el", status=Report.Status.DRAFT)
    data = report_form_data(greek, authors=[AuthorFactory()], key_points=["One."])
    data.pop("language", None)
    url = reverse("admin:reports_report_change", args=[greek.pk])
    assert client.post(url, data).status_code == 302
    greek.refresh_from_db()
    assert greek.language == "el"


def _desk_titles(client, q):
    response = client.get(reverse("admin:reports_report_changelist"), {"q": q})
    assert response.status_code == 200
    return {row.title for row in response.context["cl"].result_list}


def test_the_desks_search_finds_reports_by_their_words_drafts_included(client):
    client.force_login(EditorFactory())
    report(title="Ceasefire holds", status=Report.Status.DRAFT, slug="truce-watch")
    report(title="Drone strikes")
    assert _desk_titles(client, "ceasefire") == {"Ceasefire holds"}
    assert _desk_titles(client, "truce-watch") == {"Ceasefire holds"}
    if FULL_TEXT:
        # Stemmed by the index, as readers' search is: "ceasefires" finds "Ceasefire".
        assert _desk_titles(client, "ceasefires") == {"Ceasefire holds"}
        assert _desk_titles(client, "drone -strikes") == set()


@needs_postgresql
def test_the_desk_matches_a_report_not_indexed_yet_plainly(client):
    client.force_login(EditorFactory())
    fresh = ReportFactory(title="Unindexed headline")
    Report.objects.filter(pk=fresh.pk).update(search_vector=None)
    assert _desk_titles(client, "Unindexed") == {"Unindexed headline"}
