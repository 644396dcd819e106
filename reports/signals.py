"""Keep the search vector of a report current when it or anything it is indexed by changes,
and renew what ``tags.report_counts`` keeps when what it counts changes:

- a live report saved or deleted: ``LISTINGS`` if its ``report_snapshot`` (publication,
  kind, featuring, slug, regions, topics, bylines) differs before and after, else ``TEXT``
  (its card may read differently); a report readers see neither before nor after (a working
  draft, a report never published or scheduled) renews nothing;
- the regions, topics or bylines of a published report changed: ``LISTINGS``;
- a note of a published report saved or deleted: ``NOTES``;
- a region or a grouping's members saved or deleted, a topic or an author edited or deleted:
  ``LISTINGS`` (their names are shown with what is kept; a new topic or author has no
  report yet).
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from authors.models import Author
from tags.models import Region, Topic
from tags.report_counts import LISTINGS, NOTES, TEXT, counts_changed, renew

from .models import KeyPoint, Report, ReportAuthor, TaggedReport, UpdateNote
from .page_tags import report_snapshot
from .placement import place, placed_in, read_covers
from .search import reindex_on_commit


@receiver(post_save, sender=Report)
def report_saved(sender, instance, raw=False, **kwargs):
    # A working draft is never searched for: only live reports are indexed.
    if not raw and instance.is_public_content:
        reindex_on_commit(instance.pk)


@receiver([post_save, post_delete], sender=KeyPoint)
def key_point_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex_on_commit(instance.report_id)


@receiver([post_save, post_delete], sender=TaggedReport)
def topic_tagged(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex_on_commit(instance.content_object_id)


@receiver(m2m_changed, sender=Report.regions.through)
@receiver(m2m_changed, sender=TaggedReport)  # sent by taggit's manager: topics.add(), set()...
def regions_or_topics_changed(sender, instance, action, reverse=False, **kwargs):
    if action.startswith("post_") and isinstance(instance, Report):
        reindex_on_commit(instance.pk)


@receiver(post_save, sender=Topic)
def topic_renamed(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    for report_id in TaggedReport.objects.filter(tag=instance).values_list(
        "content_object_id", flat=True
    ):
        reindex_on_commit(report_id)


@receiver([pre_save, pre_delete], sender=Report)
def report_about_to_change(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk and not instance.is_working_draft:
        instance._counted_before = report_snapshot(instance.pk)


@receiver([post_save, post_delete], sender=Report)
def report_saved_or_deleted(sender, instance, raw=False, **kwargs):
    if raw:
        counts_changed()  # loaded from a fixture: nothing to compare with
        return
    if instance.is_working_draft:
        return  # never counted; its report is saved when it is published
    before = instance.__dict__.pop("_counted_before", None)
    after = report_snapshot(instance.pk)
    if before != after:
        renew(LISTINGS)
    elif after is not None:
        renew(TEXT)


def _published(report_ids):
    return Report.objects.published().filter(pk__in=report_ids).exists()


@receiver([post_save, post_delete], sender=TaggedReport)
@receiver([post_save, post_delete], sender=ReportAuthor)
def filed_or_byline_changed(sender, instance, raw=False, **kwargs):
    report_id = instance.content_object_id if sender is TaggedReport else instance.report_id
    if raw or _published([report_id]):
        renew(LISTINGS)


@receiver(m2m_changed, sender=Report.regions.through)
@receiver(m2m_changed, sender=TaggedReport)  # sent by taggit's manager: topics.add(), set()...
@receiver(m2m_changed, sender=ReportAuthor)  # authors.add(), set()...
def reports_filed_changed(sender, instance, action, pk_set=None, **kwargs):
    if not action.startswith("post_"):
        return
    if pk_set is not None and not pk_set:
        return  # nothing added or removed
    if isinstance(instance, Report):
        report_ids = [instance.pk]
    elif pk_set is None:  # a region's or topic's reports cleared: which ones is not known
        renew(LISTINGS)
        return
    else:
        report_ids = pk_set
    if _published(report_ids):
        renew(LISTINGS)


@receiver([post_save, post_delete], sender=UpdateNote)
def note_changed(sender, instance, raw=False, **kwargs):
    if raw or _published([instance.report_id]):
        renew(NOTES)


@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=Author)
def topic_or_author_changed(sender, instance, created=False, **kwargs):
    if not created:  # a new topic or author is not filed under nor signs any report yet
        counts_changed()


receiver([post_save, post_delete], sender=Region)(counts_changed)  # the index shows them all
receiver(m2m_changed, sender=Region.members.through)(counts_changed)


# Where reports are placed (reports.placement): kept right on every change of where a report
# is or of the regions above it. Registered after ``counts_changed`` above, so that a region's
# change has renewed the kept lineage of regions before reports are placed by it.


@receiver(post_save, sender=Report)
def report_placed(sender, instance, created, raw=False, **kwargs):
    stored = getattr(instance, "stored_primary_region_id", None)
    if not raw and (created or instance.primary_region_id != stored):
        place([instance.pk])
    instance.stored_primary_region_id = instance.primary_region_id


@receiver(m2m_changed, sender=Report.regions.through)
def report_regions_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action == "pre_clear" and reverse:  # a region's reports: which ones is read first
        instance._placed_before = list(
            instance.reports(manager="all_objects").values_list("pk", flat=True)
        )
    elif action in ("post_add", "post_remove", "post_clear"):
        if not reverse:
            place([instance.pk])
        else:
            place(pk_set if pk_set is not None else instance.__dict__.pop("_placed_before", []))


@receiver(pre_save, sender=Region)
def region_about_to_move(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._stored_path = Region.objects.filter(pk=instance.pk).values("path").first()


@receiver(post_save, sender=Region)
def region_saved(sender, instance, raw=False, **kwargs):
    stored = instance.__dict__.pop("_stored_path", None)
    if stored is not None and stored["path"] != instance.path:
        # Moved: the reports beneath it (their regions' paths still start with its old one
        # until they are saved) are within other regions.
        beneath = Region.objects.filter(
            Q(pk=instance.pk)
            | Q(path__startswith=stored["path"])
            | Q(path__startswith=instance.path)
        )
        place(placed_in(beneath.values("pk")), covers=read_covers())


@receiver(pre_delete, sender=Region)
def region_about_to_go(sender, instance, **kwargs):
    # Its reports' rows go with it (those placed in its members for a grouping).
    instance._placed_there = placed_in(
        Region.objects.filter(Q(pk=instance.pk) | Q(groups=instance.pk)).values("pk")
    )


@receiver(post_delete, sender=Region)
def region_deleted(sender, instance, **kwargs):
    place(instance.__dict__.pop("_placed_there", ()), covers=read_covers())


@receiver(m2m_changed, sender=Region.members.through)
def members_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action == "pre_clear":
        instance._members_before = set(
            (instance.groups if reverse else instance.members).values_list("pk", flat=True)
        )
    elif action in ("post_add", "post_remove", "post_clear"):
        if reverse:  # a country's groupings changed: its reports are within others
            changed = {instance.pk}
        else:
            changed = (
                pk_set if pk_set is not None else instance.__dict__.pop("_members_before", set())
            )
        place(placed_in(changed), covers=read_covers())
