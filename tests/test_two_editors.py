"""Two editors and one report: no save ever silently undoes another, on any path of the desk.

Each test drives two editors, each with their own browser session (a test client): the one
whose form was loaded before the other's save is refused, told what the other changed, and
given a form that keeps both.
"""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html
from reversion.models import Version

from reports import overtaken, workflow
from reports.models import Report

from .admin_forms import form_on_page
from .factories import AuthorFactory, EditorFactory, TopicFactory, region
from .factories import ReportFactory as PublishedReportFactory

pytestmark = pytest.mark.django_db

REFUSAL = "Someone else saved this report while you were editing it"


def ReportFactory(**fields):  # noqa: N802 - stands for the factory
    """A report the desk edits in place: unpublished. (A published report's working draft is
    merged the same way: tests/test_admin_composing.py.)"""
    fields.setdefault("status", Report.Status.DRAFT)
    if fields["status"] == Report.Status.DRAFT:
        fields.setdefault("publish_at", None)
    return PublishedReportFactory(**fields)


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


def editor(username):
    client = Client()
    client.force_login(EditorFactory(username=username, first_name=username.capitalize()))
    return client


@pytest.fixture
def alice():
    return editor("alice")


@pytest.fixture
def bob():
    return editor("bob")


def opened(client, url):
    """The form on the page at ``url``, as the editor's browser would send it back."""
    return form_on_page(client.get(url))


def edited(data, **fields):
    """``data`` with ``fields`` set ({name: value or list of values})."""
    changed = {name: list(values) for name, values in data.items()}
    for name, value in fields.items():
        changed[name] = value if isinstance(value, list) else [value]
    return changed


def rows(data, prefix, name):
    """The values of field ``name`` in the inline rows ``prefix`` of a form's data."""
    total = int(data[f"{prefix}-TOTAL_FORMS"][0])
    return [data.get(f"{prefix}-{i}-{name}", [""])[0] for i in range(total)]


def row_index(data, prefix, name, value):
    return rows(data, prefix, name).index(value)


def key_points(report):
    return list(report.key_points.values_list("text", flat=True))


def refused(response):
    assert response.status_code == 200
    page = response.content.decode()
    assert REFUSAL in page
    return page


def changes_listed(page):
    """The other editor's changes as the refusal lists them: {label: text of the item}."""
    listed = {}
    for item in html.fromstring(page).xpath('//section[@class="overtaken"]//li'):
        label = item.xpath("./strong")[0].text_content().strip()
        listed[label] = " ".join(item.text_content().split())
    return listed


# ---------------------------------------------------------------------------------------------
# The three-way merge on the change form


