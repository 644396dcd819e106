"""The report form as an editor uses it in a real browser: nothing lost on a refused save,
autosave and the leave warning, publishing buttons that say what they do, errors linked to
their fields, dates as typed."""

import re
from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import sign_in_to_admin

pytestmark = pytest.mark.browser


def jpeg(name):
    buffer = BytesIO()
    Image.new("RGB", (800, 450), "darkslateblue").save(buffer, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def autocomplete(page, select_id, text):
    page.locator(f"#{select_id} + .select2").click()
    page.locator(".select2-search__field").last.fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def open_report(page, query):
    """Open the desk's change page of the first report the desk's search finds for ``query``
    (a report's address finds that report alone)."""
    page.goto(f"/admin/reports/report/?q={query}")
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator("#id_title")).to_be_visible()


def compose(page, title, *, key_point="Two ports were hit overnight."):
    """Fill what a report needs to be published, on the add page."""
    page.goto("/admin/reports/report/add/")
    page.fill("#id_title", title)
    page.fill("#id_summary", "Overnight strikes hit ports on both sides.")
    page.fill("#id_key_points-0-text", key_point)
    autocomplete(page, "id_report_authors-0-author", "Nikolas")
    autocomplete(page, "id_primary_region", "Qatar")


def stored(site, expression, slug):
    """``expression`` about the report ``slug`` (``report``) and its working draft
    (``draft``), read from the server's database."""
    return site.shell(
        "from reversion.models import Version; from reports.models import Report; "
        f"report = Report.objects.get(slug={slug!r}); "
        "draft = Report.all_objects.filter(draft_of=report).first(); "
        f"print({expression})"
    ).splitlines()[-1]


# -- nothing typed or chosen is lost -----------------------------------------------------------


def test_an_image_chosen_once_survives_a_refused_save_with_everything_typed(page, site):
    sign_in_to_admin(page)
    compose(page, "Cranes idle in the harbour")
    page.fill("#id_sources-0-title", "Port authority statement")
    page.set_input_files("#id_hero_image", files=[jpeg("harbour.jpg")])
    page.click("input[name=_save]")  # refused: the image has no alt text

    expect(page.locator("#error-summary")).to_contain_text("Describe the image")
    expect(page.locator(".pending-upload")).to_contain_text("Image chosen: harbour.jpg, kept")
    expect(page.locator("#id_key_points-0-text")).to_have_value("Two ports were hit overnight.")
    expect(page.locator("#id_report_authors-0-author + .select2")).to_contain_text("Nikolas")
    expect(page.locator("#id_sources-0-title")).to_have_value("Port authority statement")

    page.fill("#id_hero_alt", "Cranes over the harbour at dusk.")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    slug = "cranes-idle-in-the-harbour"
    assert stored(site, "report.hero_image.name", slug).endswith(".jpg")
    assert stored(site, "report.key_points.count(), report.sources.count()", slug) == "1 1"


# -- autosave and leaving ----------------------------------------------------------------------


def test_autosave_writes_the_working_draft_without_a_version_and_readers_see_nothing(page, site):
    slug = "haiti-un-authorises-gang-suppression-force"
    sign_in_to_admin(page)
    page.clock.install()
    open_report(page, slug)
    live_title = stored(site, "report.title", slug)
    versions = stored(site, "Version.objects.get_for_object(draft).count()", slug)

    page.fill("#id_title", "Haiti's new force: a draft headline")
    page.fill("#id_key_points-0-text", "A key point typed but never saved by hand.")
    body = page.locator(".prose-editor [contenteditable=true]").first
    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" A sentence typed in the body.")
    page.clock.run_for(25_000)
    expect(page.locator("#autosave-status")).to_have_text(
        re.compile(r"Saved automatically at \d\d:\d\d\.")
    )
    assert stored(site, "draft.title", slug) == "Haiti's new force: a draft headline"
    assert stored(site, "draft.key_points.first().text", slug) == (
        "A key point typed but never saved by hand."
    )
    assert "A sentence typed in the body." in stored(site, "draft.body", slug)
    assert stored(site, "Version.objects.get_for_object(draft).count()", slug) == versions
    assert stored(site, "report.title", slug) == live_title
    page.goto(f"/reports/{slug}/")
    expect(page.locator("h1")).to_have_text(live_title)

    # The form saved by hand after an autosave is based on it: no "someone else saved".
    page.go_back()
    page.fill("#id_summary", "Saved by hand after an autosave.")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator("#error-summary")).to_have_count(0)


