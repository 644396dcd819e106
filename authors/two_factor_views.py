"""Two-factor authentication pages under /accounts/two-factor/: the code step of signing in,
setting the authenticator app up, recovery codes, and turning it off."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from . import two_factor
from .two_factor_forms import AppCodeForm, RecoveryCodeForm, TurnOffForm

NEW_CODES = "two_factor_new_codes"


def qr_code_svg(text):
    """``text`` as a QR code: an inline SVG element (dark squares on white), safe to show."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage)
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308 (made here, no input)


def readable_secret(device):
    """The secret of a TOTP ``device`` in base32, in groups of four, for typing into an app."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def safe_next(request, url):
    """``url`` if it points at this site, else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@never_cache
@sensitive_post_parameters("code", "recovery_code")
def sign_in_code(request):
    """The second step of signing in: the code from the app, or a recovery code."""
    pending = two_factor.pending_sign_in(request)
    if pending is None:
        messages.info(request, "Sign in with your password first.")
        return redirect("login")
    user, _ = pending
    if two_factor.is_locked_out(request, user):
        return two_factor.lockout_response(request, user)

    code_form = AppCodeForm(request.POST if "code" in request.POST else None)
    recovery_form = RecoveryCodeForm(request.POST if "recovery_code" in request.POST else None)
    form = code_form if code_form.is_bound else recovery_form
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data.get("code") or form.cleaned_data["recovery_code"]
        device = two_factor.check_code(user, code)
        if device is not None:
            return redirect(two_factor.finish_sign_in(request, user, device))
        two_factor.count_failure(request, user)
        field = "code" if form is code_form else "recovery_code"
        form.add_error(field, "That code is not right. Check it and try again.")
    return render(
        request,
        "accounts/two_factor_sign_in.html",
        {"code_form": code_form, "recovery_form": recovery_form},
    )


@never_cache
@login_required
def overview(request):
    user = request.user
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": two_factor.has_two_factor(user),
            "required": two_factor.is_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
        },
    )


@never_cache
@login_required
@sensitive_post_parameters("code")
def setup(request):
    """Set the authenticator app up: scan the QR code (or type the secret), confirm with a
    code; the recovery codes are shown next."""
    user = request.user
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if two_factor.has_two_factor(user):
        return redirect("two_factor")
    device = two_factor.app_to_set_up(user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_app(device, form.cleaned_data["code"])
        if codes is not None:
            # This session has just shown the code: it counts as signed in with it.
            otp_login(request, device)
            request.session[NEW_CODES] = {"codes": codes, "next": next_url}
            messages.success(request, "Two-factor authentication is on.")
            return redirect("two_factor_recovery_codes")
        form.add_error(
            "code",
            "That code is not right. Check the time on your phone, then try the code it shows now.",
        )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "required": two_factor.is_required(user),
            "qr_code": qr_code_svg(device.config_url),
            "secret": readable_secret(device),
        },
    )


@never_cache
@login_required
def recovery_codes(request):
    """Show new recovery codes, once; a POST makes new ones (the old ones stop working)."""
    user = request.user
    if not two_factor.has_two_factor(user):
        return redirect("two_factor")
    if request.method == "POST":
        request.session[NEW_CODES] = {"codes": two_factor.new_recovery_codes(user), "next": None}
        messages.success(request, "You have new recovery codes: the old ones no longer work.")
        return redirect("two_factor_recovery_codes")
    new = request.session.pop(NEW_CODES, None)
    if new is None:
        messages.info(
            request,
            "Recovery codes are shown only once, when they are made. If you have lost yours, "
            "make new ones.",
        )
        return redirect("two_factor")
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {
            "codes": new["codes"],
            "codes_text": "\n".join(new["codes"]) + "\n",
            "next": new["next"] or resolve_url("two_factor"),
        },
    )


@never_cache
@login_required
@sensitive_post_parameters("password", "code")
def turn_off(request):
    """Turn two-factor authentication off, with the password and a code. Wrong ones count
    as failed sign-ins, as on the sign-in page."""
    user = request.user
    if not two_factor.has_two_factor(user):
        return redirect("two_factor")
    if two_factor.is_locked_out(request, user):
        return two_factor.lockout_response(request, user)
    form = TurnOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", "That is not your password.")
        elif two_factor.check_code(user, form.cleaned_data["code"]) is None:
            form.add_error("code", "That code is not right. Check it and try again.")
        else:
            two_factor.turn_off(user)
            messages.success(request, "Two-factor authentication is off.")
            return redirect("two_factor")
        two_factor.count_failure(request, user)
    return render(
        request,
        "accounts/two_factor_turn_off.html",
        {"form": form, "required": two_factor.is_required(user)},
    )
