from django.core.management.base import BaseCommand

from reports.placement import place_all


class Command(BaseCommand):
    help = (
        "Store again the regions every report is within (Report.within), after rows were "
        "written without signals (bulk creation, fixtures)."
    )

    def handle(self, *args, **options):
        place_all()
        self.stdout.write("Every report's regions stored.")
