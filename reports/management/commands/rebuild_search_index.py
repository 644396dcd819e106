from django.core.management.base import BaseCommand

from reports.models import Report
from reports.search import reindex, uses_full_text

BATCH = 500


class Command(BaseCommand):
    help = (
        "Rebuild the stored search vector of every report (after a change of what is indexed or "
        "how a language is read). PostgreSQL only; other databases search without it."
    )

    def handle(self, *args, **options):
        if not uses_full_text():
            self.stdout.write("This database searches without a stored index: nothing to do.")
            return
        ids = list(Report.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            reindex(ids[start : start + BATCH])
            self.stderr.write(
                f"\rSearch index: {min(start + BATCH, len(ids))}/{len(ids)}", ending=""
            )
        self.stderr.write("")
        self.stdout.write(f"Search index rebuilt for {len(ids)} report(s).")
