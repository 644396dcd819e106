"""What tags.report_counts keeps (counts, the region index, related reports) is renewed only
by a change that can alter it, and at once: a text-only publication keeps every count, while
a report published, withdrawn or moved, or a correction, changes the right ones."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import workflow
from reports.models import Report, UpdateNote
from tags import report_counts

from .factories import EditorFactory, ReportFactory, TopicFactory, region

pytestmark = pytest.mark.django_db


def generations():
    """{kind of change: its current generation}, as the cache holds them."""
    kinds = report_counts.GENERATIONS
    found = cache.get_many([report_counts._generation_key(kind) for kind in kinds])
    return {kind: found.get(report_counts._generation_key(kind)) for kind in kinds}


def counted_queries(client, url):
    """The SQL that drawing ``url`` sends which counts reports."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]


def listed_count(client, url):
    """How many reports the listing at ``url`` says it lists (its paginator's count), drawn
    afresh: at an address of its own, so that no page kept whole (reports.kept_pages) answers
    without a template context."""
    listed_count.drawn += 1
    return client.get(url, {"drawn": listed_count.drawn}).context["page"].paginator.count


listed_count.drawn = 0


def region_count(client, ref):
    """How many reports the region page of ``ref`` says it lists (its paginator's count)."""
    return listed_count(client, region(ref).get_absolute_url())


@pytest.fixture
def newsroom(client):
    """A live report in Ukraine filed under a topic, another in France, every page drawn."""
    topic = TopicFactory()
    ukraine = ReportFactory(primary_region=region("UA"), topics=[topic])
    france = ReportFactory(primary_region=region("FR"), topics=[TopicFactory()])
    for url in ["/", "/regions/", region("FR").get_absolute_url(), "/corrections/"]:
        client.get(url)
    client.get(ukraine.get_absolute_url())
    return ukraine, france, topic


def test_a_text_only_publication_keeps_every_count(client, newsroom):
    ukraine, _, _ = newsroom
    assert counted_queries(client, region("FR").get_absolute_url()) == []  # kept
    before = generations()
    draft = workflow.working_draft(ukraine)
    draft.title, draft.summary, draft.body = "New headline", "New summary.", "<p>New body.</p>"
    draft.save()
    workflow.publish_changes(draft, by=EditorFactory())
    after = generations()
    assert after[report_counts.LISTINGS] == before[report_counts.LISTINGS]
    assert after[report_counts.NOTES] == before[report_counts.NOTES]
    assert after[report_counts.TEXT] != before[report_counts.TEXT]  # related reports
    assert counted_queries(client, region("FR").get_absolute_url()) == []


def test_related_reports_show_a_new_headline_at_once(client):
    topic = TopicFactory()
    shown, other = (ReportFactory(topics=[topic]) for _ in range(2))
    assert b"Situation report" in client.get(other.get_absolute_url()).content
    draft = workflow.working_draft(shown)
    draft.title = "A headline nobody had read"
    draft.save()
    workflow.publish_changes(draft, by=EditorFactory())
    assert b"A headline nobody had read" in client.get(other.get_absolute_url()).content


