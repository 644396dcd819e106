"""The site's content in one archive file, and back (``manage.py export_content`` and
``manage.py import_content``).

An archive is a gzipped tar file holding:

- ``manifest.json``: the format and its version, when it was made, each table carried (its
  fields, how many rows, the file holding them) and each media file (name, size, SHA-256);
- ``data/<app>.<model>.jsonl``: a table's rows, one JSON array of field values a line, in the
  order of the manifest's fields;
- ``media/<name>``: the stored images (hero images, author photos, and the images earlier
  versions in History refer to), under their names in storage.

Rows keep their primary keys, so what refers to them (History's stored versions among them)
stays right. References to content types and permissions, whose ids differ between
databases, are written by their natural keys; the groups by name (migrations make the
roles). What is derived is left out and rebuilt on import: the search vectors, the image
renditions and the content version the page cache keys on. Sessions, queued tasks, sign-in
attempts, the desk's action log and two-factor devices are no content and are not carried.
"""

import base64
import hashlib
import io
import json
import os
import tarfile
import tempfile
import zlib
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path, PurePosixPath
from uuid import UUID

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connections,
    transaction,
)
from django.db.models import FileField
from django.utils import timezone
from django_prose_editor.fields import ProseEditorField

FORMAT = "diethnos-content"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH = 1000
CHUNK = 1024 * 1024

# The tables carried, each after the tables it refers to. Auto-created many-to-many tables
# are named as Django names their models ("group_permissions").
TABLES = [
    "auth.group",
    "auth.group_permissions",
    "auth.user",
    "auth.user_groups",
    "auth.user_user_permissions",
    "tags.region",
    "tags.region_members",
    "tags.topic",
    "authors.author",
    "authors.author_expertise",
    "reports.report",
    "reports.report_regions",
    "reports.taggedreport",
    "reports.keypoint",
    "reports.reportauthor",
    "reports.source",
    "reports.updatenote",
    "reports.sharelink",
    "taggit.tag",
    "taggit.taggeditem",
    "reversion.revision",
    "reversion.version",
    "diethnos.redirect",
    "corrections.correctionspolicy",
    "api.apikey",  # partners' keys keep working on a restored site
]

# Models of the project's own apps that are deliberately not carried, and why.
NOT_CARRIED = {
    "diethnos.contentversion": "derived: import sets a new one, retiring cached pages",
    "reports.editingpresence": "who had a report open in the last minutes: stale by any restore",
}

# Tables whose rows are matched to rows a migrated database already has (the roles made by
# migrations), not copied with their keys.
MERGED = {"auth.group", "auth.group_permissions"}


# What reading a damaged or truncated archive raises.
UNREADABLE = (tarfile.TarError, OSError, EOFError, zlib.error)


class ArchiveError(Exception):
    """The archive cannot be read or restored: the message says why, for the person running
    the command."""


def carried_models():
    """The models of ``TABLES``, in order."""
    user_model = get_user_model()
    models = []
    for label in TABLES:
        if label.startswith("auth.user"):
            label = label.replace("auth.user", user_model._meta.label_lower, 1)
        app_label, model_name = label.split(".")
        models.append(apps.get_model(app_label, model_name))
    return models


def _label(model):
    return model._meta.label_lower


def _fields(model):
    """The fields of ``model`` an archive carries: every column but the derived ones."""
    return [
        field for field in model._meta.concrete_fields if not isinstance(field, SearchVectorField)
    ]


def _natural_key_target(field):
    """ "contenttype" or "permission" for a reference written by natural key, else None."""
    if not field.is_relation:
        return None
    target = _label(field.related_model)
    return {"contenttypes.contenttype": "contenttype", "auth.permission": "permission"}.get(target)


