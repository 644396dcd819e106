"""An author's old addresses keep working after their slug changes."""

import pytest
from django.urls import reverse

from diethnos.models import Redirect

from .factories import AuthorFactory, ReportFactory

pytestmark = pytest.mark.django_db


def rename(author, slug):
    author.slug = slug
    author.save()


def redirect_from(client, url):
    response = client.get(url)
    assert response.status_code == 301
    return response["Location"]


def test_the_old_author_page_redirects_permanently_to_the_new_one(client):
    author = AuthorFactory(slug="n-papadopoulos")
    rename(author, "nikolas-papadopoulos")
    response = client.get("/authors/n-papadopoulos/")
    assert response.status_code == 301
    assert response["Location"] == "/authors/nikolas-papadopoulos/"
    assert client.get(response["Location"]).status_code == 200


def test_the_redirect_keeps_the_query_string(client):
    author = AuthorFactory(slug="old-name")
    for _ in range(21):
        ReportFactory(authors=[author])
    rename(author, "new-name")
    response = client.get("/authors/old-name/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "/authors/new-name/?page=2"


def test_the_old_feed_redirects_permanently_to_the_new_feed(client):
    author = AuthorFactory(slug="old-name")
    ReportFactory(authors=[author])
    rename(author, "new-name")
    response = client.get("/authors/old-name/feed/")
    assert response.status_code == 301
    assert response["Location"] == reverse("authors:feed", kwargs={"slug": "new-name"})
    assert client.get(response["Location"]).status_code == 200


def test_renaming_in_the_admin_keeps_the_old_address(admin_client):
    author = AuthorFactory(name="Amara Okafor", slug="aokafor")
    response = admin_client.post(
        reverse("admin:authors_author_change", args=[author.pk]),
        {
            "name": author.name,
            "slug": "amara-okafor",
            "role_line": "",
            "short_bio": "",
            "bio": "",
            "photo_alt": "",
            "website": "",
            "email": "",
            "x": "",
            "bluesky": "",
            "linkedin": "",
            "orcid": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert redirect_from(admin_client, "/authors/aokafor/") == "/authors/amara-okafor/"


def test_unknown_slugs_and_inactive_authors_stay_not_found(client):
    gone = AuthorFactory(slug="before")
    rename(gone, "after")
    gone.is_active = False
    gone.save()
    assert client.get("/authors/nobody/").status_code == 404
    assert client.get("/authors/nobody/feed/").status_code == 404
    assert client.get("/authors/before/").status_code == 404
    assert client.get("/authors/before/feed/").status_code == 404


def test_an_author_who_takes_a_former_slug_gets_it(client):
    first = AuthorFactory(name="First", slug="j-smith")
    rename(first, "jane-smith")
    second = AuthorFactory(name="Second", slug="j-smith")

    response = client.get("/authors/j-smith/")
    assert response.status_code == 200
    assert "<h1>Second</h1>" in response.content.decode()
    assert client.get("/authors/j-smith/feed/").status_code == 200
    assert not Redirect.objects.filter(old_path="/authors/j-smith/").exists()

    rename(second, "john-smith")  # and when they give it up, it now leads to them
    assert redirect_from(client, "/authors/j-smith/") == "/authors/john-smith/"


def test_changing_back_and_forth_leaves_one_redirect_and_no_loop(client):
    author = AuthorFactory(slug="a")
    for slug in ["b", "a", "b", "c", "a"]:
        rename(author, slug)
    old_paths = Redirect.objects.filter(new_path="/authors/a/").values_list("old_path", flat=True)
    assert sorted(old_paths) == ["/authors/b/", "/authors/c/"]
    assert client.get("/authors/a/").status_code == 200
    assert redirect_from(client, "/authors/b/") == "/authors/a/"
    assert redirect_from(client, "/authors/c/") == "/authors/a/"


def test_saving_without_changing_the_slug_records_nothing():
    author = AuthorFactory(slug="steady")
    author.name = "Renamed, same address"
    author.save()
    assert not Redirect.objects.exists()