def test_leaving_with_unsaved_changes_asks_first_but_not_after_saving(page):
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/add/")
    page.fill("#id_title", "A report not saved yet")
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator("#site-name a, .breadcrumbs a").first.click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url.endswith("/add/")
    expect(page.locator("#id_title")).to_have_value("A report not saved yet")

    page.remove_listener("dialog", stay)
    page.on("dialog", lambda dialog: asked.append(dialog.type) or dialog.accept())
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert asked == ["beforeunload"]  # saving asked nothing


def test_autosave_waits_for_a_chosen_image_so_its_alt_text_is_saved_with_it(page, site):
    slug = "sahel-states-formalise-exit-from-ecowas"
    sign_in_to_admin(page)
    page.clock.install()
    open_report(page, slug)
    page.set_input_files("#id_hero_image", files=[jpeg("niamey.jpg")])
    page.fill("#id_hero_alt", "A street in Niamey at noon.")
    page.clock.run_for(25_000)
    expect(page.locator("#autosave-status")).to_contain_text("a chosen image waits")
    # Nothing of the form is saved while the image waits: no working draft, or one without it.
    assert stored(site, "draft and draft.hero_alt", slug) != "A street in Niamey at noon."
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert stored(site, "draft.hero_alt", slug) == "A street in Niamey at noon."
    assert stored(site, "draft.hero_image.name", slug).endswith(".jpg")


def test_changes_not_yet_saved_are_saved_on_leaving(page, site):
    slug = "un-cybercrime-convention-opens-for-signature-hanoi"
    sign_in_to_admin(page)
    open_report(page, slug)
    page.fill("#id_summary", "Typed just before leaving the page.")
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave the page?"
    page.locator(".breadcrumbs a").first.click()
    expect(page).not_to_have_url(re.compile("/change/"))
    for _ in range(20):
        if stored(site, "draft.summary", slug) == "Typed just before leaving the page.":
            break
        page.wait_for_timeout(250)
    assert stored(site, "draft.summary", slug) == "Typed just before leaving the page."
    assert stored(site, "report.summary", slug) != "Typed just before leaving the page."


# -- publishing is an explicit act -------------------------------------------------------------


def test_publish_now_asks_then_says_the_report_is_live_with_its_link(page):
    sign_in_to_admin(page)
    compose(page, "Ports reopen after the strikes")
    expect(page.get_by_role("button", name="Preview as readers will see it")).to_have_count(2)
    expect(page.locator(".field-featured")).to_contain_text("Leads the home page")
    button = page.locator("input[name=_publish]")
    expect(button).to_have_value("Publish now")

    questions = []
    page.once("dialog", lambda dialog: questions.append(dialog.message) or dialog.dismiss())
    button.click()
    page.wait_for_timeout(500)
    assert questions == ["Publish “Ports reopen after the strikes” now? Readers see it at once."]
    assert page.url.endswith("/add/")  # dismissed: nothing sent

    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    message = page.locator(".messagelist")
    expect(message).to_contain_text("“Ports reopen after the strikes” is published: readers see")
    message.get_by_role("link", name="/reports/ports-reopen-after-the-strikes/").click()
    expect(page.locator("h1")).to_have_text("Ports reopen after the strikes")


