import time
from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from diethnos.backups import ArchiveError, import_content


class Command(BaseCommand):
    help = (
        "Restore an archive written by export_content into an empty database (migrated, "
        "nothing loaded), in one transaction, then rebuild the search index and the image "
        "renditions. Refuses a database that holds content unless given --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to read")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete the content the database holds (users among it) before importing",
        )
        parser.add_argument(
            "--skip-renditions",
            action="store_true",
            help="leave the image renditions to a later `manage.py regenerate_renditions`",
        )

    def handle(self, *args, path, replace=False, skip_renditions=False, **options):
        started = time.monotonic()
        log = (lambda line: self.stderr.write(line)) if options["verbosity"] > 1 else None
        try:
            summary = import_content(path, replace=replace, log=log)
        except ArchiveError as error:
            raise CommandError(f"{error} Nothing was imported.") from None
        rows = sum(summary["rows"].values())
        self.stdout.write(
            f"Imported {path}: {rows} rows, {summary['files']} media files "
            f"in {time.monotonic() - started:.1f} s."
        )
        for warning in summary["warnings"]:
            self.stdout.write(self.style.WARNING(warning))
        if not skip_renditions:
            output = StringIO()
            call_command("regenerate_renditions", stdout=output, stderr=StringIO())
            self.stdout.write(output.getvalue().strip())
