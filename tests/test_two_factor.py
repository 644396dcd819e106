"""Two-factor authentication: staff set it up from their account pages, then sign in to the site
and to the editors' desk with their password and a code; recovery codes work once; wrong codes
are throttled like wrong passwords; a setting makes it a must for editors."""

import os
import re
import subprocess
import sys
import time
from base64 import b32decode
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from lxml import html

from authors import two_factor

from .factories import AuthorFactory, ContributorFactory, EditorFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
DESK = reverse("admin:index")
LOGIN = reverse("login")
CODE_STEP = reverse("two_factor_sign_in")
SETUP = reverse("two_factor_setup")


def code_at(key, when):
    """The code an authenticator app with the secret ``key`` (bytes) shows at ``when``."""
    totp = TOTP(key)
    totp.time = when
    return f"{totp.token():06d}"


def wrong_code(key):
    """Six digits the app holding ``key`` shows at no time a code would be accepted now."""
    accepted = {code_at(key, time.time() + shift) for shift in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def enrolled(user):
    """Set two-factor authentication up for ``user``; returns (device, recovery codes)."""
    device = two_factor.app_to_set_up(user)
    codes = two_factor.confirm_app(device, code_at(device.bin_key, time.time()))
    assert codes
    device.refresh_from_db()
    return device, codes


@pytest.fixture
def clock():
    """Time that moves only when a test moves it, a step of the codes (30 s) at a time."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def next_code(clock, device):
    """Move on to the next time step and give the code the app shows then (a code is
    accepted once: the same one cannot sign in twice)."""
    clock.shift(timedelta(seconds=30))
    return code_at(device.bin_key, time.time())


@pytest.fixture
def editor():
    return EditorFactory(username="nadia")


def sign_in(client, url=LOGIN, username="nadia", password=PASSWORD, **extra):
    return client.post(url, {"username": username, "password": password, **extra})


def is_signed_in(client):
    return "_auth_user_id" in client.session


def page(response):
    return html.fromstring(response.content)


# -- setting it up -----------------------------------------------------------------------------


def test_an_editor_sets_it_up_with_the_qr_code_or_the_secret_and_gets_recovery_codes_once(
    client, editor, clock
):
    client.force_login(editor)
    overview = client.get(reverse("two_factor"))
    assert "Off: you sign in with your password alone." in overview.content.decode()
    response = client.get(SETUP)
    assert response.status_code == 200
    document = page(response)
    (qr_code,) = document.xpath("//figure[@class='qr-code']//*[local-name()='svg']")
    assert qr_code.getparent().get("role") == "img"
    secret = document.xpath("string(//code[@class='secret'])").replace(" ", "")
    key = b32decode(secret)
    (device,) = TOTPDevice.objects.filter(user=editor)
    assert key == device.bin_key and not device.confirmed
    # Showing the page again keeps the same secret, for an app that has already scanned it.
    again = page(client.get(SETUP)).xpath("string(//code[@class='secret'])")
    assert again.replace(" ", "") == secret

    response = client.post(SETUP, {"code": wrong_code(key)})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post(SETUP, {"code": code_at(key, time.time())})
    assert response["Location"] == reverse("two_factor_recovery_codes")
    device.refresh_from_db()
    assert device.confirmed

    shown = page(client.get(response["Location"]))
    codes = shown.xpath("//ul[@class='recovery-codes']/li/code/text()")
    assert len(codes) == two_factor.RECOVERY_CODES
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    (download,) = shown.xpath("//a[@download]")
    assert download.get("href").startswith("data:text/plain")
    assert all(code in download.get("href") for code in codes)
    # Shown once: afterwards the page sends back to the overview.
    response = client.get(reverse("two_factor_recovery_codes"))
    assert response["Location"] == reverse("two_factor")
    overview = client.get(reverse("two_factor")).content.decode()
    assert "On: you sign in with your password and a code" in overview
    assert "You have 10 recovery codes left." in overview
    # The session that set it up is signed in with it: the desk is open.
    assert client.get(DESK).status_code == 200


def test_the_setup_pages_need_no_inline_script_or_style_under_the_sites_csp(client, editor):
    client.force_login(editor)
    response = client.get(SETUP)
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    document = page(response)
    assert document.xpath("//script[not(@src) and not(@type='application/ld+json')]") == []
    assert document.xpath("//style") == []
    assert document.xpath("//*[@style]") == []
    # The QR code is drawn here, inline: nothing is fetched from another site.
    assert document.xpath("//*[local-name()='svg']//*[local-name()='path']")
    assert "http" not in "".join(document.xpath("//img/@src"))


def test_the_code_fields_are_labelled_and_ask_for_a_one_time_code(client, editor):
    enrolled(editor)
    sign_in(client)
    document = page(client.get(CODE_STEP))
    (code,) = document.xpath("//input[@name='code']")
    assert code.get("autocomplete") == "one-time-code"
    assert code.get("inputmode") == "numeric"
    assert document.xpath(f"//label[@for='{code.get('id')}']")
    (recovery,) = document.xpath("//input[@name='recovery_code']")
    assert document.xpath(f"//label[@for='{recovery.get('id')}']")


# -- signing in --------------------------------------------------------------------------------


def test_signing_in_asks_for_the_code_after_the_password(client, editor, clock):
    device, _ = enrolled(editor)
    response = sign_in(client)
    assert response["Location"] == CODE_STEP
    assert not is_signed_in(client)
    assert client.get(reverse("profile"))["Location"].startswith(LOGIN)

    response = client.post(CODE_STEP, {"code": next_code(clock, device)})
    assert response["Location"] == reverse("profile")
    assert is_signed_in(client)
    assert client.get(DESK).status_code == 200


def test_the_desks_sign_in_asks_for_the_code_too(client, editor, clock):
    device, _ = enrolled(editor)
    response = sign_in(client, reverse("admin:login"), next=DESK)
    assert response["Location"] == CODE_STEP
    assert client.get(DESK)["Location"].startswith(reverse("admin:login"))

    response = client.post(CODE_STEP, {"code": next_code(clock, device)})
    assert response["Location"] == DESK
    assert client.get(DESK).status_code == 200


def test_the_desks_sign_in_page_still_looks_and_works_like_the_admins(client, editor):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert "Forgotten your login credentials?" in response.content.decode()
    # Without two-factor authentication, the password alone signs in, as before.
    assert sign_in(client, reverse("admin:login"))["Location"] == DESK
    assert client.get(reverse("admin:login"))["Location"] == DESK


def test_the_desks_sign_in_is_for_staff_only(client):
    ContributorFactory(username="reader", is_staff=False)
    response = sign_in(client, reverse("admin:login"), username="reader")
    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    assert not is_signed_in(client)


def test_a_wrong_code_is_refused(client, editor, clock):
    device, _ = enrolled(editor)
    sign_in(client)
    right = next_code(clock, device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(CODE_STEP, {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not is_signed_in(client)
    response = client.post(CODE_STEP, {"code": "12345"})
    assert "Enter the six digits your app shows." in response.content.decode()
    assert not is_signed_in(client)


def test_a_code_is_asked_for_only_after_the_password_and_not_for_long(client, editor, clock):
    device, _ = enrolled(editor)
    assert client.get(CODE_STEP)["Location"] == LOGIN
    assert client.post(CODE_STEP, {"code": next_code(clock, device)})["Location"] == LOGIN
    assert not is_signed_in(client)

    sign_in(client)
    clock.shift(timedelta(seconds=django_settings.TWO_FACTOR_SIGN_IN_SECONDS + 1))
    assert client.post(CODE_STEP, {"code": next_code(clock, device)})["Location"] == LOGIN
    assert not is_signed_in(client)


def test_a_code_signs_in_once(client, editor, clock):
    device, _ = enrolled(editor)
    sign_in(client)
    code = next_code(clock, device)
    client.post(CODE_STEP, {"code": code})
    assert is_signed_in(client)
    client.post(reverse("logout"))
    sign_in(client)
    response = client.post(CODE_STEP, {"code": code})
    assert "That code is not right" in response.content.decode()
    assert not is_signed_in(client)


def test_a_recovery_code_signs_in_once(client, editor):
    _, codes = enrolled(editor)
    sign_in(client)
    response = client.post(CODE_STEP, {"recovery_code": f" {codes[3].upper()} "})
    assert response["Location"] == reverse("profile")
    assert is_signed_in(client)
    assert two_factor.recovery_codes_left(editor) == two_factor.RECOVERY_CODES - 1

    client.post(reverse("logout"))
    sign_in(client)
    response = client.post(CODE_STEP, {"recovery_code": codes[3]})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not is_signed_in(client)
    client.post(CODE_STEP, {"recovery_code": codes[4]})
    assert is_signed_in(client)


def test_five_wrong_codes_lock_the_sign_in_as_wrong_passwords_do(client, editor, clock, settings):
    device, codes = enrolled(editor)
    sign_in(client)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(CODE_STEP, {"code": wrong_code(device.bin_key)}).status_code == 200
    response = client.post(CODE_STEP, {"recovery_code": "wrongcode"})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    # Locked: neither the right code, nor a recovery code, nor the password gets in.
    assert client.post(CODE_STEP, {"code": next_code(clock, device)}).status_code == 429
    assert client.post(CODE_STEP, {"recovery_code": codes[0]}).status_code == 429
    assert sign_in(client).status_code == 429
    assert sign_in(client, reverse("admin:login")).status_code == 429
    assert not is_signed_in(client)


def test_wrong_passwords_and_wrong_codes_count_together(client, editor, settings):
    device, _ = enrolled(editor)
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        assert sign_in(client, password="guess").status_code == 200
    sign_in(client)
    assert client.post(CODE_STEP, {"code": wrong_code(device.bin_key)}).status_code == 200
    assert client.post(CODE_STEP, {"code": wrong_code(device.bin_key)}).status_code == 429


def test_signing_in_with_the_code_clears_earlier_failures(client, editor, clock, settings):
    device, _ = enrolled(editor)
    sign_in(client)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(CODE_STEP, {"code": wrong_code(device.bin_key)})
    client.post(CODE_STEP, {"code": next_code(clock, device)})
    assert is_signed_in(client)
    client.post(reverse("logout"))
    sign_in(client)
    assert client.post(CODE_STEP, {"code": wrong_code(device.bin_key)}).status_code == 200


# -- no way around it --------------------------------------------------------------------------


def test_a_session_signed_in_without_the_code_is_signed_out(client, editor):
    # Signed in before two-factor authentication was set up (from another browser, say).
    client.force_login(editor)
    enrolled(editor)
    response = client.get(DESK)
    assert response["Location"].startswith(LOGIN)
    assert not is_signed_in(client)
    client.force_login(editor)
    assert client.get(reverse("profile"))["Location"].startswith(LOGIN)


@pytest.mark.parametrize("required", ["editors", "staff"])
def test_editors_must_set_it_up_before_reaching_the_desk_when_the_setting_says_so(
    client, editor, settings, clock, required
):
    settings.REQUIRE_TWO_FACTOR = required
    AuthorFactory(user=editor)
    client.force_login(editor)
    for url in (DESK, reverse("admin:reports_report_changelist"), reverse("profile"), "/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{SETUP}?next="), url
    setup = client.get(f"{SETUP}?next={DESK}")
    assert "Your role requires two-factor authentication" in setup.content.decode()

    device = TOTPDevice.objects.get(user=editor)
    response = client.post(SETUP, {"code": code_at(device.bin_key, time.time()), "next": DESK})
    assert response["Location"] == reverse("two_factor_recovery_codes")
    codes_page = page(client.get(response["Location"]))
    assert codes_page.xpath("//a[@class='button']/@href") == [DESK]
    assert client.get(DESK).status_code == 200


def test_superusers_count_as_editors_for_the_setting(client, settings):
    from django.contrib.auth import get_user_model

    settings.REQUIRE_TWO_FACTOR = "editors"
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org"))
    assert client.get(DESK)["Location"].startswith(SETUP)


def test_contributors_need_not_set_it_up_unless_the_setting_names_all_staff(client, settings):
    contributor = ContributorFactory()
    client.force_login(contributor)
    settings.REQUIRE_TWO_FACTOR = "editors"
    assert client.get(DESK).status_code == 200
    settings.REQUIRE_TWO_FACTOR = "staff"
    assert client.get(DESK)["Location"].startswith(SETUP)


def test_by_default_nobody_is_made_to_set_it_up(client, editor):
    assert django_settings.REQUIRE_TWO_FACTOR == ""
    client.force_login(editor)
    assert client.get(DESK).status_code == 200


def test_someone_made_to_set_it_up_may_still_sign_out(client, editor, settings):
    settings.REQUIRE_TWO_FACTOR = "editors"
    client.force_login(editor)
    response = client.post(reverse("logout"))
    assert response["Location"] == "/"
    assert not is_signed_in(client)


def _settings_with(value):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(DJANGO_DEBUG="1", DJANGO_REQUIRE_2FA=value)
    return subprocess.run(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(repr(settings.REQUIRE_TWO_FACTOR))",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_setting_takes_editors_staff_or_off_and_refuses_anything_else():
    assert _settings_with("Editors").stdout.strip().endswith("'editors'")
    assert _settings_with("off").stdout.strip().endswith("''")
    refused = _settings_with("everyone")
    assert refused.returncode != 0
    assert "DJANGO_REQUIRE_2FA must be" in refused.stderr


# -- managing it -------------------------------------------------------------------------------


def signed_in_with_two_factor(client, user, clock):
    device, codes = enrolled(user)
    sign_in(client, username=user.get_username())
    client.post(CODE_STEP, {"code": next_code(clock, device)})
    assert is_signed_in(client)
    return device, codes


def test_new_recovery_codes_replace_the_old_ones(client, editor, clock):
    _, old = signed_in_with_two_factor(client, editor, clock)
    response = client.post(reverse("two_factor_recovery_codes"))
    new = page(client.get(response["Location"])).xpath("//ul[@class='recovery-codes']//code/text()")
    assert len(new) == two_factor.RECOVERY_CODES and not set(new) & set(old)
    client.post(reverse("logout"))
    sign_in(client)
    assert (
        "That code is not right"
        in client.post(CODE_STEP, {"recovery_code": old[0]}).content.decode()
    )
    client.post(CODE_STEP, {"recovery_code": new[0]})
    assert is_signed_in(client)


def test_turning_it_off_takes_the_password_and_a_code(client, editor, clock):
    device, codes = signed_in_with_two_factor(client, editor, clock)
    turn_off = reverse("two_factor_turn_off")
    response = client.post(turn_off, {"password": "guess", "code": next_code(clock, device)})
    assert "That is not your password." in response.content.decode()
    response = client.post(turn_off, {"password": PASSWORD, "code": wrong_code(device.bin_key)})
    assert "That code is not right" in response.content.decode()
    assert two_factor.has_two_factor(editor)

    response = client.post(turn_off, {"password": PASSWORD, "code": codes[0]})
    assert response["Location"] == reverse("two_factor")
    assert not two_factor.has_two_factor(editor)
    assert not StaticToken.objects.exists()
    # From now on the password alone signs in.
    client.post(reverse("logout"))
    assert sign_in(client)["Location"] == reverse("profile")
    assert is_signed_in(client)


def test_wrong_attempts_to_turn_it_off_count_as_failed_sign_ins(client, editor, clock, settings):
    device, _ = signed_in_with_two_factor(client, editor, clock)
    turn_off = reverse("two_factor_turn_off")
    wrong = {"password": "guess", "code": wrong_code(device.bin_key)}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(turn_off, wrong).status_code == 200
    assert client.post(turn_off, wrong).status_code == 429
    assert two_factor.has_two_factor(editor)


def test_the_account_pages_link_to_two_factor_authentication(client, editor):
    AuthorFactory(user=editor)
    client.force_login(editor)
    nav = page(client.get(reverse("profile"))).xpath("//nav[@aria-label='Your account']")[0]
    assert nav.xpath(".//a[text()='Two-factor authentication']/@href") == [reverse("two_factor")]


def test_the_qr_code_names_the_site_and_the_account(client, editor):
    client.force_login(editor)
    client.get(SETUP)
    url = TOTPDevice.objects.get(user=editor).config_url
    assert re.match(rf"otpauth://totp/{django_settings.SITE_NAME}%3Anadia\?secret=", url)
    assert f"issuer={django_settings.SITE_NAME}" in url


def test_who_lost_both_phone_and_codes_gets_a_new_recovery_code_on_the_server(client, editor):
    from io import StringIO

    from django.core.management import call_command

    enrolled(editor)
    printed = StringIO()
    call_command("addstatictoken", "nadia", stdout=printed)
    sign_in(client)
    client.post(CODE_STEP, {"recovery_code": printed.getvalue().strip()})
    assert is_signed_in(client)
