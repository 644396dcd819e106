"""Author profile pages and the contributors' index."""

import re

import pytest

from .factories import AuthorFactory, ReportFactory, TopicFactory

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_author_page_shows_role_bio_expertise_and_links(client):
    author = AuthorFactory(
        name="Nikolas",
        role_line="Founder and Director",
        bio="<p>Nikolas founded the outlet.</p>",
        website="https://example.org/",
        orcid="https://orcid.org/0000-0002-1825-0097",
    )
    author.expertise.set([TopicFactory(name="Cyber")])
    page = get(client, author.get_absolute_url())
    assert "<h1>Nikolas</h1>" in page
    assert "Founder and Director" in page
    assert "<p>Nikolas founded the outlet.</p>" in page
    assert '<a href="https://example.org/" rel="me">Website</a>' in page
    assert "ORCID</a>" in page
    assert ">Cyber</a>" in page


def test_the_email_is_shown_only_when_the_author_chose_to(client):
    hidden = AuthorFactory(email="hidden@example.org")
    shown = AuthorFactory(email="shown@example.org", show_email=True)
    assert "hidden@example.org" not in get(client, hidden.get_absolute_url())
    assert 'href="mailto:shown@example.org"' in get(client, shown.get_absolute_url())


def test_an_author_page_lists_their_reports_paged(client):
    author = AuthorFactory()
    for i in range(21):
        ReportFactory(title=f"By them {i}", authors=[author])
    ReportFactory(title="By someone else")
    page = get(client, author.get_absolute_url())
    found = re.findall(r'<a href="/reports/[\w-]+/">([^<]+)</a>', page)
    assert len(found) == 20 and "By someone else" not in found
    assert f'<a rel="next" href="{author.get_absolute_url()}?page=2">' in page
    assert client.get(author.get_absolute_url() + "?page=3").status_code == 404


def test_an_inactive_or_unknown_author_is_not_found(client):
    inactive = AuthorFactory(is_active=False)
    assert client.get(inactive.get_absolute_url()).status_code == 404
    assert client.get("/authors/nobody/").status_code == 404


def test_the_contributors_index_lists_active_authors_with_their_report_counts(client):
    author = AuthorFactory(name="Amara Okafor", role_line="Senior Africa Analyst")
    AuthorFactory(name="Gone", is_active=False)
    ReportFactory(authors=[author])
    page = get(client, "/authors/")
    assert f'<a href="{author.get_absolute_url()}">Amara Okafor</a>' in page
    assert "Senior Africa Analyst" in page
    assert '<p class="count">1 report</p>' in page
    assert "Gone" not in page
