"""The report form as an editor works in it: rows put in order by dragging or with the keyboard,
lengths counted and never cut, room to write at 1,280 px, and no accessibility violations on
the desk's pages."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, sign_in_to_admin

pytestmark = pytest.mark.browser

ADD_KEY_POINT = re.compile("Add another key point", re.IGNORECASE)
KEY_POINTS = ["Talks resumed in Doha.", "Both delegations attended.", "A ceasefire is not agreed."]


@pytest.fixture
def desk(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_to_admin(page)
    return page


def key_point_texts(page):
    return [
        text
        for text in page.locator(
            "#key_points-group tr.form-row:not(.empty-form) textarea"
        ).evaluate_all("fields => fields.map((field) => field.value)")
        if text
    ]


def start_report(page, title):
    page.goto("/admin/reports/report/add/")
    page.fill("#id_title", title)
    for index, text in enumerate(KEY_POINTS):
        page.fill(f"#id_key_points-{index}-text", text)


def save_and_continue(page):
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("successfully")


def test_key_points_move_with_the_keyboard_and_are_saved_in_the_order_shown(desk):
    page = desk
    start_report(page, "Key points moved with the keyboard")
    assert page.locator("#id_key_points-0-position").get_attribute("type") == "hidden"

    first_row_down = page.locator("#key_points-0 .reorder-down")
    first_row_down.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#key_points-group .reorder-status")).to_have_text(
        "Key point moved to position 2 of 3."
    )
    expect(first_row_down).to_be_focused()
    page.keyboard.press("Enter")
    assert key_point_texts(page) == [KEY_POINTS[1], KEY_POINTS[2], KEY_POINTS[0]]
    page.locator("#key_points-0 .reorder-up").click()
    assert key_point_texts(page) == [KEY_POINTS[1], KEY_POINTS[0], KEY_POINTS[2]]

    save_and_continue(page)
    assert key_point_texts(page) == [KEY_POINTS[1], KEY_POINTS[0], KEY_POINTS[2]]
    # Each key point's text is shown once, in its field.
    group_text = page.locator("#key_points-group").inner_text()
    assert all(text not in group_text for text in KEY_POINTS)
    assert not page.errors


def test_a_key_point_is_dragged_into_place_and_a_new_row_moved_up(desk):
    page = desk
    start_report(page, "Key points dragged into place")

    handle = page.locator("#key_points-2 .reorder-handle")
    target = page.locator("#key_points-0").bounding_box()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 5, target["y"] + 5, steps=10)
    page.mouse.up()
    expect(page.locator("#key_points-group .reorder-status")).to_contain_text("position 1 of")
    assert key_point_texts(page) == [KEY_POINTS[2], KEY_POINTS[0], KEY_POINTS[1]]

    # A row added with "Add another" is moved up to second place.
    page.get_by_role("button", name=ADD_KEY_POINT).click()
    new_id = page.locator("#key_points-group tr.form-row:not(.empty-form)").last.get_attribute("id")
    new_row = page.locator(f"#{new_id}")
    new_row.locator("textarea").fill("Added last, moved up.")
    new_row.locator(".reorder-up").click()
    new_row.locator(".reorder-up").click()
    expected = [KEY_POINTS[2], "Added last, moved up.", KEY_POINTS[0], KEY_POINTS[1]]
    assert key_point_texts(page) == expected

    save_and_continue(page)
    assert key_point_texts(page) == expected

    # Stored rows, empty ones and a new one: removing an empty row after a move keeps the
    # stored rows' forms first, as the formset expects.
    page.get_by_role("button", name=ADD_KEY_POINT).click()
    added_id = page.locator("#key_points-group tr.form-row:not(.empty-form)").last.get_attribute(
        "id"
    )
    added = page.locator(f"#{added_id}")
    added.locator("textarea").fill("Added after the stored rows.")
    added.locator(".reorder-up").click()
    page.locator("#key_points-group tr.form-row:not(.empty-form) .inline-deletelink").first.click()
    page.locator("#key_points-3 .reorder-up").click()
    save_and_continue(page)
    assert key_point_texts(page) == [
        KEY_POINTS[2],
        "Added last, moved up.",
        KEY_POINTS[1],
        KEY_POINTS[0],
        "Added after the stored rows.",
    ]
    assert not page.errors


def test_a_pasted_over_long_summary_is_kept_whole_and_refused_with_its_length(desk):
    page = desk
    page.goto("/admin/reports/report/add/")
    page.fill("#id_title", "A summary pasted too long")
    counter = page.locator("#id_summary_count")
    expect(counter).to_have_text("0 / 300")
    summary = page.locator("#id_summary")
    assert summary.get_attribute("maxlength") is None
    assert "id_summary_count" in summary.get_attribute("aria-describedby")

    text = ("Fighting resumed along the front line overnight. " * 8)[:350]
    summary.focus()
    page.keyboard.insert_text(text)  # as a paste inserts it
    expect(summary).to_have_value(text)
    expect(counter).to_have_text("350 / 300: 50 over the limit")

    page.click("input[name=_continue]")
    expect(page.locator(".errornote")).to_be_visible()
    expect(
        page.locator(".errorlist").get_by_text(
            "Ensure this value has at most 300 characters (it has 350).", exact=True
        )
    ).to_be_visible()
    expect(page.locator("#id_summary")).to_have_value(text)
    expect(page.locator("#id_summary_count")).to_have_text("350 / 300: 50 over the limit")


def test_key_points_and_search_fields_count_their_characters(desk):
    page = desk
    page.goto("/admin/reports/report/add/")
    page.fill("#id_key_points-0-text", "Twelve chars")
    expect(page.locator("#id_key_points-0-text_count")).to_have_text("12 / 400")
    page.locator("summary", has_text="Search engines").click()
    page.fill("#id_seo_title", "A title for search engines")
    expect(page.locator("#id_seo_title_count")).to_have_text("26 / 70")

    page.get_by_role("button", name=ADD_KEY_POINT).click()  # beyond the three rows
    page.get_by_role("button", name=ADD_KEY_POINT).click()
    page.get_by_role("button", name=ADD_KEY_POINT).click()
    page.get_by_role("button", name=ADD_KEY_POINT).click()
    added = page.locator("#key_points-group tr.form-row:not(.empty-form) textarea").last
    added.fill("Four")
    field_id = added.get_attribute("id")
    expect(page.locator(f"#{field_id}_count")).to_have_text("4 / 400")
    assert added.get_attribute("aria-describedby") == f"{field_id}_count"


def test_the_form_gives_room_to_write_and_fits_1280_pixels(desk, site):
    page = desk
    page.goto("/admin/reports/report/add/")
    editor = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    expect(editor).to_be_visible()
    assert editor.bounding_box()["height"] >= 400
    expect(editor).to_have_attribute("spellcheck", "true")
    for field in ("#id_title", "#id_summary", "#id_hero_caption", "#id_key_points-0-text"):
        expect(page.locator(field)).to_have_attribute("spellcheck", "true")
    assert page.locator("#id_title").bounding_box()["width"] >= 600
    assert page.locator("#id_summary").bounding_box()["width"] >= 600
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    page.goto("/admin/reports/report/?q=Moldova")
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator("#sources-group tr.has_original").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    for column in ("title", "url"):
        assert page.locator(f"#id_sources-0-{column}").bounding_box()["width"] >= 200

    page.goto("/admin/reports/report/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    for column in ("situation_as_of", "publish_at"):
        header = page.locator(f"#result_list th.column-{column}")
        box = header.bounding_box()
        assert box["x"] + box["width"] <= 1280, column


def test_the_author_forms_prose_is_spell_checked(desk):
    page = desk
    page.goto("/admin/authors/author/1/change/")
    expect(page.locator(".prose-editor .ProseMirror[contenteditable=true]")).to_have_attribute(
        "spellcheck", "true"
    )
    expect(page.locator("#id_short_bio")).to_have_attribute("spellcheck", "true")


def test_the_desks_pages_pass_axe(desk):
    page = desk
    start_report(page, "A report for every page of the desk")
    page.fill("#id_summary", "A first summary.")
    save_and_continue(page)
    change = page.url
    page.fill("#id_summary", "A second summary.")
    save_and_continue(page)

    page.goto("/admin/reports/report/?q=Moldova")
    page.locator("#result_list tbody th a").first.click()
    published_draft = page.url

    pages = [
        "/admin/",
        "/admin/reports/report/",
        "/admin/reports/report/add/",
        change,
        published_draft,
        "/admin/authors/author/1/change/",
        change.replace("/change/", "/history/"),
    ]
    found = {}
    for url in pages:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        found[url] = axe_violations(page)
    page.goto(change.replace("/change/", "/history/"))
    page.click("input[value='Compare selected versions']")
    expect(page.locator(".report-diff")).to_contain_text("A second summary.")
    found[page.url] = axe_violations(page)
    assert {url: problems for url, problems in found.items() if problems} == {}


def test_the_desks_pages_pass_axe_in_the_dark_theme(desk):
    page = desk
    page.emulate_media(color_scheme="dark")
    page.goto("/admin/reports/report/?q=Moldova")
    page.locator("#result_list tbody th a").first.click()
    change = page.url
    found = {}
    for url in ["/admin/reports/report/", "/admin/reports/report/add/", change]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        found[url] = axe_violations(page)
    assert {url: problems for url, problems in found.items() if problems} == {}


def test_the_report_lists_region_filter_is_chosen_from_the_keyboard(desk):
    page = desk
    page.goto("/admin/reports/report/?q=Sahel")
    region = page.get_by_label("Choose the region (with everything beneath it)")
    region.focus()
    region.select_option(label="Mali")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Filter")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]region=mali\b"))
    assert "q=Sahel" in page.url
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    expect(page.get_by_label("Choose the region (with everything beneath it)")).to_have_value(
        "mali"
    )
