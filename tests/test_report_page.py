"""A report's own page: what a reader sees on /reports/<slug>/."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from lxml import html as lxml_html

from reports import workflow
from reports.models import Report, Source, UpdateNote

from .factories import (
    AuthorFactory,
    EditorFactory,
    ReportFactory,
    TopicFactory,
    UpdateNoteFactory,
    image_upload,
    region,
)

pytestmark = pytest.mark.django_db


def html(client, report):
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def parsed(client, report):
    return lxml_html.fromstring(html(client, report))


def words(element):
    """The text of ``element`` as a reader sees it: words separated by single spaces."""
    return " ".join(element.text_content().split())


def test_the_page_shows_headline_kind_summary_and_the_situation_date(client):
    report = ReportFactory(
        title="NATO confirms troops in Kursk",
        summary="Thousands of soldiers are now in Kursk.",
        situation_as_of=datetime.date(2024, 10, 28),
    )
    page = html(client, report)
    assert "<h1>NATO confirms troops in Kursk</h1>" in page
    assert "Situation Report" in page
    assert "Thousands of soldiers are now in Kursk." in page
    assert 'Situation as of <time datetime="2024-10-28">28 October 2024</time>' in page


def test_the_byline_names_every_author_in_order_with_links(client):
    first, second, third = (AuthorFactory(name=name) for name in ("Zoe", "Adam", "Mia"))
    report = ReportFactory(authors=[first, second, third])
    byline = html(client, report).split('class="byline"')[1].split("</div>")[0]
    assert re.findall(r">(\w+)</a>", byline) == ["Zoe", "Adam", "Mia"]
    assert first.get_absolute_url() in byline


def test_the_key_points_box_lists_every_point_in_order(client):
    report = ReportFactory(key_points=["First point.", "Second point.", "Third point."])
    box = html(client, report).split('class="key-points"')[1].split("</section>")[0]
    assert "Key points" in box
    assert re.findall(r"<li>(.*?)</li>", box) == ["First point.", "Second point.", "Third point."]


def test_the_body_is_rendered_as_html(client):
    report = ReportFactory(body="<h2>Outlook</h2><p>Fighting <strong>continues</strong>.</p>")
    page = html(client, report)
    assert "<h2>Outlook</h2><p>Fighting <strong>continues</strong>.</p>" in page


def test_sources_are_numbered_with_title_link_publisher_and_date(client):
    report = ReportFactory()
    Source.objects.create(
        report=report,
        position=0,
        title="Press point",
        publisher="NATO",
        url="https://www.nato.int/",
        date=datetime.date(2024, 10, 28),
    )
    Source.objects.create(report=report, position=1, title="Interview", publisher="BBC")
    items = parsed(client, report).xpath("//section[@class='sources']/ol/li")
    assert [words(item) for item in items] == [
        "Press point, NATO, 28 October 2024",
        "Interview, BBC",
    ]
    assert items[0].xpath("a/@href") == ["https://www.nato.int/"]
    assert items[0].xpath("time/@datetime") == ["2024-10-28"]


def test_updates_and_corrections_are_dated_and_corrections_are_labelled(client):
    report = ReportFactory()
    UpdateNoteFactory(
        report=report,
        noted_at=timezone.now() + datetime.timedelta(days=2),
        text="Figures revised.",
    )
    UpdateNoteFactory(
        report=report,
        kind=UpdateNote.Kind.CORRECTION,
        noted_at=timezone.now() + datetime.timedelta(days=3),
        text="An earlier version misspelt a name.",
    )
    page = parsed(client, report)
    update, correction = page.xpath("//section[@class='updates']//li")
    assert update.get("class") == "note note-update"
    assert update.xpath("p/strong/text()") == ["Update"] and "Figures revised." in words(update)
    assert correction.get("class") == "note note-correction"
    assert correction.xpath("p/strong/text()") == ["Correction"]
    updated = (timezone.now() + datetime.timedelta(days=3)).strftime("%-d %B %Y")
    # The "Updated" date is the latest note's.
    assert page.xpath("//p[@class='dates']/span[starts-with(., 'Updated')]/time/text()") == [
        updated
    ]


def test_a_report_not_updated_since_publication_shows_no_updated_date(client):
    assert "Updated <time" not in html(client, ReportFactory())


def test_a_save_long_after_publication_without_a_note_is_not_shown_as_an_update(client):
    report = ReportFactory()
    month_ago = timezone.now() - datetime.timedelta(days=30)
    Report.objects.filter(pk=report.pk).update(
        created_at=month_ago, first_published_at=month_ago, publish_at=month_ago
    )
    report.refresh_from_db()
    report.title = "A typo fixed in the headline"
    report.save()
    assert "Updated <time" not in html(client, report)


def test_a_report_entered_after_its_publication_date_is_not_shown_as_updated(client):
    report = ReportFactory()
    month_ago = timezone.now() - datetime.timedelta(days=30)
    Report.objects.filter(pk=report.pk).update(first_published_at=month_ago, publish_at=month_ago)
    assert "Updated <time" not in html(client, report)


def test_regions_and_topics_link_to_their_pages_primary_region_first(client):
    topic = TopicFactory(name="Alliances")
    report = ReportFactory(
        primary_region=region("RU"), regions=[region("KP"), region("UA")], topics=[topic]
    )
    filed = html(client, report).split('class="report-footer"')[1]
    names = re.findall(r'<a href="/regions/[\w-]+/">([^<]+)</a>', filed)
    assert names == ["Russia", "North Korea", "Ukraine"]
    assert f'<a href="{topic.get_absolute_url()}">Alliances</a>' in filed


def test_the_hero_image_has_its_alt_text_caption_and_credit(client, tmp_path):
    report = ReportFactory(
        hero_image=image_upload("kursk.jpg", size=(800, 450)),
        hero_alt="Soldiers on a road near Kursk",
        hero_caption="A convoy near Sudzha.",
        hero_credit="Photo: Example Agency",
    )
    [figure] = parsed(client, report).xpath("//figure[@class='hero']")
    assert figure.xpath(".//img/@alt") == ["Soldiers on a road near Kursk"]
    # The caption, then the credit in an element of its own.
    [caption] = figure.xpath("figcaption")
    assert [(p.get("class"), words(p)) for p in caption.xpath("p")] == [
        ("caption", "A convoy near Sudzha."),
        ("credit", "Photo: Example Agency"),
    ]


@pytest.mark.parametrize("shown", ["caption", "credit"])
def test_a_caption_or_a_credit_alone_is_shown_alone(client, shown):
    report = ReportFactory(
        hero_image=image_upload("kursk.jpg", size=(800, 450)),
        hero_alt="Soldiers on a road near Kursk",
        **{f"hero_{shown}": "Given."},
    )
    [caption] = parsed(client, report).xpath("//figure[@class='hero']/figcaption")
    assert [(p.get("class"), words(p)) for p in caption.xpath("p")] == [(shown, "Given.")]


def test_the_key_points_come_right_after_the_byline_and_dates_before_the_image_and_body(client):
    report = ReportFactory(
        hero_image=image_upload("kursk.jpg", size=(800, 450)),
        hero_alt="Soldiers on a road near Kursk",
        key_points=["Troops are deployed."],
    )
    [article] = parsed(client, report).xpath("//article[@class='report']")
    order = [child.get("class") for child in article]
    assert order[:4] == ["report-header", "key-points", "hero", "body"]
    header = article.xpath("header")[0]
    assert [child.get("class") for child in header][-2:] == ["byline", "dates"]


def test_a_printed_report_names_the_outlet_and_the_reports_address(client, settings):
    settings.SITE_URL = "https://news.example.org"
    report = ReportFactory(slug="kursk")
    [masthead] = parsed(client, report).xpath("//p[@class='print-masthead']")
    assert words(masthead) == f"{settings.SITE_NAME} https://news.example.org/reports/kursk/"


def test_each_author_has_a_box_at_the_end_with_name_role_and_short_bio(client):
    first = AuthorFactory(name="Zoe", role_line="Director", short_bio="Zoe covers the Baltic.")
    second = AuthorFactory(name="Adam", role_line="Analyst", short_bio="Adam covers the Sahel.")
    report = ReportFactory(authors=[first, second])
    boxes = html(client, report).split('class="author-box"')[1:]
    assert len(boxes) == 2
    assert f'<a href="{first.get_absolute_url()}">Zoe</a>' in boxes[0]
    assert "Director" in boxes[0] and "Zoe covers the Baltic." in boxes[0]
    assert "Adam covers the Sahel." in boxes[1]


def test_related_reports_are_those_sharing_most_newest_first_and_never_itself(client):
    sanctions, energy = TopicFactory(name="Sanctions"), TopicFactory(name="Energy")
    now = timezone.now()

    def related(title, days_ago, **fields):
        fields.setdefault("primary_region", region("ML"))
        publish_at = now - datetime.timedelta(days=days_ago)
        return ReportFactory(title=title, publish_at=publish_at, **fields).title

    report = ReportFactory(primary_region=region("UA"), regions=[region("RU")])
    report.topics.set([sanctions, energy])
    expected = [
        # The report's primary region, wherever the other report has it, counts most...
        related("Also tagged Ukraine", 1, regions=[region("UA")]),
        related("Same country", 3, primary_region=region("UA"), regions=[region("UA")]),
        # ...as much as another of its regions and a topic...
        related("Russia and sanctions", 4, primary_region=region("RU"), topics=[sanctions]),
        # ...then two topics, then one.
        related("Both topics", 2, topics=[sanctions, energy]),
    ]
    related("One topic, the newest", 0, topics=[energy])
    related("Unrelated", 0)
    related("A draft on Ukraine", 0, primary_region=region("UA"), status=Report.Status.DRAFT)
    page = html(client, report)
    section = page.split('class="related"')[1]
    assert re.findall(r'<a href="/reports/[\w-]+/">([^<]+)</a>', section) == expected
    assert "A draft on Ukraine" not in page and "Unrelated" not in page
    shown_first = Report.objects.published().related_to(report)
    assert shown_first[4].title == "One topic, the newest"
    assert shown_first.count() == 5


def test_related_reports_score_what_they_share_as_counted_plainly():
    import random

    rng = random.Random(12)
    places = [region(code) for code in ("UA", "RU", "PL", "FR")]
    topics = [TopicFactory() for _ in range(3)]

    def filed():
        return ReportFactory(
            primary_region=rng.choice(places),
            regions=rng.sample(places, rng.randint(0, 3)),
            topics=rng.sample(topics, rng.randint(0, 3)),
        )

    def places_of(report):
        return {report.primary_region_id, *(place.pk for place in report.regions.all())}

    report, others = filed(), [filed() for _ in range(15)]
    expected = {}
    for other in others:
        score = 2 * len(places_of(report) & places_of(other))
        score += report.primary_region_id in places_of(other)
        score += len(set(report.topics.all()) & set(other.topics.all()))
        if score:
            expected[other.pk] = score
    related = Report.objects.published().related_to(report)
    assert {other.pk: other.shared for other in related} == expected


def test_only_the_last_entered_reports_sharing_anything_are_weighed():
    topic = TopicFactory()
    now = timezone.now()
    report = ReportFactory(primary_region=region("UA"), topics=[topic])
    closest = ReportFactory(primary_region=region("UA"), topics=[topic])
    later = [
        ReportFactory(primary_region=region("FR"), topics=[topic], publish_at=now - ago)
        for ago in (datetime.timedelta(days=2), datetime.timedelta(days=1))
    ]
    ReportFactory(primary_region=region("ML"))  # shares nothing: not counted
    ReportFactory(primary_region=region("UA"), status=Report.Status.DRAFT)  # counted, not shown
    published = Report.objects.published()
    assert list(published.related_to(report)) == [closest, later[1], later[0]]
    # The draft and the two entered before it: an older report sharing more is left out.
    assert list(published.related_to(report, newest=3)) == [later[1], later[0]]
    assert list(published.related_to(report, newest=1)) == []


def test_related_reports_change_at_once_with_what_readers_see(client):
    import time_machine

    report = ReportFactory(primary_region=region("UA"))
    other = ReportFactory(title="On Ukraine", primary_region=region("UA"))

    def related():
        section = html(client, report).split('class="related"')
        return section[1] if len(section) > 1 else ""

    assert "On Ukraine" in related()
    other.title = "Ukraine, again"
    other.save()
    assert "Ukraine, again" in related()
    author = other.report_authors.get().author
    author.name = "Renamed Analyst"
    author.save()
    assert "Renamed Analyst" in related()
    other.primary_region = region("ML")
    other.save()
    assert "Ukraine, again" not in related()
    other.regions.add(region("UA"))
    assert "Ukraine, again" in related()
    workflow.withdraw(other, reason="Sources retracted.")
    assert "Ukraine, again" not in related()
    later = timezone.now() + datetime.timedelta(hours=1)
    ReportFactory(title="Scheduled on Ukraine", primary_region=region("UA"), publish_at=later)
    assert "Scheduled on Ukraine" not in related()
    with time_machine.travel(later + datetime.timedelta(minutes=1), tick=False):
        assert "Scheduled on Ukraine" in related()


def test_a_withdrawn_report_keeps_its_address_with_a_notice_and_no_text(client):
    report = ReportFactory(
        title="A withdrawn story",
        summary="What it said.",
        key_points=["A point readers should no longer see."],
        body="<p>The withdrawn text.</p>",
    )
    workflow.withdraw(report, reason="The figures were wrong.")
    response = client.get(report.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "This report has been withdrawn" in page
    assert "A withdrawn story" in page and "What it said." in page
    assert "The withdrawn text." not in page
    assert "A point readers should no longer see." not in page
    assert '<meta name="robots" content="noindex">' in page
    assert response["X-Robots-Tag"] == "noindex"


def test_a_withdrawn_report_that_was_never_public_is_not_found(client):
    report = ReportFactory(status=Report.Status.WITHDRAWN, publish_at=None)
    assert client.get(report.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("status", [Report.Status.DRAFT, Report.Status.IN_REVIEW, "scheduled"])
def test_unpublished_reports_are_not_found_by_readers(client, status):
    if status == "scheduled":
        report = ReportFactory(publish_at=timezone.now() + datetime.timedelta(hours=1))
    else:
        report = ReportFactory(status=status, publish_at=None)
    assert client.get(report.get_absolute_url()).status_code == 404


def test_an_editor_previews_a_draft_marked_not_published_noindex_and_never_cached(client):
    report = ReportFactory(status=Report.Status.DRAFT, publish_at=None, title="Coming soon")
    client.force_login(EditorFactory())
    response = client.get(report.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview: this report is not published (draft)" in page
    assert '<meta name="robots" content="noindex">' in page
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"]


def test_a_published_report_is_indexable(client):
    response = client.get(ReportFactory().get_absolute_url())
    assert "noindex" not in response.content.decode()
    assert not response.has_header("X-Robots-Tag")


def test_a_report_page_with_its_stylesheet_weighs_under_100_kb(client):
    authors = [AuthorFactory(short_bio="A long biography. " * 30) for _ in range(3)]
    report = ReportFactory(
        key_points=[f"Key point number {i} about the situation." for i in range(10)],
        authors=authors,
        body="<p>" + "A paragraph of analysis. " * 40 + "</p>",
        sources=[f"Source {i}" for i in range(10)],
    )
    for _ in range(4):
        ReportFactory()
    page = client.get(report.get_absolute_url()).content
    static = Path(settings.BASE_DIR) / "static"
    stylesheets = re.findall(rb'href="/static/([^"]+\.css)"', page)
    scripts = re.findall(rb'src="/static/([^"]+\.js)"', page)
    assert stylesheets
    weight = len(page) + sum((static / path.decode()).stat().st_size for path in stylesheets)
    weight += sum((static / path.decode()).stat().st_size for path in scripts)
    assert weight < 100 * 1024, weight
