"""Who may do what with a report. Editors hold ``publish_report``; contributors do not."""

from .models import Report


def can_publish(user):
    return user.has_perm("reports.publish_report")


def contributor_may_change(user, report):
    """A contributor changes only their own reports, and only while they are unpublished."""
    if report.status not in (Report.Status.DRAFT, Report.Status.IN_REVIEW):
        return False
    return Report.objects.owned_by(user).filter(pk=report.pk).exists()


def may_preview(user, report):
    """Whether ``user`` may see ``report`` before it is public (a staff preview)."""
    if not user.is_authenticated or not user.is_staff:
        return False
    if can_publish(user):
        return True
    return (
        user.has_perm("reports.view_report")
        and Report.objects.owned_by(user).filter(pk=report.pk).exists()
    )