def test_fields_and_rows_only_the_other_editor_changed_take_their_values_after_the_warning(
    alice, bob
):
    ukraine, france = region("UA"), region("FR")
    first, second = AuthorFactory(name="Amara Okafor"), AuthorFactory(name="Jonas Berg")
    energy = TopicFactory(name="Energy")
    report = ReportFactory(
        title="Drone strikes on the Black Sea coast",
        summary="Overnight strikes hit ports on both sides.",
        primary_region=ukraine,
        key_points=["Ports were hit.", "Shipping paused.", "Insurers raised rates."],
        authors=[first],
        topics=[energy],
        sources=["Port authority statement"],
    )
    url = change_url(report)
    alices, bobs = opened(alice, url), opened(bob, url)

    # Alice rewords the summary, the first key point and the source, deletes the third key
    # point, adds one, adds a topic, a region and an author.
    shipping = TopicFactory(name="Shipping")
    alices = edited(
        alices,
        summary="Overnight strikes hit ports on both sides of the sea.",
        regions=[str(france.pk)],
        topics=[str(energy.pk), str(shipping.pk)],
    )
    alices[f"key_points-{row_index(alices, 'key_points', 'text', 'Ports were hit.')}-text"] = [
        "Three ports were hit."
    ]
    alices[
        f"key_points-{row_index(alices, 'key_points', 'text', 'Insurers raised rates.')}-DELETE"
    ] = ["on"]
    extra = int(alices["key_points-TOTAL_FORMS"][0]) - 1  # an empty row the page offers
    alices[f"key_points-{extra}-text"] = ["Grain exports fell."]
    alices[f"key_points-{extra}-position"] = ["5"]
    extra_byline = int(alices["report_authors-TOTAL_FORMS"][0]) - 1
    alices[f"report_authors-{extra_byline}-author"] = [str(second.pk)]
    alices[f"report_authors-{extra_byline}-position"] = ["1"]
    alices["sources-0-title"] = ["Port authority statement, 3 November"]
    assert alice.post(url, alices).status_code == 302

    # Bob, whose form was loaded before, changes the headline and the second key point.
    bobs = edited(bobs, title="Drones strike Black Sea ports")
    bobs[f"key_points-{row_index(bobs, 'key_points', 'text', 'Shipping paused.')}-text"] = [
        "Shipping paused for a day."
    ]
    page = refused(bob.post(url, bobs))
    report.refresh_from_db()
    assert report.title == "Drone strikes on the Black Sea coast"  # nothing of Bob's saved

    # The form he gets back holds both: his changes, and Alice's where he changed nothing.
    merged = form_on_page(bob.post(url, bobs))
    assert merged["title"] == ["Drones strike Black Sea ports"]
    assert merged["summary"] == ["Overnight strikes hit ports on both sides of the sea."]
    assert merged["regions"] == [str(france.pk)]
    assert sorted(merged["topics"]) == sorted([str(energy.pk), str(shipping.pk)])
    assert sorted(filter(None, rows(merged, "key_points", "text"))) == sorted(
        ["Three ports were hit.", "Shipping paused for a day.", "Grain exports fell."]
    )
    assert sorted(filter(None, rows(merged, "report_authors", "author"))) == sorted(
        [str(first.pk), str(second.pk)]
    )
    assert "Port authority statement, 3 November" in rows(merged, "sources", "title")
    listed = changes_listed(page)
    assert listed["Summary"] == (
        "Summary: Overnight strikes hit ports on both sides. → "
        "Overnight strikes hit ports on both sides of the sea."
    )
    assert listed["Regions"] == "Regions: nothing → France"
    assert listed["Topics"] == "Topics: Energy → Energy, Shipping"
    assert listed["Key point 1"] == "Key point 1: Ports were hit. → Three ports were hit."
    assert listed["Key point removed"] == "Key point removed: Insurers raised rates."
    assert listed["Key point added"] == "Key point added: Grain exports fell."
    assert listed["Byline added"] == "Byline added: Jonas Berg"
    assert listed["Source 1, title"] == (
        "Source 1, title: Port authority statement → Port authority statement, 3 November"
    )
    assert "Headline" not in listed  # Bob's own change is not listed as theirs

    # Saving it again keeps both editors' changes.
    assert bob.post(url, merged).status_code == 302
    report.refresh_from_db()
    assert report.title == "Drones strike Black Sea ports"
    assert report.summary == "Overnight strikes hit ports on both sides of the sea."
    assert list(report.regions.all()) == [france]
    assert {topic.name for topic in report.topics.all()} == {"Energy", "Shipping"}
    assert sorted(key_points(report)) == sorted(
        ["Three ports were hit.", "Shipping paused for a day.", "Grain exports fell."]
    )
    assert {link.author for link in report.report_authors.all()} == {first, second}
    assert [source.title for source in report.sources.all()] == [
        "Port authority statement, 3 November"
    ]


def field_errors(page, name):
    """The error messages shown next to the field ``name`` of the report form."""
    tree = html.fromstring(page)
    row = tree.xpath(f'//div[contains(concat(" ", @class, " "), " field-{name} ")]')
    return [
        " ".join(li.text_content().split())
        for r in row
        for li in r.xpath(".//ul[contains(@class, 'errorlist')]/li")
    ]


