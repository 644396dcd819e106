"""A working newsroom keeps the page cache: each change purges the cached pages that show it
and no others, and a cached page is answered in one cache round trip."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from diethnos import frontend_cache, page_cache
from reports import workflow
from reports.models import Report, UpdateNote
from tags.models import Region

from .admin_forms import desk_row, report_form_data
from .factories import AuthorFactory, EditorFactory, ReportFactory, TopicFactory, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

ALWAYS = {"feeds", "sitemaps", "search", "corrections", page_cache.UNTAGGED}
LISTINGS = {"home", "listing:reports", "listing:regions", "listing:topics", "listing:authors"}


@pytest.fixture
def french_report(commit):
    with commit():
        return ReportFactory(
            title="Farmers block roads to Paris",
            primary_region=region("FR"),
            topics=[TopicFactory(name="Agriculture")],
            authors=[AuthorFactory(name="Claire Dubois")],
        )


def purged_tags(purges):
    return set().union(*purges) if purges else set()


def regions_above(code):
    """Tags of the region pages listing a report tagged with region ``code``."""
    covering = Region.objects.covering(Region.objects.filter(iso2=code))
    return {f"region:{pk}" for pk in covering.values_list("pk", flat=True)}


def membership_tags(report):
    """Every tag a report joining or leaving the listings purges."""
    qatar = region("QA").pk
    topic = report.topics.get().pk
    author = report.authors.get().pk
    return (
        {f"report:{report.pk}", *ALWAYS, *LISTINGS}
        | regions_above("QA")
        | {f"related-region:{qatar}", f"topic:{topic}", f"related-topic:{topic}"}
        | {f"author:{author}"}
    )


# ---------------------------------------------------------------------------------------------
# Writes that purge nothing


def test_saving_an_unpublished_report_purges_nothing(client, commit, purges):
    with commit():
        author = AuthorFactory()
    purges.clear()  # a new author is listed among the authors
    with commit():
        report = ReportFactory(
            status=Report.Status.DRAFT, publish_at=None, title="Early draft", authors=[author]
        )
    with commit():
        report.title = "Early draft, revised"
        report.save()
        UpdateNote.objects.create(report=report, kind="update", text="Added a paragraph.")
    with commit():
        workflow.submit_for_review(report)
    assert purges == []


def test_a_working_draft_autosave_and_its_review_purge_nothing(qatar_report, commit, purges):
    with commit():
        draft = workflow.working_draft(qatar_report)
    with commit():
        draft.title = "Ceasefire talks stall in Doha"
        draft.save()
        UpdateNote.objects.create(report=draft, kind="correction", text="A date was wrong.")
        workflow.note_saved_draft(draft)
    with commit():
        workflow.submit_for_review(Report.all_objects.get(pk=draft.pk))
    assert purges == []


@pytest.mark.parametrize("published", [True, False], ids=["live report", "unpublished"])
def test_a_preview_purges_nothing(client, commit, purges, published):
    with commit():
        report = ReportFactory(
            title="Original headline",
            status=Report.Status.PUBLISHED if published else Report.Status.DRAFT,
        )
        row = desk_row(report)
    purges.clear()
    client.force_login(EditorFactory(is_superuser=True))
    data = report_form_data(row, title="Changed headline", key_points=["A new point."])
    with commit():
        response = client.post(reverse("admin:reports_report_preview", args=[row.pk]), data)
        client.get(reverse("admin:reports_report_change", args=[row.pk]))
    assert response.status_code == 200
    assert "Changed headline" in response.content.decode()
    assert purges == []


def test_scheduling_a_report_purges_nothing_until_it_goes_live(commit, purges):
    with commit():
        author = AuthorFactory()
    purges.clear()
    with commit():
        ReportFactory(publish_at=timezone.now() + timedelta(hours=1), authors=[author])
    assert purges == []


# ---------------------------------------------------------------------------------------------
# Writes that purge the pages that show them, and only those


def test_publishing_purges_the_report_its_listings_regions_topics_and_authors(
    qatar_report, commit, purges
):
    with commit():
        report = ReportFactory(
            status=Report.Status.DRAFT,
            publish_at=None,
            primary_region=region("QA"),
            topics=[qatar_report.topics.get()],
            authors=[qatar_report.authors.get()],
        )
    assert purges == []
    with commit():
        workflow.publish(report)
    assert purged_tags(purges) == membership_tags(report)
    assert {f"region:{region('QA').pk}", f"region:{region('asia').pk}"} <= purged_tags(purges)
    assert f"region:{region('europe').pk}" not in purged_tags(purges)


def test_correcting_a_live_report_purges_its_page_and_cards_only(qatar_report, commit, purges):
    draft = workflow.working_draft(qatar_report)
    draft.title = "Ceasefire talks resume in Doha, officials say"
    draft.save()
    with commit():
        workflow.publish_changes(draft)
    assert purged_tags(purges) == {f"report:{qatar_report.pk}", *ALWAYS}


def test_an_update_note_on_a_live_report_purges_its_page_and_cards(qatar_report, commit, purges):
    with commit():
        UpdateNote.objects.create(report=qatar_report, kind="update", text="Talks ended.")
    assert purged_tags(purges) == {f"report:{qatar_report.pk}", *ALWAYS}


def test_moving_a_live_report_purges_the_listings_it_left_and_joined(qatar_report, commit, purges):
    draft = workflow.working_draft(qatar_report)
    draft.primary_region = region("FR")
    draft.save()
    with commit():
        workflow.publish_changes(draft)
    tags = purged_tags(purges)
    assert regions_above("QA") | regions_above("FR") <= tags
    assert f"region:{region('americas').pk}" not in tags


def test_withdrawing_purges_its_page_and_every_listing_it_was_on(qatar_report, commit, purges):
    with commit():
        workflow.withdraw(qatar_report, reason="The figures were wrong.")
    assert purged_tags(purges) == membership_tags(qatar_report)


def test_an_authors_edit_purges_their_pages_and_bylines(qatar_report, commit, purges):
    author = qatar_report.authors.get()
    with commit():
        author.name = "Nikolas Varga-Horvat"
        author.save()
    assert purged_tags(purges) == {
        f"author:{author.pk}",
        f"byline:{author.pk}",
        "listing:authors",
        *ALWAYS,
    } - {"search", "corrections"}


def test_a_topics_edit_purges_its_pages(qatar_report, commit, purges):
    topic = qatar_report.topics.get()
    with commit():
        topic.name = "Ceasefires and truces"
        topic.save()
    assert purged_tags(purges) == {
        f"topic:{topic.pk}",
        f"topic-name:{topic.pk}",
        "listing:topics",
        *ALWAYS,
    } - {"search", "corrections"}


def test_a_regions_edit_purges_its_page_those_above_it_and_its_name(commit, purges):
    qatar = region("QA")
    with commit():
        qatar.name = "State of Qatar"
        qatar.save()
    assert purged_tags(purges) == (
        regions_above("QA")
        | {f"region-name:{qatar.pk}", "listing:regions", *ALWAYS} - {"search", "corrections"}
    )


# ---------------------------------------------------------------------------------------------
# What readers get


def test_publishing_one_report_leaves_the_cached_pages_of_unrelated_ones(
    client, cache_pages, qatar_report, french_report, commit
):
    pages = [qatar_report.get_absolute_url(), french_report.get_absolute_url(), "/"]
    pages += [region("FR").get_absolute_url(), qatar_report.authors.get().get_absolute_url()]
    cache_pages(pages)
    assert {client.get(url)["X-Cache"] for url in pages} == {"hit"}
    with commit():
        workflow.publish(
            ReportFactory(
                status=Report.Status.DRAFT,
                publish_at=None,
                title="Mediators arrive in Doha",
                primary_region=region("QA"),
                topics=[qatar_report.topics.get()],
                authors=[AuthorFactory()],
            )
        )
    after = {url: client.get(url) for url in pages}
    assert after[french_report.get_absolute_url()]["X-Cache"] == "hit"
    assert after[region("FR").get_absolute_url()]["X-Cache"] == "hit"
    assert after[qatar_report.authors.get().get_absolute_url()]["X-Cache"] == "hit"
    # Its related reports may now include the new one; the home page lists it.
    assert after[qatar_report.get_absolute_url()]["X-Cache"] == "miss"
    assert after["/"]["X-Cache"] == "miss"
    assert "Mediators arrive in Doha" in after["/"].content.decode()


def test_a_draft_save_keeps_every_cached_page(client, cache_pages, qatar_report, commit):
    pages = ["/", "/reports/", "/regions/", qatar_report.get_absolute_url()]
    cache_pages(pages)
    with commit():
        draft = workflow.working_draft(qatar_report)
        draft.title = "Ceasefire talks stall in Doha"
        draft.save()
    assert {client.get(url)["X-Cache"] for url in pages} == {"hit"}


def test_a_correction_shows_at_once_on_every_page_listing_the_report(
    client, cache_pages, qatar_report, commit
):
    pages = ["/", "/reports/", region("QA").get_absolute_url()]
    pages += [qatar_report.authors.get().get_absolute_url(), qatar_report.get_absolute_url()]
    cache_pages(pages)
    draft = workflow.working_draft(qatar_report)
    draft.title = "Ceasefire talks resume in Doha, officials say"
    draft.save()
    with commit():
        workflow.publish_changes(draft)
    for url in pages:
        assert "officials say" in client.get(url).content.decode(), url


def test_a_scheduled_report_purges_only_its_pages_when_it_goes_live(
    client, cache_pages, qatar_report, french_report
):
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        ReportFactory(
            title="Scheduled from Doha",
            primary_region=region("QA"),
            publish_at=now + timedelta(minutes=5),
        )
        cache_pages(["/", french_report.get_absolute_url()])
        clock.move_to(now + timedelta(minutes=5, seconds=1))
        home = client.get("/")  # the first request after the time makes it live
        assert home["X-Cache"] == "miss"
        assert "Scheduled from Doha" in home.content.decode()
        assert client.get(french_report.get_absolute_url())["X-Cache"] == "hit"


# ---------------------------------------------------------------------------------------------
# The fast path


class CountingCache:
    """The cache, counting the operations (round trips) made through it."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def __getattr__(self, name):
        attribute = getattr(self.real, name)
        if not callable(attribute):
            return attribute

        def counted(*args, **kwargs):
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return counted


