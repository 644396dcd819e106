"""Keep the search vector of a report current when it or anything it is indexed by changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from authors.models import Author
from tags.models import Region, Topic
from tags.report_counts import counts_changed

from .models import KeyPoint, Report, ReportAuthor, TaggedReport, UpdateNote
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


@receiver([post_save, post_delete], sender=Report)
def report_saved_or_deleted(sender, instance, **kwargs):
    # A working draft is never counted; the report it belongs to is saved when it is published.
    if not instance.is_working_draft:
        counts_changed()


# The corrections log counts the notes of published reports.
for model in (Region, Topic, TaggedReport, ReportAuthor, Author, UpdateNote):
    receiver([post_save, post_delete], sender=model)(counts_changed)
for through in (Report.regions.through, Region.members.through, TaggedReport):
    receiver(m2m_changed, sender=through)(counts_changed)
