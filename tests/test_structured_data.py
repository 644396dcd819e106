"""What pages tell search engines and social networks: canonical links, descriptions,
Open Graph and Twitter cards, JSON-LD and feed autodiscovery."""

import io
import json
from datetime import UTC, date, datetime

import pytest
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.template.loader import render_to_string
from lxml import html
from PIL import Image

from reports.models import Report, ReportAuthor, Source, UpdateNote

from .factories import AuthorFactory, EditorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db

BASE = "https://news.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = BASE


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, "PNG")
    return ContentFile(buffer.getvalue())


def render(rf, template, path="/", **context):
    head = render_to_string(template, context, request=rf.get(path))
    return html.fromstring(f"<html><head>{head}</head><body></body></html>")


def meta(head, key):
    """The content of every <meta> named ``key`` (by property or name)."""
    return head.xpath(f"//meta[@property='{key}' or @name='{key}']/@content")


def json_ld(head):
    return [json.loads(script.text) for script in head.xpath("//script")]


def report_with_parts(**kwargs):
    """A report read the way its page reads it: everything prefetched."""
    report = ReportFactory(**kwargs)
    return (
        Report.objects.select_related("primary_region")
        .prefetch_related(
            "key_points",
            "sources",
            "update_notes",
            "regions",
            "topics",
            Prefetch("report_authors", ReportAuthor.objects.select_related("author")),
        )
        .get(pk=report.pk)
    )


def render_report(rf, report):
    return render(rf, "components/meta/report.html", path=report.get_absolute_url(), report=report)


@pytest.fixture
def kursk(rf):
    author = AuthorFactory(name="Ada Lovelace", slug="ada", role_line="Founder and Director")
    report = ReportFactory(
        title="Ukrainian forces hold out in Kursk",
        kind=Report.Kind.ANALYSIS,
        summary="The standfirst.",
        key_points=["Kyiv holds ground.", "Moscow brings in troops."],
        authors=[author, AuthorFactory(name="Mary Somerville", role_line="")],
        situation_as_of=date(2024, 10, 28),
        primary_region=region("UA"),
        regions=[region("RU"), region("UA"), region("mena")],
        topics=[TopicFactory(name="Hybrid threats")],
    )
    Source.objects.create(
        report=report, title="ISW assessment", publisher="ISW", url="https://isw.example.org/a"
    )
    Source.objects.create(report=report, position=1, title="A briefing", date=date(2024, 10, 27))
    UpdateNote.objects.create(
        report=report,
        kind=UpdateNote.Kind.CORRECTION,
        noted_at=datetime(2024, 10, 30, 9, tzinfo=UTC),
        text="An earlier version misnamed the brigade.",
    )
    UpdateNote.objects.create(report=report, text="Added the latest figures.")
    return report


def test_a_report_is_described_as_a_news_article_with_its_key_points_as_abstract(rf, kursk):
    [data] = json_ld(render_report(rf, kursk))
    url = f"{BASE}/reports/{kursk.slug}/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "AnalysisNewsArticle"
    assert data["headline"] == "Ukrainian forces hold out in Kursk"
    assert data["description"] == "The standfirst."
    assert data["abstract"] == "Kyiv holds ground. Moscow brings in troops."
    assert data["mainEntityOfPage"] == url
    assert data["url"] == url
    assert data["datePublished"] == kursk.first_published_at.isoformat()
    latest_note = kursk.update_notes.last()
    assert data["dateModified"] == latest_note.noted_at.isoformat()
    assert data["contentReferenceTime"] == "2024-10-28"
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Ada Lovelace",
            "url": f"{BASE}/authors/ada/",
            "jobTitle": "Founder and Director",
        },
        {"@type": "Person", "name": "Mary Somerville", "url": data["author"][1]["url"]},
    ]
    assert data["publisher"]["@type"] == "NewsMediaOrganization"
    assert data["publisher"]["name"] == "diethnos"
    assert "image" not in data