def test_a_publish_time_to_come_turns_the_button_into_schedule_for_that_time(page):
    sign_in_to_admin(page)
    compose(page, "Talks to resume in the spring")
    page.fill("#id_publish_at_0", "30 Nov 2031")
    page.fill("#id_publish_at_1", "14:00")
    button = page.locator("input[name=_publish]")
    expect(button).to_have_value("Schedule for 30 Nov 2031, 14:00")
    questions = []
    page.once("dialog", lambda dialog: questions.append(dialog.message) or dialog.accept())
    button.click()
    message = page.locator(".messagelist")
    expect(message).to_contain_text("is scheduled: it goes live by itself on 30")
    expect(message.get_by_role("link")).to_have_attribute(
        "href", "/reports/talks-to-resume-in-the-spring/"
    )
    assert questions == [
        "Schedule “Talks to resume in the spring” for 30 Nov 2031, 14:00? "
        "It goes live by itself then."
    ]


def test_send_for_review_asks_then_says_so(page):
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/add/")
    page.fill("#id_title", "A draft for the editors")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("input[name=_submit_for_review]")
    expect(page.locator(".messagelist")).to_contain_text(
        "“A draft for the editors” sent to the editors for review."
    )


def test_publish_changes_and_schedule_changes_ask_then_link_to_the_public_page(page):
    sign_in_to_admin(page)
    questions = []
    page.on("dialog", lambda dialog: questions.append(dialog.message) or dialog.accept())
    open_report(page, "Scarborough")
    slug = page.locator("#id_slug").input_value()
    page.fill("#id_title", "Collision at Scarborough Shoal: the risks")
    page.click("input[name=_publish_changes]")
    message = page.locator(".messagelist")
    expect(message).to_contain_text("Changes published: readers see them now at")
    assert questions[-1].startswith("Publish the changes to “Collision at Scarborough Shoal")
    message.get_by_role("link", name=f"/reports/{slug}/").click()
    expect(page.locator("h1")).to_have_text("Collision at Scarborough Shoal: the risks")

    page.go_back()
    page.fill("#id_changes_go_live_at_0", "2031-11-30")
    page.fill("#id_changes_go_live_at_1", "09:30")
    expect(page.locator("input[name=_schedule_changes]")).to_have_value(
        "Schedule changes for 30 Nov 2031, 09:30"
    )
    page.click("input[name=_schedule_changes]")
    expect(message).to_contain_text("Changes scheduled for 30")
    expect(message.get_by_role("link")).to_have_attribute("href", f"/reports/{slug}/")
    assert "for 30 Nov 2031, 09:30?" in questions[-1]


# -- errors a person can act on ----------------------------------------------------------------


def test_the_error_summary_links_each_problem_to_its_field(page):
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/add/")
    page.fill("#id_title", "An unfinished report")
    page.fill("#id_situation_as_of", "the 28th")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(page.get_by_text("Please correct the error")).to_have_count(0)
    items = summary.locator("li").all_inner_texts()
    assert len(items) == len(set(items)) > 2

    summary.get_by_role("link", name=re.compile("^Summary:")).click()
    expect(page.locator("#id_summary")).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Situation as of:")).click()
    expect(page.locator("#id_situation_as_of")).to_be_focused()
    expect(summary).to_contain_text("Enter a date such as 28 Oct 2024")
    summary.get_by_role("link", name=re.compile("^Key points")).click()
    expect(page.locator("#id_key_points-0-text")).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Primary region:")).click()
    expect(page.locator("#id_primary_region + .select2 .select2-selection")).to_be_focused()


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("28 Oct 2024", "28/10/2024"), ("2024-10-28", "28/10/2024"), ("28/10/2024", "28/10/2024")],
)
def test_dates_are_taken_as_typed(page, typed, shown):
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/add/")
    page.fill("#id_title", f"Dates typed as {typed}")
    page.fill("#id_situation_as_of", typed)
    page.fill("#id_publish_at_0", f"{typed} 14:00")  # the time typed with the date
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator("#id_situation_as_of")).to_have_value(shown)
    expect(page.locator("#id_publish_at_0")).to_have_value(shown)
    expect(page.locator("#id_publish_at_1")).to_have_value(re.compile(r"^14:00"))
