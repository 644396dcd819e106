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
    expect(page.get_by_text("A published report needs a summary.")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("An unfinished report")
    assert re.search(r"/add/$", page.url)


def test_an_editor_previews_unsaved_changes_in_a_new_tab(page):
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/?q=Kursk")
    page.locator("#result_list tbody th a").first.click()
    page.fill("#id_title", "Ukrainian forces hold ground in Kursk (draft headline)")
    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="Preview as readers will see it").click()
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
    sign_in_to_admin(page)
    page.goto("/admin/reports/report/?q=Moldova")
    page.locator("#result_list tbody th a").first.click()
    history_url = page.url.replace("/change/", "/history/")
    slug = page.locator("#id_slug").input_value()
    original = page.locator("#id_key_points-0-text").input_value()
    page.click("input[name=_continue]")  # the version as it is now
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.fill("#id_key_points-0-text", "A key point that turned out to be wrong.")
    page.click("input[name=_continue]")
    expect(page.locator("#id_key_points-0-text")).to_have_value(
        "A key point that turned out to be wrong."
    )

    page.goto(history_url)
    page.locator("#change-history tbody tr th a").first.click()  # the oldest version
    expect(page.locator("#id_key_points-0-text")).to_have_value(original)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"/reports/{slug}/")
    expect(page.locator(".key-points li").first).to_have_text(original)


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
