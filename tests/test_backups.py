"""The site's content survives ``export_content`` and ``import_content`` whole: every row of
every carried table, field by field, and every image byte for byte; and an archive that is
damaged, incomplete or too new, or a database that already holds content, is refused with a
clear message and nothing written."""

import hashlib
import io
import json
import shutil
import tarfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import reversion
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection
from django.db.models import FileField
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from api.models import ApiKey
from authors.models import Author
from corrections.models import CorrectionsPolicy
from diethnos import backups
from diethnos.models import ContentVersion, Redirect
from reports import workflow
from reports.models import Report, UpdateNote
from reports.sharing import ShareLink
from tags.models import Region

from .factories import (
    AuthorFactory,
    ContributorFactory,
    EditorFactory,
    ReportFactory,
    TopicFactory,
    UpdateNoteFactory,
    image_upload,
    region,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # the factories' (tests/factories.py)


def rich_site():
    """A site with a row in every carried table and every state of a report."""
    editor = EditorFactory(username="eleni", first_name="Eleni", last_name="Papadopoulou")
    contributor = ContributorFactory(username="amara", first_name="Amara", last_name="Okafor")
    contributor.user_permissions.add(Permission.objects.get(codename="view_redirect"))
    # A role changed by an editor since the migration made it: the archive's roles win.
    Group.objects.get(name="Contributors").permissions.remove(
        Permission.objects.get(codename="add_report")
    )

    security = TopicFactory(name="Ασφάλεια", description="Κυβερνοασφάλεια και υβριδικές απειλές.")
    energy = TopicFactory(name="Energy")
    amara = Author.objects.create(
        name="Amara Okafor",
        user=contributor,
        role_line="Energy analyst",
        short_bio="Covers gas and grids.",
        bio="<p>Writes on <strong>energy</strong> security.</p>",
        photo=image_upload("amara.jpg", size=(60, 80), color="teal"),
        photo_alt="Amara Okafor, smiling",
        website="https://amara.example.org/",
        email="amara@example.org",
        show_email=True,
        x="https://x.com/amara",
        bluesky="https://bsky.app/profile/amara",
        linkedin="https://www.linkedin.com/in/amara",
        orcid="https://orcid.org/0000-0002-1825-0097",
    )
    amara.expertise.add(security, energy)
    guest = AuthorFactory(name="Guest Writer", slug="guest-writer")
    partner_key = ApiKey(name="Relief partner", contact="data@relief.example", rate_limit=900)
    partner_key.issue()
    partner_key.save()
    AuthorFactory(name="Former Analyst", slug="former-analyst", is_active=False)

    sahel = Region.objects.create(
        name="Central Sahel", kind=Region.Kind.GROUP, description="Mali, Burkina Faso, Niger."
    )
    sahel.members.add(region("ML"), region("BF"), region("NE"))
    Region.objects.filter(iso2="UA").update(description="Eastern Europe's largest country.")

    ReportFactory(
        title="Grain corridor: a draft",
        slug="grain-corridor",
        status=Report.Status.DRAFT,
        publish_at=None,
        authors=[guest],
        created_by=contributor,
    )
    ReportFactory(
        title="Sahel juntas: in review",
        slug="sahel-juntas",
        status=Report.Status.IN_REVIEW,
        publish_at=None,
        primary_region=sahel,
        authors=[amara],
    )
    ReportFactory(
        title="Elections ahead",
        slug="elections-ahead",
        publish_at=timezone.now() + timedelta(days=2),
        kind=Report.Kind.BRIEF,
    )
    withdrawn = ReportFactory(title="A retracted account", slug="a-retracted-account")
    workflow.withdraw(withdrawn, reason="The source retracted its account.", by=editor)

    lead = ReportFactory(
        title="Ceasefire talks in Doha",
        slug="ceasefire-talks",
        status=Report.Status.DRAFT,
        publish_at=None,
        kind=Report.Kind.ANALYSIS,
        summary="Both delegations attended, for the first time.",
        body="<h2>Background</h2><p>On <em>October 28</em>, the talks resumed.</p>",
        situation_as_of=date(2024, 10, 28),
        featured=True,
        seo_title="Doha talks",
        seo_description="What the Doha talks may bring.",
        key_points=["Both delegations attended.", "A prisoner exchange was agreed."],
        authors=[guest, amara],  # the byline's order, not the authors' ids
        topics=[security, energy],
        regions=[region("RU"), sahel],
        sources=["Reuters dispatch", "OCHA situation update"],
        hero_image=image_upload("doha.png", size=(120, 80), image_format="PNG", color="olive"),
        hero_alt="Delegates at the table",
        hero_caption="The second round of talks.",
        hero_credit="Photo: Agency",
        created_by=editor,
    )
    workflow.publish(lead, by=editor)
    UpdateNoteFactory(report=lead, text="Casualty figures were revised.")
    UpdateNoteFactory(
        report=lead, kind=UpdateNote.Kind.CORRECTION, text="The venue was misnamed.\nFixed."
    )
    first_image = lead.hero_image.name
    draft = workflow.working_draft(lead, by=editor)
    draft.title = "Ceasefire talks resume in Doha"
    # The first image is now only in History's versions.
    draft.hero_image = image_upload("doha-2.png", size=(90, 60), image_format="PNG")
    draft.hero_alt = "The delegations arriving"
    draft.save()
    workflow.publish_changes(draft, by=editor)
    lead.refresh_from_db()
    lead.slug = "ceasefire-talks-resume"  # the old address now redirects
    lead.save()
    draft = workflow.working_draft(lead, by=editor)
    draft.title = "Ceasefire talks stall in Doha"
    draft.save()
    workflow.publish_changes(draft, when=timezone.now() + timedelta(hours=3), by=editor)
    with reversion.create_revision():
        reversion.set_comment("A note to History.")
        reversion.add_to_revision(Report.all_objects.get(pk=draft.pk))
    Redirect.objects.create(old_path="/old-about/", new_path="/reports/")
    ShareLink.make(lead, by=editor)
    CorrectionsPolicy.objects.create(text="<p>We correct errors <strong>openly</strong>.</p>")
    assert Report.all_objects.filter(hero_image=first_image).count() == 0
    return lead


def natural(field, value):
    if value is None or not field.is_relation:
        return value
    target = field.related_model._meta.label_lower
    if target == "contenttypes.contenttype":
        ct = field.related_model.objects.get(pk=value)
        return (ct.app_label, ct.model)
    if target == "auth.permission":
        permission = Permission.objects.select_related("content_type").get(pk=value)
        return (permission.content_type.app_label, permission.codename)
    if target == "auth.group":
        return Group.objects.get(pk=value).name
    return value


# What is no content: the framework's own tables, sessions, queued tasks, sign-in attempts,
# the desk's action log, two-factor devices, and the page cache's version.
NOT_CONTENT_APPS = {
    *("contenttypes", "sessions", "admin", "axes", "django_tasks_database"),
    *("otp_totp", "otp_static"),
}
NOT_CONTENT = {"auth.permission", "diethnos.contentversion", "reports.editingpresence"}


def compared_models():
    """Every model but those holding no content, whether the archive carries it or not."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in NOT_CONTENT_APPS
        and model._meta.label_lower not in NOT_CONTENT
    ]


def canonical():
    """Every row of every carried table, by natural key where ids differ between databases,
    and the SHA-256 of every media file the rows name (renditions left out)."""
    dump = {}
    for model in compared_models():
        label = model._meta.label_lower
        fields = [f for f in model._meta.concrete_fields if f.name != "search_vector"]
        if label in backups.MERGED:
            fields = [f for f in fields if not f.primary_key]
        rows = [
            tuple(natural(f, value) for f, value in zip(fields, row, strict=True))
            for row in model._base_manager.values_list(*[f.attname for f in fields])
        ]
        dump[label] = sorted(rows, key=repr)
    media = Path(backups.default_storage.location)
    dump["media"] = {
        str(path.relative_to(media)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(media.rglob("*"))
        if path.is_file() and path.relative_to(media).parts[0] != "renditions"
    }
    return dump


def wipe(settings):
    """Empty the database and media storage of content."""
    backups.delete_content()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def restart_sequences():
    """Turn the sequences of the carried tables back to 1, as in a database just migrated.

    Sequences are outside transactions: call this only before an import that succeeds,
    which moves them past every row the test database started with again.
    """
    sequences = [
        sequence
        for sequence in connection.introspection.sequence_list()
        if sequence["table"] in {model._meta.db_table for model in backups.carried_models()}
        and sequence["table"] != "auth_group"
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(statement)


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def site(tmp_path):
    lead = rich_site()
    path = tmp_path / "content.tar.gz"
    run("export_content", str(path))
    return lead, path


def test_every_model_of_the_site_is_carried_or_left_out_on_purpose():
    carried = {model._meta.label_lower for model in backups.carried_models()}
    for app in ("diethnos", "authors", "tags", "reports", "corrections", "api"):
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            label = model._meta.label_lower
            assert label in carried or label in backups.NOT_CARRIED, label


def test_a_site_exported_and_imported_into_an_empty_database_is_the_same(site, settings, client):
    lead, path = site
    before = canonical()
    unused = {"taggit.tag", "taggit.taggeditem"}
    assert all(rows for label, rows in before.items() if label not in unused), [
        label for label, rows in before.items() if not rows
    ]
    states = {
        (r.status, r.is_scheduled, r.draft_of_id is not None) for r in Report.all_objects.all()
    }
    assert states == {
        ("draft", False, False),
        ("in_review", False, False),
        ("published", True, False),  # scheduled
        ("published", False, False),
        ("withdrawn", False, False),
        ("draft", False, True),  # a working draft, with changes scheduled
    }
    assert Report.all_objects.filter(changes_publish_at__isnull=False).exists()
    wipe(settings)
    assert backups.content_counts() == {}
    emptied = canonical()
    assert emptied["media"] == {}
    assert [label for label, rows in emptied.items() if rows and label not in backups.MERGED] == []

    output = run("import_content", str(path))

    assert "Imported" in output
    assert canonical() == before
    # The renditions are made again.
    assert list((Path(settings.MEDIA_ROOT) / "renditions").rglob("*.webp"))

    # The public page, the old address and an author's sign-in work.
    lead = Report.objects.get(pk=lead.pk)
    page = client.get(lead.get_absolute_url())
    assert page.status_code == 200
    assert "Ceasefire talks resume in Doha" in page.content.decode()
    moved = client.get("/reports/ceasefire-talks/?utm=x")
    assert (moved.status_code, moved["Location"]) == (301, "/reports/ceasefire-talks-resume/?utm=x")
    signed_in = client.post(reverse("login"), {"username": "amara", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(reverse("profile")).status_code == 200


def test_history_still_restores_earlier_versions_after_an_import(site, settings):
    lead, path = site
    wipe(settings)
    run("import_content", str(path), "--skip-renditions")
    versions = Version.objects.get_for_object(Report.all_objects.get(pk=lead.pk))
    first = versions.order_by("revision__date_created", "pk").first()
    assert first.field_dict["title"] == "Ceasefire talks in Doha"
    draft = workflow.restore(first)
    assert draft.title == "Ceasefire talks in Doha"
    assert draft.hero_image.name != lead.hero_image.name
    assert draft.hero_image.storage.exists(draft.hero_image.name)
    assert draft.hero_alt == "Delegates at the table"
    assert [p.text for p in draft.key_points.all()] == [
        "Both delegations attended.",
        "A prisoner exchange was agreed.",
    ]


def test_new_rows_after_an_import_get_keys_of_their_own(site, settings):
    _, path = site
    wipe(settings)
    restart_sequences()
    run("import_content", str(path), "--skip-renditions")
    highest = Report.all_objects.order_by("-pk").values_list("pk", flat=True).first()
    assert ReportFactory().pk > highest
    assert AuthorFactory().pk > Author.objects.exclude(slug__startswith="analyst-").latest("pk").pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a stored index on PostgreSQL")
def test_the_search_index_is_rebuilt_on_import(site, settings, client):
    _, path = site
    wipe(settings)
    run("import_content", str(path), "--skip-renditions")
    assert not Report.objects.filter(search_vector=None).exists()
    page = client.get("/search/", {"q": "prisoner exchange"})
    assert "Ceasefire talks resume in Doha" in page.content.decode()


def test_a_database_that_holds_content_is_refused_and_nothing_is_written(site, settings):
    _, path = site
    before = canonical()
    shutil.rmtree(settings.MEDIA_ROOT)
    with pytest.raises(CommandError) as refusal:
        run("import_content", str(path))
    message = str(refusal.value)
    assert "already holds content" in message and "--replace" in message
    assert "reports" in message and "Nothing was imported" in message
    assert {k: v for k, v in canonical().items() if k != "media"} == {
        k: v for k, v in before.items() if k != "media"
    }
    assert not Path(settings.MEDIA_ROOT).exists()


def test_replace_swaps_what_the_database_holds_for_the_archive(site, settings):
    _, path = site
    before = canonical()
    ReportFactory(title="Written after the backup")
    run("import_content", str(path), "--replace", "--skip-renditions")
    assert canonical() == before


def test_the_command_exits_non_zero_with_the_reason(site, monkeypatch, capsys):
    _, path = site
    # As from the shell, but on the test's connection, which the command would close.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exit:
        execute_from_command_line(["manage.py", "import_content", str(path)])
    assert exit.value.code == 1
    assert "already holds content" in capsys.readouterr().err


def rewritten(path, tmp_path, change):
    """A copy of the archive at ``path`` with ``change`` applied to {member name: bytes}."""
    with tarfile.open(path) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    change(members)
    copy = tmp_path / "changed.tar.gz"
    with tarfile.open(copy, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return copy


def manifest_of(members):
    return json.loads(members[backups.MANIFEST])


def refused(path, settings, *words):
    """Import ``path`` into the emptied database: it is refused, naming ``words``, and the
    database and media storage stay empty."""
    wipe(settings)
    with pytest.raises(CommandError) as refusal:
        run("import_content", str(path))
    message = str(refusal.value)
    for word in words:
        assert word in message
    assert "Traceback" not in message
    assert backups.content_counts() == {}
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.*"))
    return message


def test_a_file_that_is_no_archive_is_refused(tmp_path, settings):
    path = tmp_path / "notes.tar.gz"
    path.write_text("not an archive")
    refused(path, settings, "not a readable content archive")
    refused(tmp_path / "absent.tar.gz", settings, "There is no file")


def test_an_archive_cut_short_is_refused(site, tmp_path, settings):
    _, path = site
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    refused(cut, settings, "Nothing was imported")


def test_bad_json_in_a_table_is_refused_with_its_line(site, tmp_path, settings):
    _, path = site

    def break_a_line(members):
        name = "data/reports.keypoint.jsonl"
        members[name] = members[name].replace(b"\n", b"\n{oops\n", 1)

    refused(rewritten(path, tmp_path, break_a_line), settings, "reports.keypoint.jsonl, line 2")


def test_rows_that_do_not_fit_together_are_refused(site, tmp_path, settings):
    _, path = site

    def drop_reports(members):
        members["data/reports.report.jsonl"] = b""

    refused(rewritten(path, tmp_path, drop_reports), settings, "do not fit together")


def test_a_row_given_twice_is_refused(site, tmp_path, settings):
    _, path = site

    def repeat_a_row(members):
        name = "data/reports.source.jsonl"
        first = members[name].split(b"\n")[0]
        members[name] += first + b"\n"

    refused(rewritten(path, tmp_path, repeat_a_row), settings, "could not be written")


def test_an_archive_missing_a_media_file_is_refused(site, tmp_path, settings):
    _, path = site

    def drop_photo(members):
        name = next(name for name in members if name.startswith("media/authors/"))
        del members[name]

    refused(rewritten(path, tmp_path, drop_photo), settings, "lacks the media file authors/")


def test_a_damaged_media_file_is_refused(site, tmp_path, settings):
    _, path = site

    def damage(members):
        name = next(name for name in members if name.startswith("media/reports/"))
        members[name] = members[name][:-1] + b"x"

    refused(rewritten(path, tmp_path, damage), settings, "is damaged")


def test_an_archive_of_a_newer_format_is_refused(site, tmp_path, settings):
    _, path = site

    def newer(members):
        manifest = manifest_of(members)
        manifest["format_version"] = backups.FORMAT_VERSION + 1
        members[backups.MANIFEST] = json.dumps(manifest).encode()

    refused(rewritten(path, tmp_path, newer), settings, "newer than this site reads")


def test_an_archive_with_fields_this_site_does_not_know_is_refused(site, tmp_path, settings):
    _, path = site

    def unknown_field(members):
        manifest = manifest_of(members)
        manifest["tables"][0]["fields"].append("colour")
        members[backups.MANIFEST] = json.dumps(manifest).encode()

    refused(rewritten(path, tmp_path, unknown_field), settings, "colour")


def test_imported_text_is_normalised_and_rich_text_sanitised(site, tmp_path, settings):
    lead, path = site

    def tamper(members):
        name = "data/reports.report.jsonl"
        fields = next(
            t["fields"] for t in manifest_of(members)["tables"] if t["model"] == "reports.report"
        )
        lines = []
        for line in members[name].decode().splitlines():
            row = json.loads(line)
            if row[0] == lead.pk:
                row[fields.index("title")] = "Ceasefire talks\x0bin Doha\x00"
                row[fields.index("body")] = "<p>Text</p><script>alert(1)</script>"
            lines.append(json.dumps(row, ensure_ascii=False))
        members[name] = ("\n".join(lines) + "\n").encode()

    wipe(settings)
    run("import_content", str(rewritten(path, tmp_path, tamper)), "--skip-renditions")
    lead = Report.objects.get(pk=lead.pk)
    assert lead.title == "Ceasefire talks in Doha"
    assert "script" not in lead.body and "<p>Text</p>" in lead.body


def test_the_archive_lists_its_tables_and_media_and_is_written_whole(site, tmp_path):
    lead, path = site
    with tarfile.open(path) as tar:
        manifest = json.loads(tar.extractfile(backups.MANIFEST).read())
    assert (manifest["format"], manifest["format_version"]) == ("diethnos-content", 1)
    counts = {table["model"]: table["rows"] for table in manifest["tables"]}
    assert counts["reports.report"] == Report.all_objects.count()
    images = {
        getattr(row, field.name).name
        for model in (Report, Author)
        for field in model._meta.concrete_fields
        if isinstance(field, FileField)
        for row in model._base_manager.exclude(**{field.name: ""})
    }
    assert images <= {item["name"] for item in manifest["media"]}
    assert not list(tmp_path.glob(".content.tar.gz.*"))  # no temporary file left
    assert path.stat().st_mode & 0o077 == 0  # it holds password hashes


def stored_content_version():
    return ContentVersion.objects.filter(pk=1).values_list("value", flat=True).first()


def test_an_import_retires_every_cached_page(site, settings, django_capture_on_commit_callbacks):
    _, path = site
    wipe(settings)
    before = stored_content_version()
    with django_capture_on_commit_callbacks(execute=True):
        run("import_content", str(path), "--skip-renditions")
    assert stored_content_version() != before


def test_images_already_in_storage_are_kept_and_the_others_restored(site, settings):
    lead, path = site
    photo = Path(settings.MEDIA_ROOT) / Author.objects.get(slug="amara-okafor").photo.name
    hero = Path(settings.MEDIA_ROOT) / lead.hero_image.name
    kept, written = photo.stat().st_mtime_ns, hero.read_bytes()
    hero.write_bytes(b"something else")
    backups.delete_content()
    run("import_content", str(path), "--skip-renditions")
    assert photo.stat().st_mtime_ns == kept
    assert hero.read_bytes() == written
