"""List who viewed or exported which guests' personal data in a time window (incident response).

    manage.py access_report --from 2026-11-01 --to 2026-11-08 [--organization alpha-group] [--format csv] [--output f.csv]

Dates are UTC; --to is exclusive. The summary at the end names every affected guest once.
"""

import csv
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from hotelcrm.access_report import AccessRow, access_events, access_rows
from hotelcrm.selectors import organization_by_slug_or_id


def _moment(value, name):
    try:
        parsed = parse_datetime(value)
        day = parse_date(value) if parsed is None else None
    except ValueError:  # well formed, but no such day or hour (2026-02-30)
        parsed = day = None
    if parsed is None:
        if day is None:
            raise CommandError(f"--{name} {value!r} is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM).")
        parsed = datetime.datetime.combine(day, datetime.time.min)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


class Command(BaseCommand):
    help = "Who viewed or exported which guests' personal data between --from and --to (from the audit trail)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="occurred_from", required=True, help="Start (UTC), inclusive: YYYY-MM-DD[THH:MM]."
        )
        parser.add_argument("--to", dest="occurred_to", help="End (UTC), exclusive; default now.")
        parser.add_argument("--organization", help="Only this organization (id or slug).")
        parser.add_argument("--format", choices=["table", "csv"], default="table")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, occurred_from, occurred_to, organization, format, output, **options):
        start = _moment(occurred_from, "from")
        end = _moment(occurred_to, "to") if occurred_to else datetime.datetime.now(datetime.UTC)
        if end <= start:
            raise CommandError("--to must be after --from.")
        organization_id = None
        if organization:
            org = organization_by_slug_or_id(organization)
            if org is None:
                raise CommandError(f"No organization with id or slug {organization!r}.")
            organization_id = org.pk
        rows = access_rows(access_events(occurred_from=start, occurred_to=end, organization_id=organization_id))
        stream = open(output, "w", newline="", encoding="utf-8") if output else self.stdout
        guests, actors, bulk, count = {}, set(), 0, 0
        try:
            if format == "csv":
                writer = csv.writer(stream if output else _Lines(self.stdout))
                writer.writerow(AccessRow.COLUMNS)
            for row in rows:
                count += 1
                actors.add(row.actor)
                if row.guest_id:
                    guests.setdefault((row.organization, row.guest_id), row.guest)
                else:
                    bulk += 1
                if format == "csv":
                    writer.writerow([getattr(row, column) for column in AccessRow.COLUMNS])
                else:
                    who = f"{row.guest_id} {row.guest}" if row.guest_id else row.scope
                    stream.write(
                        f"{row.occurred_at}  {row.organization}/{row.hotel or '-'}  {row.actor}  {row.action}  "
                        f"{who}  [{row.fields}]\n"
                    )
        finally:
            if output:
                stream.close()
        summary = self.stderr if format == "csv" and not output else self.stdout
        summary.write(
            f"{count} access events from {start.isoformat()} to {end.isoformat()} by {len(actors)} people; "
            f"{len(guests)} guests named individually; {bulk} bulk exports (re-run their queries to name those guests)."
        )
        for (org_slug, guest_id), name in sorted(guests.items()):
            summary.write(f"  affected guest: {org_slug} {guest_id} {name}")


class _Lines:
    """csv.writer into a management command's OutputWrapper (which adds its own line endings)."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        self.out.write(text, ending="")