def test_a_field_both_editors_changed_keeps_the_second_editors_value_and_is_flagged(alice, bob):
    report = ReportFactory(title="Talks in Doha", summary="Both delegations attended.")
    url = change_url(report)
    alices, bobs = opened(alice, url), opened(bob, url)
    assert alice.post(url, edited(alices, title="Talks resume in Doha")).status_code == 302

    response = bob.post(url, edited(bobs, title="Ceasefire talks in Doha"))
    page = refused(response)
    assert field_errors(page, "title") == [
        "Someone else changed this too, to “Talks resume in Doha”; yours is kept here."
    ]
    assert "You both changed: Headline." in " ".join(page.split())
    merged = form_on_page(response)
    assert merged["title"] == ["Ceasefire talks in Doha"]
    assert merged["summary"] == ["Both delegations attended."]

    # Having seen theirs, Bob keeps his own headline.
    assert bob.post(url, merged).status_code == 302
    report.refresh_from_db()
    assert report.title == "Ceasefire talks in Doha"


def test_a_key_point_both_editors_reworded_is_flagged_on_its_row(alice, bob):
    report = ReportFactory(key_points=["Talks resumed.", "Both delegations attended."])
    url = change_url(report)
    alices, bobs = opened(alice, url), opened(bob, url)
    first = row_index(alices, "key_points", "text", "Talks resumed.")
    alices[f"key_points-{first}-text"] = ["Talks resumed in Doha."]
    assert alice.post(url, alices).status_code == 302

    bobs[f"key_points-{first}-text"] = ["Talks resumed on Monday."]
    response = bob.post(url, bobs)
    page = refused(response)
    merged = form_on_page(response)
    index = row_index(merged, "key_points", "text", "Talks resumed on Monday.")
    errors = html.fromstring(page).xpath(
        f'//tr[@id="key_points-{index}"]//ul[contains(@class, "errorlist")]/li'
    )
    assert [" ".join(e.text_content().split()) for e in errors] == [
        "Someone else changed this too, to “Talks resumed in Doha.”; yours is kept here."
    ]
    assert sorted(filter(None, rows(merged, "key_points", "text"))) == [
        "Both delegations attended.",
        "Talks resumed on Monday.",
    ]


def test_a_key_point_the_other_editor_deleted_is_kept_only_if_you_changed_it(alice, bob):
    report = ReportFactory(
        key_points=["Talks resumed.", "Both delegations attended.", "Qatar mediated."]
    )
    url = change_url(report)
    alices, bobs = opened(alice, url), opened(bob, url)
    for text in ("Talks resumed.", "Qatar mediated."):
        alices[f"key_points-{row_index(alices, 'key_points', 'text', text)}-DELETE"] = ["on"]
    assert alice.post(url, alices).status_code == 302

    # Bob rewords one of the two points Alice deleted, and leaves the other as it was.
    bobs[f"key_points-{row_index(bobs, 'key_points', 'text', 'Qatar mediated.')}-text"] = [
        "Qatar and Egypt mediated."
    ]
    response = bob.post(url, bobs)
    page = refused(response)
    assert "Someone else deleted this; saving adds it back as you changed it." in page
    merged = form_on_page(response)
    assert sorted(filter(None, rows(merged, "key_points", "text"))) == [
        "Both delegations attended.",
        "Qatar and Egypt mediated.",
    ]
    assert bob.post(url, merged).status_code == 302
    report.refresh_from_db()
    assert sorted(key_points(report)) == ["Both delegations attended.", "Qatar and Egypt mediated."]


def test_the_refusal_lists_the_other_editors_changes_field_by_field_readably(alice, bob):
    body = " ".join(f"Sentence {n} of the situation on the coast." for n in range(20))
    report = ReportFactory(
        title="Drone strikes on the Black Sea coast",
        body=f"<p>{body}</p>",
        primary_region=region("UA"),
        key_points=["Ports were hit."],
        authors=[AuthorFactory()],
    )
    url = change_url(report)
    alices, bobs = opened(alice, url), opened(bob, url)
    new_body = body.replace("Sentence 7 of", "Sentence 7, revised, of")
    alices = edited(
        alices,
        title="Drones strike Black Sea ports",
        body=f"<p>{new_body}</p>",
        primary_region=str(region("RU").pk),
        status="in_review",
        situation_as_of="2025-11-04",
    )
    assert alice.post(url, alices).status_code == 302

    page = refused(bob.post(url, edited(bobs, summary="Bob's summary.")))
    listed = changes_listed(page)
    assert listed["Headline"] == (
        "Headline: Drone strikes on the Black Sea coast → Drones strike Black Sea ports"
    )
    assert listed["Primary region"] == "Primary region: Ukraine → Russia"
    assert listed["Status"] == "Status: Draft → In review"
    assert listed["Situation as of"] == "Situation as of: nothing → 4 Nov 2025"
    # A long text shows the passage that changed, with a few words around it.
    passages = html.fromstring(page).xpath('//section[@class="overtaken"]//li[strong="Body"]//span')
    assert len(passages) == 1
    assert " ".join(passages[0].text_content().split()) == (
        "… the situation on the coast. Sentence 7 7, revised, of the situation on the coast. …"
    )
    assert [e.text for e in passages[0].xpath("del|ins")] == ["7", "7, revised,"]
    assert "Alice" in page  # who saved, from History


