"""What readers see, measured on the screen: sizes and positions of what matters on a page,
at a desktop's 1280x800 and a phone's 375x812, in light and dark, on screen and in print."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations
from .test_contributors import portrait, sign_in_as_contributor

pytestmark = pytest.mark.browser

EXAMPLE = "/reports/north-korean-troops-deployed-to-russias-kursk-region/"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def box(locator):
    """The element's box on the screen: x, y, width and height in CSS pixels."""
    found = locator.bounding_box()
    assert found, f"{locator} is not on the page"
    return found


def assert_accessible(page):
    assert axe_violations(page) == [], page.url
    assert not page.errors


@pytest.mark.parametrize(
    "media", [{"color_scheme": "light"}, {"color_scheme": "dark"}, {"media": "print"}]
)
def test_the_author_photo_in_the_author_box_is_square(page, media):
    page.set_viewport_size(DESKTOP)
    page.emulate_media(**media)
    page.goto(EXAMPLE)
    photo = page.locator(".author-box img")
    photo.scroll_into_view_if_needed()  # it loads when scrolled near
    expect(photo).to_have_js_property("complete", True)
    size = box(photo)
    assert abs(size["width"] - size["height"]) <= 1, size
    assert size["width"] == pytest.approx(80, abs=1)  # 5rem
    if media.get("color_scheme"):
        assert_accessible(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "375x812"])
def test_the_key_points_start_on_the_first_screen_before_the_image(page, viewport):
    page.set_viewport_size(viewport)
    page.goto(EXAMPLE)
    key_points = box(page.locator(".key-points"))
    assert key_points["y"] < viewport["height"] - 100  # its heading and a first point show
    assert box(page.locator(".report-header .dates"))["y"] < key_points["y"]
    assert key_points["y"] < box(page.locator(".hero"))["y"]
    assert_accessible(page)


LINE_LENGTHS = """(paragraph) => {
  // The characters on each rendered line of the paragraph, and its width in ch of its font.
  const tops = [];
  const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect) tops.push(Math.round(rect.top));
    }
  }
  const lines = [];
  for (const top of tops) {
    const line = lines[lines.length - 1];
    if (line && Math.abs(line.top - top) < 4) line.count++;
    else lines.push({top, count: 1});
  }
  const probe = document.createElement("span");
  probe.style.cssText = "display: inline-block; width: 1ch";
  paragraph.append(probe);
  const ch = probe.getBoundingClientRect().width;
  probe.remove();
  const width = paragraph.getBoundingClientRect().width / ch;
  return {lines: lines.map((line) => line.count), width};
}"""


def test_body_text_runs_60_to_75_characters_a_line(page):
    page.set_viewport_size(DESKTOP)
    page.goto(EXAMPLE)
    measured = [paragraph.evaluate(LINE_LENGTHS) for paragraph in page.locator(".body p").all()]
    full_lines = [count for m in measured for count in m["lines"][:-1]]  # last lines run short
    assert len(full_lines) >= 10
    average = sum(full_lines) / len(full_lines)
    assert 60 <= average <= 75, full_lines
    assert max(full_lines) <= 80 and min(full_lines) >= 50, full_lines
    assert 45 <= measured[0]["width"] <= 62  # in ch of the body's own font


def test_a_printed_report_carries_the_outlet_and_its_address_and_screens_do_not(page, site):
    page.goto(EXAMPLE)
    masthead = page.locator(".print-masthead")
    expect(masthead).to_be_hidden()
    page.emulate_media(media="print")
    expect(masthead).to_be_visible()
    expect(masthead.locator(".print-site-name")).to_have_text("diethnos")
    expect(masthead.locator(".print-address")).to_have_text(site.url + EXAMPLE)
    # Above everything else printed.
    assert box(masthead)["y"] < box(page.locator("h1"))["y"]
    caption = page.locator(".hero figcaption")
    expect(caption.locator(".caption")).to_be_visible()
    expect(caption.locator(".credit")).to_be_visible()
    # Caption and credit are on lines of their own.
    assert box(caption.locator(".caption"))["y"] < box(caption.locator(".credit"))["y"]


