"""Finding reports in the editors' desk: the list's filters."""

import pytest
from django.urls import reverse
from lxml import html

from .factories import EditorFactory, ReportFactory, region

pytestmark = pytest.mark.django_db

LIST = reverse("admin:reports_report_changelist")


def offered(response, parameter):
    """{value: label} of the choices the filter sending ``parameter`` offers in its list."""
    page = html.fromstring(response.content)
    options = page.xpath(f'//*[@id="changelist-filter"]//select[@name="{parameter}"]/option')
    return {option.get("value"): option.text_content() for option in options if option.get("value")}


def test_the_region_filter_offers_primary_regions_as_well_as_tagged_ones(client):
    mali = region("ML")
    ReportFactory(title="Only its primary region", primary_region=mali)
    ReportFactory(title="Tagged with Russia", primary_region=region("UA"), regions=[region("RU")])
    client.force_login(EditorFactory())
    regions = offered(client.get(LIST), "region")
    for country in (mali, region("RU"), region("UA")):
        assert regions[country.slug] == country.name
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
    response = client.get(LIST)
    authors = offered(response, "authors__id__exact")
    assert authors == {str(ada.pk): "Ada Lovelace", str(grace.pk): "Grace Hopper"}
    # The row's byline, in its order.
    [byline] = html.fromstring(response.content).find_class("field-byline")
    assert byline.text_content() == "Grace Hopper, Ada Lovelace"
    filtered = client.get(LIST, {"authors__id__exact": ada.pk})
    assert filtered.status_code == 200
    [spec] = [spec for spec in filtered.context["cl"].filter_specs if spec.title == "authors"]
    assert [name for _, name in spec.lookup_choices] == ["Ada Lovelace", "Grace Hopper"]


def test_a_filter_of_many_choices_is_a_form_that_keeps_the_lists_other_choices(client):
    from .factories import TopicFactory

    energy = TopicFactory(name="Energy security")
    ReportFactory(title="Gas in Mali", primary_region=region("ML"), topics=[energy])
    ReportFactory(title="Gas in Ukraine", primary_region=region("UA"), topics=[energy])
    ReportFactory(title="Grain in Mali", primary_region=region("ML"))
    client.force_login(EditorFactory())
    response = client.get(LIST, {"topic": energy.slug, "q": "Gas", "o": "1", "p": "1"})
    page = html.fromstring(response.content)
    [form] = page.xpath('//*[@id="changelist-filter"]//form[.//select[@name="region"]]')
    assert form.get("method") == "get"
    [select] = form.xpath(".//select")
    # Labelled, so that it is read out and reached from the keyboard like any field.
    assert page.xpath(f'//label[@for="{select.get("id")}"]')
    assert form.xpath(".//button[@type='submit']")
    kept = {
        field.get("name"): field.get("value") for field in form.xpath(".//input[@type='hidden']")
    }
    assert kept == {"topic": energy.slug, "q": "Gas", "o": "1"}  # from the first page again
    # What the browser sends on choosing Mali.
    chosen = client.get(LIST, {**kept, "region": region("ML").slug})
    titles = [
        row.text_content()
        for row in html.fromstring(chosen.content).xpath("//table[@id='result_list']//th/a")
    ]
    assert titles == ["Gas in Mali"]
    assert offered(chosen, "region")[region("ML").slug] == region("ML").name
    chosen_page = html.fromstring(chosen.content)
    [option] = chosen_page.xpath('//select[@name="region"]/option[@selected]')
    assert option.get("value") == region("ML").slug
    # "All" takes the region off and keeps the rest.
    [everywhere] = chosen_page.xpath(
        '//details[@data-filter-title="region (with everything beneath it)"]//a[text()="All"]'
    )
    assert "region=" not in everywhere.get("href")
    assert "topic=" in everywhere.get("href")


def test_the_author_filter_still_finds_the_reports_with_no_byline(client):
    from .factories import AuthorFactory

    ReportFactory(title="Bylined", authors=[AuthorFactory(name="Ada Lovelace")])
    ReportFactory(title="Without a byline", authors=[])
    client.force_login(EditorFactory())
    page = html.fromstring(client.get(LIST).content)
    [none] = page.xpath('//details[@data-filter-title="authors"]//a[text()="-"]')
    listed = html.fromstring(client.get(LIST + none.get("href")).content)
    assert [row.text_content() for row in listed.xpath("//table[@id='result_list']//th/a")] == [
        "Without a byline"
    ]


def test_each_row_links_to_its_report_keeping_the_lists_filters_for_the_way_back(client):
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters

    report = ReportFactory(title="Gas in Mali", primary_region=region("ML"))
    client.force_login(EditorFactory())
    for query in ({}, {"region": region("ML").slug, "q": "Gas Mali"}):
        response = client.get(LIST, query)
        page = html.fromstring(response.content)
        [link] = page.xpath("//table[@id='result_list']//th/a")
        change = reverse("admin:reports_report_change", args=[report.pk])
        # As Django links them.
        preserved = response.context["preserved_filters"]
        assert link.get("href") == add_preserved_filters(
            {"preserved_filters": preserved, "opts": report._meta}, change
        )
        if query:
            assert "_changelist_filters=" in link.get("href")
