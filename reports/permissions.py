"""Who may do what with a report. Editors hold ``publish_report``; contributors do not.

A contributor changes their own reports while they are unpublished, and proposes changes to
their published ones through the working draft, which only editors publish."""

from .models import Report

# A contributor's own reports stay open to them until they are published; a working draft is
# always in one of these.
OPEN_TO_CONTRIBUTORS = (Report.Status.DRAFT, Report.Status.IN_REVIEW)


def can_publish(user):
    return user.has_perm("reports.publish_report")


def is_own(user, report):
    return Report.all_objects.owned_by(user).filter(pk=report.pk).exists()


def contributor_may_change(user, report):
    """A contributor changes only their own reports, and only while they are unpublished (a
    working draft of their published report included); never a live report once published."""
    if report.status not in OPEN_TO_CONTRIBUTORS:
        return False
    return is_own(user, report)


def may_change_own(user, report):
    """Whether the editors' desk lets ``user`` change ``report``, one of their own reports
    (``ReportQuerySet.owned_by``), or propose changes to it; asks the database nothing about
    the report."""
    if not user.is_staff or not user.has_perm("reports.change_report"):
        return False
    return can_publish(user) or report.status in OPEN_TO_CONTRIBUTORS or report.edited_through_draft


def may_preview_own(user):
    """Whether ``user`` may see their own reports before they are public (a staff preview)."""
    return user.is_staff and (can_publish(user) or user.has_perm("reports.view_report"))


def may_preview(user, report):
    """Whether ``user`` may see ``report`` before it is public (a staff preview)."""
    if not user.is_authenticated or not may_preview_own(user):
        return False
    return can_publish(user) or is_own(user, report)
