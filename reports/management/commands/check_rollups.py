from django.core.management.base import BaseCommand, CommandError

from reports import services
from reports.management.commands import _period


class Command(BaseCommand):
    help = "Compare the report rollups with a fresh computation from raw rows; exit 1 and list the differences if any."

    def add_arguments(self, parser):
        _period.add_arguments(parser)

    def handle(self, *args, **options):
        start, end, plans = _period.parse(options)
        differences = []
        for organization, hotels in plans:
            found = services.rollups_check(organization=organization, hotels=hotels, start=start, end=end)
            for d in found[:50]:
                hotel = d.hotel.code if d.hotel else "-"
                self.stdout.write(
                    f"{organization.slug} {hotel} {d.table} {d.day} {d.key}: expected {d.expected} found {d.found}"
                )
            differences += found
        if differences:
            raise CommandError(f"{len(differences)} rollup row(s) differ from the raw rows.")
        self.stdout.write(f"Rollups agree with the raw rows for {start}..{end}.")
