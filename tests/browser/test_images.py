"""A hero image uploaded in the editors' desk reaches readers as a rendition, not the original."""

from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import sign_in_to_admin

pytestmark = pytest.mark.browser


def test_a_reader_downloads_a_rendition_of_the_hero_image_uploaded_by_an_editor(page, site):
    output = site.shell(
        "from reports.models import Report; "
        "r = Report.objects.published().newest_first().first(); print(r.pk, r.slug)"
    )
    pk, slug = output.splitlines()[-1].split()
    buffer = BytesIO()
    Image.new("RGB", (2400, 1200), "darkslateblue").save(buffer, "JPEG")

    sign_in_to_admin(page)
    page.on("dialog", lambda dialog: dialog.accept())  # "Publish the changes now?"
    page.goto(f"/admin/reports/report/{pk}/change/")
    page.set_input_files(
        "#id_hero_image",
        files=[{"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}],
    )
    page.fill("#id_hero_alt", "Cranes over the harbour at dusk.")
    # The report is published: the new image goes to its working draft until published.
    page.click("input[name=_publish_changes]")
    expect(page.locator(".messagelist")).to_contain_text("Changes published")

    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(f"/reports/{slug}/")
    hero = page.locator("figure.hero img")
    expect(hero).to_have_attribute("alt", "Cranes over the harbour at dusk.")
    hero.evaluate("img => img.complete || new Promise(done => img.onload = done)")
    current = hero.evaluate("img => img.currentSrc")
    natural_width = hero.evaluate("img => img.naturalWidth")
    assert "/media/renditions/reports/" in current
    assert current.endswith(".webp")
    assert natural_width < 2400
    assert page.errors == []
