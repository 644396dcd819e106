"""Demo content: the outlet's example situation report and a realistic set around it.

Safe to run repeatedly: authors and reports that already exist (by slug) are left as they are,
so an editor's changes to demo content survive a restart.

Demo reports get a locator map as their hero image and demo authors a monogram in place of a
photo (``pictures``), drawn once: only for those that have none and that no one has edited.
"""

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils.html import escape
from django.utils.text import get_text_list

from authors.models import Author
from diethnos.slugs import slug_for
from tags.models import Region, Topic

from ..models import KeyPoint, Report, ReportAuthor, Source, UpdateNote
from . import pictures

HERE = Path(__file__).resolve().parent
EXAMPLE_REPORT = HERE / "kursk-sitrep.txt"
CONTENT = HERE / "content.json"
HERO_FIELDS = ["hero_image", "hero_width", "hero_height", "hero_alt", "hero_caption", "hero_credit"]

EXAMPLE = {
    "slug": "north-korean-troops-deployed-to-russias-kursk-region",
    "title": "NATO confirms North Korean troops deployed to Russia’s Kursk region",
    "kind": "sitrep",
    "summary": (
        "Thousands of North Korean soldiers are now in Kursk, NATO says, a notable escalation "
        "of Pyongyang’s military support for Moscow’s war in Ukraine."
    ),
    "situation_as_of": "2024-10-28",
    "published": "2024-10-29T08:00:00Z",
    "primary_region": "RU",
    "regions": ["KP", "UA"],
    "topics": ["Armed conflict", "Alliances", "Diplomacy"],
    "authors": ["nikolas"],
    "sources": [
        {
            "title": "Press point by NATO Secretary General Mark Rutte",
            "publisher": "NATO",
            "url": "https://www.nato.int/",
            "date": "2024-10-28",
        }
    ],
    "updates": [],
    "featured": True,
    "status": "published",
}