def choosing_related(client, url):
    """(the response to ``url``, how many queries it sent, how many of them chose related
    reports: the query scoring them)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries), sum('"shared"' in query["sql"] for query in queries)


@pytest.fixture(params=[False, True], ids=["page cache off", "page cache on"])
def page_cache(request, settings):
    """Whether whole pages are kept in the cache: both ways in turn."""
    settings.PAGE_CACHE_SECONDS = 600 if request.param else 0
    return request.param


def test_a_text_change_shows_in_related_reports_at_once_without_choosing_them_again(
    client, page_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # saved as a committed change
        topic = TopicFactory()
        shown = ReportFactory(title="Grain deal holds", topics=[topic])
        page = ReportFactory(topics=[topic]).get_absolute_url()
    _, _, chose = choosing_related(client, page)
    assert chose == 1
    _, kept_queries, chose = choosing_related(client, page)
    assert chose == 0
    draft = workflow.working_draft(shown)
    draft.title = "Grain deal collapses"
    draft.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_changes(draft, by=EditorFactory())
    response, queries, chose = choosing_related(client, page)
    assert "Grain deal collapses" in response.content.decode()
    assert chose == 0
    if page_cache:
        assert response["X-Cache"] == "miss"  # the page shows its card: purged
    assert queries > kept_queries  # drawn again, with the related reports' rows read by id
    _, queries, _ = choosing_related(client, page)
    assert queries == kept_queries  # kept again


def test_a_change_of_where_a_report_is_filed_chooses_related_reports_again(
    client, page_cache, django_capture_on_commit_callbacks
):
    topic = TopicFactory()
    shown = ReportFactory(title="Grain deal holds", primary_region=region("FR"), topics=[topic])
    page = ReportFactory(primary_region=region("QA"), topics=[topic]).get_absolute_url()
    assert "Grain deal holds" in choosing_related(client, page)[0].content.decode()
    draft = workflow.working_draft(shown)
    draft.save()
    draft.topics.set([TopicFactory()])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_changes(draft, by=EditorFactory())
    response, _, chose = choosing_related(client, page)
    assert chose == 1
    assert "Grain deal holds" not in response.content.decode()


def test_a_draft_save_or_an_unpublished_report_renews_nothing(newsroom):
    ukraine, _, _ = newsroom
    before = generations()
    draft = workflow.working_draft(ukraine)
    draft.title = "Not yet"
    draft.save()
    unpublished = ReportFactory(status=Report.Status.DRAFT, publish_at=None)
    unpublished.title = "Still a draft"
    unpublished.save()
    unpublished.regions.add(region("DE"))
    unpublished.topics.add(TopicFactory())
    UpdateNote.objects.create(report=unpublished, kind=UpdateNote.Kind.CORRECTION, text="Fixed.")
    assert generations() == before


def test_a_new_report_is_counted_at_once_in_its_region_only(client, newsroom):
    assert region_count(client, "FR") == 1
    assert region_count(client, "UA") == 1
    index = client.get("/regions/").content
    ReportFactory(primary_region=region("FR"))
    assert region_count(client, "FR") == 2
    assert region_count(client, "UA") == 1
    assert client.get("/regions/").content != index  # its counts


def test_a_withdrawn_report_leaves_the_counts_at_once(client, newsroom):
    _, france, _ = newsroom
    assert region_count(client, "FR") == 1
    workflow.withdraw(france, reason="Could not be confirmed.", by=EditorFactory())
    assert region_count(client, "FR") == 0


def test_a_report_moved_to_another_region_and_topic_is_counted_there_at_once(client, newsroom):
    ukraine, _, topic = newsroom
    other = TopicFactory()
    client.get(other.get_absolute_url())
    draft = workflow.working_draft(ukraine)
    draft.primary_region = region("FR")
    draft.save()
    draft.topics.set([other])
    workflow.publish_changes(draft, by=EditorFactory())
    assert region_count(client, "UA") == 0
    assert region_count(client, "FR") == 2
    assert listed_count(client, topic.get_absolute_url()) == 0
    assert listed_count(client, other.get_absolute_url()) == 1


def test_a_correction_is_counted_at_once_and_keeps_the_listing_counts(client, newsroom):
    ukraine, _, _ = newsroom
    assert client.get("/corrections/").context["page"].paginator.count == 0
    before = generations()
    UpdateNote.objects.create(report=ukraine, kind=UpdateNote.Kind.CORRECTION, text="Fixed.")
    assert client.get("/corrections/").context["page"].paginator.count == 1
    assert generations()[report_counts.LISTINGS] == before[report_counts.LISTINGS]
    assert counted_queries(client, region("FR").get_absolute_url()) == []


def test_a_correction_published_through_a_working_draft_is_counted_at_once(client, newsroom):
    ukraine, _, _ = newsroom
    assert client.get("/corrections/").context["page"].paginator.count == 0
    draft = workflow.working_draft(ukraine)
    UpdateNote.objects.create(report=draft, kind=UpdateNote.Kind.CORRECTION, text="Fixed.")
    workflow.publish_changes(draft, by=EditorFactory())
    assert client.get("/corrections/").context["page"].paginator.count == 1


@pytest.mark.parametrize("page_cache_seconds", [600, 0], ids=["page cache on", "page cache off"])
def test_what_pages_are_drawn_from_is_renewed_before_the_pages_are_purged(
    settings, commit, page_cache_seconds
):
    """A reader asking for a page the moment it is purged must not draw it from what was
    kept while the change was being saved (the generation the change set at once): the
    commit renews the generations first, then purges."""
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    draft = ReportFactory(status=Report.Status.DRAFT, primary_region=region("QA"))
    seen_at_purge = []
    order = []

    def at_purge(sender, tags, **kwargs):
        seen_at_purge.append(generations()[report_counts.LISTINGS])
        order.append("purge")

    from diethnos.page_cache import pages_purged

    pages_purged.connect(at_purge, weak=False)
    try:
        with commit():
            workflow.publish(draft, by=EditorFactory())
            during = generations()[report_counts.LISTINGS]
        after = generations()[report_counts.LISTINGS]
    finally:
        pages_purged.disconnect(at_purge)
    assert after != during  # renewed again on commit
    if page_cache_seconds:
        assert seen_at_purge and all(seen == after for seen in seen_at_purge)
