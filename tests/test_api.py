"""The read API's endpoints and filters: only what readers may see, as the site shows it."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from reports import workflow
from reports.models import Report, UpdateNote
from reports.search import reindex, uses_full_text

from .factories import AuthorFactory, ReportFactory, TopicFactory, UpdateNoteFactory, region

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"


def ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


WITHDRAWN_FIELDS = {
    "status",
    "headline",
    "slug",
    "url",
    "summary",
    "published_at",
    "modified_at",
    "withdrawal_reason",
    "authors",
}


def hidden_reports():
    """A draft, one in review, a scheduled one, one scheduled and withdrawn before its time,
    and a working draft, all matching every filter the tests use; the report the working
    draft is of; and a withdrawn report whose text (key points, body, notes, sources) says
    "Hidden ceasefire" too, though its headline and standfirst do not."""
    common = {
        "title": "Hidden ceasefire",
        "primary_region": region("UA"),
        "topics": [TopicFactory(name="Ceasefires")],
        "authors": [AuthorFactory(name="Ana Writer", slug="ana-writer")],
        "kind": "sitrep",
    }
    hidden = {}
    for status in (Report.Status.DRAFT, Report.Status.IN_REVIEW):
        report = ReportFactory(**common, slug=f"hidden-{status}")
        Report.objects.filter(pk=report.pk).update(status=status)
        hidden[status] = report
    hidden["scheduled"] = ReportFactory(
        **common, slug="hidden-scheduled", publish_at=timezone.now() + datetime.timedelta(days=1)
    )
    early = ReportFactory(
        **common,
        slug="hidden-scheduled-withdrawn",
        publish_at=timezone.now() + datetime.timedelta(days=1),
    )
    hidden["scheduled then withdrawn"] = workflow.withdraw(early, reason="Hidden reason.")
    live = ReportFactory(**{**common, "title": "Live report"}, slug="live-report")
    draft = workflow.working_draft(live)
    draft.title = "Hidden ceasefire draft"
    draft.save()
    hidden["working draft"] = draft
    withdrawn = ReportFactory(
        **{**common, "title": "Withdrawn report"},
        slug="withdrawn-report",
        summary="A standfirst its page keeps.",
        body="<p>Hidden ceasefire body.</p>",
        key_points=["Hidden ceasefire point."],
        sources=["Hidden ceasefire source"],
    )
    UpdateNoteFactory(report=withdrawn, kind=UpdateNote.Kind.CORRECTION, text="Hidden ceasefire.")
    workflow.withdraw(withdrawn, reason="A source could not be verified.")
    reindex([report.pk for report in [*hidden.values(), live, withdrawn]])
    return hidden, live


def test_the_report_list_gives_published_reports_newest_first_with_every_field(client):
    topic = TopicFactory(name="Energy")
    author = AuthorFactory(name="Maria Kostova", slug="maria-kostova")
    older = ReportFactory(slug="older", publish_at=ago(days=2))
    newer = ReportFactory(
        slug="newer",
        title="Fighting around Kursk",
        kind="analysis",
        key_points=["First point.", "Second point."],
        authors=[author],
        topics=[topic],
        primary_region=region("UA"),
        regions=[region("RU")],
        sources=["General Staff update"],
        situation_as_of=datetime.date(2025, 3, 1),
    )
    UpdateNoteFactory(report=newer, kind=UpdateNote.Kind.CORRECTION, text="Date fixed.")
    response = client.get(REPORTS)
    assert slugs(response) == [newer.slug, older.slug]
    item = response.json()["results"][0]
    assert item["headline"] == "Fighting around Kursk"
    assert item["url"].endswith("/reports/newer/")
    assert item["kind"] == "analysis"
    assert item["language"] == "en"
    assert item["key_points"] == ["First point.", "Second point."]
    assert item["body_html"] == newer.body
    assert item["situation_as_of"] == "2025-03-01"
    assert item["authors"][0]["url"].endswith("/authors/maria-kostova/")
    assert item["primary_region"]["iso2"] == "UA"
    assert item["primary_region"]["m49"] == "804"
    assert [r["iso3"] for r in item["regions"]] == ["UKR", "RUS"]
    assert item["topics"][0]["name"] == "Energy"
    assert item["sources"][0]["title"] == "General Staff update"
    assert item["corrections"][0]["text"] == "Date fixed."
    assert item["updates"] == []
    assert item["hero_image"] is None
    assert item["modified_at"] >= item["published_at"]


def test_a_report_by_its_slug(client):
    report = ReportFactory(slug="kursk")
    response = client.get(f"{REPORTS}kursk/")
    assert response.status_code == 200
    assert response.json()["headline"] == report.title


def test_a_withdrawn_report_appears_as_withdrawn_without_its_text(client):
    report = ReportFactory(
        slug="gone", body="<p>Secret body words</p>", key_points=["Secret."], sources=["Secret"]
    )
    UpdateNoteFactory(report=report, kind=UpdateNote.Kind.CORRECTION, text="Secret note.")
    workflow.withdraw(report, reason="We could not verify a source.")
    kept = ReportFactory(slug="kept", publish_at=ago(days=1))
    response = client.get(f"{REPORTS}gone/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "withdrawn"
    assert data["withdrawal_reason"] == "We could not verify a source."
    assert data["headline"] == report.title and data["summary"] == report.summary
    assert set(data) == WITHDRAWN_FIELDS
    assert "Secret" not in response.content.decode()
    listed = client.get(REPORTS)
    assert slugs(listed) == ["gone", kept.slug]
    assert listed.json()["results"][0] == data
    assert [item["status"] for item in listed.json()["results"]] == ["withdrawn", "published"]
    assert "Secret" not in listed.content.decode()


def test_a_withdrawal_reaches_partners_syncing_by_modified_since(client):
    report = ReportFactory(slug="gone", publish_at=ago(days=10))
    ReportFactory(slug="old", publish_at=ago(days=10))
    since = {"modified_since": ago(days=1).isoformat()}
    assert slugs(client.get(REPORTS, since)) == []
    before = timezone.now() - datetime.timedelta(milliseconds=1)  # times are given to the ms
    workflow.withdraw(report, reason="Unverified.")
    (item,) = client.get(REPORTS, since).json()["results"]
    assert item["slug"] == "gone" and item["status"] == "withdrawn"
    withdrawn_at = datetime.datetime.fromisoformat(item["modified_at"])
    assert before <= withdrawn_at <= timezone.now()
    assert item["published_at"] < item["modified_at"]
    later = {"modified_since": (timezone.now() + datetime.timedelta(seconds=1)).isoformat()}
    assert slugs(client.get(REPORTS, later)) == []
    workflow.publish(Report.objects.get(pk=report.pk))  # put back: no longer withdrawn
    assert Report.objects.get(pk=report.pk).withdrawn_at is None
    assert client.get(f"{REPORTS}gone/").json()["status"] == "published"


def test_reports_withdrawn_before_the_time_was_kept_are_dated_by_their_last_save(client):
    migration = importlib.import_module("reports.migrations.0018_withdrawn_reports_listed")
    report = ReportFactory(slug="gone", publish_at=ago(days=10))
    Report.objects.filter(pk=report.pk).update(status=Report.Status.WITHDRAWN)
    migration.date_past_withdrawals(apps, None)
    report.refresh_from_db()
    assert report.withdrawn_at == report.updated_at
    assert client.get(f"{REPORTS}gone/").json()["status"] == "withdrawn"


def test_withdrawn_reports_are_filtered_by_what_their_page_shows_but_never_searched(client):
    energy = TopicFactory(name="Energy")
    author = AuthorFactory(slug="writer")
    report = ReportFactory(
        slug="gone",
        title="Kursk offensive",
        kind="analysis",
        topics=[energy],
        authors=[author],
        primary_region=region("FR"),
    )
    reindex([report.pk])
    workflow.withdraw(report, reason="Unverified.")
    reindex([report.pk])
    for query in ["?region=europe", "?topic=energy", "?author=writer", "?kind=analysis"]:
        assert slugs(client.get(REPORTS + query)) == ["gone"], query
    for query in ["?region=asia", "?kind=brief", "?published_until=2000-01-01"]:
        assert slugs(client.get(REPORTS + query)) == [], query
    for query in ["?q=kursk", "?q=kursk&ordering=published_at", "?q=offensive&region=europe"]:
        assert slugs(client.get(REPORTS + query)) == [], query


@pytest.mark.parametrize(
    "which", ["draft", "in_review", "scheduled", "scheduled then withdrawn", "working draft"]
)
def test_an_unpublished_report_has_no_address(client, which):
    hidden, _ = hidden_reports()
    response = client.get(f"{REPORTS}{hidden[which].slug}/")
    if which == "working draft":  # it shares its live report's slug: that one is shown
        assert response.json()["headline"] == "Live report"
    else:
        assert response.status_code == 404
        assert response.json()["status"] == 404


HOSTILE = [
    "",
    "?region=ukraine",
    "?region=europe",
    "?topic=ceasefires",
    "?author=ana-writer",
    "?kind=sitrep",
    "?q=hidden+ceasefire",
    "?q=hidden&ordering=relevance&region=world&topic=ceasefires&author=ana-writer",
    "?modified_since=2000-01-01T00:00:00Z",
    "?published_since=2000-01-01&published_until=2100-01-01",
    "?ordering=published_at&limit=50",
    "?modified_since=2000-01-01&region=europe&topic=ceasefires&author=ana-writer&kind=sitrep",
    "?modified_since=2000-01-01&published_since=2000-01-01&ordering=published_at&limit=1",
    "?q=withdrawn",
    "?q=withdrawn+report&ordering=published_at",
    "?q=ceasefire&modified_since=2000-01-01&region=ukraine",
    "?q=standfirst+page+keeps",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_no_filter_combination_brings_out_unpublished_text(client, query):
    hidden_reports()
    response = client.get(REPORTS + query)
    assert response.status_code == 200, response.content
    assert "Hidden" not in response.content.decode()
    assert "hidden-" not in response.content.decode()
    items = response.json()["results"]
    while response.json()["next"]:  # every page, for the one-report pages
        response = client.get(response.json()["next"])
        assert "Hidden" not in response.content.decode()
        items += response.json()["results"]
    withdrawn = [item for item in items if item["status"] != "published"]
    if "q=" in query:  # words match published reports only
        assert withdrawn == []
    else:
        (item,) = withdrawn
        assert item["status"] == "withdrawn" and item["slug"] == "withdrawn-report"
        assert set(item) == WITHDRAWN_FIELDS


def test_no_endpoint_names_an_unpublished_report(client):
    hidden, _ = hidden_reports()
    for report in hidden.values():
        UpdateNoteFactory(report=report, kind=UpdateNote.Kind.CORRECTION, text="Hidden note.")
    assert client.get(f"{REPORTS}withdrawn-report/").json()["status"] == "withdrawn"
    for path in ["/api/v1/corrections/", "/api/v1/regions/ukraine/", "/api/v1/topics/"]:
        body = client.get(path).content.decode()
        assert "Hidden" not in body and "hidden-" not in body, path
    topics = {t["slug"]: t["report_count"] for t in client.get("/api/v1/topics/").json()}
    assert topics["ceasefires"] == 1  # the live report only
    authors = {a["slug"]: a["report_count"] for a in client.get("/api/v1/authors/").json()}
    assert authors["ana-writer"] == 1


def test_region_filter_rolls_up_the_tree_and_groupings(client):
    kyiv = ReportFactory(slug="kyiv", primary_region=region("UA"))
    doha = ReportFactory(slug="doha", primary_region=region("QA"))
    tagged = ReportFactory(slug="tagged", primary_region=region("FR"), regions=[region("SY")])
    assert set(slugs(client.get(REPORTS + "?region=europe"))) == {kyiv.slug, tagged.slug}
    assert set(slugs(client.get(REPORTS + "?region=ukraine"))) == {kyiv.slug}
    assert set(slugs(client.get(REPORTS + "?region=asia"))) == {doha.slug, tagged.slug}
    assert set(slugs(client.get(REPORTS + "?region=world"))) == {kyiv.slug, doha.slug, tagged.slug}
    grouping = region("QA").groups.first()
    if grouping:
        assert doha.slug in slugs(client.get(f"{REPORTS}?region={grouping.slug}"))


def test_topic_author_and_kind_filters(client):
    energy = TopicFactory(name="Energy")
    author = AuthorFactory(slug="writer")
    a = ReportFactory(slug="a", topics=[energy], kind="brief")
    b = ReportFactory(slug="b", authors=[author], kind="analysis")
    assert slugs(client.get(REPORTS + "?topic=energy")) == [a.slug]
    assert slugs(client.get(REPORTS + "?author=writer")) == [b.slug]
    assert slugs(client.get(REPORTS + "?kind=analysis")) == [b.slug]
    assert slugs(client.get(REPORTS + "?kind=analysis&topic=energy")) == []


def test_publication_date_filters(client):
    old = ReportFactory(slug="old", publish_at=timezone.make_aware(datetime.datetime(2024, 1, 5)))
    new = ReportFactory(slug="new", publish_at=timezone.make_aware(datetime.datetime(2024, 3, 5)))
    assert slugs(client.get(REPORTS + "?published_since=2024-02-01")) == [new.slug]
    assert slugs(client.get(REPORTS + "?published_until=2024-02-01")) == [old.slug]
    both = "?published_since=2024-01-05&published_until=2024-03-05"
    assert slugs(client.get(REPORTS + both)) == [new.slug, old.slug]


def test_modified_since_finds_reports_published_or_noted_since(client):
    cutoff = ago(days=1)
    ReportFactory(slug="untouched", publish_at=ago(days=5))
    noted = ReportFactory(slug="noted", publish_at=ago(days=5))
    UpdateNoteFactory(report=noted, noted_at=ago(hours=2))
    fresh = ReportFactory(slug="fresh", publish_at=ago(hours=1))
    found = slugs(client.get(REPORTS, {"modified_since": cutoff.isoformat()}))
    assert set(found) == {noted.slug, fresh.slug}


def test_modified_since_without_an_offset_is_utc_and_may_be_a_date(client):
    ReportFactory(slug="march", publish_at=datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC))
    assert slugs(client.get(REPORTS + "?modified_since=2025-03-01T12:00:00")) == ["march"]
    assert slugs(client.get(REPORTS + "?modified_since=2025-03-01T12:00:01")) == []
    assert slugs(client.get(REPORTS + "?modified_since=2025-03-01")) == ["march"]


def test_words_are_matched_by_the_sites_search(client):
    reports = [
        ReportFactory(slug="kursk", title="Fighting around Kursk"),
        ReportFactory(slug="doha", title="Talks in Doha"),
    ]
    reindex([report.pk for report in reports])  # as on commit
    assert slugs(client.get(REPORTS + "?q=kursk")) == ["kursk"]
    assert slugs(client.get(REPORTS + "?q=kursk&ordering=relevance")) == ["kursk"]


def test_search_results_page_by_cursor_best_first(client):
    reports = [
        ReportFactory(slug="twice", title="Kursk offensive", summary="Kursk again."),
        ReportFactory(slug="once", title="Kursk"),
        ReportFactory(slug="body", title="Other", body="<p>Kursk</p>"),
        ReportFactory(slug="none", title="Doha talks"),
    ]
    reindex([report.pk for report in reports])
    seen, url = [], REPORTS + "?q=kursk&limit=1"
    for _ in range(5):
        response = client.get(url)
        seen += slugs(response)
        url = response.json()["next"]
        if not url:
            break
    assert sorted(seen) == ["body", "once", "twice"]
    if uses_full_text():  # ranked; newest first elsewhere
        assert seen[0] == "twice"


def test_ordering_oldest_first(client):
    ReportFactory(slug="first", publish_at=ago(days=3))
    ReportFactory(slug="second", publish_at=ago(days=2))
    assert slugs(client.get(REPORTS + "?ordering=published_at")) == ["first", "second"]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("region=atlantis", "region"),
        ("topic=nothing", "topic"),
        ("author=nobody", "author"),
        ("kind=poem", "kind"),
        ("published_since=yesterday", "published_since"),
        ("published_since=2025-02-01&published_until=2025-01-01", "published_until"),
        ("modified_since=soon", "modified_since"),
        ("limit=0", "limit"),
        ("limit=51", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=WzEsMl0", "cursor"),
        ("ordering=random", "ordering"),
        ("ordering=relevance", "ordering"),
        ("q=" + "x" * 201, "q"),
        ("regions=europe", "regions"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, query, parameter):
    response = client.get(f"{REPORTS}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter
    assert body["detail"]


def test_a_bad_page_size_of_the_corrections_is_a_400_naming_it(client):
    response = client.get("/api/v1/corrections/?limit=nine")
    assert response.status_code == 400
    assert response.json()["parameter"] == "limit"
    assert client.get("/api/v1/corrections/?page=2").json()["parameter"] == "page"


def test_a_cursor_pages_through_every_report_once_across_inserts(client):
    for day in range(7):
        ReportFactory(slug=f"r{day}", publish_at=ago(days=day + 1))
    seen = []
    url = REPORTS + "?limit=3"
    page = 0
    while url and page < 10:
        response = client.get(url)
        seen += slugs(response)
        url = response.json()["next"]
        page += 1
        if page == 1:  # published meanwhile, newer than all: never shifts the pages after
            ReportFactory(slug="brand-new")
            # ... nor does one published with an older date show twice or hide another
            ReportFactory(slug="backdated", publish_at=ago(days=30))
    assert seen[:7] == [f"r{day}" for day in range(7)]
    assert seen[7:] == ["backdated"]
    assert "brand-new" not in seen


def test_regions_tree_and_detail_with_rolled_up_counts(client):
    ReportFactory(primary_region=region("UA"))
    ReportFactory(primary_region=region("FR"), regions=[region("UA")])
    tree = client.get("/api/v1/regions/").json()
    assert tree["world"]["report_count"] == 2
    europe = next(r for r in tree["world"]["children"] if r["slug"] == "europe")
    assert europe["report_count"] == 2
    assert tree["groupings"]
    detail = client.get("/api/v1/regions/ukraine/").json()
    assert detail["report_count"] == 2
    assert detail["iso2"] == "UA" and detail["iso3"] == "UKR" and detail["m49"] == "804"
    assert [r["slug"] for r in detail["ancestors"]][0] == "world"
    assert detail["reports"] == "/api/v1/reports/?region=ukraine"
    assert client.get("/api/v1/regions/atlantis/").status_code == 404


def test_topics_and_authors(client):
    ReportFactory(topics=[TopicFactory(name="Energy")], authors=[AuthorFactory(slug="al")])
    AuthorFactory(slug="retired", is_active=False)
    topics = client.get("/api/v1/topics/").json()
    assert {"name": "Energy", "report_count": 1}.items() <= topics[0].items()
    authors = {a["slug"]: a for a in client.get("/api/v1/authors/").json()}
    assert authors["al"]["url"].endswith("/authors/al/")
    assert authors["al"]["report_count"] == 1
    assert "retired" not in authors


def test_corrections_newest_first_with_their_report(client):
    report = ReportFactory(slug="fixed")
    UpdateNoteFactory(report=report, kind="correction", text="Old", noted_at=ago(days=2))
    UpdateNoteFactory(report=report, kind="clarification", text="New", noted_at=ago(days=1))
    UpdateNoteFactory(report=report, kind="update", text="Not a correction")
    data = client.get("/api/v1/corrections/?limit=1").json()
    assert [n["text"] for n in data["results"]] == ["New"]
    assert data["results"][0]["report"]["slug"] == "fixed"
    rest = client.get(data["next"]).json()
    assert [n["text"] for n in rest["results"]] == ["Old"]
    assert rest["next"] is None
