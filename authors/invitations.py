"""Inviting a contributor: an account linked to an existing author profile, and a single-use
link, sent by e-mail, with which they choose their password."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

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
    """Give ``author`` an account (or reuse the one not yet taken up) and e-mail the link.

    The account is a staff member of the Contributors group, so the contributor can also
    write reports in the editors' desk. Raises ValidationError when there is nobody to
    invite; a failure to send the e-mail (OSError, SMTPException) leaves the account ready,
    and inviting again re-sends it.
    """
    user = _account_for(author)
    context = {
        "author": author,
        "user": user,
        "invited_by": invited_by,
        "url": invite_url(user),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject = render_to_string("accounts/email/invite_subject.txt", context).strip()
    body = render_to_string("accounts/email/invite.txt", context)
    send_mail(subject, body, None, [author.email])
    return user


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