def test_a_report_names_the_places_it_covers_with_their_iso_codes(rf, kursk):
    [data] = json_ld(render_report(rf, kursk))
    places = {place["name"]: place for place in data["spatialCoverage"]}
    assert data["spatialCoverage"][0]["name"] == "Ukraine"  # the primary region first
    assert len(places) == 3
    ukraine, russia, mena = places["Ukraine"], places["Russia"], places[region("mena").name]
    assert ukraine["@type"] == "Country"
    assert ukraine["name"] == "Ukraine"
    assert ukraine["url"] == f"{BASE}{region('UA').get_absolute_url()}"
    assert ukraine["address"] == {"@type": "PostalAddress", "addressCountry": "UA"}
    assert {"@type": "PropertyValue", "propertyID": "ISO 3166-1 alpha-3", "value": "UKR"} in (
        ukraine["identifier"]
    )
    assert ukraine["geo"]["@type"] == "GeoCoordinates"
    assert russia["address"]["addressCountry"] == "RU"
    assert mena["@type"] == "Place"
    assert mena["name"] == "Middle East and North Africa"


def test_a_report_names_its_topics_sources_and_corrections(rf, kursk):
    [data] = json_ld(render_report(rf, kursk))
    assert data["about"] == [
        {"@type": "Thing", "name": "Hybrid threats", "url": f"{BASE}/topics/hybrid-threats/"}
    ]
    assert data["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "ISW assessment",
            "url": "https://isw.example.org/a",
            "publisher": {"@type": "Organization", "name": "ISW"},
        },
        {"@type": "CreativeWork", "name": "A briefing", "datePublished": "2024-10-27"},
    ]
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "An earlier version misnamed the brigade.",
            "datePublished": "2024-10-30T09:00:00+00:00",
        }
    ]


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        (Report.Kind.SITREP, "ReportageNewsArticle"),
        (Report.Kind.ANALYSIS, "AnalysisNewsArticle"),
        (Report.Kind.BRIEF, "NewsArticle"),
        (Report.Kind.EXPLAINER, "BackgroundNewsArticle"),
    ],
)
def test_each_kind_of_report_has_its_schema_org_article_type(rf, kind, schema_type):
    [data] = json_ld(render_report(rf, ReportFactory(kind=kind)))
    assert data["@type"] == schema_type


def test_json_ld_cannot_break_out_of_its_script_element(rf):
    title = "</script><script>alert(1)</script> & <!-- more"
    report = ReportFactory(title=title)
    source = render_to_string(
        "components/meta/report.html", {"report": report}, request=rf.get("/")
    )
    script = source[source.index('<script type="application/ld+json">') :]
    script = script[: script.index("</script>")]
    assert "<" not in script.removeprefix('<script type="application/ld+json">')
    assert "\\u003C/script\\u003E" in script
    [data] = json_ld(render_report(rf, report))
    assert data["headline"] == title


def test_a_report_page_has_canonical_description_open_graph_and_twitter_card(rf, kursk):
    head = render_report(rf, kursk)
    url = f"{BASE}/reports/{kursk.slug}/"
    assert head.xpath("//link[@rel='canonical']/@href") == [url]
    assert meta(head, "description") == ["The standfirst."]
    assert meta(head, "robots") == []
    assert meta(head, "og:type") == ["article"]
    assert meta(head, "og:title") == ["Ukrainian forces hold out in Kursk"]
    assert meta(head, "og:url") == [url]
    assert meta(head, "og:site_name") == ["diethnos"]
    assert meta(head, "article:published_time") == [kursk.first_published_at.isoformat()]
    assert meta(head, "article:author") == [
        f"{BASE}{link.author.get_absolute_url()}" for link in kursk.report_authors.all()
    ]
    assert meta(head, "article:section") == ["Ukraine"]
    assert meta(head, "article:tag") == ["Hybrid threats"]
    assert meta(head, "twitter:card") == ["summary"]
    assert meta(head, "twitter:title") == ["Ukrainian forces hold out in Kursk"]
    assert meta(head, "og:image") == []


def test_seo_overrides_take_the_place_of_the_headline_and_summary(rf):
    report = ReportFactory(seo_title="Short title", seo_description="For search results.")
    head = render_report(rf, report)
    assert meta(head, "description") == ["For search results."]
    assert meta(head, "og:title") == ["Short title"]
    assert meta(head, "og:description") == ["For search results."]
    [data] = json_ld(head)
    assert data["description"] == "For search results."


