"""The front page, the list of all reports, and paging through listings."""

import datetime
import re

import pytest
from django.utils import timezone

from reports.models import Report

from .factories import ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db


def titles(page):
    return re.findall(r'<a href="/reports/[\w-]+/">([^<]+)</a>', page)


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def test_the_front_page_leads_with_the_newest_featured_report(client):
    ReportFactory(title="Old featured", featured=True, publish_at=days_ago(5))
    ReportFactory(title="New featured", featured=True, publish_at=days_ago(2))
    ReportFactory(title="Newest of all", publish_at=days_ago(1))
    page = client.get("/").content.decode()
    lead = page.split('class="lead"')[1].split("</section>")[0]
    assert "New featured" in lead
    latest = page.split('class="latest"')[1].split("</section>")[0]
    assert titles(latest) == ["Newest of all", "Old featured"]


def test_without_a_featured_report_the_newest_leads(client):
    ReportFactory(title="Older", publish_at=days_ago(2))
    ReportFactory(title="Newer", publish_at=days_ago(1))
    lead = client.get("/").content.decode().split('class="lead"')[1].split("</section>")[0]
    assert "Newer" in lead


def region_sections(page):
    """{region slug: [headlines]} of the front page's sections by region, in page order."""
    sections = re.findall(r'id="region-([\w-]+)">.*?</h3>(.*?)</section>', page, re.S)
    return {slug: titles(section) for slug, section in sections}


def test_the_front_page_has_a_section_per_major_region_with_its_newest_reports(client):
    for number in range(12):
        ReportFactory(title=f"On Ukraine {number}", publish_at=days_ago(number + 1))
    ReportFactory(title="On Mali", primary_region=region("ML"), publish_at=days_ago(20))
    sections = region_sections(client.get("/").content.decode())
    assert list(sections) == ["africa", "europe"]
    assert sections["africa"] == ["On Mali"]
    # The lead and the six latest are shown above: Europe lists the next three.
    assert sections["europe"] == ["On Ukraine 7", "On Ukraine 8", "On Ukraine 9"]


def test_the_front_page_shows_each_report_once(client):
    for number in range(15):
        ReportFactory(
            title=f"Report {number}",
            primary_region=region(["UA", "ML", "JP"][number % 3]),
            publish_at=days_ago(number + 1),
            featured=number == 4,
        )
    shown = titles(client.get("/").content.decode())
    assert len(shown) == len(set(shown)) == 1 + 6 + 3 + 3 + 2
    assert shown[0] == "Report 4"  # the featured lead


def test_the_front_page_leaves_out_regions_without_reports(client):
    ReportFactory(title="On Ukraine", primary_region=region("UA"), publish_at=days_ago(2))
    ReportFactory(title="On Mali", primary_region=region("ML"), publish_at=days_ago(3))
    page = client.get("/").content.decode()
    assert region_sections(page) == {}  # both are shown above, as the lead and the latest
    assert "No reports yet" not in page
    assert 'id="by-region-heading"' not in page


def test_the_front_page_files_a_report_under_its_primary_regions_major_region_only(client):
    # Chiefly about Israel (Western Asia), also tagged with Egypt (Africa) and Ukraine (Europe).
    for number in range(7):  # the lead and the latest, so that the sections have room
        ReportFactory(primary_region=region("JP"), publish_at=days_ago(number + 1))
    ReportFactory(
        title="Gaza talks in Cairo",
        primary_region=region("IL"),
        regions=[region("EG"), region("UA")],
        publish_at=days_ago(10),
    )
    sections = region_sections(client.get("/").content.decode())
    assert sections == {"asia": ["Gaza talks in Cairo"]}


def test_reports_chiefly_about_a_region_are_those_whose_primary_region_is_within_it():
    in_israel = ReportFactory(primary_region=region("IL"), regions=[region("EG")])
    in_egypt = ReportFactory(primary_region=region("EG"))
    in_mali = ReportFactory(primary_region=region("ML"), regions=[region("IL")])
    primarily = Report.objects.primarily_in
    assert set(primarily(region("africa"))) == {in_egypt, in_mali}
    assert set(primarily(region("western-asia"))) == {in_israel}
    assert set(primarily(region("IL"))) == {in_israel}
    assert set(primarily(region("world"))) == {in_israel, in_egypt, in_mali}
    assert set(primarily(region("sahel"))) == {in_mali}  # a grouping: its members
    assert set(primarily(region("europe"))) == set()
    # Being tagged is not enough, as on a region page's "Primarily about" filter.
    assert set(Report.objects.in_region(region("africa"))) == {in_israel, in_egypt, in_mali}