def test_a_cached_page_is_answered_in_one_cache_round_trip_and_no_query(
    client, qatar_report, monkeypatch, django_assert_num_queries
):
    url = qatar_report.get_absolute_url()
    client.get(url)
    counting = CountingCache(cache)
    monkeypatch.setattr(page_cache, "cache", counting)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Cache"] == "hit"
    assert counting.calls == ["get_many"]


def test_a_conditional_request_is_answered_304_from_the_cache(
    client, qatar_report, monkeypatch, django_assert_num_queries
):
    url = qatar_report.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    monkeypatch.setattr(
        "reports.views.render", lambda *args, **kwargs: pytest.fail("the page was drawn")
    )
    with django_assert_num_queries(0):
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["X-Cache"] == "hit"
    assert again["ETag"] == etag
    assert not again.content
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_cached_page_carries_its_tags_lifetimes_and_security_headers(client, qatar_report):
    url = qatar_report.get_absolute_url()
    first = client.get(url)
    hit = client.get(url)
    assert hit["X-Cache"] == "hit"
    for name in ("Content-Security-Policy", "X-Frame-Options", "Surrogate-Key", "Cache-Tag"):
        assert hit[name] == first[name], name
    assert hit["Content-Type"] == first["Content-Type"]
    keys = hit["Surrogate-Key"].split()
    assert f"report:{qatar_report.pk}" in keys
    assert f"byline:{qatar_report.authors.get().pk}" in keys
    assert hit["Cache-Tag"] == ",".join(keys)
    assert hit["Cache-Control"] == ("public, max-age=60, s-maxage=60, stale-while-revalidate=300")
    assert "Cookie" in hit["Vary"]


