"""Region pages (the M49 tree and the groupings), topic pages, and their indexes."""

import re

import pytest
from lxml import html as lxml_html

from tags.models import Region

from .factories import ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db


def titles(page):
    return re.findall(r'<a href="/reports/[\w-]+/">([^<]+)</a>', page)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_country_page_has_a_breadcrumb_up_the_tree(client):
    page = get(client, "/regions/ukraine/")
    crumbs = page.split('class="breadcrumb"')[1].split("</nav>")[0]
    assert re.findall(r">([^<>]+)</(?:a|span)>", crumbs) == [
        "World",
        "Europe",
        "Eastern Europe",
        "Ukraine",
    ]
    assert '<span aria-current="page">Ukraine</span>' in crumbs


def test_a_region_page_lists_its_child_regions(client):
    page = get(client, "/regions/europe/")
    children = page.split('class="subregions"')[1].split("</section>")[0]
    assert re.findall(r">([^<>]+)</a>", children) == [
        "Eastern Europe",
        "Northern Europe",
        "Southern Europe",
        "Western Europe",
    ]


def test_a_region_page_rolls_up_reports_from_beneath_and_marks_primary_ones(client):
    ReportFactory(title="Primarily Ukraine", primary_region=region("UA"))
    ReportFactory(title="Mentions Poland", primary_region=region("ML"), regions=[region("PL")])
    ReportFactory(title="Only Mali", primary_region=region("ML"))
    page = get(client, "/regions/eastern-europe/")
    assert sorted(titles(page)) == ["Mentions Poland", "Primarily Ukraine"]
    cards = page.split('class="card"')[1:]
    marked = {titles(card)[0]: "Primary region</span>" in card for card in cards}
    assert marked == {"Primarily Ukraine": True, "Mentions Poland": False}


def test_the_primary_only_filter_keeps_reports_whose_primary_region_is_there(client):
    ReportFactory(title="Primarily Ukraine", primary_region=region("UA"))
    ReportFactory(title="Mentions Poland", primary_region=region("ML"), regions=[region("PL")])
    page = get(client, "/regions/eastern-europe/?primary=1")
    assert titles(page) == ["Primarily Ukraine"]
    assert 'href="/regions/eastern-europe/?primary=1" aria-current="page"' in page


def test_region_pages_are_paged_keeping_the_filter(client):
    for _ in range(21):
        ReportFactory(primary_region=region("UA"))
    page = get(client, "/regions/ukraine/?primary=1")
    assert '<a rel="next" href="/regions/ukraine/?primary=1&amp;page=2">' in page
    assert client.get("/regions/ukraine/?page=3").status_code == 404


def test_a_grouping_page_shows_its_member_countries_and_their_reports(client):
    ReportFactory(title="On Mali", primary_region=region("ML"))
    page = get(client, "/regions/sahel/")
    members = page.split('class="subregions"')[1].split("</section>")[0]
    assert "Member countries" in members
    assert "Mali" in members and "Niger" in members
    assert titles(page) == ["On Mali"]
    assert "Primary region</span>" in page.split('class="card"')[1]
    assert '<a href="/regions/">Regions</a>' in page.split('class="breadcrumb"')[1]


def test_an_unknown_region_is_not_found(client):
    assert client.get("/regions/atlantis/").status_code == 404


def test_the_region_index_is_the_tree_with_rolled_up_counts(client):
    ReportFactory(primary_region=region("UA"), regions=[region("PL")])
    ReportFactory(primary_region=region("ML"))
    page = get(client, "/regions/")

    def count(slug):
        found = re.search(rf'href="/regions/{slug}/">[^<]+</a> <span class="count">(\d+)', page)
        return int(found.group(1))

    assert count("europe") == 1  # one report, tagged twice within Europe, counts once
    assert count("eastern-europe") == 1
    assert count("ukraine") == 1 and count("poland") == 1
    assert count("africa") == 1 and count("western-africa") == 1
    assert count("asia") == 0
    assert count("sahel") == 1  # a grouping counts its members' reports
    assert "All reports worldwide</a> (2)" in page


