"""schema.org description of a report, rendered as JSON-LD on its page.

Reads the report's key points, bylines, regions, topics, sources and notes through ``.all()``,
so a view that prefetches them renders this without further queries.
"""

from django.conf import settings

from authors.structured_data import person
from diethnos.site import absolute_url, organisation
from tags.structured_data import place, subject

from .models import Report, UpdateNote

ARTICLE_TYPES = {
    Report.Kind.SITREP: "ReportageNewsArticle",
    Report.Kind.ANALYSIS: "AnalysisNewsArticle",
    Report.Kind.EXPLAINER: "BackgroundNewsArticle",
}


def article(report):
    url = absolute_url(report.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": ARTICLE_TYPES.get(report.kind, "NewsArticle"),
        "headline": report.title,
        "description": report.seo_description or report.summary,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": settings.LANGUAGE_CODE,
        "isAccessibleForFree": True,
        "author": [person(link.author) for link in report.report_authors.all()],
        "publisher": organisation(),
    }
    if report.modified_at:
        data["dateModified"] = report.modified_at.isoformat()
    key_points = [point.text for point in report.key_points.all()]
    if key_points:
        data["abstract"] = " ".join(key_points)
    if report.first_published_at:
        data["datePublished"] = report.first_published_at.isoformat()
    if report.situation_as_of:
        data["contentReferenceTime"] = report.situation_as_of.isoformat()
    regions = report.all_regions
    if regions:
        data["spatialCoverage"] = [place(region) for region in regions]
    topics = list(report.topics.all())
    if topics:
        data["about"] = [subject(topic) for topic in topics]
        data["keywords"] = [topic.name for topic in topics]
    sources = [citation(source) for source in report.sources.all()]
    if sources:
        data["citation"] = sources
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": note.text,
            "datePublished": note.noted_at.isoformat(),
        }
        for note in report.update_notes.all()
        if note.kind in UpdateNote.CORRECTING
    ]
    if corrections:
        data["correction"] = corrections
    if report.hero_image:
        image = {"@type": "ImageObject", "url": report.og_image_url}
        if report.hero_caption:
            image["caption"] = report.hero_caption
        if report.hero_credit:
            image["creditText"] = report.hero_credit
        data["image"] = image
    return data


def citation(source):
    data = {"@type": "CreativeWork", "name": source.title}
    if source.url:
        data["url"] = source.url
    if source.publisher:
        data["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.date:
        data["datePublished"] = source.date.isoformat()
    return data