def test_a_report_with_a_hero_image_shares_it_as_a_large_card(rf):
    report = ReportFactory(hero_alt="Smoke over Kursk", hero_caption="Kursk, 28 October")
    report.hero_image.save("hero.png", png())
    head = render_report(rf, report)
    image = report.og_image_url
    assert "/renditions/" in image
    assert meta(head, "og:image") == [image]
    assert meta(head, "og:image:alt") == ["Smoke over Kursk"]
    assert meta(head, "twitter:card") == ["summary_large_image"]
    assert meta(head, "twitter:image") == [image]
    [data] = json_ld(head)
    assert data["image"] == {"@type": "ImageObject", "url": image, "caption": "Kursk, 28 October"}


@pytest.mark.parametrize(
    "state",
    [
        {"status": Report.Status.DRAFT},
        {"status": Report.Status.IN_REVIEW},
        {"status": Report.Status.WITHDRAWN},
        {"publish_at": datetime(2099, 1, 1, tzinfo=UTC)},
    ],
    ids=["draft", "in review", "withdrawn", "scheduled"],
)
def test_a_report_preview_is_kept_out_of_search_engines_and_names_no_canonical(rf, state):
    head = render_report(rf, ReportFactory(**state))
    assert meta(head, "robots") == ["noindex"]
    assert head.xpath("//link[@rel='canonical']") == []


def test_report_metadata_reads_only_what_the_page_prefetched(rf, django_assert_num_queries):
    report = report_with_parts(
        key_points=["One.", "Two.", "Three."],
        authors=[AuthorFactory(), AuthorFactory(), AuthorFactory()],
        topics=[TopicFactory(), TopicFactory()],
        regions=[region("RU"), region("PL")],
    )
    with django_assert_num_queries(0):
        render_report(rf, report)


def test_an_author_page_is_a_profile_page_about_a_person(rf):
    author = AuthorFactory(
        name="Ada Lovelace",
        slug="ada",
        role_line="Founder and Director",
        short_bio="Writes on European security.",
        photo_alt="Ada at her desk",
        website="https://ada.example.org/",
        orcid="https://orcid.org/0000-0002-1825-0097",
    )
    author.photo.save("ada.png", png())
    head = render(rf, "components/meta/author.html", path="/authors/ada/", author=author)
    [data] = json_ld(head)
    assert data["@type"] == "ProfilePage"
    assert data["url"] == f"{BASE}/authors/ada/"
    assert data["mainEntity"] == {
        "@type": "Person",
        "name": "Ada Lovelace",
        "url": f"{BASE}/authors/ada/",
        "jobTitle": "Founder and Director",
        "description": "Writes on European security.",
        "image": author.og_image_url,
        "sameAs": ["https://ada.example.org/", "https://orcid.org/0000-0002-1825-0097"],
    }
    assert head.xpath("//link[@rel='canonical']/@href") == [f"{BASE}/authors/ada/"]
    assert meta(head, "description") == ["Writes on European security."]
    assert meta(head, "og:type") == ["profile"]
    assert meta(head, "og:image") == [author.og_image_url]
    assert head.xpath("//link[@type='application/rss+xml']/@href") == ["/authors/ada/feed/"]


def test_an_author_without_a_bio_is_described_by_their_role_or_name(rf):
    head = render(rf, "components/meta/author.html", author=AuthorFactory(short_bio=""))
    assert meta(head, "description") == ["Senior Analyst"]
    author = AuthorFactory(name="Ada Lovelace", short_bio="", role_line="")
    head = render(rf, "components/meta/author.html", author=author)
    assert meta(head, "description") == ["Reports by Ada Lovelace"]


