"""Publish the changes scheduled on working drafts whose time has come (for cron, on sites that
run with the page cache off; otherwise the first request after that time does it)."""

from django.core.management.base import BaseCommand

from reports.workflow import publish_due_changes


class Command(BaseCommand):
    help = "Publish the scheduled changes of reports whose time has come."

    def handle(self, *args, **options):
        done = publish_due_changes()
        self.stdout.write(f"{done} report(s) changed.")
