"""Inviting a contributor: an account linked to an existing author profile, and a single-use
link, sent by e-mail, with which they choose their password."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from diethnos.mail import deliver
from diethnos.site import absolute_url

CONTRIBUTORS_GROUP = "Contributors"


class InviteTokenGenerator(PasswordResetTokenGenerator):
    """Like a password-reset token, but not interchangeable with one. It is single-use
    because it is bound to the password hash, which choosing a password changes."""

    key_salt = "authors.invitations.InviteTokenGenerator"


invite_token_generator = InviteTokenGenerator()


def has_accepted(user):
    return user.has_usable_password()


def _free_username(author):
    User = get_user_model()
    base = author.slug[: User._meta.get_field("username").max_length - 4]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def invite_url(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invite_token_generator.make_token(user)
    return absolute_url(reverse("invite_accept", kwargs={"uidb64": uid, "token": token}))


def invite(author, invited_by=None):
    """Give ``author`` an account (or reuse the one not yet taken up) and queue the e-mail
    with the link, to be sent by the task worker once the transaction commits.

    The account is a staff member of the Contributors group, so the contributor can also
    write reports in the editors' desk. Returns the account (a User); raises ValidationError
    when there is nobody to invite. Inviting again before the link is used sends a new one.
    """
    user = _account_for(author)
    invited_by_id = invited_by.pk if invited_by else None
    transaction.on_commit(lambda: send_invitation.enqueue(user.pk, invited_by_id))
    return user


@task(takes_context=True)
def send_invitation(context, user_id, invited_by_id=None, attempt=1):
    """E-mail the invitation link to the account ``user_id``, unless it has been taken up
    (or its author has lost the address) since the invitation was queued."""
    User = get_user_model()
    user = User.objects.select_related("author").filter(pk=user_id).first()
    author = getattr(user, "author", None)
    if author is None or not author.email or has_accepted(user):
        return "nothing to send: the invitation was taken up or withdrawn"
    values = {
        "author": author,
        "user": user,
        "invited_by": User.objects.filter(pk=invited_by_id).first(),
        "url": invite_url(user),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject = render_to_string("accounts/email/invite_subject.txt", values).strip()
    body = render_to_string("accounts/email/invite.txt", values)
    return deliver(context, [EmailMessage(subject, body, to=[author.email])])


@transaction.atomic
def _account_for(author):
    if not author.email:
        raise ValidationError(f"{author.name} has no e-mail address: add one to the profile.")
    user = author.user
    if user is not None and has_accepted(user):
        raise ValidationError(f"{author.name} already has an account ({user.get_username()}).")
    if user is None:
        user = get_user_model()(username=_free_username(author), is_staff=True)
        user.set_unusable_password()
    user.email = author.email
    if not user.first_name and not user.last_name:
        user.first_name, _, user.last_name = author.name.partition(" ")
    user.save()
    user.groups.add(Group.objects.get(name=CONTRIBUTORS_GROUP))
    if author.user_id != user.pk:
        author.user = user
        author.save(update_fields=["user", "updated_at"])
    return user
