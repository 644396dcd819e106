"""A contributor is invited, signs in, and keeps their own author profile up to date."""

import re
import time
from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import axe_violations, sign_in_to_admin

pytestmark = pytest.mark.browser

PASSWORD = "Elin-chooses-a-long-passphrase"  # noqa: S105


def invitation_link(site, address, wait=10):
    """The link in the invitation to ``address``, once the task worker has sent it."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for message in sorted(site.mail_dir.glob("*.log"), reverse=True):
            text = message.read_text()
            if f"To: {address}" in text and "/accounts/invite/" in text:
                return re.search(r"https?://\S+/accounts/invite/\S+", text).group()
        time.sleep(0.1)
    raise AssertionError(f"no invitation to {address} in {site.mail_dir}")


def portrait(path):
    image = Image.new("RGB", (600, 600), (40, 90, 140))
    image.paste((230, 180, 60), (150, 150, 450, 450))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    return path


def test_an_invited_contributor_sets_a_password_and_edits_the_profile_with_a_photo(
    browser, site, page, tmp_path
):
    # An editor gives the author an address and invites her from the editors' desk.
    sign_in_to_admin(page)
    page.goto("/admin/authors/author/?q=Lindqvist")
    page.get_by_role("link", name="Elin Lindqvist").click()
    page.fill("#id_email", "elin@example.org")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto("/admin/authors/author/?q=Lindqvist")
    page.locator("input[name=_selected_action]").first.check()
    page.select_option("select[name=action]", "send_invitation")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("Invitation queued for Elin Lindqvist")

    # She follows the link from the e-mail, in a browser of her own.
    link = invitation_link(site, "elin@example.org").removeprefix(site.url)
    context = browser.new_context(base_url=site.url, bypass_csp=False)
    elin = context.new_page()
    elin.goto(link)
    expect(elin.locator("h1")).to_have_text(re.compile("Welcome to"))
    elin.fill("#id_new_password1", PASSWORD)
    elin.fill("#id_new_password2", PASSWORD)
    elin.click("button[type=submit]")
    expect(elin).to_have_url(re.compile("/accounts/profile/$"))
    expect(elin.locator(".messages")).to_contain_text("Welcome.")

    # The profile form, with the rich-text editor working under the site's CSP.
    expect(elin.locator("#id_name")).to_have_value("Elin Lindqvist")
    expect(elin.locator(".prose-editor [contenteditable=true]").first).to_be_visible()
    elin.fill("#id_role_line", "Head of Nordic and Baltic Security")
    elin.set_input_files("#id_photo", str(portrait(tmp_path / "elin.jpg")))
    preview = elin.locator(".photo-preview img")
    expect(preview).to_be_visible()
    assert preview.get_attribute("src").startswith("data:image/jpeg")
    elin.fill("#id_photo_alt", "Elin Lindqvist in front of a harbour.")
    elin.get_by_role("button", name="Save profile").click()
    expect(elin.locator(".messages")).to_contain_text("Your profile is saved.")
    expect(elin.locator(".photo-preview img")).to_have_attribute(
        "alt", "Elin Lindqvist in front of a harbour."
    )

    # Her public page shows the change, with the photo as renditions, and the edit link.
    elin.goto("/authors/elin-lindqvist/")
    expect(elin.locator(".role-line").first).to_have_text("Head of Nordic and Baltic Security")
    photo = elin.locator(".profile img")
    expect(photo).to_have_attribute("alt", "Elin Lindqvist in front of a harbour.")
    expect(photo).to_have_js_property("complete", True)
    assert "/renditions/" in photo.evaluate("img => img.currentSrc")
    expect(elin.get_by_role("link", name="Edit profile")).to_be_visible()

    # So does the author box of each of her reports.
    elin.locator(".card-title a").first.click()
    box = elin.locator(".author-box", has_text="Elin Lindqvist")
    expect(box).to_contain_text("Head of Nordic and Baltic Security")
    expect(box.locator("img")).to_have_attribute("alt", "Elin Lindqvist in front of a harbour.")

    # Readers see the new profile and no edit link.
    page.context.clear_cookies()
    page.goto("/authors/elin-lindqvist/")
    expect(page.locator(".role-line").first).to_have_text("Head of Nordic and Baltic Security")
    expect(page.get_by_role("link", name="Edit profile")).to_have_count(0)

    # Signing out from the account menu.
    elin.goto("/accounts/profile/")
    elin.get_by_role("button", name="Sign out").click()
    elin.goto("/accounts/profile/")
    expect(elin).to_have_url(re.compile("/accounts/login/"))
    context.close()


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password/reset/"])
def test_the_sign_in_pages_pass_axe(page, url):
    response = page.goto(url)
    assert response.status == 200
    assert axe_violations(page) == [], url


def sign_in_as_contributor(page, site, username, author_slug):
    """Give the demo author ``author_slug`` a contributor account and sign in with it."""
    site.shell(
        "from authors.models import Author; from django.contrib.auth.models import User, Group; "
        f"u, _ = User.objects.get_or_create(username='{username}', defaults={{'is_staff': True}}); "
        f"u.set_password('{username}-pass-12345'); u.save(); "
        "u.groups.add(Group.objects.get(name='Contributors')); "
        f"a = Author.objects.get(slug='{author_slug}'); a.user = u; a.save()"
    )
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-pass-12345")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile("/accounts/profile/$"))


def editor_ready(page):
    """Wait for the rich-text editor and its icon font, so that axe sees the finished page."""
    expect(page.locator(".prose-menubar__button").first).to_be_visible()
    page.evaluate("document.fonts.ready.then(() => true)")


def test_the_profile_form_passes_axe(page, site):
    sign_in_as_contributor(page, site, "mei", "mei-ling-chua")
    editor_ready(page)
    assert axe_violations(page) == []
    # Submitting with a missing name shows the problems, still accessible.
    page.fill("#id_name", "")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".form-problems")).to_contain_text("Name")
    editor_ready(page)
    assert axe_violations(page) == []


def test_your_reports_and_password_pages_pass_axe(page, site):
    sign_in_as_contributor(page, site, "rafael", "rafael-mendes")
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="Your reports"
    ).click()
    expect(page.locator("h1")).to_have_text("Your reports")
    expect(page.locator("table.my-reports tbody tr").first).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Password").click()
    expect(page.locator("h1")).to_have_text("Change your password")
    assert axe_violations(page) == []
