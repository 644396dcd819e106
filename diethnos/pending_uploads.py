"""A file chosen in a desk form is never lost when the save is refused for another reason.

The browser cannot send a chosen file again: a form drawn again with its errors has an empty
file input. So when a desk form is refused (missing alt text, an inline row's error, another
editor's save), each new upload that passed its own checks is kept under
``MEDIA_ROOT/pending/`` and the form carries a signed reference to it in a hidden input, next
to the words "Image chosen: name.jpg, kept". The next submission of the form uses it, checked
again as any upload is (``diethnos.images``), unless a new file is chosen or the editor ticks
"Don't use it". A reference that is not signed here, or older than ``MAX_AGE`` seconds, is
ignored, and its file deleted the next time a file is kept.
"""

import uuid
from pathlib import PurePath

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core import signing
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html

SALT = "diethnos.pending_uploads"
MAX_AGE = 24 * 60 * 60
FOLDER = "pending"
# The hidden input holding a field's reference, and the checkbox that drops it.
REFERENCE_SUFFIX = "__pending"
DROP_SUFFIX = "__pending_drop"


def keep(upload):
    """Store ``upload`` (an UploadedFile that passed its checks) under ``pending/`` and
    return a signed reference to it (a str). An upload already kept keeps its reference."""
    if reference := getattr(upload, "pending_reference", None):
        return reference
    prune()
    name = PurePath(upload.name).name or "upload"
    upload.seek(0)
    path = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}/{name}", upload)
    upload.seek(0)
    reference = signing.dumps(
        {"path": path, "name": name, "type": upload.content_type or ""}, salt=SALT
    )
    upload.pending_reference, upload.pending_path = reference, path
    return reference


def prune(now=None):
    """Delete the kept files older than ``MAX_AGE`` (their references have expired).
    Returns how many were deleted."""
    now = now or timezone.now()
    deleted = 0
    try:
        folders, _ = default_storage.listdir(FOLDER)
        for folder in folders:
            for name in default_storage.listdir(f"{FOLDER}/{folder}")[1]:
                path = f"{FOLDER}/{folder}/{name}"
                if (now - default_storage.get_modified_time(path)).total_seconds() > MAX_AGE:
                    default_storage.delete(path)
                    deleted += 1
    except (OSError, NotImplementedError):
        pass  # nothing kept yet, or a storage that cannot list: the files stay
    return deleted


def load(reference):
    """The file a reference made by ``keep`` names, as a SimpleUploadedFile; None if the
    reference is not valid, has expired, or its file is gone."""
    try:
        kept = signing.loads(reference, salt=SALT, max_age=MAX_AGE)
        path = kept["path"]
        if not path.startswith(f"{FOLDER}/") or ".." in path:
            return None
        with default_storage.open(path) as file:
            content = file.read()
    except (signing.BadSignature, KeyError, TypeError, OSError, SuspiciousOperation):
        return None
    upload = SimpleUploadedFile(kept.get("name") or "upload", content, kept.get("type"))
    upload.pending_reference, upload.pending_path = reference, path
    return upload


def keep_uploads(form):
    """After ``form`` (bound, validated) was refused: keep every new upload of it that passed
    its own field's checks, so that the form drawn again shows and carries it."""
    if not form.is_bound or not hasattr(form, "cleaned_data"):
        return
    for name, field in form.fields.items():
        upload = form.cleaned_data.get(name)
        if isinstance(field, forms.FileField) and name not in form.errors:
            if isinstance(upload, UploadedFile):
                keep(upload)


def discard_used(form):
    """After ``form`` was saved: delete the kept files it used (once the save commits)."""
    for name, field in form.fields.items():
        path = getattr(form.cleaned_data.get(name), "pending_path", None)
        if isinstance(field, forms.FileField) and path:
            transaction.on_commit(lambda path=path: default_storage.delete(path))


class KeepsPendingUpload:
    """For a file input widget: takes the kept file of the form's last, refused submission
    when no new file is chosen, and shows it with its hidden reference."""

    noun = "Image"

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        reference = data.get(name + REFERENCE_SUFFIX)
        if value is None and reference and not data.get(name + DROP_SUFFIX):
            # Read once per form, however often the form asks.
            cache = self.__dict__.setdefault("_kept", {})
            if reference not in cache:
                cache[reference] = load(reference)
            value = cache[reference]
        # Drawn again, a file input shows no file (FileField.bound_data): the form's last
        # upload is remembered here, and shown if it was kept.
        self.upload = value
        return value

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        upload = getattr(self, "upload", None)
        reference = getattr(upload, "pending_reference", None)
        if not reference:
            return html
        drop_id = f"id_{name}{DROP_SUFFIX}"
        return html + format_html(
            '<div class="pending-upload" role="status">'
            '<input type="hidden" name="{}" value="{}">'
            "{} chosen: <strong>{}</strong>, kept. It is saved with the next save; choose "
            "another file to replace it. "
            '<label for="{}"><input type="checkbox" name="{}" id="{}"> Don’t use it</label>'
            "</div>",
            name + REFERENCE_SUFFIX,
            reference,
            self.noun,
            PurePath(upload.name).name,
            drop_id,
            name + DROP_SUFFIX,
            drop_id,
        )


class PendingAdminFileWidget(KeepsPendingUpload, AdminFileWidget):
    """The desk's file input for an image, keeping a file chosen in a refused submission."""


# formfield_overrides for a desk ModelAdmin whose images must survive a refused save.
PENDING_UPLOAD_FORMFIELDS = {"widget": PendingAdminFileWidget}
