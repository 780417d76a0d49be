"""manage.py restore FILE [--force]: restore a `manage.py backup` archive with pg_restore.

Refuses a target database that already has tables unless --force (which replaces them). The
restore runs in one transaction: it applies completely or not at all.
"""

from django.core.management.base import BaseCommand, CommandError

from hotelcrm.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into the configured (or given) database; refuses a non-empty one without --force."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .dump file written by manage.py backup.")
        parser.add_argument("--database-url", help="Restore into this database instead of the configured one.")
        parser.add_argument("--force", action="store_true", help="Replace the contents of a non-empty database.")

    def handle(self, *args, archive, database_url=None, force=False, **options):
        try:
            warnings = backup_restore(archive=archive, database_url=database_url, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for warning in warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(f"Restored {archive}.")
