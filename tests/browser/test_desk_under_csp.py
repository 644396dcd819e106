"""The editors' desk works under its Content-Security-Policy: the rich-text editor, the
autocompletes, the calendar and clock, the lists, History, deletion and the preview, with not
one violation reported by the browser."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in_to_admin

pytestmark = pytest.mark.browser

# Recorded on every page of the context before any of the page's own scripts run.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    const where = `${event.sourceFile}:${event.lineNumber}`;
    window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI} (${where})`);
});
"""


@pytest.fixture
def desk(browser, site):
    """A page whose browser enforces the site's CSP (the other browser tests let axe-core in by
    bypassing it), with what the browser reported about CSP and Permissions-Policy."""
    context = browser.new_context(base_url=site.url)
    context.add_init_script(RECORD_VIOLATIONS)
    reported = []

    def watch(page):
        page.on("pageerror", lambda error: reported.append(f"error: {error}"))
        page.on(
            "console",
            lambda message: (
                reported.append(f"console: {message.text}")
                if re.search("Content.Security.Policy|Permissions.Policy", message.text)
                else None
            ),
        )

    context.on("page", watch)
    page = context.new_page()
    page.reported = reported
    yield page
    context.close()


def violations(page):
    return page.evaluate("window.cspViolations")


def test_an_editor_composes_in_the_desk_under_its_csp_with_no_violation(desk, site):
    page = desk
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/add/")
    page.fill("#id_title", "Port strikes on the Black Sea coast")
    page.fill("#id_summary", "Overnight strikes hit ports on both sides.")
    page.fill("#id_key_points-0-text", "Ports on both sides were hit.")

    # The rich-text editor: its toolbar and typing, bold included.
    editor = page.locator(".prose-editor [contenteditable=true]").first
    expect(editor).to_be_visible()
    expect(page.locator(".prose-menubar").first).to_be_visible()
    editor.click()
    page.keyboard.type("Drones struck the port at dawn. ")
    page.keyboard.press("Control+b")
    page.keyboard.type("Three ships burned.")
    expect(editor.locator("strong")).to_have_text("Three ships burned.")

    # An autocomplete (select2) and the calendar and clock of the publication time.
    page.locator("#id_primary_region + .select2").click()
    page.locator(".select2-search__field").last.fill("Ukraine")
    page.locator(".select2-results__option", has_text="Ukraine").first.click()
    calendar = page.locator(".field-publish_at a[id^=calendarlink]")
    number = calendar.get_attribute("id").removeprefix("calendarlink")
    calendar.click()
    page.locator(f"#calendarbox{number} .calendar-shortcuts a", has_text="Today").click()
    clock = page.locator(".field-publish_at a[id^=clocklink]")
    number = clock.get_attribute("id").removeprefix("clocklink")
    clock.click()
    page.locator(f"#clockbox{number} .timelist a", has_text="Now").click()
    expect(page.locator("#id_publish_at_0")).not_to_have_value("")
    expect(page.locator("#id_publish_at_1")).not_to_have_value("")

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # The change form: the editor shows the saved text and takes more.
    editor = page.locator(".prose-editor [contenteditable=true]").first
    expect(editor.locator("strong")).to_have_text("Three ships burned.")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" The harbour is closed.")
    expect(editor).to_contain_text("The harbour is closed.")
    change_url = page.url

    # The preview, in a new tab.
    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Preview as readers will see it").last.click()
    preview = new_tab.value
    preview.wait_for_load_state()
    expect(preview.locator(".preview-banner")).to_contain_text("Preview of unsaved changes")
    expect(preview.locator("article")).to_contain_text("The harbour is closed.")
    assert violations(preview) == []
    preview.close()

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert violations(page) == []

    # The list with its search and filters, History, the delete confirmation, an author.
    for url, text in [
        ("/admin/reports/report/?q=Black+Sea", "Port strikes on the Black Sea coast"),
        (change_url.replace("/change/", "/history/"), "compare them side by side"),
        (change_url.replace("/change/", "/delete/"), "Are you sure you want to delete"),
        ("/admin/reports/report/recover/", "Recover deleted"),
        ("/admin/authors/author/?q=Lindqvist", "Elin Lindqvist"),
    ]:
        page.goto(url)
        expect(page.locator("#content")).to_contain_text(text)
        assert violations(page) == [], url
    # An earlier version, from History, in the report's form.
    page.goto(change_url.replace("/change/", "/history/"))
    page.locator("#change-history tbody tr th a").first.click()
    expect(page.locator(".prose-editor [contenteditable=true]").first).to_contain_text(
        "Three ships burned."
    )
    assert violations(page) == []

    page.goto("/admin/authors/author/?q=Lindqvist")
    page.get_by_role("link", name="Elin Lindqvist").click()
    bio = page.locator(".prose-editor [contenteditable=true]").first
    expect(bio).to_be_visible()
    bio.click()
    page.keyboard.type(" More.")
    expect(bio).to_contain_text("More.")
    assert violations(page) == []

    assert page.reported == []


def test_the_also_editing_notice_keeps_itself_current_under_the_csp(desk, site):
    page = desk
    sign_in_to_admin(page)
    page.clock.install()
    page.goto("/admin/reports/report/?q=Sahel")
    page.locator("#result_list tbody th a").first.click()
    notice = page.locator(".also-editing")
    expect(notice).to_be_hidden()
    report_id = page.locator("[data-editing-url]").get_attribute("data-editing-url").split("/")[-3]
    # A colleague opens the same report meanwhile.
    site.shell(
        "from django.contrib.auth.models import User; from reports import presence; "
        "from reports.models import Report; "
        "u, _ = User.objects.get_or_create(username='colleague', "
        "defaults={'first_name': 'Nadia', 'last_name': 'Haddad', 'is_staff': True}); "
        f"presence.seen(Report.all_objects.get(pk={report_id}), u)"
    )
    page.clock.run_for(31_000)
    expect(notice).to_contain_text("Also editing: Nadia Haddad (since ")
    assert violations(page) == []
    assert page.reported == []
