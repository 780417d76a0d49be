"""manage.py backup [--output FILE]: a pg_dump archive of the database and a manifest beside it.

The encryption keys are not in the database and so never in the archive; back them up
separately (see docs/security.md).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hotelcrm.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database with pg_dump (custom format) and write a manifest beside the archive."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Archive path (default: <data folder>/backups/hotelcrm-<UTC time>.dump).")
        parser.add_argument("--database-url", help="Back up this database instead of the configured one.")

    def handle(self, *args, output=None, database_url=None, **options):
        if not output:
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            output = settings.DATA_DIR / "backups" / f"hotelcrm-{stamp}.dump"
        try:
            manifest = backup_create(output=output, database_url=database_url)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backup written to {output} ({manifest['size_bytes']} bytes, sha256 {manifest['sha256'][:16]}…)."
        )