def index_count(client, slug):
    """The report count the region index gives ``slug``."""
    page = get(client, "/regions/")
    found = re.search(rf'href="/regions/{slug}/">[^<]+</a> <span class="count">(\d+)', page)
    return int(found.group(1))


def test_the_region_index_counts_change_at_once_with_what_readers_see(
    client, django_capture_on_commit_callbacks
):
    from reports import workflow

    report = ReportFactory(primary_region=region("UA"))
    assert index_count(client, "europe") == 1 and index_count(client, "africa") == 0
    with django_capture_on_commit_callbacks(execute=True):
        report.primary_region = region("ML")
        report.save()
    assert index_count(client, "europe") == 0 and index_count(client, "africa") == 1
    report.regions.add(region("PL"))  # tagged with another region
    assert index_count(client, "europe") == 1
    report.regions.remove(region("PL"))
    assert index_count(client, "europe") == 0
    workflow.withdraw(report, reason="Sources retracted.")
    assert index_count(client, "africa") == 0
    workflow.publish(report)
    assert index_count(client, "africa") == 1
    ReportFactory(primary_region=region("JP"), status="draft")
    assert index_count(client, "asia") == 0
    assert index_count(client, "sahel") == 1
    region("sahel").members.remove(region("ML"))  # a grouping's members
    assert index_count(client, "sahel") == 0
    report.delete()
    assert index_count(client, "africa") == 0


def test_a_scheduled_report_counts_on_the_region_index_once_it_is_due(client):
    import time_machine
    from django.utils import timezone

    now = timezone.now()
    ReportFactory(primary_region=region("UA"), publish_at=now + timezone.timedelta(hours=1))
    with time_machine.travel(now, tick=False):
        assert index_count(client, "europe") == 0
    with time_machine.travel(now + timezone.timedelta(hours=2), tick=False):
        assert index_count(client, "europe") == 1


def test_the_region_index_is_drawn_once_until_something_changes(client, django_assert_num_queries):
    ReportFactory(primary_region=region("UA"))
    first = get(client, "/regions/")
    with django_assert_num_queries(0):
        assert get(client, "/regions/") == first


def test_a_region_page_counts_its_pages_afresh_at_once_when_reports_change(client):
    import time_machine
    from django.utils import timezone

    from reports import workflow

    reports = [ReportFactory(primary_region=region("UA")) for _ in range(20)]
    assert 'rel="next"' not in get(client, "/regions/europe/")
    extra = ReportFactory(primary_region=region("ML"), regions=[region("PL")])
    assert 'rel="next"' in get(client, "/regions/europe/")
    extra.regions.clear()
    assert 'rel="next"' not in get(client, "/regions/europe/")
    extra.regions.add(region("PL"))
    assert 'rel="next"' in get(client, "/regions/europe/")
    workflow.withdraw(reports[0], reason="Sources retracted.")
    assert 'rel="next"' not in get(client, "/regions/europe/")
    later = timezone.now() + timezone.timedelta(hours=1)
    ReportFactory(primary_region=region("UA"), publish_at=later)
    assert 'rel="next"' not in get(client, "/regions/europe/")
    with time_machine.travel(later + timezone.timedelta(minutes=1), tick=False):
        assert 'rel="next"' in get(client, "/regions/europe/")


def region_index(client):
    """The region index, parsed: (what shows at first, what is folded away in <details>)."""
    page = lxml_html.fromstring(get(client, "/regions/"))
    [main] = page.xpath("//main")
    [folded] = main.xpath(".//details")
    folded.getparent().remove(folded)
    return main, folded


def linked(element):
    return [link.get("href").split("/")[2] for link in element.xpath(".//a[@href]")]


def test_the_region_index_shows_the_places_covered_first_down_the_tree(client):
    ReportFactory(primary_region=region("ML"), regions=[region("PL")])
    shown, _ = region_index(client)
    [tree] = shown.xpath(".//div[@class='region-tree']")
    assert [h2.get("id") for h2 in tree.xpath("section/h2")] == ["tree-africa", "tree-europe"]
    [africa] = tree.xpath("section[h2[@id='tree-africa']]")
    assert linked(africa) == [
        "africa",
        "sub-saharan-africa",
        "western-africa",
        "mali",
    ]  # and none of the fifty other African countries and territories
    assert linked(tree) == [*linked(africa), "europe", "eastern-europe", "poland"]
    [groupings] = shown.xpath(".//section[@class='groupings']")
    assert [h3.get("id") for h3 in groupings.xpath("section/h3")] == ["group-sahel"]


