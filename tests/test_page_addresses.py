"""Pages' addresses are reversed once and remembered (diethnos/addresses.py), and still follow
the slug, the script prefix and the URLconf in use."""

from urllib.parse import urljoin

import pytest
from django.urls import NoReverseMatch, set_script_prefix

from diethnos.addresses import page_address
from diethnos.site import absolute_url

from .factories import AuthorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db


def test_each_page_is_at_its_slugs_address():
    report = ReportFactory(slug="ceasefire-holds")
    assert report.get_absolute_url() == "/reports/ceasefire-holds/"
    report.slug = "ceasefire-collapses"
    assert report.get_absolute_url() == "/reports/ceasefire-collapses/"
    assert region("UA").get_absolute_url() == "/regions/ukraine/"
    assert TopicFactory(name="Energy").get_absolute_url() == "/topics/energy/"
    assert AuthorFactory(slug="nadia-rahman").get_absolute_url() == "/authors/nadia-rahman/"


def test_an_address_follows_the_script_prefix_the_site_is_served_under():
    report = ReportFactory(slug="ceasefire-holds")
    assert report.get_absolute_url() == "/reports/ceasefire-holds/"
    set_script_prefix("/news/")
    try:
        assert report.get_absolute_url() == "/news/reports/ceasefire-holds/"
    finally:
        set_script_prefix("/")
    assert report.get_absolute_url() == "/reports/ceasefire-holds/"


def test_an_address_follows_the_urlconf(settings):
    assert page_address("reports:list") == "/reports/"
    settings.ROOT_URLCONF = "tests.urls_without_reports"
    with pytest.raises(NoReverseMatch):
        page_address("reports:list")


@pytest.mark.parametrize(
    "site_url", ["http://127.0.0.1:8000", "https://news.example.org", "https://example.org/news"]
)
@pytest.mark.parametrize(
    "path", ["/", "/reports/a/", "/reports/?page=2#top", "//cdn.example.net/x", "/x/../y", "a/b/"]
)
def test_an_absolute_address_is_the_path_on_the_public_site(settings, site_url, path):
    settings.SITE_URL = site_url
    assert absolute_url(path) == urljoin(f"{site_url}/", path)