def test_region_and_topic_pages_have_canonical_links_and_their_own_feeds(rf):
    ukraine = region("UA")
    head = render(rf, "components/meta/region.html", region=ukraine)
    assert head.xpath("//link[@rel='canonical']/@href") == [f"{BASE}/regions/{ukraine.slug}/"]
    assert meta(head, "og:type") == ["website"]
    assert meta(head, "og:title") == ["Ukraine"]
    assert meta(head, "description") == ["Situation reports and analysis on Ukraine"]
    assert head.xpath("//link[@type='application/rss+xml']/@href") == [
        f"/regions/{ukraine.slug}/feed/"
    ]
    head = render(rf, "components/meta/region.html", region=region("mena"))
    assert meta(head, "description") == [region("mena").description]

    topic = TopicFactory(name="Energy security", description="Pipelines and power grids.")
    head = render(rf, "components/meta/topic.html", topic=topic)
    assert head.xpath("//link[@rel='canonical']/@href") == [f"{BASE}/topics/energy-security/"]
    assert meta(head, "description") == ["Pipelines and power grids."]
    assert head.xpath("//link[@type='application/rss+xml']/@href") == [
        "/topics/energy-security/feed/"
    ]


def test_a_later_page_of_a_listing_is_its_own_canonical_page(rf):
    page = Paginator(range(50), 20).page(2)
    head = render(rf, "components/meta/topic.html", topic=TopicFactory(name="Sanctions"), page=page)
    assert head.xpath("//link[@rel='canonical']/@href") == [f"{BASE}/topics/sanctions/?page=2"]
    head = render(rf, "components/meta/listing.html", path="/reports/", page=page)
    assert head.xpath("//link[@rel='canonical']/@href") == [f"{BASE}/reports/?page=2"]


def test_a_listing_page_describes_the_site_unless_told_otherwise(rf):
    head = render(rf, "components/meta/listing.html", path="/reports/")
    assert head.xpath("//link[@rel='canonical']/@href") == [f"{BASE}/reports/"]
    assert meta(head, "og:type") == ["website"]
    assert meta(head, "og:title") == ["diethnos"]
    assert meta(head, "description")[0].startswith("Situation reports and analysis")
    head = render(
        rf, "components/meta/listing.html", path="/regions/", title="Regions", description="All."
    )
    assert meta(head, "og:title") == ["Regions"]
    assert meta(head, "description") == ["All."]


def test_every_page_names_the_site_feed_icon_and_publisher(rf):
    head = render(rf, "components/site_head.html")
    feeds = head.xpath("//link[@type='application/rss+xml']/@href")
    assert feeds == ["/feed/", "/corrections/feed/"]
    assert head.xpath("//link[@rel='icon']/@href")
    assert meta(head, "theme-color")
    [data] = json_ld(head)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsMediaOrganization"
    assert data["name"] == "diethnos"
    assert data["url"] == f"{BASE}/"
    assert data["logo"]["url"].startswith(f"{BASE}/static/img/logo")
    assert data["publishingPrinciples"] == f"{BASE}/corrections/policy/"
    assert data["correctionsPolicy"] == f"{BASE}/corrections/policy/"


def test_public_pages_carry_their_metadata_and_no_executable_inline_script(client, kursk):
    author = kursk.authors.first()
    pages = {
        kursk.get_absolute_url(): "AnalysisNewsArticle",
        author.get_absolute_url(): "ProfilePage",
        region("UA").get_absolute_url(): None,
        kursk.topics.get().get_absolute_url(): None,
    }
    for path, schema_type in pages.items():
        response = client.get(path)
        assert response.status_code == 200
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        head = html.fromstring(response.content).head
        assert head.xpath("//link[@rel='canonical']/@href") == [f"{BASE}{path}"]
        scripts = head.xpath("//script")
        assert all(script.get("type") == "application/ld+json" for script in scripts)
        types = [json.loads(script.text)["@type"] for script in scripts]
        assert "NewsMediaOrganization" in types
        if schema_type:
            assert schema_type in types


def test_a_staff_preview_of_a_draft_is_marked_noindex_and_names_no_canonical(client):
    client.force_login(EditorFactory())
    draft = ReportFactory(status=Report.Status.DRAFT)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    head = html.fromstring(response.content).head
    assert meta(head, "robots") == ["noindex"]
    assert head.xpath("//link[@rel='canonical']") == []
