"""Password reset by e-mail, answered the same way whether or not an account has the address.

The request only queues a task with the address it was given; the task worker looks the
accounts up and sends the links. So the answer takes the same time, and does the same work,
for any address, and tells nobody which addresses have accounts.
"""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_tasks import task

from diethnos.mail import deliver
from diethnos.site import site_scheme_and_domain

EMAIL_TEMPLATE = "accounts/email/password_reset.txt"
SUBJECT_TEMPLATE = "accounts/email/password_reset_subject.txt"


class ResetMessagesForm(PasswordResetForm):
    """Django's reset form, collecting the messages it would send in ``self.messages``."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        self.messages.append(EmailMultiAlternatives(subject, body, from_email, [to_email]))


@task(takes_context=True)
def send_password_reset(context, email, attempt=1):
    """E-mail a link to choose a new password to each active account with the address
    ``email`` (compared without regard to case), or nothing when there is none."""
    form = ResetMessagesForm({"email": email})
    if not form.is_valid():
        return "not an e-mail address"
    form.messages = []
    scheme, domain = site_scheme_and_domain()
    form.save(
        domain_override=domain,
        use_https=scheme == "https",
        subject_template_name=SUBJECT_TEMPLATE,
        email_template_name=EMAIL_TEMPLATE,
        # Links in e-mails point at the public address, not at whichever host was asked.
        extra_email_context={"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME},
    )
    return deliver(context, form.messages)