def test_a_second_editor_who_only_clicks_save_again_does_not_undo_the_first(alice, bob):
    report = ReportFactory(title="Talks in Doha", summary="Both delegations attended.")
    url = change_url(report)
    alices, bobs = opened(alice, url), opened(bob, url)
    assert (
        alice.post(url, edited(alices, summary="Only one delegation attended.")).status_code == 302
    )

    response = bob.post(url, edited(bobs, title="Talks resume in Doha"))
    refused(response)
    assert bob.post(url, form_on_page(response)).status_code == 302
    report.refresh_from_db()
    assert (report.title, report.summary) == (
        "Talks resume in Doha",
        "Only one delegation attended.",
    )


def test_save_and_continue_is_refused_the_same_way(alice, bob):
    report = ReportFactory(title="Talks in Doha")
    url = change_url(report)
    alices, bobs = opened(alice, url), opened(bob, url)
    assert alice.post(url, edited(alices, title="Talks resume")).status_code == 302
    response = bob.post(url, edited(bobs, summary="Bob's summary.", _continue="Save and continue"))
    refused(response)
    merged = form_on_page(response)
    merged["_continue"] = ["Save and continue editing"]
    assert bob.post(url, merged)["Location"] == url
    report.refresh_from_db()
    assert (report.title, report.summary) == ("Talks resume", "Bob's summary.")


def test_a_form_that_does_not_say_what_it_was_loaded_with_flags_every_difference(alice, bob):
    report = ReportFactory(title="Talks in Doha", summary="Both delegations attended.")
    url = change_url(report)
    alices, bobs = opened(alice, url), opened(bob, url)
    assert alice.post(url, edited(alices, title="Talks resume")).status_code == 302
    del bobs["values_seen"]
    response = bob.post(url, edited(bobs, summary="Bob's summary."))
    page = refused(response)
    assert field_errors(page, "title") == [
        "Someone else changed this too, to “Talks resume”; yours is kept here."
    ]
    assert field_errors(page, "summary")[0].startswith("Someone else changed this too")
    assert form_on_page(response)["title"] == ["Talks in Doha"]


def test_a_save_that_races_past_the_check_is_refused_by_the_conditional_update(
    alice, bob, monkeypatch
):
    report = ReportFactory(title="Talks in Doha", summary="Both delegations attended.")
    url = change_url(report)
    bobs = opened(bob, url)
    check, raced = overtaken.check, []

    def another_save_lands_right_after_the_check(*args, **kwargs):
        found = check(*args, **kwargs)
        if not raced:
            raced.append(found)
            other = Report.objects.get(pk=report.pk)
            other.summary = "Only one delegation attended."
            other.save()
        return found

    monkeypatch.setattr(overtaken, "check", another_save_lands_right_after_the_check)
    response = bob.post(url, edited(bobs, title="Talks resume in Doha"))
    assert raced == [None]  # the form was current when checked
    refused(response)
    report.refresh_from_db()
    assert (report.title, report.summary, report.version) == (
        "Talks in Doha",
        "Only one delegation attended.",
        2,
    )
    merged = form_on_page(response)
    assert (merged["title"], merged["summary"]) == (
        ["Talks resume in Doha"],
        ["Only one delegation attended."],
    )


# ---------------------------------------------------------------------------------------------
# History: restoring a version, recovering a deleted report


