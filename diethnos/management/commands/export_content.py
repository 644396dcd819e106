import time

from django.core.management.base import BaseCommand

from diethnos.backups import export_content


class Command(BaseCommand):
    help = (
        "Write every report (drafts, scheduled, withdrawn and working drafts too) with its key "
        "points, bylines, sources, notes, regions and topics, the authors and their accounts, "
        "the regions and topics, redirects from old addresses, History and the images to one "
        "archive file (.tar.gz), for import_content. The file holds password hashes: keep it "
        "as safe as the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write, e.g. content-2026-11-30.tar.gz")

    def handle(self, *args, path, **options):
        started = time.monotonic()
        log = (lambda line: self.stderr.write(line)) if options["verbosity"] > 1 else None
        summary = export_content(path, log=log)
        rows = sum(summary["rows"].values())
        self.stdout.write(
            f"Wrote {path}: {rows} rows, {summary['files']} media files, "
            f"{summary['bytes'] / 1e6:.1f} MB in {time.monotonic() - started:.1f} s."
        )
        for name in summary["missing"]:
            self.stdout.write(self.style.WARNING(f"Missing from media storage: {name}"))
