"""The search form's lists of regions, topics and authors: drawn as Django's own <select>
would draw them, kept until a region, topic, author or report changes, and never the judge of
what the form accepts."""

import re

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from reports.forms import QuickSelect, SearchForm

from .factories import AuthorFactory, ReportFactory, TopicFactory

pytestmark = pytest.mark.django_db

labels = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=8)
values = st.text(st.characters(whitelist_categories=["Ll", "Nd", "Pd"]), max_size=6)
options = st.lists(st.tuples(values, labels), max_size=5)
groups = st.lists(st.one_of(st.tuples(values, labels), st.tuples(labels, options)), max_size=5)


@given(choices=groups, chosen=st.one_of(st.none(), values))
def test_a_quick_select_is_the_html_of_djangos_select(choices, chosen):
    quick, plain = QuickSelect(attrs={"id": "id_topic"}), forms.Select(attrs={"id": "id_topic"})
    quick.choices = plain.choices = choices
    drawn = [select.render("topic", chosen) for select in (quick, plain)]
    # Django's template puts line breaks between the tags, which a browser ignores.
    assert drawn[0] == re.sub(r">\n\s*<", "><", drawn[1])


def test_a_renamed_topic_or_author_is_listed_by_its_new_name_at_once(client, commit):
    topic, author = TopicFactory(name="Sanctions"), AuthorFactory(name="Ana Writer")
    ReportFactory(topics=[topic], authors=[author])
    assert "Sanctions" in client.get("/search/", {"q": "anything"}).content.decode()
    with commit():
        topic.name, author.name = "Export controls", "Ana Novak"
        topic.save()
        author.save()
    page = client.get("/search/", {"q": "anything"}).content.decode()
    assert "Export controls" in page and "Ana Novak" in page
    assert "Sanctions" not in page and "Ana Writer" not in page


def test_a_topic_added_after_the_lists_were_kept_is_still_a_filter(client, commit):
    SearchForm()  # the lists are kept
    with commit():
        topic = TopicFactory(slug="water")
        ReportFactory(topics=[topic], title="Dams on the Nile")
    form = SearchForm({"topic": "water"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["topic"] == topic
