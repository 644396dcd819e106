"""E-mail to the editors' desk: a report is waiting for review."""

import logging
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from diethnos.site import absolute_url

logger = logging.getLogger(__name__)

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
    """Tell the editors that ``report`` is waiting for review, once the save is committed."""
    transaction.on_commit(lambda: send_review_request(report, submitted_by))


def send_review_request(report, submitted_by=None):
    """One e-mail to each editor, so that no one sees the others' addresses."""
    context = {
        "report": report,
        "authors": [link.author.name for link in report.report_authors.select_related("author")],
        "submitted_by": submitted_by,
        "change_url": absolute_url(reverse("admin:reports_report_change", args=[report.pk])),
        "SITE_NAME": settings.SITE_NAME,
    }
    subject = " ".join(
        render_to_string("reports/email/review_requested_subject.txt", context).split()
    )
    body = render_to_string("reports/email/review_requested_body.txt", context)
    messages = [EmailMessage(subject, body, to=[editor.email]) for editor in editors_to_notify()]
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except (OSError, SMTPException):
        # The report is in review whatever happens to the mail: editors also see it in the
        # desk's list. Say so in the log rather than failing the contributor's request.
        logger.exception("Could not e-mail the editors about report %s", report.pk)