def saved_in_desk(client, report, **fields):
    url = change_url(report)
    assert client.post(url, edited(opened(client, url), **fields)).status_code == 302
    report.refresh_from_db()


def revision_url(report, version):
    return reverse("admin:reports_report_revision", args=[report.pk, version.pk])


def test_restoring_an_older_version_never_winds_the_counter_back_and_older_forms_are_refused(
    alice, bob
):
    report = ReportFactory(title="First headline")
    saved_in_desk(alice, report, title="Second headline")
    saved_in_desk(alice, report, title="Third headline")
    assert report.version == 3
    bobs = opened(bob, change_url(report))  # Bob opens the report at version 3
    saved_in_desk(alice, report, title="Fourth headline")  # Alice saves: 4

    # Alice restores an older version from History.
    oldest = Version.objects.get_for_object(report).order_by("pk").first()
    restoring = opened(alice, revision_url(report, oldest))
    assert restoring["title"] == ["Second headline"]
    assert restoring["version_seen"] == ["4"]  # based on the report as stored
    assert alice.post(revision_url(report, oldest), restoring).status_code == 302
    report.refresh_from_db()
    assert report.title == "Second headline"
    assert report.version > 4
    restored = report.version

    # Bob's form, loaded at 3, is refused instead of undoing the restore.
    page = refused(bob.post(change_url(report), edited(bobs, summary="Bob's summary.")))
    report.refresh_from_db()
    assert (report.title, report.version) == ("Second headline", restored)
    assert changes_listed(page)["Headline"] == "Headline: Third headline → Second headline"


def test_a_restore_loaded_before_another_save_is_refused_and_keeps_that_save(alice, bob):
    report = ReportFactory(
        title="First headline", summary="First summary.", key_points=["Talks resumed."]
    )
    saved_in_desk(alice, report)
    saved_in_desk(alice, report, title="Second headline")
    first = Version.objects.get_for_object(report).order_by("pk").first()
    url = revision_url(report, first)
    restoring = opened(bob, url)  # Bob means to restore the first headline

    alices = edited(opened(alice, change_url(report)), summary="Alice's summary.")
    extra = int(alices["key_points-TOTAL_FORMS"][0]) - 1
    alices[f"key_points-{extra}-text"] = ["Alice's point."]
    assert alice.post(change_url(report), alices).status_code == 302

    response = bob.post(url, restoring)
    page = refused(response)
    listed = changes_listed(page)
    assert listed["Summary"] == "Summary: First summary. → Alice's summary."
    assert listed["Key point added"] == "Key point added: Alice's point."
    report.refresh_from_db()
    assert (report.title, report.summary) == ("Second headline", "Alice's summary.")

    merged = form_on_page(response)
    assert merged["title"] == ["First headline"]  # what Bob restores
    assert merged["summary"] == ["Alice's summary."]  # what Alice saved since
    assert bob.post(url, merged).status_code == 302
    report.refresh_from_db()
    assert (report.title, report.summary) == ("First headline", "Alice's summary.")
    assert sorted(key_points(report)) == ["Alice's point.", "Talks resumed."]


def test_of_two_editors_recovering_the_same_deleted_report_the_second_is_refused(alice, bob):
    report = ReportFactory(title="Deleted draft", status=Report.Status.DRAFT, publish_at=None)
    saved_in_desk(alice, report)
    delete = reverse("admin:reports_report_delete", args=[report.pk])
    assert alice.post(delete, {"post": "yes"}).status_code == 302
    deleted = Version.objects.get_deleted(Report).get()
    url = reverse("admin:reports_report_recover", args=[deleted.pk])
    alices, bobs = opened(alice, url), opened(bob, url)

    assert alice.post(url, edited(alices, summary="Recovered by Alice.")).status_code == 302
    recovered = Report.objects.get(pk=report.pk)
    response = bob.post(url, edited(bobs, title="Recovered by Bob"))
    listed = changes_listed(refused(response))
    assert listed["Summary"] == "Summary: What happened, and why it matters. → Recovered by Alice."
    assert Report.objects.get(pk=report.pk).version == recovered.version

    merged = form_on_page(response)
    assert (merged["title"], merged["summary"]) == (["Recovered by Bob"], ["Recovered by Alice."])
    assert bob.post(url, merged).status_code == 302
    report = Report.objects.get(pk=report.pk)
    assert (report.title, report.summary) == ("Recovered by Bob", "Recovered by Alice.")
    assert report.version > recovered.version


