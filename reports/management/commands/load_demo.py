from django.core.management import call_command
from django.core.management.base import BaseCommand

from reports.demo.loader import load_demo
from tags.models import Region


class Command(BaseCommand):
    help = "Load the demo authors and reports (and the regions, if missing). Safe to repeat."

    def handle(self, *args, **options):
        if not Region.objects.exists():
            call_command("load_regions", stdout=self.stdout)
        created, drawn = load_demo()
        self.stdout.write(f"Demo content: {created} report(s) created, {drawn} picture(s) drawn.")
