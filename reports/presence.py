"""Who else is editing a report in the desk, so that two people know of each other.

The report's change form records that its user has it open (``seen``), on every drawing and
then every half minute from a small script (``static/admin/also-editing.js``, which calls the
desk's heartbeat address); saving records the save (``saved``). Anyone else who had the report
open within ``OPEN_WINDOW`` or saved it within ``SAVED_WINDOW`` is named on the form ("Also
editing: …"), drawn with the page, so it shows without the script too. This only informs: a
save based on an overtaken form is still refused (``reports.overtaken``).
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import formats, timezone

from .models import Report

OPEN_WINDOW = timedelta(minutes=2)
SAVED_WINDOW = timedelta(minutes=10)


class EditingPresence(models.Model):
    """``user`` has had ``report``'s change form open from ``since`` until ``last_seen``, and
    saved it last at ``last_saved``. ``report`` is the live report (or the unpublished one),
    whichever row its change form edits."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    last_saved = models.DateTimeField(null=True, blank=True)

    # Changes no page readers see (see diethnos.page_cache).
    is_public_content = False

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="unique_editing_presence")
        ]

    def __str__(self):
        return f"{self.user} on {self.report_id}"

    @property
    def name(self):
        return self.user.get_full_name() or self.user.get_username()

    @property
    def is_open(self):
        return self.last_seen >= timezone.now() - OPEN_WINDOW

    def describe(self):
        """ "Name (since 10:32)", or "Name (last saved 10:35)" once the form is closed."""
        if self.is_open:
            what = f"since {_time(self.since)}"
            if self.last_saved and self.last_saved >= self.since:
                what += f", last saved {_time(self.last_saved)}"
        else:
            what = f"last saved {_time(self.last_saved)}"
        return f"{self.name} ({what})"


def _time(moment):
    return formats.time_format(timezone.localtime(moment), "H:i")


def _record(report, user, **changes):
    now = timezone.now()
    report_id = report.draft_of_id or report.pk
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                presence, made = EditingPresence.objects.select_for_update().get_or_create(
                    report_id=report_id, user=user, defaults={"since": now, "last_seen": now}
                )
                if not made and presence.last_seen < now - OPEN_WINDOW:
                    presence.since = now  # opened again after a while
                presence.last_seen = now
                for name, value in changes.items():
                    setattr(presence, name, value(now))
                presence.save()
                return presence
        except IntegrityError:
            if attempt == 2:  # the same user, in two tabs at the same moment: theirs counts
                raise


def seen(report, user):
    """Record that ``user`` has ``report``'s change form open now. Returns their presence."""
    return _record(report, user)


def saved(report, user):
    """Record that ``user`` saved ``report`` (a report or its working draft) now."""
    return _record(report, user, last_saved=lambda now: now)


def others(report, user):
    """Everyone but ``user`` who had ``report`` open within ``OPEN_WINDOW`` or saved it within
    ``SAVED_WINDOW``: a list of ``EditingPresence``, the longest there first (one query)."""
    now = timezone.now()
    recent = Q(last_seen__gte=now - OPEN_WINDOW) | Q(last_saved__gte=now - SAVED_WINDOW)
    return list(
        EditingPresence.objects.filter(recent, report_id=report.draft_of_id or report.pk)
        .exclude(user=user)
        .select_related("user")
        .order_by("since", "pk")
    )


def notice(presences):
    """ "Also editing: …" naming each of ``presences``; "" for none."""
    if not presences:
        return ""
    return "Also editing: " + "; ".join(presence.describe() for presence in presences) + "."
