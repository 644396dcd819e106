"""Two-factor authentication for staff: after the password, a code from an authenticator app
(TOTP), or one of ten single-use recovery codes; built on django-otp's TOTP and static devices.

Signing in takes two steps and the account is signed in only after the second: the password
step (``SignInView``, for /accounts/login/ and /admin/login/ alike) only remembers, in the
session, whose code to ask for. A wrong code counts as a failed sign-in for django-axes, so the
same lock-out applies to codes as to passwords. ``TwoFactorMiddleware`` makes sure that no
signed-in session goes around it, and sends those whose role requires it to set it up.
"""

import time
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials, get_lockout_response
from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

EDITORS_GROUP = "Editors"
RECOVERY_CODES = 10
PENDING_SIGN_IN = "two_factor_sign_in"


def has_two_factor(user):
    """Whether ``user`` has set two-factor authentication up (a confirmed authenticator app)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def is_required(user):
    """Whether ``user`` must set two-factor authentication up before going on, as the setting
    ``REQUIRE_TWO_FACTOR`` says: "editors" (the Editors group and superusers), "staff"
    (every staff account) or "" (no one)."""
    required = settings.REQUIRE_TWO_FACTOR
    if not required or not user.is_authenticated or not user.is_staff:
        return False
    if required == "staff" or user.is_superuser:
        return True
    return user.groups.filter(name=EDITORS_GROUP).exists()


# -- setting it up and managing it --------------------------------------------------------


def app_to_set_up(user):
    """The authenticator app ``user`` is setting up: an unconfirmed TOTPDevice, kept until it
    is confirmed, so that its secret stays the same when the page is shown again."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def confirm_app(device, code):
    """Confirm ``device`` (from ``app_to_set_up``) with a ``code`` the app shows, and give
    its owner new recovery codes. Returns the codes (a list of str), or None for a wrong code."""
    if not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user):
    """Replace ``user``'s recovery codes with ``RECOVERY_CODES`` new ones and return them (each
    eight lower-case letters and digits), for the only time they are shown."""
    StaticToken.objects.filter(device__user=user).delete()
    device = StaticDevice.objects.filter(user=user).first()
    device = device or StaticDevice.objects.create(user=user, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def turn_off(user):
    """Remove ``user``'s authenticator app and recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def normalise_recovery_code(code):
    return "".join(code.split()).replace("-", "").lower()


def check_code(user, code):
    """The device that accepts ``code`` for ``user``: six digits are checked against the
    authenticator app, anything else against the recovery codes (used up if it matches).
    Returns None when none does."""
    code = "".join(code.split())
    if code.isdigit() and len(code) == 6:
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    else:
        code = normalise_recovery_code(code)
        devices = StaticDevice.objects.devices_for_user(user, confirmed=True)
    with transaction.atomic():
        for device in devices.select_for_update():
            if device.verify_token(code):
                return device
    return None


# -- the throttle: a wrong code is a failed sign-in -----------------------------------------


def is_locked_out(request, user):
    """Whether django-axes refuses sign-ins for ``user`` from this request's client."""
    return not AxesProxyHandler.is_allowed(request, get_credentials(user.get_username()))


def lockout_response(request, user):
    """django-axes's answer to a client locked out of ``user``'s sign-in (429)."""
    return get_lockout_response(request, credentials=get_credentials(user.get_username()))


def count_failure(request, user):
    """Count a wrong code (or password) as a failed sign-in of ``user``. When that reaches
    the limit, django-axes answers this request with its lock-out page."""
    user_login_failed.send(
        sender=__name__, credentials=get_credentials(user.get_username()), request=request
    )


# -- the second step of signing in ----------------------------------------------------------


def begin_sign_in(request, user, redirect_to):
    """The password of ``user`` (authenticated, so with a ``backend``) was right: remember
    whom to ask the code of, and where to go after, for ``TWO_FACTOR_SIGN_IN_SECONDS``."""
    request.session[PENDING_SIGN_IN] = {
        "user": user.pk,
        "backend": user.backend,
        "auth_hash": user.get_session_auth_hash(),
        "since": time.time(),
        "next": redirect_to,
    }


def pending_sign_in(request):
    """``(user, next URL)`` of the sign-in waiting for its code, or None when there is none
    (or it is too old, or the account changed its password or was disabled since)."""
    pending = request.session.get(PENDING_SIGN_IN)
    if not pending or time.time() - pending["since"] > settings.TWO_FACTOR_SIGN_IN_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None or user.get_session_auth_hash() != pending["auth_hash"]:
        return None
    user.backend = pending["backend"]
    return user, pending["next"]


def finish_sign_in(request, user, device):
    """Sign ``user`` in, verified by ``device``. Returns where to go next."""
    redirect_to = request.session.pop(PENDING_SIGN_IN)["next"]
    login(request, user, backend=user.backend)
    otp_login(request, device)
    return redirect_to


# -- no way around it -----------------------------------------------------------------------

# Pages a signed-in user who must set two-factor authentication up may still reach.
SETTING_UP = {"two_factor", "two_factor_setup", "two_factor_recovery_codes", "logout"}


class TwoFactorMiddleware:
    """For every page (the site, /accounts/ and the editors' desk alike):

    - a session signed in without the code of an account that has two-factor authentication
      (signed in before it was set up elsewhere, say) is signed out and sent to sign in again;
    - someone whose role requires it (``is_required``) but who has not set it up is sent to
      set it up, and reaches nothing else before that but signing out.

    It must come after django-otp's ``OTPMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.path.startswith(settings.MEDIA_URL):
            return None
        url_name = request.resolver_match.url_name
        if has_two_factor(user):
            if url_name == "logout":
                return None
            logout(request)
            return redirect_to_login(request.get_full_path())
        if is_required(user) and url_name not in SETTING_UP:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('two_factor_setup')}?{query}")
        return None
