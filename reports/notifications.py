"""E-mail to the editors' desk: a report is waiting for review."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from diethnos.mail import deliver
from diethnos.site import absolute_url

# Permissions live with Django's own backend; the other one only guards sign-ins.
PERMISSIONS_BACKEND = "django.contrib.auth.backends.ModelBackend"


def editors_to_notify():
    """Active people who may publish (editors and superusers) and have an e-mail address."""
    return (
        get_user_model()
        .objects.with_perm("reports.publish_report", backend=PERMISSIONS_BACKEND)
        .exclude(email="")
        .order_by("pk")
    )


def review_requested(report, submitted_by=None):
    """Tell the editors that ``report`` is waiting for review: the e-mail is queued once the
    save is committed, and nothing is queued if it is rolled back."""
    submitted_by_id = submitted_by.pk if submitted_by else None
    transaction.on_commit(lambda: send_review_request.enqueue(report.pk, submitted_by_id))


@task(takes_context=True)
def send_review_request(context, report_id, submitted_by_id=None, attempt=1):
    """One e-mail to each editor about the report ``report_id``, so that no one sees the
    others' addresses. The report is in review whatever happens to the mail: editors also
    see it in the desk's list."""
    from .models import Report  # here, since reports.models imports this module

    report = Report.all_objects.filter(pk=report_id).first()
    if report is None:
        return "the report was deleted"
    submitted_by = get_user_model().objects.filter(pk=submitted_by_id).first()
    values = {
        "report": report,
        "authors": [link.author.name for link in report.report_authors.select_related("author")],
        "submitted_by": submitted_by,
        "change_url": absolute_url(reverse("admin:reports_report_change", args=[report.pk])),
        "SITE_NAME": settings.SITE_NAME,
    }
    subject = " ".join(
        render_to_string("reports/email/review_requested_subject.txt", values).split()
    )
    body = render_to_string("reports/email/review_requested_body.txt", values)
    messages = [EmailMessage(subject, body, to=[editor.email]) for editor in editors_to_notify()]
    return deliver(context, messages)
