"""The migrations that make the database keep the content rules succeed on the content a site
already holds: rows that break a rule are put right where that is safe, and the demo content
goes through untouched.

Each test runs the real ``manage.py migrate`` on a database of its own (a SQLite file, or a new
PostgreSQL database when the suite runs on PostgreSQL), back to before the rules, writes rows
past every check as an old import could have, and migrates forward.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The migrations that tidy existing rows, and the ones that add the constraints after them.
BEFORE_THE_RULES = [
    ("tags", "0001_initial"),
    ("authors", "0004_orcid_message"),
    ("reports", "0005_listing_indexes"),
]

BEFORE_THE_RULES_CODE = f"""
from django.core.management import call_command
call_command("migrate", verbosity=0)
for app, migration in {BEFORE_THE_RULES!r}:
    call_command("migrate", app, migration, verbosity=0)
call_command("load_regions", verbosity=0)
"""

BAD_ROWS = f"""
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from django.db.migrations.executor import MigrationExecutor

# The models as they stood then: today's have columns the database does not have yet.
then = MigrationExecutor(connection).loader.project_state({BEFORE_THE_RULES!r}, at_end=True).apps
Author = then.get_model("authors", "Author")
Region, Topic = then.get_model("tags", "Region"), then.get_model("tags", "Topic")
Report, KeyPoint = then.get_model("reports", "Report"), then.get_model("reports", "KeyPoint")
ReportAuthor = then.get_model("reports", "ReportAuthor")
Source = then.get_model("reports", "Source")
TaggedReport = then.get_model("reports", "TaggedReport")
UpdateNote = then.get_model("reports", "UpdateNote")

now = timezone.now()


def force_slug(row, slug):
    # Stored as it is, past the slug field's own normalising, as an old import could.
    type(row).objects.filter(pk=row.pk).update(slug=slug)


world = Region.objects.get(slug="world")
Region.objects.bulk_create([
    Region(name="Black Sea", slug="black-sea", kind="group", iso3="ukr"),
    Region(name="Baltic", slug="baltic", kind="group", iso3="UKR", m49="7"),
    Region(name="Arctic", slug="arctic", kind="group", iso2="x", m49="150"),
])
energy, energy_lower, energy_upper, sanctions, sanctions_policy = Topic.objects.bulk_create([
    Topic(name="Energy", slug="energy"),
    Topic(name="energy", slug="energy-1"),
    Topic(name="ENERGY", slug="energy-2"),
    Topic(name="Sanctions", slug="sanctions"),
    Topic(name="Sanctions policy", slug="sanctions-policy"),
])
force_slug(sanctions_policy, "Sanctions")
force_slug(Region.objects.get(slug="black-sea"), "Ukraine")
ada, ada_too, guest = Author.objects.bulk_create([
    Author(name="Ada Lovelace", slug="ada"),
    Author(name="Ada King", slug="ada-king", photo="authors/ada.jpg"),
    Author(name="  ", slug="guest", short_bio="word " * 140),
])
ada_too.expertise.add(energy_upper, energy)

ukraine = Region.objects.get(iso2="UA")
def report(slug, **values):
    fields = dict(
        title=slug.title(), slug=slug, summary="What happened.", primary_region=ukraine,
        status="published", publish_at=now, first_published_at=now,
    )
    fields.update(values)
    return Report(**fields)

reports = Report.objects.bulk_create([
    report("no-summary", summary=" "),
    report("no-region", primary_region=None),
    report("no-dates", publish_at=None, first_published_at=None),
    report("image-with-caption", hero_image="reports/a.jpg", hero_caption="Port of Odesa"),
    report("image-alone", hero_image="reports/b.jpg"),
    report("kyiv-strikes-draft", status="draft"),
    report("kyiv-strikes", status="live", kind="op-ed"),
    report("long-summary", summary="A long standfirst " * 25),
    report("no-headline", title=" "),
])
by_slug = {{report.slug: report for report in reports}}
force_slug(ada_too, "Ada")
force_slug(by_slug["kyiv-strikes-draft"], "Kyiv-strikes")
fine = by_slug["kyiv-strikes"]
# PostgreSQL's column holds no more than 400 characters; SQLite's holds any length.
repeat = 35 if connection.vendor == "sqlite" else 1
KeyPoint.objects.bulk_create([
    KeyPoint(report=fine, text="  ", position=0),
    KeyPoint(report=fine, text="A long point " * repeat, position=1),
])
UpdateNote.objects.bulk_create([
    UpdateNote(report=fine, text=" ", noted_at=now),
    UpdateNote(report=fine, text="Retracted in part.", kind="retraction", noted_at=now),
])
Source.objects.bulk_create([Source(report=fine, title="", url="https://example.org/a")])
ReportAuthor.objects.bulk_create([ReportAuthor(report=fine, author=ada_too)])
TaggedReport.objects.bulk_create([
    TaggedReport(content_object=fine, tag=energy),
    TaggedReport(content_object=fine, tag=energy_lower),
    TaggedReport(content_object=by_slug["no-dates"], tag=energy),
    TaggedReport(content_object=by_slug["no-region"], tag=energy_upper),
])
"""

WHAT_IS_THERE = """
import json
from authors.models import Author
from diethnos.models import Redirect
from reports.models import KeyPoint, Report, Source, UpdateNote
from tags.models import Region, Topic

