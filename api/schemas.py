"""What the read API answers, as schemas: they validate every response and make the OpenAPI
document (with the examples shown in the documentation)."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

SITE = "https://news.example.org"


def example(**values):
    return ConfigDict(json_schema_extra={"examples": [values]})


class RegionRef(Schema):
    model_config = example(
        name="Ukraine",
        slug="ukraine",
        kind="country",
        m49="804",
        iso2="UA",
        iso3="UKR",
        url=f"{SITE}/regions/ukraine/",
    )
    name: str
    slug: str
    kind: Literal["world", "region", "subregion", "intermediate", "country", "group"]
    m49: str | None = Field(description="UN M49 code (regions and countries).")
    iso2: str | None = Field(description="ISO 3166-1 alpha-2 (countries).")
    iso3: str | None = Field(description="ISO 3166-1 alpha-3 (countries).")
    url: str = Field(description="The region's page.")


class TopicRef(Schema):
    model_config = example(name="Energy", slug="energy", url=f"{SITE}/topics/energy/")
    name: str
    slug: str
    url: str = Field(description="The topic's page.")


class AuthorRef(Schema):
    model_config = example(
        name="Maria Kostova",
        slug="maria-kostova",
        role_line="Senior Analyst",
        url=f"{SITE}/authors/maria-kostova/",
    )
    name: str
    slug: str
    role_line: str
    url: str = Field(description="The author's profile page.")


class Rendition(Schema):
    url: str
    type: Literal["image/webp", "image/jpeg"]
    width: int | None
    height: int | None


class HeroImage(Schema):
    alt: str = Field(description="The image described for readers who cannot see it.")
    caption: str
    credit: str
    width: int | None = Field(description="The original's width in pixels.")
    height: int | None
    renditions: list[Rendition] = Field(description="Every published size, WebP and JPEG.")


class SourceOut(Schema):
    title: str
    publisher: str
    url: str
    date: date | None


class NoteOut(Schema):
    model_config = example(
        id="0b5f1f64-2ed4-4c57-9f41-8d7f4b1bb1f5",
        kind="correction",
        date="2025-03-02T09:30:00Z",
        text="An earlier version gave the wrong date for the ceasefire.",
        url=f"{SITE}/reports/kursk-front/#note-0b5f1f64-2ed4-4c57-9f41-8d7f4b1bb1f5",
    )
    id: str = Field(description="Stays the same for the life of the note.")
    kind: Literal["update", "correction", "clarification"]
    date: datetime
    text: str
    url: str = Field(description="The note on its report's page.")


REPORT_EXAMPLE = {
    "status": "published",
    "headline": "Fighting around Kursk intensifies",
    "slug": "kursk-front",
    "url": f"{SITE}/reports/kursk-front/",
    "kind": "sitrep",
    "language": "en",
    "summary": "Both sides committed reserves; the front line barely moved.",
    "key_points": ["Russian forces retook two villages.", "Ukraine holds the salient's base."],
    "body_html": "<p>On 1 March 2025, …</p>",
    "situation_as_of": "2025-03-01",
    "published_at": "2025-03-01T18:00:00Z",
    "modified_at": "2025-03-02T09:30:00Z",
    "authors": [AuthorRef.model_config["json_schema_extra"]["examples"][0]],
    "primary_region": RegionRef.model_config["json_schema_extra"]["examples"][0],
    "regions": [RegionRef.model_config["json_schema_extra"]["examples"][0]],
    "topics": [TopicRef.model_config["json_schema_extra"]["examples"][0]],
    "hero_image": None,
    "sources": [
        {
            "title": "Daily update",
            "publisher": "General Staff",
            "url": "https://example.org/",
            "date": "2025-03-01",
        }
    ],
    "updates": [],
    "corrections": [NoteOut.model_config["json_schema_extra"]["examples"][0]],
}


class ReportOut(Schema):
    """A published report."""

    model_config = ConfigDict(json_schema_extra={"examples": [REPORT_EXAMPLE]})
    status: Literal["published"]
    headline: str
    slug: str
    url: str = Field(description="The report's canonical page.")
    kind: Literal["sitrep", "analysis", "brief", "explainer"]
    language: str = Field(description="ISO 639-1 code of the language it is written in.")
    summary: str = Field(description="The standfirst.")
    key_points: list[str] = Field(description="In the order the report gives them.")
    body_html: str = Field(description="Sanitised HTML, as stored.")
    situation_as_of: date | None = Field(description="The date the report describes.")
    published_at: datetime = Field(description="First publication.")
    modified_at: datetime = Field(
        description="The latest update or correction note, else the first publication."
    )
    authors: list[AuthorRef] = Field(description="The byline, in order.")
    primary_region: RegionRef
    regions: list[RegionRef] = Field(description="The primary region first, then the others.")
    topics: list[TopicRef]
    hero_image: HeroImage | None
    sources: list[SourceOut]
    updates: list[NoteOut]
    corrections: list[NoteOut] = Field(description="Corrections and clarifications.")


class WithdrawnReportOut(Schema):
    """A report the editors withdrew: its page stays, with its headline, standfirst and
    byline, without its text (key points, body, image, sources, notes)."""

    model_config = example(
        status="withdrawn",
        headline="Fighting around Kursk intensifies",
        slug="kursk-front",
        url=f"{SITE}/reports/kursk-front/",
        summary="Both sides committed reserves; the front line barely moved.",
        published_at="2025-03-01T18:00:00Z",
        modified_at="2025-03-04T08:00:00Z",
        withdrawal_reason="It relied on a source we could not verify.",
        authors=[],
    )
    status: Literal["withdrawn"]
    headline: str
    slug: str
    url: str = Field(description="The report's canonical page, which stays.")
    summary: str = Field(description="The standfirst, which its page keeps.")
    published_at: datetime = Field(description="First publication.")
    modified_at: datetime = Field(description="When it was withdrawn.")
    withdrawal_reason: str
    authors: list[AuthorRef] = Field(description="The byline, in order.")


AnyReport = Annotated[ReportOut | WithdrawnReportOut, Field(discriminator="status")]


class ReportPage(Schema):
    results: list[AnyReport] = Field(
        description="Published reports, and withdrawn ones (`status`), without their text."
    )
    next: str | None = Field(description="The next page's address; null on the last page.")


class RegionCount(Schema):
    model_config = example(
        **RegionRef.model_config["json_schema_extra"]["examples"][0], report_count=42
    )
    name: str
    slug: str
    kind: Literal["world", "region", "subregion", "intermediate", "country", "group"]
    m49: str | None
    iso2: str | None
    iso3: str | None
    url: str
    report_count: int = Field(description="Published reports here or anywhere it covers.")


class RegionNode(RegionCount):
    model_config = ConfigDict(json_schema_extra=None)
    children: list["RegionNode"]


RegionNode.model_rebuild()


class RegionTree(Schema):
    world: RegionNode = Field(description="The UN M49 tree, from World down to countries.")
    groupings: list[RegionCount] = Field(description="Editorial groupings (MENA, the Sahel…).")


class RegionDetail(RegionCount):
    model_config = ConfigDict(json_schema_extra=None)
    official_name: str
    description: str
    ancestors: list[RegionRef] = Field(description="From World down to the parent.")
    children: list[RegionCount]
    members: list[RegionRef] = Field(description="A grouping's countries.")
    groupings: list[RegionRef] = Field(description="The groupings holding a country.")
    reports: str = Field(description="The API address of its reports.")


class TopicOut(TopicRef):
    model_config = example(
        **TopicRef.model_config["json_schema_extra"]["examples"][0], report_count=12
    )
    report_count: int


class AuthorOut(AuthorRef):
    model_config = example(
        **AuthorRef.model_config["json_schema_extra"]["examples"][0],
        short_bio="Covers the war in Ukraine.",
        report_count=40,
    )
    short_bio: str
    report_count: int


class CorrectionOut(NoteOut):
    model_config = example(
        **NoteOut.model_config["json_schema_extra"]["examples"][0],
        report={
            "headline": "Fighting around Kursk intensifies",
            "slug": "kursk-front",
            "url": f"{SITE}/reports/kursk-front/",
        },
    )
    report: "ReportRef"


class ReportRef(Schema):
    headline: str
    slug: str
    url: str


CorrectionOut.model_rebuild()


class CorrectionPage(Schema):
    results: list[CorrectionOut]
    next: str | None


class Error(Schema):
    model_config = example(
        status=400,
        error="Bad Request",
        detail="There is no region called “atlantis”.",
        parameter="region",
    )
    status: int
    error: str
    detail: str
    parameter: str | None = Field(None, description="The query parameter at fault (400).")