def test_the_front_page_lists_topics_in_use_with_counts(client):
    used, unused = TopicFactory(name="Sanctions"), TopicFactory(name="Unused")
    only_drafts = TopicFactory(name="Drafted")
    ReportFactory(topics=[used])
    ReportFactory(topics=[used])
    ReportFactory(topics=[used, only_drafts], status=Report.Status.DRAFT, publish_at=None)
    topics = client.get("/").content.decode().split('class="topics"')[1]
    assert (
        f'<a href="{used.get_absolute_url()}">Sanctions</a> <span class="count">2</span>' in topics
    )
    assert unused.name not in topics
    assert only_drafts.name not in topics


def test_the_front_page_topics_change_at_once_with_what_readers_see(client):
    import time_machine

    from reports import workflow

    used = TopicFactory(name="Sanctions")
    report = ReportFactory(topics=[used])

    def topics():
        return client.get("/").content.decode().split("<footer")[0].split('class="topics"')[-1]

    def listed(name, count):
        return re.search(rf">{name}</a> <span class=\"count\">{count}</span>", topics())

    assert listed("Sanctions", 1)
    ReportFactory(topics=[used])
    assert listed("Sanctions", 2)
    report.topics.add(TopicFactory(name="Energy"))
    assert listed("Energy", 1)
    used.name = "Sanctions regimes"
    used.save()
    assert listed("Sanctions regimes", 2)
    workflow.withdraw(report, reason="Sources retracted.")
    assert listed("Sanctions regimes", 1) and not listed("Energy", 1)
    later = timezone.now() + datetime.timedelta(hours=1)
    ReportFactory(topics=[used], publish_at=later)
    assert listed("Sanctions regimes", 1)
    with time_machine.travel(later + datetime.timedelta(minutes=1), tick=False):
        assert listed("Sanctions regimes", 2)


def test_an_empty_site_has_a_front_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No reports published yet." in response.content.decode()


def test_all_reports_are_listed_newest_first(client):
    ReportFactory(title="Older", publish_at=days_ago(2))
    ReportFactory(title="Newer", publish_at=days_ago(1))
    assert titles(client.get("/reports/").content.decode()) == ["Newer", "Older"]


def test_the_list_filters_by_kind(client):
    ReportFactory(title="A sitrep", kind=Report.Kind.SITREP)
    ReportFactory(title="An explainer", kind=Report.Kind.EXPLAINER)
    page = client.get("/reports/?kind=explainer").content.decode()
    assert titles(page) == ["An explainer"]
    assert "<h1>Explainer</h1>" in page
    assert '<a href="/reports/?kind=explainer" aria-current="page">' in page


def test_an_unknown_kind_is_not_found(client):
    assert client.get("/reports/?kind=gossip").status_code == 404


def test_listings_are_paged_twenty_at_a_time_with_links_between_pages(client):
    for day in range(45):
        ReportFactory(title=f"Report from day {day}", publish_at=days_ago(day + 1))
    first = client.get("/reports/").content.decode()
    assert len(titles(first)) == 20
    assert '<link rel="next" href="/reports/?page=2">' in first
    assert 'rel="prev"' not in first
    second = client.get("/reports/?page=2").content.decode()
    assert titles(second)[0] == "Report from day 20"
    assert '<link rel="prev" href="/reports/">' in second
    assert '<a rel="prev" href="/reports/">' in second
    assert '<a rel="next" href="/reports/?page=3">' in second
    third = client.get("/reports/?page=3").content.decode()
    assert len(titles(third)) == 5 and 'rel="next"' not in third


def test_later_pages_list_the_same_reports_in_the_same_order_as_a_single_list(client):
    # Later pages are read from the end of the list: reports published at the same moment
    # must still fall on the same page and in the same order.
    for number in range(45):
        ReportFactory(title=f"Report {number}", publish_at=days_ago(number // 4 + 1))
    listed = [
        title
        for page in (1, 2, 3)
        for title in titles(client.get(f"/reports/?page={page}").content.decode())
    ]
    newest_first = Report.objects.published().newest_first().values_list("title", flat=True)
    assert listed == list(newest_first)


def test_paging_keeps_the_filter(client):
    for _ in range(21):
        ReportFactory(kind=Report.Kind.BRIEF)
    page = client.get("/reports/?kind=brief").content.decode()
    assert '<a rel="next" href="/reports/?kind=brief&amp;page=2">' in page


@pytest.mark.parametrize("number", ["2", "0", "-1", "abc", "1.5", "99999999999999999999"])
def test_a_page_out_of_range_or_not_a_number_is_not_found(client, number):
    ReportFactory()
    assert client.get(f"/reports/?page={number}").status_code == 404


def test_the_first_page_of_an_empty_listing_is_there(client):
    response = client.get("/reports/?page=1")
    assert response.status_code == 200
    assert "No reports published yet." in response.content.decode()