# ---------------------------------------------------------------------------------------------
# The preview


def test_a_form_another_save_overtook_is_previewed_merged_under_the_same_warning(alice, bob):
    report = ReportFactory(title="Talks in Doha", summary="Both delegations attended.")
    url = change_url(report)
    alices, bobs = opened(alice, url), opened(bob, url)
    assert (
        alice.post(url, edited(alices, summary="Only one delegation attended.")).status_code == 302
    )
    report.refresh_from_db()
    version = report.version

    preview = reverse("admin:reports_report_preview", args=[report.pk])
    response = bob.post(preview, edited(bobs, title="Talks resume in Doha"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this report while you were editing it" in page
    tree = html.fromstring(page)
    assert tree.xpath("//h1")[0].text_content() == "Talks resume in Doha"
    assert tree.xpath('//p[@class="standfirst"]')[0].text_content() == (
        "Only one delegation attended."
    )
    assert changes_listed(page)["Summary"] == (
        "Summary: Both delegations attended. → Only one delegation attended."
    )
    report.refresh_from_db()
    assert (report.title, report.version) == ("Talks in Doha", version)


# ---------------------------------------------------------------------------------------------
# List actions

LIST = reverse("admin:reports_report_changelist")
PUBLISHED, DRAFT = Report.Status.PUBLISHED, Report.Status.DRAFT


@pytest.mark.parametrize(
    ("action", "before", "after", "shown"),
    # A list action on a published report changes its live row, never the working draft a
    # form is open on: only the actions on reports edited in place can overtake a form.
    [("send_for_review", DRAFT, Report.Status.IN_REVIEW, "Draft → In review")],
)
def test_a_form_loaded_before_a_list_action_is_refused_and_keeps_the_actions_change(
    alice, bob, action, before, after, shown
):
    report = ReportFactory(title="Talks in Doha", status=before, publish_at=None)
    if before == PUBLISHED:
        workflow.publish(report)
    url = change_url(report)
    bobs = opened(bob, url)
    alice.post(LIST, {"action": action, "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == after

    response = bob.post(url, edited(bobs, title="Talks resume in Doha"))
    assert changes_listed(refused(response))["Status"] == f"Status: {shown}"
    assert bob.post(url, form_on_page(response)).status_code == 302
    report.refresh_from_db()
    assert (report.title, report.status) == ("Talks resume in Doha", after)


def test_a_list_action_never_writes_back_what_it_read_before_another_save(alice, monkeypatch):
    report = PublishedReportFactory(title="Talks in Doha")
    unpublish = workflow.unpublish

    def another_save_lands_first(report, **kwargs):
        other = Report.objects.get(pk=report.pk)
        other.title = "Talks resume in Doha"
        other.save()
        return unpublish(report, **kwargs)

    monkeypatch.setattr(workflow, "unpublish", another_save_lands_first)
    response = alice.post(LIST, {"action": "unpublish", "_selected_action": [report.pk]})
    told = [str(message) for message in get_messages(response.wsgi_request)]
    assert told[0] == (
        "“Talks in Doha” was not changed: someone else saved it at the same moment. Try again."
    )
    report.refresh_from_db()
    assert (report.title, report.status) == ("Talks resume in Doha", PUBLISHED)


def test_an_update_note_the_other_editor_added_is_kept_once(alice, bob):
    report = ReportFactory(title="Talks in Doha")
    url = change_url(report)
    alices, bobs = opened(alice, url), opened(bob, url)
    alices.update(
        {
            "update_notes-TOTAL_FORMS": ["1"],
            "update_notes-0-kind": ["correction"],
            "update_notes-0-noted_at_0": ["2025-11-04"],
            "update_notes-0-noted_at_1": ["09:30:00"],
            "update_notes-0-text": ["An earlier version misnamed the port."],
        }
    )
    assert alice.post(url, alices).status_code == 302

    response = bob.post(url, edited(bobs, title="Talks resume in Doha"))
    listed = changes_listed(refused(response))
    assert listed["Update or correction added"] == (
        "Update or correction added: Correction · 4 Nov 2025, 9:30 a.m. · "
        "An earlier version misnamed the port."
    )
    assert bob.post(url, form_on_page(response)).status_code == 302
    report.refresh_from_db()
    assert report.title == "Talks resume in Doha"
    assert [note.text for note in report.update_notes.all()] == [
        "An earlier version misnamed the port."
    ]


def test_a_contributors_form_loaded_before_an_editors_save_is_refused_and_merged(alice):
    from .factories import ContributorFactory

    user = ContributorFactory(username="carla")
    author = AuthorFactory(user=user)
    draft = ReportFactory(
        title="Draft on Sudan", status=Report.Status.DRAFT, publish_at=None, authors=[author]
    )
    carla = Client()
    carla.force_login(user)
    url = change_url(draft)
    carlas, alices = opened(carla, url), opened(alice, url)
    assert "publish_at_0" not in carlas  # a contributor does not schedule
    assert alice.post(url, edited(alices, summary="Edited by Alice.")).status_code == 302

    response = carla.post(url, edited(carlas, title="Draft on Sudan's ceasefire"))
    refused(response)
    assert carla.post(url, form_on_page(response)).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.summary) == ("Draft on Sudan's ceasefire", "Edited by Alice.")


def test_a_restore_overtaken_by_a_change_to_a_row_it_removes_keeps_that_row_flagged(alice, bob):
    report = ReportFactory(key_points=["Talks resumed."])
    saved_in_desk(alice, report)  # the version Bob will restore: one key point
    alices = opened(alice, change_url(report))
    extra = int(alices["key_points-TOTAL_FORMS"][0]) - 1
    for offset, text in enumerate(["Qatar mediated.", "Egypt attended."]):
        alices[f"key_points-{extra + offset}-text"] = [text]
        alices[f"key_points-{extra + offset}-position"] = [str(offset + 1)]
    alices["key_points-TOTAL_FORMS"] = [str(extra + 2)]
    assert alice.post(change_url(report), alices).status_code == 302
    assert sorted(key_points(report)) == ["Egypt attended.", "Qatar mediated.", "Talks resumed."]

    oldest = Version.objects.get_for_object(report).order_by("pk").first()
    url = revision_url(report, oldest)
    restoring = opened(bob, url)
    alices = opened(alice, change_url(report))
    alices[f"key_points-{row_index(alices, 'key_points', 'text', 'Egypt attended.')}-text"] = [
        "Egypt and Turkey attended."
    ]
    assert alice.post(change_url(report), alices).status_code == 302

    response = bob.post(url, restoring)
    page = refused(response)
    assert "the version you are restoring does not have it" in page
    merged = form_on_page(response)
    assert sorted(filter(None, rows(merged, "key_points", "text"))) == [
        "Egypt and Turkey attended.",
        "Talks resumed.",
    ]
    assert bob.post(url, merged).status_code == 302
    assert sorted(key_points(report)) == ["Egypt and Turkey attended.", "Talks resumed."]


# ---------------------------------------------------------------------------------------------
# Any two sets of edits


WORDS = st.sampled_from(["talks", "ports", "Doha", "grain", "ceasefire", "Sahel", "drones"])
PHRASE = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)
FIELD_EDITS = {
    "title": PHRASE,
    "summary": PHRASE,
    "hero_caption": PHRASE,
    "seo_title": PHRASE,
    "kind": st.sampled_from(["analysis", "brief", "explainer"]),
    "featured": st.booleans(),
    "situation_as_of": st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
}
POINTS = ["Talks resumed", "Ports were hit", "Grain exports fell"]
alices_edits = st.fixed_dictionaries(
    {
        "fields": st.dictionaries(st.sampled_from(sorted(FIELD_EDITS)), st.none()),
        "points": st.lists(st.sampled_from(["keep", "reword", "delete"]), min_size=3, max_size=3),
        "added": st.booleans(),
    }
)
bobs_edits = st.fixed_dictionaries(
    {
        "fields": st.dictionaries(st.sampled_from(sorted(FIELD_EDITS)), st.none()),
        "points": st.lists(st.sampled_from(["keep", "reword"]), min_size=3, max_size=3),
        "added": st.booleans(),
    }
)


def values_for(draw, names):
    return {name: draw(FIELD_EDITS[name]) for name in names}


def as_form_value(name, value):
    if name == "featured":
        return ["on"] if value else []
    return [value.isoformat() if isinstance(value, date) else value]


def apply(data, fields, points, added, who):
    data = {name: list(values) for name, values in data.items()}
    for name, value in fields.items():
        data[name] = as_form_value(name, value)
    texts = rows(data, "key_points", "text")
    for text, edit in zip(POINTS, points, strict=True):
        index = texts.index(text)
        if edit == "reword":
            data[f"key_points-{index}-text"] = [f"{text} according to {who}"]
        elif edit == "delete":
            data[f"key_points-{index}-DELETE"] = ["on"]
    if added:
        extra = int(data["key_points-TOTAL_FORMS"][0]) - 1
        data[f"key_points-{extra}-text"] = [f"A point of {who}"]
        data[f"key_points-{extra}-position"] = ["9"]
    return data


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(alices=alices_edits, bobs=bobs_edits, data=st.data())
def test_whatever_two_editors_change_the_second_keeps_both_after_the_warning(
    alice, bob, alices, bobs, data
):
    report = ReportFactory(
        title="Original headline",
        summary="Original summary",
        status=Report.Status.DRAFT,
        publish_at=None,
        key_points=POINTS,
    )
    original = {name: getattr(report, name) for name in FIELD_EDITS}
    alices_values = values_for(data.draw, alices["fields"])
    bobs_values = values_for(data.draw, bobs["fields"])
    url = change_url(report)
    alices_form, bobs_form = opened(alice, url), opened(bob, url)
    alices_form = apply(alices_form, alices_values, alices["points"], alices["added"], "Alice")
    assert alice.post(url, alices_form).status_code == 302
    bobs_form = apply(bobs_form, bobs_values, bobs["points"], bobs["added"], "Bob")

    response = bob.post(url, bobs_form)  # Alice's save counts even if it changed nothing
    refused(response)
    assert bob.post(url, form_on_page(response)).status_code == 302

    report.refresh_from_db()
    alices_changes = {n: v for n, v in alices_values.items() if v != original[n]}
    bobs_changes = {n: v for n, v in bobs_values.items() if v != original[n]}
    for name in FIELD_EDITS:
        expected = bobs_changes.get(name, alices_changes.get(name, original[name]))
        assert getattr(report, name) == expected, name
    expected_points = []
    for text, theirs, yours in zip(POINTS, alices["points"], bobs["points"], strict=True):
        if yours == "reword":
            expected_points.append(f"{text} according to Bob")
        elif theirs == "reword":
            expected_points.append(f"{text} according to Alice")
        elif theirs == "keep":
            expected_points.append(text)
    expected_points += [
        f"A point of {who}" for who, edits in (("Alice", alices), ("Bob", bobs)) if edits["added"]
    ]
    assert sorted(key_points(report)) == sorted(expected_points)


def test_a_restore_overtaken_by_a_deleted_row_keeps_it_deleted(alice, bob):
    report = ReportFactory(title="First headline", key_points=["Talks resumed.", "Qatar mediated."])
    saved_in_desk(alice, report)  # the version Bob restores has both points
    saved_in_desk(alice, report, title="Second headline")
    oldest = Version.objects.get_for_object(report).order_by("pk").first()
    url = revision_url(report, oldest)
    restoring = opened(bob, url)

    alices = opened(alice, change_url(report))
    alices[f"key_points-{row_index(alices, 'key_points', 'text', 'Qatar mediated.')}-DELETE"] = [
        "on"
    ]
    assert alice.post(change_url(report), alices).status_code == 302

    response = bob.post(url, restoring)
    assert changes_listed(refused(response))["Key point removed"] == (
        "Key point removed: Qatar mediated."
    )
    assert bob.post(url, form_on_page(response)).status_code == 302
    report.refresh_from_db()
    assert (report.title, key_points(report)) == ("First headline", ["Talks resumed."])