def test_lifetimes_downstream_come_from_the_settings(client, qatar_report, settings):
    settings.PAGE_CACHE_MAX_AGE = 30
    settings.PAGE_CACHE_S_MAXAGE = 3600
    settings.PAGE_CACHE_STALE_WHILE_REVALIDATE = 120
    response = client.get(qatar_report.get_absolute_url())
    assert response["Cache-Control"] == (
        "public, max-age=30, s-maxage=3600, stale-while-revalidate=120"
    )


def test_a_listing_is_tagged_with_the_reports_it_shows(client, qatar_report, french_report):
    keys = client.get("/reports/")["Surrogate-Key"].split()
    assert {"listing:reports", f"report:{qatar_report.pk}", f"report:{french_report.pk}"} <= set(
        keys
    )


def test_a_request_with_a_session_cookie_is_drawn_afresh(client, qatar_report):
    url = qatar_report.get_absolute_url()
    client.get(url)
    client.cookies["sessionid"] = "not-a-session"
    response = client.get(url)
    assert response.status_code == 200
    assert response.get("X-Cache") != "hit"


# ---------------------------------------------------------------------------------------------
# Frontend caches


def test_a_frontend_that_cannot_be_reached_never_breaks_a_save(
    settings, qatar_report, commit, caplog
):
    settings.FRONTEND_CACHE_BACKEND = "varnish"
    settings.FRONTEND_CACHE_LOCATIONS = ["http://127.0.0.1:9"]
    with caplog.at_level(logging.ERROR, logger="diethnos.frontend_cache"), commit():
        workflow.withdraw(qatar_report, reason="The figures were wrong.")
    assert Report.objects.get(pk=qatar_report.pk).status == Report.Status.WITHDRAWN
    assert "could not purge" in caplog.text


