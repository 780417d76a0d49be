import time

from django.core.management.base import BaseCommand

from reports import services
from reports.management.commands import _period


class Command(BaseCommand):
    help = "Recompute the report rollups (stays, complaints, loyalty) and RFM scores from raw rows, replacing what is there."

    def add_arguments(self, parser):
        _period.add_arguments(parser)
        parser.add_argument("--no-rfm", action="store_true", help="leave the RFM scores alone")

    def handle(self, *args, **options):
        start, end, plans = _period.parse(options)
        for organization, hotels in plans:
            began = time.monotonic()
            services.rollups_rebuild(
                organization=organization, hotels=hotels, start=start, end=end, with_rfm=not options["no_rfm"]
            )
            self.stdout.write(
                f"{organization.slug}: {len(hotels)} hotel(s), {start}..{end} rebuilt in {time.monotonic() - began:.1f}s"
            )
