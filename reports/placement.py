"""Where each report is placed, stored on its row.

``Report.within`` holds the ids of the regions a report is within: its primary and other
regions, every node above them in the tree and the groupings that hold them, each once. It is
what ``ReportQuerySet.in_region`` and the region pages count a report in, read straight off the
row, so that a search counts its results in every region in one pass over them
(``reports.facets``) instead of joining each result to each region covering each of its regions.

``reports.signals`` keeps it right: a report saved with another primary region, its regions
changed (from either side), a region moved in the tree or deleted, a grouping's members
changed. A path that writes rows without signals (bulk creation, fixtures) calls ``place``
itself, or ``place_all`` afterwards.
"""

from django.db import transaction

from tags.models import Region, path_prefixes
from tags.report_counts import kept_until_reports_change

BATCH = 1000


def covering(paths, memberships):
    """{region id: set of the ids of the regions a report placed there is within}: the region
    itself, the nodes above it in the tree and the groupings holding it, as
    ``Region.rollup_ids`` has it. ``paths`` is {region id: path ("" for a grouping)};
    ``memberships`` (grouping id, member id) pairs."""
    by_path = {path: pk for pk, path in paths.items() if path}
    covers = {
        pk: {pk, *(by_path[prefix] for prefix in path_prefixes(path)[:-1] if prefix in by_path)}
        for pk, path in paths.items()
    }
    for group, member in memberships:
        if member in covers:
            covers[member].add(group)
    return covers


def read_covers():
    """``covering`` for the regions as stored now (two queries)."""
    return covering(
        dict(Region.objects.values_list("pk", "path")),
        Region.members.through.objects.values_list("from_region_id", "to_region_id"),
    )


def region_covers():
    """``read_covers``, kept in the cache until a region or a grouping changes (they renew
    ``tags.report_counts``' generation)."""
    return kept_until_reports_change("region-lineage", lambda: (read_covers(), 0))


def within(placed, covers):
    """The ids of the regions a report placed in ``placed`` (region ids) is within, as a
    sorted list; ``covers`` is from ``covering``."""
    return sorted({cover for pk in placed for cover in covers.get(pk, {pk})})


def place(report_ids, covers=None):
    """Store ``Report.within`` of the reports with these ids (any rows: live, drafts), read
    from their primary and other regions. Three queries for one report, a few more per
    ``BATCH`` reports; ``covers`` from ``covering`` (by default, the kept ones)."""
    from .models import Report

    report_ids = list(set(report_ids))
    if not report_ids:
        return
    covers = region_covers() if covers is None else covers
    tagged = Report.regions.through.objects
    with transaction.atomic():
        for start in range(0, len(report_ids), BATCH):
            batch = report_ids[start : start + BATCH]
            placed = {
                pk: {primary} if primary else set()
                for pk, primary in Report.all_objects.filter(pk__in=batch).values_list(
                    "pk", "primary_region_id"
                )
            }
            for report_id, region_id in tagged.filter(report_id__in=batch).values_list(
                "report_id", "region_id"
            ):
                placed[report_id].add(region_id)
            reports = [
                Report(pk=pk, within=within(regions, covers)) for pk, regions in placed.items()
            ]
            if len(reports) == 1:
                Report.all_objects.filter(pk=reports[0].pk).update(within=reports[0].within)
            else:
                Report.all_objects.bulk_update(reports, ["within"])


def place_all():
    """Store ``Report.within`` of every report (after rows were written without signals)."""
    from .models import Report

    place(Report.all_objects.values_list("pk", flat=True), covers=read_covers())


def placed_in(region_ids):
    """Ids of the reports placed in any of these regions: their primary region or another."""
    from .models import Report

    tagged = Report.regions.through.objects.filter(region_id__in=region_ids)
    primary = Report.all_objects.filter(primary_region_id__in=region_ids)
    return {
        *tagged.values_list("report_id", flat=True),
        *primary.values_list("pk", flat=True),
    }