def parse_example(path=EXAMPLE_REPORT):
    """Split the example report into the author's profile line, key points and body."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    profile = lines[0]
    heading = lines.index("Situation Report")
    key_points = lines[1:heading]
    body = [line for line in lines[heading + 1 :] if line != profile]
    return {
        "profile": profile,
        "key_points": key_points,
        "body": "".join(f"<p>{escape(paragraph)}</p>" for paragraph in body),
    }


def _slug(model, text):
    """The slug ``model`` stores for ``text``, by which what was loaded before is found."""
    return slug_for(text, model._meta.get_field("slug").max_length)


def _region(ref):
    if len(ref) == 2 and ref.isupper():
        return Region.objects.get(iso2=ref)
    return Region.objects.get(slug=_slug(Region, ref))


def _topics(names):
    topics = []
    for name in names:
        topic = Topic.objects.filter(name__iexact=name).first()
        topics.append(topic or Topic.objects.create(name=name))
    return topics


def _author(data):
    author, created = Author.objects.get_or_create(
        slug=data["slug"],
        defaults={
            "name": data["name"],
            "role_line": data.get("role_line", ""),
            "short_bio": data.get("short_bio", ""),
            "bio": data.get("bio", ""),
            **{key: value for key, value in data.get("links", {}).items() if value},
        },
    )
    if created:
        author.expertise.set(_topics(data.get("expertise", [])))
    return author


def _report(data):
    if Report.objects.filter(slug=data["slug"]).exists():
        return None
    status = data.get("status", "published")
    published = datetime.fromisoformat(data["published"].replace("Z", "+00:00"))
    authors = [Author.objects.get(slug=_slug(Author, slug)) for slug in data["authors"]]
    report = Report(
        slug=data["slug"],
        title=data["title"],
        kind=data["kind"],
        summary=data["summary"],
        body=data["body"],
        situation_as_of=date.fromisoformat(data["situation_as_of"]),
        primary_region=_region(data["primary_region"]) if data.get("primary_region") else None,
        featured=data.get("featured", False),
        status=Report.Status.PUBLISHED if status == "scheduled" else status,
        publish_at=published if status in ("published", "scheduled", "withdrawn") else None,
        first_published_at=published if status in ("published", "withdrawn") else None,
    )
    if report.status == Report.Status.PUBLISHED:
        # The same rules as the desk's, before anything is written.
        problems = report.publication_problems(key_points=data["key_points"], authors=authors)
        if problems:
            raise ValidationError({data["slug"]: list(problems.values())})
    report.save()
    report.regions.add(*[_region(ref) for ref in data.get("regions", [])])
    report.topics.set(_topics(data.get("topics", [])))
    KeyPoint.objects.bulk_create(
        KeyPoint(report=report, position=i, text=text) for i, text in enumerate(data["key_points"])
    )
    ReportAuthor.objects.bulk_create(
        ReportAuthor(report=report, author=author, position=i) for i, author in enumerate(authors)
    )
    Source.objects.bulk_create(
        Source(
            report=report,
            position=i,
            title=source["title"],
            publisher=source.get("publisher", ""),
            url=source.get("url", ""),
            date=date.fromisoformat(source["date"]) if source.get("date") else None,
        )
        for i, source in enumerate(data.get("sources", []))
    )
    UpdateNote.objects.bulk_create(
        UpdateNote(
            report=report,
            kind=note["kind"],
            noted_at=datetime.fromisoformat(note["date"].replace("Z", "+00:00")),
            text=note["text"],
        )
        for note in data.get("updates", [])
    )
    return report


def _points(countries):
    return [(float(c.latitude), float(c.longitude)) for c in countries if c.latitude is not None]


def _countries(regions):
    """The countries ``regions`` stand for: themselves, their members or what lies beneath."""
    covered = Q(pk__in=[])
    for region in regions:
        covered |= Q(pk__in=region.rollup_ids())
    return Region.objects.countries().filter(covered)


def _locator_map(report, world):
    """Give ``report`` a locator map of its regions (unsaved); False if it has nothing to locate."""
    primary = report.primary_region
    if primary is None or primary.kind == Region.Kind.WORLD:
        return False
    others = report.regions.exclude(pk=primary.pk).exclude(kind=Region.Kind.WORLD)
    located = list(_countries([primary]).exclude(latitude=None))
    if not located:
        return False
    country = Region.Kind.COUNTRY
    marked = [region for region in others if region.kind == country and region not in located]
    areas = [region for region in others if region.kind != country]
    shaded = _countries(areas).exclude(pk__in=[c.pk for c in located + marked])

    alt = f"Locator map highlighting {primary.name}"
    if marked:
        alt += f", with {get_text_list([c.name for c in marked], 'and')} marked"
    if areas:
        alt += f"; {', '.join(area.name for area in areas)} shaded"
    report.hero_image = ContentFile(
        pictures.locator_map(
            world, _points(located), primary.name, marked=_points(marked), area=_points(shaded)
        ),
        name=f"map-{report.slug[:80]}.jpg",
    )
    report.hero_alt = alt[:250]
    report.hero_caption = "Locator map"
    report.hero_credit = "diethnos map; country positions: OCHA"
    return True


def _monogram(author):
    author.photo = ContentFile(pictures.monogram(author.name), name=f"{author.slug}.jpg")
    author.photo_alt = f"Monogram of {author.name}"


def _add_pictures(report_slugs, author_slugs):
    """Draw the pictures demo reports and authors lack, unless they were edited since loaded.

    Saved with ``update_fields``, so that they still count as unedited demo content. Returns
    how many pictures were drawn.
    """
    drawn = 0
    world = tuple(_points(Region.objects.countries()))
    reports = Report.objects.filter(slug__in=report_slugs, hero_image="", version=1)
    for report in reports.select_related("primary_region"):
        if _locator_map(report, world):
            report.save(update_fields=HERO_FIELDS)
            drawn += 1
    for author in Author.objects.filter(slug__in=author_slugs, photo=""):
        # An author has no version: one saved again after loading shows a later updated_at.
        if author.updated_at - author.created_at < timedelta(seconds=1):
            _monogram(author)
            author.save(update_fields=["photo", "photo_width", "photo_height", "photo_alt"])
            drawn += 1
    return drawn


@transaction.atomic
def load_demo():
    """Load the demo authors and reports; returns how many reports were created and how many
    pictures were drawn."""
    content = json.loads(CONTENT.read_text(encoding="utf-8"))
    example = parse_example()
    for data in content["authors"]:
        data["slug"] = _slug(Author, data.get("slug") or data["name"])
        if data["slug"] == "nikolas":
            data["short_bio"] = example["profile"]
        _author(data)
    created = 0
    reports = [{**EXAMPLE, **example}, *content["reports"]]
    for data in reports:
        data["slug"] = _slug(Report, data.get("slug") or data["title"])
        created += _report(data) is not None
    drawn = _add_pictures(
        [data["slug"] for data in reports], [data["slug"] for data in content["authors"]]
    )
    return created, drawn