reports = {
    report.slug: {
        "title": report.title,
        "status": report.status,
        "kind": report.kind,
        "summary": report.summary,
        "hero_alt": report.hero_alt,
        "dated": report.publish_at is not None and report.first_published_at is not None,
        "topics": sorted(topic.name for topic in report.topics.all()),
        "key_points": [point.text for point in report.key_points.all()],
        "notes": [[note.kind, note.text] for note in report.update_notes.all()],
        "sources": [source.title for source in report.sources.all()],
        "authors": [author.slug for author in report.authors.all()],
    }
    for report in Report.objects.all()
}
print(json.dumps({
    "reports": reports,
    "topics": {topic.slug: topic.name for topic in Topic.objects.all()},
    "authors": {
        author.slug: {
            "name": author.name,
            "photo_alt": author.photo_alt,
            "short_bio": author.short_bio,
            "bio": author.bio,
            "expertise": sorted(topic.name for topic in author.expertise.all()),
        }
        for author in Author.objects.all()
    },
    "old_authors": dict(
        Redirect.objects.filter(old_path__startswith="/authors/").values_list(
            "old_path", "new_path"
        )
    ),
    "regions": {
        region.slug: [region.name, region.iso2, region.iso3, region.m49]
        for region in Region.objects.filter(kind="group")
    },
    "key_points": KeyPoint.objects.count(),
    "notes": UpdateNote.objects.count(),
    "sources": Source.objects.count(),
}, sort_keys=True))
"""


@pytest.fixture
def database_url(tmp_path):
    """A database of the test's own: a new PostgreSQL one when the suite runs on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'site.sqlite3'}"
        return
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"diethnos_migrations_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def manage(database_url, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PAGE_CACHE_SECONDS": "0",
    }

    def run(*args):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def before_the_rules(code):
        """Migrate to before the rules, load the regions and run ``code``, in one process."""
        run("shell", "-v", "0", "-c", f"{BEFORE_THE_RULES_CODE}\n{code}")

    run.before_the_rules = before_the_rules
    run.contents = lambda: json.loads(run("shell", "-v", "0", "-c", WHAT_IS_THERE))
    return run


def test_rows_breaking_the_rules_are_put_right_and_the_constraints_added(manage):
    manage.before_the_rules(BAD_ROWS)

    output = manage("migrate", "--no-input")
    assert "tidied" in output and "merged into Energy" in output
    contents = manage.contents()
    reports = contents["reports"]

    # Topics differing only in case are one, with every report and expert of the others.
    assert contents["topics"] == {
        "energy": "Energy",
        "sanctions": "Sanctions",
        "sanctions-2": "Sanctions policy",
    }
    assert reports["kyiv-strikes"]["topics"] == ["Energy"]
    assert reports["no-dates"]["topics"] == ["Energy"]
    assert contents["authors"]["ada-2"]["expertise"] == ["Energy"]

    # What publication needs: dates filled in, or back to review when nothing can be made up.
    assert reports["no-summary"]["status"] == "in_review"
    assert reports["no-region"]["status"] == "in_review"
    assert (reports["no-dates"]["status"], reports["no-dates"]["dated"]) == ("published", True)
    assert reports["image-with-caption"]["hero_alt"] == "Port of Odesa"
    assert reports["image-alone"]["hero_alt"] == "Image for the report “Image-Alone”"
    assert len(reports["long-summary"]["summary"]) <= 300
    assert reports["long-summary"]["summary"].endswith("A long…")  # cut at a word
    assert reports["no-headline"]["title"] == "No headline"

    # A slug differing from another only in case gets a number; unknown values become defaults.
    assert reports["kyiv-strikes-2"]["status"] == "draft"
    assert reports["kyiv-strikes"]["status"] == "draft"
    assert reports["kyiv-strikes"]["kind"] == "sitrep"
    # Blank rows go, long ones are cut, a source without a title takes its address.
    strikes = reports["kyiv-strikes"]
    assert len(strikes["key_points"]) == 1 and len(strikes["key_points"][0]) <= 400
    assert strikes["notes"] == [["update", "Retracted in part."]]
    assert strikes["sources"] == ["https://example.org/a"]
    assert strikes["authors"] == ["ada-2"]

    # Authors.
    authors = contents["authors"]
    assert set(authors) == {"ada", "ada-2", "guest"}
    assert contents["old_authors"] == {
        "/authors/Ada/": "/authors/ada-2/",
        "/authors/Ada/feed/": "/authors/ada-2/feed/",
    }
    assert authors["ada-2"]["photo_alt"] == "Photo of Ada King"
    assert authors["guest"]["name"] == "guest"
    assert len(authors["guest"]["short_bio"]) <= 600
    assert authors["guest"]["bio"].startswith("<p>word word")

    # Regions: codes in capitals, padded, or cleared when taken or malformed.
    assert contents["regions"]["ukraine-2"] == ["Black Sea", "", "", ""]
    assert contents["regions"]["baltic"] == ["Baltic", "", "", "007"]
    assert contents["regions"]["arctic"] == ["Arctic", "", "", ""]


# The demo content, with small pictures in place of the maps and monograms, to be quick.
LOAD_DEMO = """
from io import BytesIO
from PIL import Image
from reports.demo import loader, pictures

def small_picture(*args, **kwargs):
    buffer = BytesIO()
    Image.new("RGB", (16, 12), "navy").save(buffer, "JPEG")
    return buffer.getvalue()

pictures.locator_map = pictures.monogram = small_picture
print(loader.load_demo())
"""


def test_the_demo_content_goes_through_the_migrations_untouched(manage):
    # Loaded with today's models, then taken back to before the rules: the demo loader writes
    # columns that the older tables do not have.
    manage("migrate", "--no-input")
    manage("load_regions")
    manage("shell", "-v", "0", "-c", LOAD_DEMO)
    before = manage.contents()
    manage.before_the_rules("")
    output = manage("migrate", "--no-input")
    assert "tidied" not in output and "merged" not in output
    assert manage.contents() == before
