"""An editor sets up two-factor authentication from the account pages, then signs in to the
editors' desk with the password and a code from the app."""

import re
import time
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from .conftest import axe_violations, sign_in_to_admin

pytestmark = pytest.mark.browser


def code_at(secret, when):
    """The code an authenticator app holding ``secret`` (base32, as the page shows it) shows
    at ``when`` (Unix time)."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = when
    return f"{totp.token():06d}"


def code_now(secret):
    """The code the app shows now, taken at least a few seconds before it changes: a code sent
    as the next one begins is taken by the server for a phone whose clock is late, and the
    server then expects the next codes one step late."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)
    return code_at(secret, time.time())


def new_editor(site, username):
    password = f"{username}-has-a-long-passphrase"
    site.shell(
        "from django.contrib.auth.models import User, Group; "
        f"u = User.objects.create_user('{username}', '{username}@example.org', '{password}', "
        "is_staff=True); u.groups.add(Group.objects.get(name='Editors'))"
    )
    return password


def sign_in(page, username, password):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def set_up(page):
    """From any account page: set two-factor authentication up, as a person with an app would.
    Returns the secret the page showed."""
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="Two-factor authentication"
    ).click()
    page.get_by_role("link", name="Set up two-factor authentication").click()
    qr_code = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr_code).to_be_visible()
    box = qr_code.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code from your app").fill(code_now(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    return secret


def test_an_editor_sets_it_up_signs_out_and_signs_in_to_the_desk_with_a_code(browser, site):
    password = new_editor(site, "nadia")
    # The site's own Content-Security-Policy applies: nothing on these pages may break it.
    context = browser.new_context(base_url=site.url, bypass_csp=False)
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    sign_in(page, "nadia", password)
    secret = set_up(page)
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    with page.expect_download() as download:
        page.get_by_role("link", name="Download them as a text file").click()
    assert Path(download.value.path()).read_text().split() == codes
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page.locator(".standfirst")).to_contain_text("On: you sign in with your password")
    page.get_by_role("button", name="Sign out").click()

    # The desk's sign-in asks for the code after the password.
    sign_in_to_admin(page, "nadia", password)
    expect(page).to_have_url(re.compile("/accounts/two-factor/sign-in/$"))
    # The next code: the one used to set it up cannot sign in again.
    page.get_by_label("Code from your app").fill(code_at(secret, time.time() + 30))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile("/admin/$"))
    expect(page.get_by_role("link", name="Reports", exact=True).first).to_be_visible()
    assert problems == []
    context.close()


def test_the_two_factor_pages_pass_axe(page, site):
    password = new_editor(site, "omar")
    sign_in(page, "omar", password)
    page.goto("/accounts/two-factor/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Set up two-factor authentication").click()
    assert axe_violations(page) == []
    # A wrong code: the problem is shown next to the field, still accessible.
    page.get_by_label("Code from your app").fill("12345")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator(".form-problems")).to_contain_text("Code from your app")
    assert axe_violations(page) == []
    page.goto("/accounts/two-factor/")
    set_up(page)
    assert axe_violations(page) == []
    page.get_by_role("link", name="I have saved them: continue").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Turn two-factor authentication off").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "omar", password)
    expect(page.locator("h1")).to_have_text("Enter your code")
    assert axe_violations(page) == []
