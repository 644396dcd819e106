"""Which cached pages a change touches, as tags (see diethnos.page_cache).

The tags a page carries, and what purges them:

- ``report:<id>``: the report's page and every card of it in a listing. Purged by any change
  readers can see on a public (or withdrawn) report: its publication, changes published,
  withdrawal, update and correction notes, scheduled publication coming due.
- ``region:<id>``, ``topic:<id>``, ``author:<id>``, ``home``, ``listing:reports``,
  ``listing:regions``, ``listing:topics``, ``listing:authors``: the listings, purged when a
  report joins or leaves them or moves within them (published, unpublished, withdrawn,
  scheduled publication coming due, regions, topics, bylines, publication time, kind or
  featuring changed). A region's listing also shows what the regions beneath it and the
  groupings it holds show.
- ``related-region:<id>``, ``related-topic:<id>``: report pages whose related reports are
  drawn from that region or topic, purged with the listings.
- ``byline:<id>``, ``region-name:<id>``, ``topic-name:<id>``: pages that show an author's,
  region's or topic's name, purged when it is edited.
- ``feeds``, ``sitemaps``, ``search``, ``corrections`` (the corrections log): purged by every
  change to a public report, and feeds and sitemaps by every edit of an author, region or topic.
- ``corrections-policy``: the corrections policy page, purged when the editors change it.

A working draft, a review, a preview, a share link or any change to a report that readers
cannot see (never published, or scheduled and not yet due) purges nothing.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from authors.models import Author
from corrections.models import CorrectionsPolicy
from tags.models import Region, Topic

from .models import PartOfReport, Report

LISTINGS = {"home", "listing:reports", "listing:regions", "listing:topics", "listing:authors"}
ALWAYS = {"feeds", "sitemaps", "search", "corrections"}
BEFORE = (pre_save, pre_delete)
AFTER = (post_save, post_delete)


def report_snapshot(pk):
    """What listings need of live report ``pk``, as they see it now: a dict (its status and
    publication time, kind, featuring, primary region, regions, topics and bylines), or None
    if it has no public page (``ReportQuerySet.with_page``: no such live report, never
    published, scheduled, or withdrawn before it went public)."""
    row = (
        Report.objects.with_page()
        .filter(pk=pk)
        .values("status", "publish_at", "first_published_at", "featured", "kind", "slug")
        .first()
    )
    if row is None:
        return None
    report = Report.objects.only("pk", "primary_region_id").get(pk=pk)
    regions = set(report.regions.values_list("pk", flat=True))
    if report.primary_region_id:
        regions.add(report.primary_region_id)
    return {
        **row,
        "regions": frozenset(regions),
        "topics": frozenset(report.topics.values_list("pk", flat=True)),
        "authors": frozenset(report.report_authors.values_list("author_id", flat=True)),
    }


def report_tags(pk, before, after):
    """The tags of the pages showing report ``pk`` to purge, given its ``report_snapshot``
    before and after a change (a set of str; empty if readers saw it neither before nor
    after)."""
    if before is None and after is None:
        return set()
    tags = {f"report:{pk}", *ALWAYS}
    if before == after:
        return tags  # its content changed: its page and its cards only
    for snapshot in (before, after):
        if snapshot is None:
            continue
        tags |= LISTINGS
        regions = Region.objects.covering(Region.objects.filter(pk__in=snapshot["regions"]))
        tags |= {f"region:{region}" for region in regions.values_list("pk", flat=True)}
        tags |= {f"related-region:{region}" for region in snapshot["regions"]}
        tags |= {f"topic:{topic}" for topic in snapshot["topics"]}
        tags |= {f"related-topic:{topic}" for topic in snapshot["topics"]}
        tags |= {f"author:{author}" for author in snapshot["authors"]}
    return tags


def author_tags(pk):
    """The tags of the pages showing author ``pk``: their page, listing and bylines."""
    return {f"author:{pk}", f"byline:{pk}", "listing:authors", "feeds", "sitemaps"}


def region_tags(pk):
    """The tags of the pages showing region ``pk``: its page, those of the regions above it
    and the groupings holding it, and every page naming it."""
    regions = Region.objects.covering(Region.objects.filter(pk=pk)).values_list("pk", flat=True)
    tags = {f"region:{region}" for region in regions}
    return tags | {f"region:{pk}", f"region-name:{pk}", "listing:regions", "feeds", "sitemaps"}


def topic_tags(pk):
    """The tags of the pages showing topic ``pk``: its page and every page naming it."""
    return {f"topic:{pk}", f"topic-name:{pk}", "listing:topics", "feeds", "sitemaps"}


def note_change(changes, sender, instance, signal=None, action="", pk_set=None, **kwargs):
    """Note in ``changes`` (``diethnos.page_cache.changes()``) what a save, deletion or change
    of relations (the signal's arguments) touches, to be purged when it commits. Before the
    first change to a live report in a transaction, its ``report_snapshot`` is taken."""
    before = signal in BEFORE or (signal is m2m_changed and action.startswith("pre_"))
    after = signal in AFTER or (signal is m2m_changed and action.startswith("post_"))
    if not (before or after):
        return
    if getattr(type(instance), "is_public_content", True) is False:
        return  # share links, who has a report open: nothing readers see
    reports = []
    if isinstance(instance, CorrectionsPolicy):
        if after:
            changes.tags.add("corrections-policy")
            changes.register()
        return
    if isinstance(instance, Report):
        changes.schedule = True  # its publication time, or its draft's, may have changed
        if instance.is_working_draft:
            if after:
                changes.register()
            return
        if instance.pk:
            reports.append(instance.pk)
    elif isinstance(instance, PartOfReport):
        if not instance.is_public_content:
            return
        reports.append(getattr(instance, instance._meta.get_field(instance.report_field).attname))
    elif isinstance(instance, (Region, Topic, Author)) and signal is m2m_changed:
        model = kwargs.get("model")
        if model is Report:  # reports added to or removed from it
            if pk_set is None:
                pk_set = set(instance.reports.values_list("pk", flat=True))
            reports += list(Report.objects.filter(pk__in=pk_set).values_list("pk", flat=True))
        elif after:  # a grouping's members, an author's expertise
            tagger = {Region: region_tags, Author: author_tags, Topic: topic_tags}
            changes.tags |= tagger[type(instance)](instance.pk)
            for pk in pk_set or ():
                changes.tags |= tagger[model](pk) if model in tagger else set()
    elif isinstance(instance, Author):
        if after or signal is pre_delete:
            changes.tags |= author_tags(instance.pk)
    elif isinstance(instance, Region):
        if after or signal is pre_delete:
            changes.tags |= region_tags(instance.pk)
    elif isinstance(instance, Topic):
        if after or signal is pre_delete:
            changes.tags |= topic_tags(instance.pk)
    elif after:
        changes.everything = True  # a model this module does not know
    for pk in reports:
        if before and pk not in changes.before:
            changes.before[pk] = report_snapshot(pk)
        changes.reports.add(pk)
    if after:
        changes.register()