def test_cloudflare_is_asked_to_purge_the_tags_thirty_at_a_time(settings, monkeypatch):
    settings.FRONTEND_CACHE_BACKEND = "cloudflare"
    settings.FRONTEND_CACHE_CLOUDFLARE_ZONE = "zone-id"
    settings.FRONTEND_CACHE_CLOUDFLARE_TOKEN = "token"
    sent = []

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b'{"success": true}'

    def urlopen(request, timeout):
        sent.append(request)
        return Answer()

    monkeypatch.setattr(frontend_cache.urllib.request, "urlopen", urlopen)
    frontend_cache.purge_frontend({f"report:{n}" for n in range(45)})
    assert len(sent) == 2
    assert sent[0].full_url == "https://api.cloudflare.com/client/v4/zones/zone-id/purge_cache"
    assert sent[0].headers["Authorization"] == "Bearer token"
    import json

    tags = [*json.loads(sent[0].data)["tags"], *json.loads(sent[1].data)["tags"]]
    assert sorted(tags) == sorted(f"report:{n}" for n in range(45))


def test_renaming_a_region_refreshes_the_pages_beneath_it_that_name_it(client, commit):
    qatar = region("QA").get_absolute_url()
    client.get(qatar)
    asia = region("asia")
    with commit():
        asia.name = "Asia and the Pacific"
        asia.save()
    response = client.get(qatar)
    assert response["X-Cache"] == "miss"
    assert "Asia and the Pacific" in response.content.decode()


def test_an_authors_expertise_purges_their_pages_and_the_topics(qatar_report, commit, purges):
    author, topic = qatar_report.authors.get(), qatar_report.topics.get()
    with commit():
        author.expertise.add(topic)
    tags = purged_tags(purges)
    assert {f"author:{author.pk}", f"byline:{author.pk}", f"topic:{topic.pk}"} <= tags
    assert not any(tag.startswith("region") for tag in tags)


# ---------------------------------------------------------------------------------------------
# Share links, who has a report open, the corrections log and its policy


def test_share_links_and_who_has_a_report_open_purge_nothing(client, qatar_report, commit, purges):
    from reports.sharing import ShareLink

    editor = EditorFactory(is_superuser=True)
    client.force_login(editor)
    draft = desk_row(qatar_report)
    purges.clear()
    with commit():
        link = ShareLink.make(qatar_report, by=editor)
    with commit():
        client.post(reverse("admin:reports_report_editing", args=[draft.pk]))
        client.get(reverse("admin:reports_report_change", args=[draft.pk]))
    with commit():
        link.revoke()
    assert purges == []


def test_a_correction_on_a_live_report_refreshes_the_corrections_log(client, qatar_report, commit):
    assert "The venue was misnamed" not in client.get("/corrections/").content.decode()
    assert client.get("/corrections/")["X-Cache"] == "hit"
    with commit():
        UpdateNote.objects.create(
            report=qatar_report, kind=UpdateNote.Kind.CORRECTION, text="The venue was misnamed."
        )
    assert "The venue was misnamed" in client.get("/corrections/").content.decode()


def test_the_corrections_policy_purges_only_its_page(client, qatar_report, commit, purges):
    from corrections.models import CorrectionsPolicy

    client.get("/corrections/policy/")
    with commit():
        CorrectionsPolicy.objects.create(text="<p>We correct openly.</p>")
    assert purged_tags(purges) == {"corrections-policy", page_cache.UNTAGGED}
    assert "We correct openly." in client.get("/corrections/policy/").content.decode()
