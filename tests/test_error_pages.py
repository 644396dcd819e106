"""The pages readers see when something is missing or broken."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error


@pytest.mark.django_db
def test_a_missing_page_is_a_useful_404_in_the_sites_design(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page
    assert "/no-such-page/" in page
    assert 'class="site-header"' in page and 'href="/reports/"' in page
    assert '<meta name="robots" content="noindex">' in page


def test_the_500_page_renders_without_the_database_or_a_request_context():
    # No django_db mark: any query here would fail the test.
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in page
    assert "/static/css/site.css" in page
    assert 'href="/"' in page