def _natural_keys():
    """{("contenttype" | "permission", id): [natural key]} for this database."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    keys = {
        ("contenttype", pk): [app, model]
        for pk, app, model in content_type.objects.values_list("pk", "app_label", "model")
    }
    keys.update(
        (("permission", pk), [app, model, codename])
        for pk, app, model, codename in permission.objects.values_list(
            "pk", "content_type__app_label", "content_type__model", "codename"
        )
    )
    return keys


def _json_value(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()  # as BinaryField.to_python reads it
    return value


# ---------------------------------------------------------------------------------------------
# Export


def export_content(path, *, log=None):
    """Write every carried table and the media files they refer to into an archive at
    ``path`` (a str or Path). The file appears whole or not at all: it is written next to
    ``path`` under a temporary name, then renamed. Rows are read in batches and written as
    they come, so the size of the site does not matter to memory.

    Returns a summary dict: ``rows`` ({table: count}), ``files`` (how many media files),
    ``missing`` (names of media files rows refer to that storage lacks) and ``bytes`` (the
    archive's size). ``log``, if given, is called with lines of progress.
    """
    log = log or (lambda line: None)
    path = Path(path)
    connection = connections[DEFAULT_DB_ALIAS]
    outermost = not connection.in_atomic_block
    with transaction.atomic(), tempfile.TemporaryDirectory() as workdir:
        if connection.vendor == "postgresql" and outermost:
            # Every table as of one moment, while the site goes on writing.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _export(path, Path(workdir), log)


def _export(path, workdir, log):
    keys = _natural_keys()
    tables, rows_by_table, wanted = [], {}, {}
    for model in carried_models():
        label, fields = _label(model), _fields(model)
        name = f"data/{label}.jsonl"
        count = _write_rows(model, fields, keys, workdir / name, wanted)
        tables.append(
            {"model": label, "fields": [f.attname for f in fields], "rows": count, "file": name}
        )
        rows_by_table[label] = count
        log(f"{label}: {count}")
    _add_files_of_history(wanted)
    media, missing = [], []
    for name in sorted(wanted):
        if not default_storage.exists(name):
            if wanted[name]:  # a current row's file: say so; History's old ones may go
                missing.append(name)
            continue
        media.append(name)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "tables": tables,
        "media": [],
        "missing_media": missing,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            # The media first, hashed as they are copied; the manifest, which lists them,
            # last (import reads it first by name).
            for name in media:
                manifest["media"].append(_add_media(tar, name))
            for table in tables:
                tar.add(workdir / table["file"], arcname=table["file"])
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
        os.chmod(temporary, 0o600)  # it holds password hashes
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return {
        "rows": rows_by_table,
        "files": len(media),
        "missing": missing,
        "bytes": path.stat().st_size,
    }


def _write_rows(model, fields, keys, target, wanted):
    target.parent.mkdir(parents=True, exist_ok=True)
    targets = [_natural_key_target(field) for field in fields]
    files = [i for i, field in enumerate(fields) if isinstance(field, FileField)]
    rows = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
    count = 0
    with open(target, "w", encoding="utf-8") as out:
        for row in rows.iterator(chunk_size=BATCH):
            values = [
                keys.get((kind, value)) if kind and value is not None else _json_value(value)
                for kind, value in zip(targets, row, strict=True)
            ]
            for i in files:
                if values[i]:
                    wanted[values[i]] = True
            out.write(json.dumps(values, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    return count


def _add_files_of_history(wanted):
    """Add to ``wanted`` the images History's stored versions refer to (False: optional), so
    that restoring an earlier version finds its image."""
    version = apps.get_model("reversion", "Version")
    for model in carried_models():
        names = [f.name for f in _fields(model) if isinstance(f, FileField)]
        if not names:
            continue
        stored = version.objects.filter(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
            format="json",
        ).values_list("serialized_data", flat=True)
        for data in stored.iterator(chunk_size=BATCH):
            try:
                objects = json.loads(data)
            except ValueError:
                continue
            for item in objects if isinstance(objects, list) else ():
                fields = item.get("fields") if isinstance(item, dict) else None
                for name in names:
                    value = fields.get(name) if isinstance(fields, dict) else None
                    if value and isinstance(value, str):
                        wanted.setdefault(value, False)


def _add_media(tar, name):
    digest, size = hashlib.sha256(), 0
    with default_storage.open(name, "rb") as source, tempfile.TemporaryFile() as copy:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            copy.write(chunk)
            size += len(chunk)
        copy.seek(0)
        info = tarfile.TarInfo(f"media/{name}")
        info.size, info.mtime = size, int(timezone.now().timestamp())
        tar.addfile(info, copy)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


def _add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


# ---------------------------------------------------------------------------------------------
# Import


def content_counts(using=DEFAULT_DB_ALIAS):
    """{plural name of a model: rows} of the carried tables that hold rows, the roles'
    tables left out (migrations make those): empty for a database ready for an import."""
    counts = {}
    for model in carried_models():
        if _label(model) in MERGED or model._meta.auto_created:
            continue
        count = model._base_manager.using(using).count()
        if count:
            counts[str(model._meta.verbose_name_plural)] = count
    return counts


def delete_content(using=DEFAULT_DB_ALIAS):
    """Delete every carried row (the roles excepted) and the rows of other tables that refer
    to them (two-factor devices, the desk's action log), in one transaction. Files in media
    storage stay."""
    carried = carried_models()
    kept = {model for model in carried if _label(model) in MERGED}
    gone = set(carried) - kept
    dependants = []
    while True:
        more = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model not in gone
            and model not in kept
            and any(
                field.is_relation and field.related_model in gone
                for field in model._meta.concrete_fields
            )
        ]
        if not more:
            break
        dependants = more + dependants
        gone.update(more)
    connection = connections[using]
    tables = [model._meta.db_table for model in [*dependants, *reversed(carried)]]
    # DELETE rather than TRUNCATE (sql_flush), which PostgreSQL refuses in a transaction
    # that has written rows with foreign keys still to be checked.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for table in tables:
            if table not in {model._meta.db_table for model in kept}:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


class Archive:
    """An archive opened for reading: ``Archive(path)`` reads and checks its manifest and
    its tables' files, and raises ArchiveError (the reason in words) for anything amiss: not
    an archive, another format, a newer format version, a table missing, fields this version
    does not know. ``check_media()`` checks the media files."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            self.tar = tarfile.open(self.path, "r:*")
            self.members = {member.name: member for member in self.tar.getmembers()}
        except FileNotFoundError:
            raise ArchiveError(f"There is no file {self.path}.") from None
        except UNREADABLE:
            raise ArchiveError(
                f"{self.path} is not a readable content archive (a .tar.gz file written by "
                "export_content), or it is damaged or cut short."
            ) from None
        self.manifest = self._manifest()
        self._check_tables()

    def close(self):
        self.tar.close()

    def _read(self, name):
        member = self.members.get(name)
        if member is None or not member.isfile():
            raise ArchiveError(f"The archive lacks {name}.")
        try:
            return self.tar.extractfile(member)
        except UNREADABLE as error:
            raise ArchiveError(f"The archive's {name} cannot be read: {error}") from None

    def _manifest(self):
        try:
            manifest = json.loads(self._read(MANIFEST).read().decode())
        except ValueError as error:
            raise ArchiveError(f"The archive's manifest is not valid JSON: {error}") from None
        except UNREADABLE as error:
            raise ArchiveError(f"The archive's manifest cannot be read: {error}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ArchiveError(f"{self.path} is not a diethnos content archive.")
        version = manifest.get("format_version")
        if not isinstance(version, int) or version < 1:
            raise ArchiveError("The archive's manifest gives no format version.")
        if version > FORMAT_VERSION:
            raise ArchiveError(
                f"The archive is of format version {version}, newer than this site reads "
                f"({FORMAT_VERSION}): update the site to the version that made it, then import."
            )
        if not isinstance(manifest.get("tables"), list) or not isinstance(
            manifest.get("media"), list
        ):
            raise ArchiveError("The archive's manifest lists no tables or media.")
        return manifest

    def _check_tables(self):
        known = {_label(model): model for model in carried_models()}
        self.tables = []
        for table in self.manifest["tables"]:
            try:
                label, names, name = table["model"], table["fields"], table["file"]
            except (KeyError, TypeError):
                raise ArchiveError("The archive's manifest lists a table badly.") from None
            model = known.get(label)
            if model is None:
                raise ArchiveError(
                    f"The archive holds a table this site does not know ({label}): it was made "
                    "by a newer version of the site."
                )
            fields = {field.attname: field for field in _fields(model)}
            unknown = [attname for attname in names if attname not in fields]
            if unknown:
                raise ArchiveError(
                    f"The archive's {label} has fields this site does not know "
                    f"({', '.join(unknown)}): it was made by a newer version of the site."
                )
            lacking = [
                attname
                for attname, field in fields.items()
                if attname not in names and not (field.has_default() or field.null)
            ]
            if lacking:
                raise ArchiveError(f"The archive's {label} lacks the fields {', '.join(lacking)}.")
            if name not in self.members:
                raise ArchiveError(f"The archive lacks {name}, the rows of {label}.")
            self.tables.append((model, [fields[attname] for attname in names], name))
        # Each table after those it refers to, whatever order the manifest gives.
        order = list(known)
        self.tables.sort(key=lambda table: order.index(_label(table[0])))

    def check_media(self):
        """Raise ArchiveError unless every media file the manifest lists is in the archive,
        of its size and SHA-256 (reads them all)."""
        for item in self.manifest["media"]:
            try:
                name, size, sha256 = item["name"], item["size"], item["sha256"]
            except (KeyError, TypeError):
                raise ArchiveError("The archive's manifest lists a media file badly.") from None
            path = PurePosixPath(name)
            if path.is_absolute() or ".." in path.parts or not name:
                raise ArchiveError(f"The archive names a media file outside media: {name}")
            member = f"media/{name}"
            if member not in self.members:
                raise ArchiveError(f"The archive lacks the media file {name}.")
            try:
                damaged = self.members[member].size != size or _sha256(self._read(member)) != sha256
            except UNREADABLE as error:
                message = f"The archive's media file {name} cannot be read: {error}"
                raise ArchiveError(message) from None
            if damaged:
                raise ArchiveError(f"The archive's media file {name} is damaged.")

    def rows(self, name, model, fields):
        """The rows of the table file ``name``, each a list of values in ``fields`` order."""
        lines = enumerate(self._read(name), start=1)
        while True:
            try:
                number, line = next(lines)
            except StopIteration:
                return
            except UNREADABLE as error:
                raise ArchiveError(f"The archive's {name} cannot be read: {error}") from None
            try:
                values = json.loads(line)
            except ValueError as error:
                raise ArchiveError(f"{name}, line {number}: not valid JSON ({error}).") from None
            if not isinstance(values, list) or len(values) != len(fields):
                raise ArchiveError(f"{name}, line {number}: not a row of {_label(model)}.")
            yield number, values

    def media_file(self, name):
        return self._read(f"media/{name}")


def _sha256(stream):
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def import_content(path, *, replace=False, using=DEFAULT_DB_ALIAS, log=None):
    """Restore the archive at ``path`` into the database, in one transaction.

    The database must hold no content (``content_counts``) unless ``replace``, which deletes
    what it holds first (``delete_content``), in the same transaction. Rows keep their keys;
    text is normalised and rich text sanitised as on any save; the database's sequences are
    set past the keys; search vectors are rebuilt, and the content version is renewed once
    the transaction commits. Media files are written to storage (replacing other files of
    the same names; files already there as they were are left) and removed again if the
    import fails.

    Returns a summary dict: ``rows`` ({table: count}), ``files`` (media files written),
    ``warnings`` (a list of str). Raises ArchiveError, having changed nothing, for an
    archive that cannot be read or restored, or a database that holds content.
    """
    log = log or (lambda line: None)
    archive = Archive(path)
    written = []
    try:
        if not replace:
            _require_empty(using)  # before reading every image, and again in the transaction
        archive.check_media()
        with transaction.atomic(using=using):
            if replace:
                delete_content(using)
            else:
                _require_empty(using)
            try:
                summary = _import_rows(archive, using, log)
            except DatabaseError as error:
                message = " ".join(str(error).split())
                raise ArchiveError(f"The archive's rows could not be written: {message}") from None
            written = _write_media(archive, log)
            summary["files"] = len(written)
            _reset_sequences(using)
            _rebuild_search_index(using)
            from .page_cache import retire_all_pages

            transaction.on_commit(retire_all_pages, using=using)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    finally:
        archive.close()
    missing = archive.manifest.get("missing_media") or []
    if missing:
        summary["warnings"].append(
            f"{len(missing)} image(s) were already missing where the archive was made: "
            + ", ".join(missing)
        )
    return summary


def _require_empty(using):
    held = content_counts(using)
    if held:
        listed = ", ".join(f"{name}: {count}" for name, count in held.items())
        raise ArchiveError(
            f"The database already holds content ({listed}). Import into an empty database "
            "(migrated, nothing loaded), or pass --replace to delete what it holds first."
        )


def _import_rows(archive, using, log):
    keys = {(kind, tuple(key)): pk for (kind, pk), key in _natural_keys().items()}
    summary = {"rows": {}, "warnings": []}
    groups = {}
    connection = connections[using]
    for model, fields, name in archive.tables:
        label = _label(model)
        count = 0
        batch = []

        def flush(batch=batch, model=model, fields=fields):
            if batch:
                # A raw insert, as loaddata's: the values as they are (no auto_now, no
                # signals), each still through its field's own preparation for the database,
                # which normalises text.
                model._base_manager.using(using)._insert(
                    batch, fields=fields, raw=True, using=using
                )
                batch.clear()

        size = max(1, min(BATCH, connection.ops.bulk_batch_size(fields, [None] * BATCH)))
        for number, values in archive.rows(name, model, fields):
            try:
                row = _row(fields, values, keys, groups)
            except _Skip as skip:
                summary["warnings"].append(f"{label}, line {number}: {skip}")
                continue
            except (ValidationError, ValueError, TypeError) as error:
                raise ArchiveError(f"{name}, line {number}: {_reason(error)}") from None
            if label == "auth.group":
                group, _ = model._base_manager.using(using).get_or_create(name=row["name"])
                groups[row["id"]] = group.pk
            elif label == "auth.group_permissions":
                del row["id"]
                model._base_manager.using(using).get_or_create(**row)
            else:
                batch.append(model(**row))
                if len(batch) >= size:
                    flush()
            count += 1
        flush()
        if label == "auth.group":
            # The roles' permissions are the archive's.
            through = model.permissions.through
            through.objects.using(using).filter(group_id__in=groups.values()).delete()
        summary["rows"][label] = count
        log(f"{label}: {count}")
    try:
        connection.check_constraints(
            table_names=[model._meta.db_table for model, _, _ in archive.tables]
        )
    except IntegrityError as error:
        raise ArchiveError(f"The archive's rows do not fit together: {error}") from None
    return summary


class _Skip(Exception):
    pass


def _row(fields, values, keys, groups):
    row = {}
    for field, value in zip(fields, values, strict=True):
        kind = _natural_key_target(field)
        if kind and value is not None:
            pk = keys.get((kind, tuple(value)))
            if pk is None:
                raise _Skip(f"this site has no {kind} {'.'.join(value)}")
            value = pk
        elif field.is_relation and _label(field.related_model) == "auth.group":
            value = groups.get(value, value)
        elif isinstance(field, ProseEditorField):
            value = field.sanitize(value or "")
        elif value is not None and not field.is_relation:
            value = field.to_python(value)
        row[field.attname] = value
    return row


def _reason(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _write_media(archive, log):
    written = []
    for item in archive.manifest["media"]:
        name = item["name"]
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                if _sha256(stored) == item["sha256"]:
                    continue  # already there as it was
            default_storage.delete(name)
        stored = default_storage.save(name, File(archive.media_file(name), name=name))
        written.append(stored)
        if stored != name:
            raise ArchiveError(f"Media storage kept {name} as {stored}: it must keep the name.")
    log(f"media files: {len(written)}")
    return written


def _reset_sequences(using):
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), carried_models())
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _rebuild_search_index(using):
    from reports.models import Report
    from reports.search import reindex, uses_full_text

    if not uses_full_text(using):
        return
    ids = list(Report.objects.using(using).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        reindex(ids[start : start + BATCH])
