"""Contributors keep their own author profile up to date; nobody else's."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import html as lxml_html
from PIL import ExifTags, Image

from authors.models import NEEDS_NEW_PHOTO_ALT_TEXT, Author

from .factories import (
    AuthorFactory,
    ContributorFactory,
    EditorFactory,
    ReportFactory,
    TopicFactory,
    image_upload,
)
from .test_images import jpeg_from_a_phone, png_claiming, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def amara():
    return AuthorFactory(
        name="Amara Okafor",
        slug="amara-okafor",
        role_line="Analyst",
        email="amara@example.org",
        user=ContributorFactory(username="amara"),
    )


@pytest.fixture
def other():
    return AuthorFactory(
        name="Elin Lindqvist", slug="elin", user=ContributorFactory(username="elin")
    )


def profile_data(author, **changes):
    data = {
        "name": author.name,
        "role_line": author.role_line,
        "short_bio": author.short_bio,
        "bio": author.bio,
        "photo_alt": author.photo_alt,
        "expertise": [topic.pk for topic in author.expertise.all()],
        "website": author.website,
        "email": author.email,
        "show_email": "on" if author.show_email else "",
        "x": author.x,
        "bluesky": author.bluesky,
        "linkedin": author.linkedin,
        "orcid": author.orcid,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value not in (None, "")}


def post_profile(client, author, **changes):
    return client.post(reverse("profile"), profile_data(author, **changes))


def test_the_profile_form_offers_every_field_of_the_public_page(client, amara):
    TopicFactory(name="Energy security")
    client.force_login(amara.user)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    page = response.content.decode()
    for field in ("name", "role_line", "short_bio", "bio", "photo", "photo_alt", "expertise"):
        assert f'name="{field}"' in page
    for field in ("website", "email", "show_email", "x", "bluesky", "linkedin", "orcid"):
        assert f'name="{field}"' in page
    assert 'value="Amara Okafor"' in page
    assert '<meta name="robots" content="noindex">' in page


def test_saved_changes_show_at_once_on_the_author_page_and_in_report_author_boxes(
    client, amara, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    report = ReportFactory(authors=[amara])
    reader = type(client)()
    assert "Analyst" in reader.get(amara.get_absolute_url()).content.decode()
    reader.get(report.get_absolute_url())
    # Both pages are now in the shared cache.
    assert reader.get(amara.get_absolute_url())["X-Cache"] == "hit"
    assert reader.get(report.get_absolute_url())["X-Cache"] == "hit"

    client.force_login(amara.user)
    cyber = TopicFactory(name="Cyber operations")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_profile(
            client,
            amara,
            role_line="Founder and Director of diethnos",
            short_bio="Amara covers West Africa and the Sahel.",
            bio='<p>Long <strong>bio</strong>.</p><script>alert("x")</script>',
            expertise=[cyber.pk],
            website="https://amara.example.org/",
            bluesky="https://bsky.app/profile/amara.bsky.social",
            orcid="https://orcid.org/0000-0002-1825-0097",
            show_email="on",
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")

    author_page = reader.get(amara.get_absolute_url()).content.decode()
    assert "Founder and Director of diethnos" in author_page
    assert "<p>Long <strong>bio</strong>.</p>" in author_page
    assert "<script>" not in author_page
    assert ">Cyber operations</a>" in author_page
    assert 'href="mailto:amara@example.org"' in author_page
    assert 'href="https://bsky.app/profile/amara.bsky.social"' in author_page
    report_page = reader.get(report.get_absolute_url()).content.decode()
    assert "Founder and Director of diethnos" in report_page
    assert "Amara covers West Africa and the Sahel." in report_page


def test_bad_input_is_refused_next_to_the_field_and_nothing_typed_is_lost(client, amara):
    client.force_login(amara.user)
    response = post_profile(
        client,
        amara,
        name="",
        role_line="A new role line",
        x="https://example.com/amara",
        orcid="https://orcid.org/0000-0002",
        website="not a url",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There are 4 problems to put right" in page
    assert "This field is required." in page
    assert "Give the address of your X profile, on x.com." in page
    assert "Give the full ORCID iD" in page
    assert "Enter a valid URL." in page
    assert 'value="A new role line"' in page
    assert 'value="https://example.com/amara"' in page
    amara.refresh_from_db()
    assert amara.name == "Amara Okafor"
    assert amara.role_line == "Analyst"


def test_a_photo_is_stored_upright_without_gps_and_shown_with_renditions(client, amara):
    client.force_login(amara.user)
    data = profile_data(amara, photo_alt="Amara at her desk.")
    data["photo"] = jpeg_from_a_phone()
    response = client.post(reverse("profile"), data)
    assert response.status_code == 302
    amara.refresh_from_db()
    assert (amara.photo_width, amara.photo_height) == (20, 60)
    with amara.photo.open() as file, Image.open(file) as stored:
        assert ExifTags.Base.GPSInfo not in stored.getexif()
        assert "exif" not in stored.info
    page = client.get(amara.get_absolute_url()).content.decode()
    assert 'alt="Amara at her desk."' in page
    assert "srcset=" in page and "renditions/" in page


def test_a_photo_needs_alt_text(client, amara, settings):
    client.force_login(amara.user)
    data = profile_data(amara)
    data["photo"] = image_upload("me.jpg")
    response = client.post(reverse("profile"), data)
    assert response.status_code == 200
    assert "Describe the photo for readers who cannot see it." in response.content.decode()
    amara.refresh_from_db()
    assert not amara.photo


@pytest.fixture
def with_photo(client, amara):
    """Amara, signed in, with a photo described as "Amara at her desk."."""
    client.force_login(amara.user)
    data = profile_data(amara, photo_alt="Amara at her desk.")
    data["photo"] = image_upload("desk.jpg", size=(60, 60))
    assert client.post(reverse("profile"), data).status_code == 302
    amara.refresh_from_db()
    return amara


def test_a_new_photo_with_the_old_description_is_refused_next_to_the_description(
    client, with_photo
):
    old_photo = with_photo.photo.name
    data = profile_data(with_photo, role_line="Changed")
    data["photo"] = image_upload("garden.jpg", color="green")
    response = client.post(reverse("profile"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"photo_alt": [NEEDS_NEW_PHOTO_ALT_TEXT]}
    page = lxml_html.fromstring(response.content)
    [problem] = page.xpath("//div[@class='form-problems']//li/a[@href='#id_photo_alt']")
    assert "Describe the new photo" in problem.getparent().text_content()
    with_photo.refresh_from_db()
    assert with_photo.photo.name == old_photo and with_photo.role_line == "Analyst"


@pytest.mark.parametrize("typed", ["Amara at her desk.", "  Amara at her desk.  "])
def test_the_old_description_counts_as_unchanged_whatever_the_spaces(client, with_photo, typed):
    data = profile_data(with_photo, photo_alt=typed)
    data["photo"] = image_upload("garden.jpg", color="green")
    assert "photo_alt" in client.post(reverse("profile"), data).context["form"].errors


def test_a_new_photo_with_a_new_description_is_saved(client, with_photo):
    old_photo = with_photo.photo.name
    data = profile_data(with_photo, photo_alt="Amara in her garden.")
    data["photo"] = image_upload("garden.jpg", color="green")
    assert client.post(reverse("profile"), data).status_code == 302
    with_photo.refresh_from_db()
    assert with_photo.photo.name != old_photo
    assert with_photo.photo_alt == "Amara in her garden."


@pytest.mark.parametrize(
    "changes",
    [
        {},  # saving the profile again, the photo untouched
        {"photo_alt": "Amara, smiling, at her desk."},  # a better description of the same photo
        {"photo-clear": "on", "photo_alt": ""},  # removing the photo
    ],
    ids=["nothing", "a better description", "removing the photo"],
)
def test_keeping_or_removing_the_photo_needs_no_new_description(client, with_photo, changes):
    response = client.post(reverse("profile"), profile_data(with_photo, **changes))
    assert response.status_code == 302


def test_a_first_photo_takes_the_description_already_there(client, amara):
    # Alt text typed before any photo was stored describes the photo now chosen.
    amara.photo_alt = "Amara at her desk."
    amara.save()
    client.force_login(amara.user)
    data = profile_data(amara)
    data["photo"] = image_upload("desk.jpg")
    assert client.post(reverse("profile"), data).status_code == 302


@pytest.mark.parametrize(
    "factory, image, alt",
    [(AuthorFactory, "photo", "photo_alt"), (ReportFactory, "hero_image", "hero_alt")],
    ids=["an author's photo", "a report's image"],
)
def test_every_form_refuses_a_new_image_with_the_old_description(factory, image, alt):
    # The rule is the model's: the editors' desk is held to it as the profile form is.
    obj = factory(**{image: image_upload("first.jpg"), alt: "Smoke over the port."})
    obj.refresh_from_db()
    setattr(obj, image, image_upload("second.jpg", color="red"))
    with pytest.raises(ValidationError) as refused:
        obj.full_clean()
    assert list(refused.value.message_dict) == [alt]
    assert "Describe the new" in refused.value.message_dict[alt][0]
    setattr(obj, alt, "Ships in the port at dawn.")
    obj.full_clean()


def test_the_photo_field_shows_the_current_photo_to_replace_or_remove(client, with_photo):
    page = lxml_html.fromstring(client.get(reverse("profile")).content)
    [fieldset] = page.xpath("//fieldset[.//input[@name='photo']]")
    assert fieldset.xpath("legend")[0].text_content().strip().rstrip(":") == "Photo"
    [current] = fieldset.xpath(".//figure[@class='photo-preview']//img")
    assert current.get("alt") == "Amara at her desk."
    assert "/renditions/authors/" in current.get("src")
    assert " ".join(fieldset.xpath(".//figcaption")[0].text_content().split()) == "Current photo"
    labels = {
        label.get("for"): " ".join(label.text_content().split())
        for label in fieldset.xpath(".//label")
    }
    assert labels == {"id_photo": "Replace photo", "photo-clear_id": "Remove photo"}
    [file_input] = fieldset.xpath(".//input[@type='file']")
    assert file_input.get("id") == "id_photo" and file_input.get("accept").startswith("image/")
    assert fieldset.xpath(".//input[@type='checkbox']/@name") == ["photo-clear"]
    # The preview script knows which description to empty when a new photo is chosen.
    assert fieldset.xpath(".//figure/@data-alt-input") == ["id_photo_alt"]
    assert "Currently" not in fieldset.text_content()


def test_without_a_photo_the_field_offers_to_choose_one(client, amara):
    client.force_login(amara.user)
    page = lxml_html.fromstring(client.get(reverse("profile")).content)
    [fieldset] = page.xpath("//fieldset[.//input[@name='photo']]")
    assert not fieldset.xpath(".//img") and not fieldset.xpath(".//input[@type='checkbox']")
    assert fieldset.xpath(".//label[@for='id_photo']")[0].text_content() == "Choose a photo"
    assert fieldset.xpath(".//figcaption")[0].text_content() == "No photo yet"


BAD_PHOTOS = {
    "not an image": (
        lambda: SimpleUploadedFile("me.jpg", b"%PDF-1.4 not an image", "image/jpeg"),
        "This file is not an image that can be read.",
    ),
    "a decompression bomb": (
        lambda: SimpleUploadedFile("bomb.png", png_claiming(40000, 40000), "image/png"),
        "The image is too large in pixels",
    ),
}


@pytest.mark.parametrize("case", BAD_PHOTOS)
def test_a_bad_photo_is_refused_with_a_message_and_nothing_is_stored(case, client, amara, settings):
    make_upload, message = BAD_PHOTOS[case]
    client.force_login(amara.user)
    data = profile_data(amara, photo_alt="Me.", role_line="Changed")
    data["photo"] = make_upload()
    response = client.post(reverse("profile"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored_files(settings) == []
    amara.refresh_from_db()
    assert amara.role_line == "Analyst"


def test_an_oversized_photo_is_refused(client, amara, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1_000_000
    client.force_login(amara.user)
    data = profile_data(amara, photo_alt="Me.")
    noise = Image.effect_noise((800, 800), 100).convert("RGB")
    buffer = BytesIO()
    noise.save(buffer, "PNG")
    data["photo"] = SimpleUploadedFile("me.png", buffer.getvalue(), "image/png")
    response = client.post(reverse("profile"), data)
    assert response.status_code == 200
    assert "images may be at most 1 MB" in response.content.decode()
    assert stored_files(settings) == []


def test_a_contributor_only_ever_edits_their_own_profile(client, amara, other):
    client.force_login(amara.user)
    # The profile page edits the signed-in user's profile; no address names another one.
    post_profile(client, amara, role_line="Mine")
    other.refresh_from_db()
    amara.refresh_from_db()
    assert (amara.role_line, other.role_line) == ("Mine", "Senior Analyst")
    # In the editors' desk they may look up authors for bylines, never change them.
    change_url = reverse("admin:authors_author_change", args=[other.pk])
    response = client.post(change_url, {"name": "Hijacked", "slug": "elin"})
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name == "Elin Lindqvist"
    response = client.post(reverse("admin:authors_author_change", args=[amara.pk]), {})
    assert response.status_code == 403


def test_an_editor_edits_any_profile_in_the_editors_desk(client, other):
    client.force_login(EditorFactory())
    response = client.get(reverse("admin:authors_author_change", args=[other.pk]))
    assert response.status_code == 200
    assert 'name="_save"' in response.content.decode()


def test_an_account_without_a_profile_is_told_so(client):
    client.force_login(ContributorFactory())
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    assert "not linked to an author profile" in response.content.decode()
    assert client.post(reverse("profile"), {"name": "Someone"}).status_code == 200
    assert not Author.objects.exists()


def test_the_edit_link_shows_only_to_the_owner_of_the_author_page(client, amara, other):
    assert "Edit profile" not in client.get(amara.get_absolute_url()).content.decode()
    client.force_login(other.user)
    assert "Edit profile" not in client.get(amara.get_absolute_url()).content.decode()
    client.force_login(amara.user)
    page = client.get(amara.get_absolute_url()).content.decode()
    assert f'<a href="{reverse("profile")}">Edit profile</a>' in page


def test_the_owner_never_gets_a_cached_page_and_readers_never_see_the_edit_link(
    client, amara, settings
):
    settings.PAGE_CACHE_SECONDS = 600
    client.force_login(amara.user)
    response = client.get(amara.get_absolute_url())
    assert "Edit profile" in response.content.decode()
    assert "public" not in response.get("Cache-Control", "")
    reader = type(client)()
    assert "Edit profile" not in reader.get(amara.get_absolute_url()).content.decode()


def test_an_address_typed_without_a_scheme_is_taken_as_https(client, amara):
    client.force_login(amara.user)
    response = post_profile(client, amara, website="amara.example.org")
    assert response.status_code == 302
    amara.refresh_from_db()
    assert amara.website == "https://amara.example.org"


def test_contributors_looking_up_authors_in_the_desk_never_see_private_addresses(
    client, amara, other
):
    other.email = "elin.private@example.org"
    other.save()
    client.force_login(amara.user)
    page = client.get(reverse("admin:authors_author_change", args=[other.pk])).content.decode()
    assert "Elin Lindqvist" in page
    assert "elin.private@example.org" not in page
    listing = client.get(reverse("admin:authors_author_changelist"), {"q": "elin.private"})
    assert "Elin Lindqvist" not in listing.content.decode()
    client.force_login(EditorFactory())
    page = client.get(reverse("admin:authors_author_change", args=[other.pk])).content.decode()
    assert "elin.private@example.org" in page