def test_the_region_index_folds_away_the_whole_tree_and_every_grouping(client):
    ReportFactory(primary_region=region("ML"))
    shown, folded = region_index(client)
    summary = folded.xpath("summary")[0].text_content()
    assert "whole UN M49 tree" in summary and "not reported on yet" in summary
    places = set(linked(folded))
    every_region = set(Region.objects.values_list("slug", flat=True))
    assert places == every_region - {"world"}
    assert "japan" not in linked(shown)
    assert [h3.text_content() for h3 in folded.xpath(".//h3")][-1] == "Every editorial grouping"
    assert len(folded.xpath(".//h4")) == Region.objects.groups().count()


def test_the_folded_tree_nests_regions_sub_regions_intermediate_regions_and_countries(client):
    _, folded = region_index(client)
    [africa] = folded.xpath(".//section[h3[@id='all-africa']]")
    positions = [
        linked(africa).index(slug) for slug in ("sub-saharan-africa", "western-africa", "mali")
    ]
    assert positions == sorted(positions)
    assert len(africa.xpath("ul/li/ul/li/ul/li/a[@href='/regions/mali/']")) == 1


def test_a_site_without_reports_shows_no_empty_tree_but_keeps_the_whole_one(client):
    shown, folded = region_index(client)
    assert not shown.xpath(".//div[@class='region-tree']") and not shown.xpath(
        ".//section[@class='groupings']"
    )
    assert "No reports published yet." in shown.text_content()
    assert "mali" in linked(folded)


def test_the_region_index_shows_the_groupings_with_their_members(client):
    ReportFactory(primary_region=region("ML"))
    shown, folded = region_index(client)
    for group in Region.objects.groups():
        assert group.name in folded.text_content()
    [sahel] = shown.xpath(".//section[h3[@id='group-sahel']]")
    assert "mali" in linked(sahel) and "chad" in linked(sahel)


def test_a_topic_page_lists_its_reports(client):
    topic = TopicFactory(name="Sanctions")
    ReportFactory(title="Filed", topics=[topic])
    ReportFactory(title="Not filed")
    page = get(client, topic.get_absolute_url())
    assert "<h1>Sanctions</h1>" in page
    assert titles(page) == ["Filed"]


def test_the_topic_index_lists_topics_with_counts(client):
    topic = TopicFactory(name="Sanctions")
    TopicFactory(name="Unused")
    ReportFactory(topics=[topic])
    page = get(client, "/topics/")
    assert (
        f'<a href="{topic.get_absolute_url()}">Sanctions</a> <span class="count">1 report' in page
    )
    assert 'Unused</a> <span class="count">0 reports' in page


def test_an_unknown_topic_is_not_found(client):
    assert client.get("/topics/nothing-here/").status_code == 404


def test_topics_and_authors_are_listed_by_name_with_their_counts(client):
    from .factories import AuthorFactory, ReportFactory, TopicFactory

    names = ["Sanctions", "Arms control", "Migration", "Cyber", "Elections"]
    topics = [TopicFactory(name=name) for name in names]
    authors = [AuthorFactory(name=name) for name in ["Zoe", "Adam", "Mei", "Bo"]]
    for i, topic in enumerate(topics):
        ReportFactory(topics=[topic], authors=[authors[i % len(authors)]])
    for url, expected in (("/topics/", sorted(names)), ("/authors/", ["Adam", "Bo", "Mei", "Zoe"])):
        page = client.get(url).content.decode()
        positions = [page.index(f">{name}<") for name in expected]
        assert positions == sorted(positions), url
    home = client.get("/").content.decode()
    positions = [home.index(f">{name}<") for name in sorted(names)]
    assert positions == sorted(positions)
