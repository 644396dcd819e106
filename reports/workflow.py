"""Every change of a report's state, each one function in one transaction.

The editors' desk (its buttons and list actions), management commands and any later API call
these; ``Report.save()`` only saves. Each function writes a version to History (who, when, what
was done) and raises ``ReportOvertaken`` (having written nothing) when the report was saved by
someone else since the instance it was given was loaded.

Once a report has been published (or scheduled) or withdrawn, readers keep seeing its row (the
*live* report) while the desk edits its *working draft*, a second row (``Report.draft_of``)
made from it when the desk first opens it (``working_draft``). ``publish_changes`` copies the
draft's content onto the live report, at once or at a set time; ``discard_changes`` copies the
live content back onto the draft; ``restore`` puts a version from History into the draft. The
content is copied as a whole (``reports.content.ReportContent``).

What a report needs before publication is ``Report.publication_problems()``, asked here for
first publications and for changes alike.
"""

import logging

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone

from . import notifications
from .content import ReportContent
from .models import Report
from .permissions import can_publish

logger = logging.getLogger(__name__)

NEEDS_REASON = "Say why the report is withdrawn: readers see it in the withdrawal notice."


class _Recorded:
    """``with _Recorded(by, comment, *reports):`` runs a transition in one transaction and
    records ``reports`` (with their rows) in one History revision when it ends."""

    def __init__(self, by, comment):
        self.by, self.comment, self.reports = by, comment, []

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.revision = reversion.create_revision()
        self.revision.__enter__()
        if self.by is not None and self.by.is_authenticated:
            reversion.set_user(self.by)
        reversion.set_comment(self.comment)
        return self

    def record(self, *reports):
        self.reports += reports

    def __exit__(self, *exc):
        if exc[0] is None:
            for report in self.reports:
                reversion.add_to_revision(report)
        self.revision.__exit__(*exc)
        return self.atomic.__exit__(*exc)


def _require_publisher(by):
    if by is not None and not can_publish(by):
        raise PermissionDenied("Only editors publish, schedule, unpublish and withdraw reports.")


def _problems_of(report, live=None):
    """``report.publication_problems()``, and a slug another live report has taken."""
    problems = report.publication_problems()
    others = Report.objects.filter(slug=report.slug).exclude(pk=(live or report).pk)
    if others.exists():
        problems["slug"] = "Another report has this address already. Change the slug."
    return problems


# ---------------------------------------------------------------------------------------------
# Working drafts


def working_draft(report, *, by=None):
    """The working draft of ``report``, a live report that has been published or withdrawn
    (``report.edited_through_draft``): the one it has, else one made now from its content.

    Changes scheduled on it that are due go live first. Returns the draft (a Report).
    Raises ValueError for a report edited directly (never published) or for a working draft.
    """
    if not report.edited_through_draft:
        raise ValueError(f"Report {report.pk} is edited directly, not through a working draft.")
    draft = Report.all_objects.filter(draft_of=report).first()
    if draft is not None:
        if draft.changes_publish_at and draft.changes_publish_at <= timezone.now():
            publish_due_changes()
            draft = Report.all_objects.get(pk=draft.pk)
        return draft
    try:
        with _Recorded(by, "Working draft made from the live version.") as recorded:
            draft = Report(
                draft_of=report, status=Report.Status.DRAFT, created_by=report.created_by
            )
            ReportContent.of(report).apply_to(draft)
            recorded.record(draft)
    except IntegrityError:
        # Someone else opened the report at the same moment: theirs is the draft.
        return Report.all_objects.get(draft_of=report)
    return draft


def pending_changes(draft):
    """Whether the working draft ``draft`` differs from its live report (a bool; reads both)."""
    return ReportContent.of(draft) != ReportContent.of(draft.draft_of)


def note_saved_draft(draft):
    """After the desk saved the working draft ``draft``: record whether it now differs from
    the live report (the "Pending changes" the desk's list shows). Returns that bool."""
    changed = pending_changes(draft)
    Report.all_objects.filter(pk=draft.pk).update(has_unpublished_changes=changed)
    draft.has_unpublished_changes = changed
    return changed


# ---------------------------------------------------------------------------------------------
# Transitions


def submit_for_review(report, *, by=None):
    """Send ``report`` (an unpublished report, or the working draft of a published one, with
    its proposed changes) for review: the editors are e-mailed once this commits. Returns False,
    changing nothing, if it is not a draft."""
    if report.status != Report.Status.DRAFT or report.edited_through_draft:
        return False
    what = "Changes sent for review." if report.is_working_draft else "Sent for review."
    with _Recorded(by, what) as recorded:
        report.status = Report.Status.IN_REVIEW
        report.save()
        recorded.record(report)
        notifications.review_requested(report, by)
    return True


def publish(report, *, when=None, by=None):
    """Publish ``report`` (a live report) now, or schedule it for ``when`` (an aware
    datetime); a withdrawn report is published again. Its content is the report's own: for a
    report already public, use ``publish_changes``.

    Raises ValidationError ({field: message}) if anything publication needs is missing,
    PermissionDenied if ``by`` may not publish.
    """
    _require_publisher(by)
    if report.is_working_draft:
        raise ValueError("A working draft is not published itself: publish its changes.")
    problems = _problems_of(report)
    if problems:
        raise ValidationError(problems)
    when = when or (report.publish_at if report.status != Report.Status.PUBLISHED else None)
    comment = "Published."
    if when and when > timezone.now():
        comment = f"Scheduled for {_when(when)}."
    with _Recorded(by, comment) as recorded:
        if report.status == Report.Status.WITHDRAWN:
            report.withdrawal_reason = ""
            report.withdrawn_at = None
        report.mark_published(when)
        report.save()
        recorded.record(report)
    return report


