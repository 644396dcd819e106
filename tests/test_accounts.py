"""Contributor accounts: signing in and out, passwords, throttling and invitations."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from authors.invitations import invite

from .factories import AuthorFactory, ContributorFactory, EditorFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
NEW_PASSWORD = "Another-long-passphrase-42"


def link_in(message):
    (url,) = re.findall(r"https?://\S+", message.body.split("Your public author page")[0])
    return url.removeprefix("http://127.0.0.1:8000")


def test_a_contributor_signs_in_and_lands_on_their_profile(client):
    user = ContributorFactory(username="amara")
    AuthorFactory(user=user)
    response = client.post(reverse("login"), {"username": "amara", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")


def test_a_wrong_password_says_so_next_to_the_form_and_keeps_the_username(client):
    ContributorFactory(username="amara")
    response = client.post(reverse("login"), {"username": "amara", "password": "wrong"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please enter a correct username and password" in page
    assert 'value="amara"' in page


def test_signing_in_returns_to_the_page_asked_for_but_never_to_another_site(client):
    ContributorFactory(username="amara")
    credentials = {"username": "amara", "password": PASSWORD}
    response = client.post(reverse("login"), {**credentials, "next": "/accounts/password/"})
    assert response["Location"] == "/accounts/password/"
    client.logout()
    response = client.post(reverse("login"), {**credentials, "next": "https://evil.example/"})
    assert response["Location"] == reverse("profile")


def test_pages_of_the_account_require_signing_in(client):
    for name in ("profile", "password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")


def test_signing_out_takes_a_post_and_ends_the_session(client):
    client.force_login(ContributorFactory())
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 302


def test_sign_in_forms_are_protected_against_cross_site_posts():
    from django.test import Client

    ContributorFactory(username="amara")
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "amara", "password": PASSWORD})
    assert response.status_code == 403


def test_repeated_wrong_passwords_lock_the_sign_in_like_the_admin(client, settings):
    ContributorFactory(username="amara")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "amara", "password": "guess"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "amara", "password": "guess"})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    # Even the right password is refused while the account is locked, here and in the admin.
    response = client.post(reverse("login"), {"username": "amara", "password": PASSWORD})
    assert response.status_code == 429
    response = client.post(reverse("admin:login"), {"username": "amara", "password": PASSWORD})
    assert response.status_code == 429


def test_a_contributor_changes_their_password(client):
    user = ContributorFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Still signed in afterwards.
    assert client.get(reverse("profile")).status_code == 200


def test_a_weak_new_password_is_refused_with_a_message(client):
    client.force_login(ContributorFactory())
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()


def test_a_forgotten_password_is_reset_through_the_link_in_the_email(client, settings):
    user = ContributorFactory(username="amara", email="amara@example.org")
    response = client.post(reverse("password_reset"), {"email": "AMARA@example.org"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["amara@example.org"]
    assert "amara" in message.body
    url = re.search(r"https?://\S+", message.body).group()
    assert url.startswith(settings.SITE_URL + "/accounts/password/reset/")
    response = client.get(url.removeprefix(settings.SITE_URL), follow=True)
    assert "Choose a new password" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link works once.
    response = client.get(url.removeprefix(settings.SITE_URL), follow=True)
    assert "This link no longer works" in response.content.decode()


def test_asking_a_reset_for_an_unknown_address_reveals_nothing_and_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_the_editors_desk_sign_in_offers_the_password_reset(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert "Forgotten your login credentials?" in page
    response = client.get(reverse("admin_password_reset"))
    assert response["Location"] == reverse("password_reset")


# -- invitations -------------------------------------------------------------------------


def invite_through_admin(client, *authors):
    client.force_login(EditorFactory(first_name="Nikolas", last_name="Editor"))
    return client.post(
        reverse("admin:authors_author_changelist"),
        {"action": "send_invitation", "_selected_action": [a.pk for a in authors]},
        follow=True,
    )


def test_an_editor_invites_a_contributor_who_sets_a_password_and_is_signed_in(
    client, django_capture_on_commit_callbacks
):
    author = AuthorFactory(name="Amara Okafor", slug="amara-okafor", email="amara@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_through_admin(client, author)
    assert "Invitation queued for Amara Okafor" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["amara@example.org"]
    assert "Nikolas Editor has invited you" in message.body
    assert "You will sign in as: amara-okafor" in message.body

    author.refresh_from_db()
    user = author.user
    assert user.username == "amara-okafor"
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Contributors"]
    assert not user.has_usable_password()

    client.logout()
    url = link_in(message)
    response = client.get(url, follow=True)
    page = response.content.decode()
    assert "Welcome to" in page and "amara-okafor" in page
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("profile")
    assert response.context["user"] == user
    assert "Your profile" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # Single use: the link is dead once the password is chosen.
    client.logout()
    response = client.get(url, follow=True)
    assert "This invitation no longer works" in response.content.decode()


def test_an_invitation_link_is_not_a_password_reset_link_and_the_reverse(client):
    author = AuthorFactory(email="amara@example.org")
    user = invite(author)
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reset_token = default_token_generator.make_token(user)
    url = reverse("invite_accept", kwargs={"uidb64": uid, "token": reset_token})
    assert "This invitation no longer works" in client.get(url, follow=True).content.decode()


def test_an_author_without_email_or_with_an_account_is_not_invited(
    client, django_capture_on_commit_callbacks
):
    no_email = AuthorFactory(name="No Email", email="")
    taken = AuthorFactory(name="Has Account", email="has@example.org", user=ContributorFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_through_admin(client, no_email, taken)
    page = response.content.decode()
    assert "No Email has no e-mail address" in page
    assert "Has Account already has an account" in page
    assert mail.outbox == []
    no_email.refresh_from_db()
    assert no_email.user is None


def test_inviting_again_before_acceptance_resends_to_the_same_account(
    django_capture_on_commit_callbacks,
):
    author = AuthorFactory(email="amara@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        first = invite(author)
        second = invite(author)
    assert first == second
    assert get_user_model().objects.filter(email="amara@example.org").count() == 1
    assert len(mail.outbox) == 2


def test_an_invited_username_never_clashes_with_an_existing_one():
    ContributorFactory(username="amara")
    author = AuthorFactory(slug="amara", email="amara@example.org")
    assert invite(author).username == "amara-2"


def test_contributors_cannot_invite(client):
    contributor = ContributorFactory()
    client.force_login(contributor)
    author = AuthorFactory(email="x@example.org")
    response = client.post(
        reverse("admin:authors_author_changelist"),
        {"action": "send_invitation", "_selected_action": [author.pk]},
    )
    assert response.status_code in (200, 403)  # the action is not offered to them
    author.refresh_from_db()
    assert author.user is None
    assert mail.outbox == []


def test_the_author_list_shows_who_has_an_account_and_who_is_invited(client):
    invite(AuthorFactory(email="invited@example.org", slug="invited"))
    AuthorFactory(user=ContributorFactory(username="member"))
    client.force_login(EditorFactory())
    page = client.get(reverse("admin:authors_author_changelist")).content.decode()
    assert "invited (invited)" in page
    assert ">member<" in page


def test_an_invitation_the_mail_server_refuses_is_logged_and_can_be_sent_again(
    client, settings, caplog, django_capture_on_commit_callbacks
):
    # The editor's request only queues the e-mail, so it says "queued", not "sent"; a mail
    # server that is down is the worker's business (retried: tests/test_background_tasks.py).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    author = AuthorFactory(name="Amara Okafor", email="amara@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_through_admin(client, author)
    assert response.status_code == 200
    assert "Invitation queued for Amara Okafor" in response.content.decode()
    assert "Could not send the e-mail of send_invitation" in caplog.text
    author.refresh_from_db()
    assert author.user is not None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_through_admin(client, author)
    assert "Invitation queued for Amara Okafor" in response.content.decode()
    assert len(mail.outbox) == 1


def test_an_invitation_link_expires_with_the_password_reset_timeout(
    client, settings, django_capture_on_commit_callbacks
):
    import time_machine
    from django.utils import timezone

    author = AuthorFactory(email="amara@example.org")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            invite(author)
        (message,) = mail.outbox
        assert f"once, for {settings.PASSWORD_RESET_TIMEOUT // 86400} days" in message.body
        clock.shift(settings.PASSWORD_RESET_TIMEOUT + 60)
        response = client.get(link_in(message), follow=True)
    assert "This invitation no longer works" in response.content.decode()
