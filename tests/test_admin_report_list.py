"""Finding reports in the editors' desk: the list's filters."""

import pytest
from django.urls import reverse

from .factories import EditorFactory, ReportFactory, region

pytestmark = pytest.mark.django_db

LIST = reverse("admin:reports_report_changelist")


def test_the_region_filter_offers_primary_regions_as_well_as_tagged_ones(client):
    mali = region("ML")
    ReportFactory(title="Only its primary region", primary_region=mali)
    ReportFactory(title="Tagged with Russia", primary_region=region("UA"), regions=[region("RU")])
    client.force_login(EditorFactory())
    page = client.get(LIST).content.decode()
    for country in (mali, region("RU"), region("UA")):
        assert f"?region={country.slug}" in page
    filtered = client.get(LIST, {"region": mali.slug}).content.decode()
    assert "Only its primary region" in filtered
    assert "Tagged with Russia" not in filtered


def test_the_desk_offers_topics_and_not_the_unused_generic_tags(client):
    from .factories import EditorFactory

    client.force_login(EditorFactory())
    page = client.get("/admin/").content.decode()
    assert "/admin/tags/topic/" in page
    assert "/admin/taggit/" not in page


def test_the_author_filter_offers_the_authors_of_listed_reports_by_name(client):
    from .factories import AuthorFactory

    ada, grace = AuthorFactory(name="Ada Lovelace"), AuthorFactory(name="Grace Hopper")
    AuthorFactory(name="Without a report")
    ReportFactory(authors=[grace, ada])
    client.force_login(EditorFactory())
    page = client.get(LIST).content.decode()
    for author in (ada, grace):
        assert f"?authors__id__exact={author.pk}" in page
        assert author.name in page
    assert "Without a report" not in page
    filtered = client.get(LIST, {"authors__id__exact": ada.pk})
    assert filtered.status_code == 200
    [spec] = [spec for spec in filtered.context["cl"].filter_specs if spec.title == "authors"]
    assert [name for _, name in spec.lookup_choices] == ["Ada Lovelace", "Grace Hopper"]