def test_a_printed_listing_carries_its_address_with_its_page_number(page, site):
    page.goto("/reports/?page=2")
    page.emulate_media(media="print")
    expect(page.locator(".print-address")).to_have_text(site.url + "/reports/?page=2")


CHOSEN_WIDTH = r"""(img) => {
  // The width descriptor ("480w") of the rendition the browser chose for the image.
  const offered = [...img.closest("picture").querySelectorAll("source"), img]
    .flatMap((element) => element.srcset.split(","))
    .map((candidate) => candidate.trim().split(/\s+/));
  const chosen = offered.find(([url]) => new URL(url, location.href).href === img.currentSrc);
  return chosen && chosen[1];
}"""


def test_listing_cards_show_thumbnails_in_their_own_proportions_without_shifting_the_page(page):
    page.set_viewport_size(DESKTOP)
    page.goto("/reports/")
    page.evaluate(
        """() => { window.shifted = 0; new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) {
                if (!entry.hadRecentInput) window.shifted += entry.value;
            }
        }).observe({type: "layout-shift", buffered: true}); }"""
    )
    thumbnails = page.locator(".card img")
    assert thumbnails.count() >= 10
    # Before they load (they load when scrolled near), each already takes its room.
    last = thumbnails.last
    assert last.evaluate("img => img.loading") == "lazy"
    for img in thumbnails.all():
        img.scroll_into_view_if_needed()
        expect(img).to_have_js_property("complete", True)
        shown = box(img)
        natural = img.evaluate("img => img.naturalWidth / img.naturalHeight")
        assert shown["width"] / shown["height"] == pytest.approx(natural, rel=0.01)
        assert shown["width"] == pytest.approx(box(img.locator("xpath=../..")).get("width"), abs=1)
        # The smallest rendition that fits: 480 pixels wide for a card about 360 wide.
        assert img.evaluate(CHOSEN_WIDTH) == "480w"
    assert page.evaluate("window.shifted") < 0.01
    headline = page.locator(".card-title").first
    summary = page.locator(".card-summary").first
    sizes = [
        el.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") for el in (headline, summary)
    ]
    assert sizes[0] >= 1.3 * sizes[1]  # headlines stand out over a quieter summary
    assert box(summary)["height"] <= 3 * 1.5 * sizes[1] + 1  # three lines at most
    assert_accessible(page)


