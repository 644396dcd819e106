"""The regions each report is stored as within (reports.placement), kept right on every write,
and the search's region facet counted from them equal to counting the plain way."""

from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import workflow
from reports.content import ReportContent
from reports.facets import region_counts
from reports.models import Report
from reports.placement import place_all
from reports.search import reindex
from tags.models import Region

from .factories import ReportFactory, region

pytestmark = pytest.mark.django_db(transaction=False)

SEARCH = reverse("reports:search")


def plainly_within(report):
    """The regions whose pages list ``report``: those covering its primary and other regions
    (``RegionQuerySet.covering``, as the region pages count)."""
    placed = Region.objects.filter(pk=report.primary_region_id) | report.regions.all()
    return set(Region.objects.covering(placed).values_list("pk", flat=True))


def stored_within(report):
    return set(Report.all_objects.get(pk=report.pk).within)


def assert_placed(*reports):
    for report in reports:
        assert stored_within(report) == plainly_within(report), report.title


def test_a_report_is_within_its_regions_everything_above_them_and_their_groupings():
    report = ReportFactory(primary_region=region("ML"), regions=[region("FR"), region("DE")])
    names = set(Region.objects.filter(pk__in=stored_within(report)).values_list("name", flat=True))
    assert {"World", "Africa", "Europe", "Mali", "France", "Germany", "Sahel"} <= names
    assert "Ukraine" not in names
    assert_placed(report)


def test_every_change_of_a_reports_regions_keeps_it_right():
    report = ReportFactory(primary_region=region("UA"))
    assert_placed(report)
    report.regions.add(region("PL"), region("ML"))
    assert_placed(report)
    report.regions.remove(region("ML"))
    assert_placed(report)
    report.regions.set([region("KE"), region("UA")])
    assert_placed(report)
    report.regions.clear()
    assert_placed(report)
    report.primary_region = region("BR")
    report.save()
    assert_placed(report)
    assert region("UA").pk not in stored_within(report)


def test_changes_made_from_a_regions_side_keep_its_reports_right():
    first, second = ReportFactory(primary_region=region("UA")), ReportFactory()
    kenya = region("KE")
    kenya.reports.add(first, second)
    assert_placed(first, second)
    kenya.reports.remove(first)
    assert_placed(first, second)
    kenya.reports.clear()
    assert_placed(first, second)
    assert region("KE").pk not in stored_within(second)


def test_the_desk_and_the_publication_of_a_working_draft_keep_it_right():
    report = ReportFactory(primary_region=region("UA"), regions=[region("PL")])
    draft = workflow.working_draft(report)
    content = ReportContent.of(draft)
    content.fields["primary_region_id"] = region("ML").pk
    replace(content, regions=frozenset({region("FR").pk})).apply_to(draft)
    assert_placed(draft, report)
    assert region("PL").pk in stored_within(report)  # readers still see the published one
    workflow.publish_changes(draft)
    report.refresh_from_db()
    assert report.primary_region == region("ML")
    assert_placed(report)
    assert region("PL").pk not in stored_within(report)


def test_a_region_moved_in_the_tree_or_deleted_and_a_groupings_members_keep_it_right():
    in_poland = ReportFactory(primary_region=region("PL"), regions=[region("ML")])
    in_chad = ReportFactory(primary_region=region("TD"))
    poland = region("PL")
    poland.parent = region("western-europe")
    poland.save()
    assert_placed(in_poland, in_chad)
    sahel = region("sahel")
    sahel.members.remove(region("ML"))
    assert_placed(in_poland, in_chad)
    sahel.members.clear()
    assert_placed(in_poland, in_chad)
    region("TD").groups.add(sahel)
    assert_placed(in_poland, in_chad)
    sahel.members.add(region("ML"))
    assert_placed(in_poland, in_chad)
    sahel.delete()
    assert_placed(in_poland, in_chad)
    region("ML").delete()  # a country the report is tagged with, not its primary region
    assert_placed(in_poland)


def test_rows_written_without_signals_are_placed_by_place_all_and_its_command():
    report = ReportFactory(primary_region=region("UA"))
    Report.regions.through.objects.bulk_create(
        [Report.regions.through(report=report, region=region("KE"))]
    )
    Report.all_objects.filter(pk=report.pk).update(within=None)
    place_all()
    assert_placed(report)
    Report.all_objects.filter(pk=report.pk).update(within=[region("KE").pk])
    call_command("place_reports", stdout=StringIO())
    assert_placed(report)


def test_the_demo_content_is_placed():
    call_command("load_demo", verbosity=0)
    reports = list(Report.all_objects.all())
    assert reports
    assert_placed(*reports)


COUNTRIES = ["UA", "PL", "RU", "FR", "DE", "ML", "TD", "NE", "KE", "BR"]


def plain_counts(reports):
    """{region id: count}, counting for each region the reports whose primary or other
    regions are among those it covers (``Region.rollup_ids``)."""
    counts = {}
    for each in Region.objects.all():
        ids = list(each.rollup_ids())
        placed = Q(primary_region_id__in=ids) | Q(regions__in=ids)
        n = reports.filter(placed).values("pk").distinct().count()
        if n:
            counts[each.pk] = n
    return counts


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(COUNTRIES),
            st.lists(st.sampled_from([*COUNTRIES, "europe", "sahel", "eastern-africa"])),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_region_counts_and_region_lists_equal_counting_each_regions_reports(placements):
    Report.all_objects.all().delete()
    for primary, others in placements:
        ReportFactory(primary_region=region(primary), regions=[region(ref) for ref in others])
    published = Report.objects.published()
    counts = plain_counts(published)
    assert region_counts(published) == counts
    for each in Region.objects.filter(pk__in=counts):
        assert published.in_region(each).count() == counts[each.pk], each.name


def test_the_facet_follows_a_change_of_regions_after_the_first_search(client):
    report = ReportFactory(title="Harbour strike", primary_region=region("FR"))
    reindex([report.pk])

    def facet():
        response = client.get(SEARCH, {"q": "harbour"})
        found = {f.name: f.values for f in response.context["facets"]}
        return {value.label: value.count for value in found["region"]}

    assert facet()["France"] == 1
    assert "Africa" not in facet()
    report.regions.add(region("KE"))
    assert facet()["Africa"] == 1
    report.primary_region = region("DE")
    report.save()
    reindex([report.pk])
    assert "France" not in facet() and facet()["Germany"] == 1


def _counting_queries(reports):
    with CaptureQueriesContext(connection) as queries:
        region_counts(reports)
    return len(queries)


def test_region_counts_take_one_query_for_few_or_many_reports():
    ReportFactory(primary_region=region("UA"))
    few = _counting_queries(Report.objects.published())
    for country in COUNTRIES:
        ReportFactory(primary_region=region(country), regions=[region("sahel"), region("KE")])
    assert few == _counting_queries(Report.objects.published()) == 1


def test_saving_a_copy_read_before_the_regions_changed_leaves_them_as_stored():
    report = ReportFactory(primary_region=region("FR"))
    copy = Report.objects.get(pk=report.pk)
    report.regions.add(region("KE"))
    copy.title = "Retitled"
    copy.save()
    workflow.withdraw(copy, reason="Unverified.")
    assert_placed(report)
    assert region("KE").pk in stored_within(report)