def publish_changes(report, *, when=None, by=None):
    """Make the working draft's changes live: ``report`` is the draft, or its live report.

    At once (``when`` None or past): the live report takes the draft's content in this
    transaction, and every public page shows it once it commits. For a later ``when`` (an
    aware datetime) they are scheduled: ``publish_due_changes`` makes them live then, by
    itself on the first request after that time. Returns the live report.

    Raises ValidationError if the draft lacks what publication needs, PermissionDenied if
    ``by`` may not publish, ``ReportOvertaken`` if the draft was saved since it was loaded.
    """
    _require_publisher(by)
    draft = report if report.is_working_draft else working_draft(report, by=by)
    live = Report.objects.get(pk=draft.draft_of_id)
    problems = _problems_of(draft, live)
    if problems:
        raise ValidationError(problems)
    if when and when > timezone.now():
        with _Recorded(by, f"Changes scheduled for {_when(when)}.") as recorded:
            draft.changes_publish_at = when
            draft.has_unpublished_changes = True
            draft.save()
            recorded.record(draft)
        return live
    with _Recorded(by, "Changes published.") as recorded:
        live = _apply_draft(draft, live)
        recorded.record(live, draft)
    return live


def _apply_draft(draft, live):
    """Copy the draft's content onto the live report and mark the draft as even with it."""
    live = Report.objects.select_for_update().get(pk=live.pk)
    ReportContent.of(draft).apply_to(live)
    draft.status = Report.Status.DRAFT
    draft.changes_publish_at = None
    draft.has_unpublished_changes = False
    draft.save()
    return live


def publish_due_changes(now=None):
    """Make live every working draft's changes scheduled for ``now`` (default: the current
    time) or earlier. Each is claimed by one conditional UPDATE, so that two requests (or a
    request and the ``publish_due_changes`` command) never both apply the same changes.
    Returns how many reports changed; changes that no longer meet the publication rules are
    left in their draft, unscheduled, and logged.
    """
    now = now or timezone.now()
    done = 0
    due = Report.all_objects.filter(changes_publish_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with _Recorded(None, "Scheduled changes published.") as recorded:
            claimed = Report.all_objects.filter(pk=pk, changes_publish_at__lte=now)
            if not claimed.update(changes_publish_at=None):
                continue  # applied by someone else meanwhile
            draft = Report.all_objects.select_related("draft_of").get(pk=pk)
            problems = _problems_of(draft, draft.draft_of)
            if problems:
                logger.warning(
                    "Scheduled changes to report %s not published: %s", draft.draft_of_id, problems
                )
                continue
            live = _apply_draft(draft, draft.draft_of)
            recorded.record(live, draft)
            done += 1
    return done


def discard_changes(draft, *, by=None):
    """Put the live content back into the working draft ``draft``, dropping its changes (and
    any schedule or review of them). Returns the draft."""
    if not draft.is_working_draft:
        raise ValueError("Only a working draft's changes are discarded.")
    with _Recorded(by, "Changes discarded.") as recorded:
        live = Report.objects.get(pk=draft.draft_of_id)
        draft.status = Report.Status.DRAFT
        draft.changes_publish_at = None
        draft.has_unpublished_changes = False
        ReportContent.of(live).apply_to(draft)
        recorded.record(draft)
    return draft


def unpublish(report, *, by=None):
    """Take a live report back to draft (it was never meant to be out): readers no longer see
    it. Its working draft, with any changes it holds, becomes the report's content again, and
    the desk edits the report directly. Returns the report."""
    _require_publisher(by)
    with _Recorded(by, "Unpublished.") as recorded:
        draft = Report.all_objects.filter(draft_of=report).first()
        report.status = Report.Status.DRAFT
        if draft is not None:
            ReportContent.of(draft).apply_to(report)
            draft.delete()
        else:
            report.save()
        recorded.record(report)
    return report


def withdraw(report, *, reason, by=None):
    """Withdraw a live report: its page stays, with a notice giving ``reason`` (required, a
    non-blank str) instead of its text. Returns the report; raises ValidationError for a blank
    reason."""
    _require_publisher(by)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"withdrawal_reason": NEEDS_REASON})
    with _Recorded(by, f"Withdrawn: {reason}") as recorded:
        report.status = Report.Status.WITHDRAWN
        report.withdrawal_reason = reason
        report.withdrawn_at = timezone.now()
        report.save()
        recorded.record(report)
    return report


def restore(version, *, by=None):
    """Make a version from History (a django-reversion Version of a report or of its working
    draft) the working draft's content; for a report never published, the report's own.
    Readers see nothing of it until the changes are published. Returns the report written
    (the working draft, or the unpublished report).

    Raises Report.DoesNotExist if the report is gone, ``RevertError`` if the version can no
    longer be read.
    """
    report = Report.all_objects.get(pk=version.object_id).live
    target = working_draft(report, by=by) if report.edited_through_draft else report
    content = ReportContent.of_version(version)
    when = _when(version.revision.date_created)
    with _Recorded(by, f"Restored the version of {when}.") as recorded:
        if target.is_working_draft:
            target.has_unpublished_changes = content != ReportContent.of(report)
        content.apply_to(target)
        recorded.record(target)
    return target


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
