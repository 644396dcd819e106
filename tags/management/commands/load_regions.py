from django.core.management.base import BaseCommand

from tags.regions import load_regions


class Command(BaseCommand):
    help = "Load or update the UN M49 regions, countries (OCHA data) and editorial groupings."

    def handle(self, *args, **options):
        result = load_regions()
        if options["verbosity"]:
            self.stdout.write(f"Regions: {result.created} created, {result.updated} updated.")
