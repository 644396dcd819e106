"""An editor composes and publishes a report in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in_to_admin

pytestmark = pytest.mark.browser


def test_an_editor_composes_a_report_with_the_rich_text_editor_and_publishes_it(page):
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/add/")

    page.locator("#id_title").press_sequentially("Ceasefire talks resume in Doha")
    expect(page.locator("#id_slug")).to_have_value("ceasefire-talks-resume-in-doha")
    page.fill("#id_summary", "Negotiators met again after a two-week pause.")
    page.fill("#id_key_points-0-text", "Talks resumed after a two-week pause.")
    page.fill("#id_key_points-1-text", "Both delegations were at the table.")

    editor = page.locator(".prose-editor [contenteditable=true]").first
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.type("On November 3, 2025, negotiators met again.")

    def autocomplete(select_id, text):
        page.locator(f"#{select_id} + .select2").click()
        page.locator(".select2-search__field").last.fill(text)
        page.locator(".select2-results__option", has_text=text).first.click()

    autocomplete("id_report_authors-0-author", "Nikolas")
    autocomplete("id_primary_region", "Qatar")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.goto("/reports/ceasefire-talks-resume-in-doha/")
    expect(page.locator("h1")).to_have_text("Ceasefire talks resume in Doha")
    expect(page.locator(".key-points li")).to_have_count(2)
    expect(page.locator("article")).to_contain_text("On November 3, 2025, negotiators met again.")
    assert not page.errors


def test_an_incomplete_report_is_sent_back_with_the_problems_and_nothing_lost(page):
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/add/")
    page.fill("#id_title", "An unfinished report")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    expect(page.locator(".errornote")).to_be_visible()
    # Beside the field, and linked to it from the summary at the top.
    expect(page.get_by_text("A published report needs a summary.", exact=True)).to_be_visible()
    expect(page.locator("#error-summary a[href='#id_summary']")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("An unfinished report")
    assert re.search(r"/add/$", page.url)


def test_an_editor_previews_unsaved_changes_in_a_new_tab(page):
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/?q=Kursk")
    page.locator("#result_list tbody th a").first.click()
    page.fill("#id_title", "Ukrainian forces hold ground in Kursk (draft headline)")
    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Preview as readers will see it").last.click()
    preview = new_tab.value
    preview.wait_for_load_state()
    expect(preview.locator(".preview-banner")).to_contain_text("Preview of unsaved changes")
    expect(preview.locator("h1")).to_have_text(
        "Ukrainian forces hold ground in Kursk (draft headline)"
    )
    expect(preview.locator(".key-points li").first).to_be_visible()
    # Nothing was saved: readers still see the published headline.
    page.goto("/reports/ukrainian-forces-cross-into-russias-kursk-region/")
    expect(page.locator("h1")).not_to_contain_text("draft headline")


def test_an_editor_restores_an_earlier_version_with_its_key_points(page):
    page.on("dialog", lambda dialog: dialog.accept())  # "Publish the changes now?"
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/?q=Moldova")
    page.locator("#result_list tbody th a").first.click()
    history_url = page.url.replace("/change/", "/history/")
    slug = page.locator("#id_slug").input_value()
    original = page.locator("#id_key_points-0-text").input_value()

    page.fill("#id_key_points-0-text", "A key point that turned out to be wrong.")
    page.click("input[name=_publish_changes]")
    expect(page.locator(".messagelist")).to_contain_text("Changes published")

    page.goto(history_url)
    page.locator("#change-history tbody tr th a").last.click()  # the oldest version
    expect(page.locator(".report-diff")).to_contain_text(original)
    page.click("input[value='Restore this version to the draft']")
    expect(page.locator("#id_key_points-0-text")).to_have_value(original)
    page.goto(f"/reports/{slug}/")  # restoring alone changes nothing readers see
    expect(page.locator(".key-points li").first).to_have_text(
        "A key point that turned out to be wrong."
    )

    page.go_back()
    page.click("input[name=_publish_changes]")
    page.goto(f"/reports/{slug}/")
    expect(page.locator(".key-points li").first).to_have_text(original)


def test_an_editor_edits_a_published_report_previews_and_readers_see_it_only_once_published(
    page, browser, site
):
    page.on("dialog", lambda dialog: dialog.accept())  # "Publish the changes now?"
    sign_in_to_admin(page)
    # Not the example report, which other tests read as it was published.
    page.goto("/admin/reports/report/?q=Ukrainian+forces+cross")
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator(".working-draft")).to_contain_text("Live version")
    slug = page.locator("#id_slug").input_value()
    page.fill("#id_title", "Ukrainian forces hold ground in Kursk")
    page.click("input[name=_continue]")
    expect(page.locator(".working-draft")).to_contain_text("Draft with unpublished changes")

    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Preview as readers will see it").last.click()
    preview = new_tab.value
    preview.wait_for_load_state()
    expect(preview.locator("h1")).to_have_text("Ukrainian forces hold ground in Kursk")
    preview.goto(f"/reports/{slug}/")
    expect(preview.locator("h1")).not_to_have_text("Ukrainian forces hold ground in Kursk")

    # A share link for a reviewer with no account, open for three days.
    page.fill("#share-days", "3")
    page.get_by_role("button", name="Create share link").click()
    expect(page.locator(".messagelist")).to_contain_text("Share link made")
    shared_url = page.locator("#share-links input.share-link-url").first.input_value()
    expect(page.locator("#share-links")).to_contain_text("Open until")
    reviewer = browser.new_context(base_url=site.url).new_page()
    reviewer.goto(shared_url)
    expect(reviewer.locator(".preview-banner")).to_contain_text("Preview shared for review")
    expect(reviewer.locator("h1")).to_have_text("Ukrainian forces hold ground in Kursk")
    reader = browser.new_context(base_url=site.url).new_page()
    reader.goto(f"/reports/{slug}/")
    expect(reader.locator("h1")).not_to_have_text("Ukrainian forces hold ground in Kursk")

    page.click("input[name=_publish_changes]")
    expect(page.locator(".messagelist")).to_contain_text("Changes published")
    preview.goto(f"/reports/{slug}/")
    expect(preview.locator("h1")).to_have_text("Ukrainian forces hold ground in Kursk")
    # A reader arriving now (their browser may keep the page it had for a minute).
    reader.context.close()
    reader = browser.new_context(base_url=site.url).new_page()
    reader.goto(f"/reports/{slug}/")
    expect(reader.locator("h1")).to_have_text("Ukrainian forces hold ground in Kursk")

    # Revoked, the link opens nothing.
    page.get_by_role("button", name="Revoke").first.click()
    expect(page.locator(".messagelist")).to_contain_text("Share link revoked")
    assert reviewer.goto(shared_url).status == 404
    reviewer.context.close()
    reader.context.close()


def test_the_desk_prefills_a_readable_slug_and_leaves_other_scripts_to_the_server(page):
    sign_in_to_admin(page)
    page.goto("/admin/tags/topic/add/")
    page.locator("#id_name").press_sequentially("Énergie et climat")
    expect(page.locator("#id_slug")).to_have_value("energie-et-climat")

    page.goto("/admin/tags/topic/add/")
    page.locator("#id_name").press_sequentially("Ασφάλεια και θάλασσα")
    expect(page.locator("#id_slug")).to_have_value("")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.goto("/topics/asfaleia-kai-thalassa/")
    expect(page.locator("h1")).to_have_text("Ασφάλεια και θάλασσα")
    assert not page.errors


def test_two_editors_on_one_report_keep_both_their_changes(browser, site):
    editors = []
    for _ in range(2):
        context = browser.new_context(base_url=site.url)
        editor = context.new_page()
        editor.on("dialog", lambda dialog: dialog.accept())  # "Publish the changes now?"
        sign_in_to_admin(editor)
        editor.goto("/admin/reports/report/?q=Myanmar")
        editor.locator("#result_list tbody th a").first.click()
        editors.append(editor)
    first, second = editors
    slug = first.locator("#id_slug").input_value()

    # The first editor changes the summary and adds a sentence to the body, and saves.
    first.fill("#id_summary", "A 7.7 magnitude earthquake struck near Mandalay.")
    body = first.locator(".prose-editor [contenteditable=true]").first
    body.click()
    first.keyboard.press("Control+End")
    first.keyboard.type(" Rescue teams reached Sagaing on the third day.")
    first.click("input[name=_continue]")
    expect(first.locator(".messagelist")).to_contain_text("was changed successfully")

    # The second, whose page was open all along, changes the headline only.
    second.fill("#id_title", "Earthquake devastates central Myanmar")
    second.click("input[name=_save]")
    expect(second.locator(".errornote")).to_be_visible()
    expect(
        second.get_by_text("Someone else saved this report while you were editing")
    ).to_be_visible()
    changes = second.locator(".overtaken li")
    expect(changes.filter(has_text="Summary")).to_contain_text("near Mandalay")
    expect(changes.filter(has_text="Body")).to_contain_text("Rescue teams reached Sagaing")
    expect(second.locator("#id_summary")).to_have_value(
        "A 7.7 magnitude earthquake struck near Mandalay."
    )
    expect(second.locator("#id_title")).to_have_value("Earthquake devastates central Myanmar")
    expect(second.locator(".field-body .errorlist")).to_have_count(0)  # the body is theirs
    # Both saved the report's working draft; readers see it once it is published.
    second.click("input[name=_publish_changes]")
    expect(second.locator(".messagelist")).to_contain_text("Changes published")

    second.goto(f"/reports/{slug}/")
    expect(second.locator("h1")).to_have_text("Earthquake devastates central Myanmar")
    expect(second.locator(".standfirst")).to_have_text(
        "A 7.7 magnitude earthquake struck near Mandalay."
    )
    expect(second.locator("article")).to_contain_text("Rescue teams reached Sagaing")
    for editor in editors:
        editor.context.close()