def test_the_front_page_shows_each_report_once_and_the_latest_on_the_first_screen(page):
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    links = page.locator("main a[href^='/reports/']:not([href='/reports/'])")
    hrefs = [link.get_attribute("href") for link in links.all()]
    assert len(hrefs) == len(set(hrefs)) > 10
    assert box(page.locator(".latest .card").first)["y"] < DESKTOP["height"]
    expect(page.locator(".region-section .empty")).to_have_count(0)
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "375x812"])
def test_the_region_index_shows_the_places_covered_and_folds_the_rest(page, viewport):
    page.set_viewport_size(viewport)
    page.goto("/regions/")
    height = page.evaluate("document.scrollingElement.scrollHeight")
    assert height < (2500 if viewport is DESKTOP else 5000), height
    expect(page.locator(".region-tree").first.get_by_role("link", name="Russia")).to_be_visible()
    expect(page.get_by_role("link", name="Iceland")).to_be_hidden()
    assert_accessible(page)
    summary = page.locator(".all-regions summary")
    summary.focus()
    page.keyboard.press("Enter")  # a keyboard opens the fold as a mouse does
    expect(page.locator(".all-regions").get_by_role("link", name="Iceland")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollHeight") > height + 2000
    assert_accessible(page)


FEEDS = {
    "/": "/feed/",
    "/reports/": "/feed/",
    "/regions/europe/": "/regions/europe/feed/",
    "/regions/sahel/": "/regions/sahel/feed/",
    "/topics/diplomacy/": "/topics/diplomacy/feed/",
    "/authors/nikolas/": "/authors/nikolas/feed/",
}


@pytest.mark.parametrize("url", FEEDS)
def test_every_listing_region_topic_and_author_page_shows_a_link_to_follow_its_feed(page, url):
    page.set_viewport_size(PHONE)
    page.goto(url)
    follow = page.locator("main .follow a")
    expect(follow).to_be_visible()
    expect(follow).to_have_text(re.compile(r"^Follow .+ by RSS$"))
    expect(follow).to_have_attribute("href", FEEDS[url])
    assert box(follow)["height"] >= 24  # a target a finger can hit
    response = page.request.get(FEEDS[url])
    assert response.ok and response.headers["content-type"].startswith("application/rss+xml")
    assert_accessible(page)
    page.emulate_media(color_scheme="dark")
    expect(follow).to_be_visible()
    assert_accessible(page)


def test_your_reports_fit_a_phone_without_scrolling_sideways(page, site):
    sign_in_as_contributor(page, site, "nikolas-reports", "nikolas")
    page.set_viewport_size(PHONE)
    page.goto("/accounts/reports/")
    rows = page.locator("table.my-reports tbody tr")
    assert rows.count() >= 10
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    first = rows.first
    # Each report is a card: the headline across, its details under their labels.
    assert box(first.locator("th"))["width"] > 300
    status = first.locator("td[data-label='Status']")
    assert status.evaluate("td => getComputedStyle(td, '::before').content") == '"Status"'
    assert_accessible(page)
    page.set_viewport_size(DESKTOP)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= DESKTOP["width"]
    expect(page.locator("table.my-reports thead")).to_be_visible()  # a table again
    assert_accessible(page)


def test_a_new_photo_asks_for_a_new_description_in_the_browser_and_on_the_server(
    page, site, tmp_path
):
    sign_in_as_contributor(page, site, "amara", "amara-okafor")
    photo_group = page.get_by_role("group", name=re.compile("Photo"))
    expect(photo_group.get_by_role("img")).to_be_visible()  # the current photo
    expect(page.locator(".photo-preview figcaption")).to_have_text("Current photo")
    alt = page.get_by_label("Photo alt text")
    old_description = alt.input_value()
    assert old_description

    # Choosing a new photo empties the description and asks for one.
    page.get_by_label("Replace photo").set_input_files(str(portrait(tmp_path / "new.jpg")))
    expect(page.locator(".photo-preview img[data-preview]")).to_be_visible()
    expect(alt).to_have_value("")
    expect(alt).to_have_js_property("required", True)
    expect(page.locator(".photo-preview figcaption")).to_contain_text("Describe the new photo")
    assert axe_violations(page, exclude=[".prose-editor"]) == []

    # Choosing none again brings the description back.
    page.get_by_label("Replace photo").set_input_files([])
    expect(alt).to_have_value(old_description)
    expect(page.locator(".photo-preview img[data-preview]")).to_have_count(0)
    expect(page.locator(".photo-preview img")).to_have_attribute("alt", old_description)
    expect(page.locator(".photo-preview figcaption")).to_have_text("Current photo")

    # Typing the old description back in is refused by the server, next to the field.
    page.get_by_label("Replace photo").set_input_files(str(portrait(tmp_path / "new.jpg")))
    alt.fill(old_description)
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".form-problems")).to_contain_text("Describe the new photo")
    expect(page.locator(".form-problems a[href='#id_photo_alt']")).to_be_visible()

    # A new description with the new photo is saved, and shown with it.
    page.get_by_label("Replace photo").set_input_files(str(portrait(tmp_path / "new.jpg")))
    page.get_by_label("Photo alt text").fill("Amara Okafor in front of a harbour.")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".messages")).to_contain_text("Your profile is saved.")
    expect(page.locator(".photo-preview img")).to_have_attribute(
        "alt", "Amara Okafor in front of a harbour."
    )
    current = box(page.locator(".photo-preview img"))
    assert abs(current["width"] - current["height"]) <= 1
    expect(page.get_by_label("Remove photo")).to_be_visible()
