"""Guest retention: what the nightly job would anonymise (dry run, the default), or do it now.

    manage.py retention [--organization alpha-group] [--today 2026-11-26] [--limit 100] [--apply]

Only organizations with a retention period (`guest_retention_years`) are considered. The dry
run changes nothing and lists guest numbers, not names; --apply runs the same service as the
nightly job (each guest erased in its own transaction, audited).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from guests.retention import retention_apply, retention_cutoff, retention_report
from hotelcrm.models import Organization
from hotelcrm.selectors import organization_by_slug_or_id


class Command(BaseCommand):
    help = "List the guests past their organization's retention period (dry run), or anonymise them with --apply."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="Only this organization (id or slug).")
        parser.add_argument("--today", help="Judge as of this date (YYYY-MM-DD); default today.")
        parser.add_argument("--limit", type=int, default=100, help="List at most this many guests per organization.")
        parser.add_argument("--apply", action="store_true", help="Anonymise them now instead of listing them.")

    def handle(self, *args, organization, today, limit, apply, **options):
        day = timezone.localdate()
        if today:
            try:
                day = parse_date(today) if len(today) == 10 else None
            except ValueError:  # well formed, but no such day (2026-02-30)
                day = None
            if day is None:
                raise CommandError(f"--today {today!r} is not a date (YYYY-MM-DD).")
        if limit < 0:
            raise CommandError("--limit must be 0 or more.")
        organizations = Organization.objects.filter(guest_retention_years__isnull=False).order_by("pk")
        if organization:
            chosen = organization_by_slug_or_id(organization)
            if chosen is None:
                raise CommandError(f"No organization with id or slug {organization!r}.")
            if not chosen.guest_retention_years:
                self.stdout.write(f"{chosen.name}: no retention period set; nothing is ever anonymised by age.")
                return
            organizations = [chosen]
        for org in organizations:
            cutoff = retention_cutoff(organization=org, today=day)
            heading = (
                f"{org.name} (slug {org.slug}): retention {org.guest_retention_years} years, "
                f"no stay or loyalty activity since {cutoff}"
            )
            if apply:
                erased = retention_apply(organization=org, today=day)
                self.stdout.write(f"{heading}: {erased} guests anonymised.")
                continue
            total, rows = retention_report(organization=org, today=day, limit=limit)
            self.stdout.write(f"{heading}: {total} guests would be anonymised (dry run, nothing changed).")
            for row in rows:
                last = row["last_departure_on"] or "never stayed"
                self.stdout.write(
                    f"  guest {row['pk']}: on file since {row['created_at']:%Y-%m-%d}, last departure {last}"
                )
            if total > len(rows):
                self.stdout.write(f"  ... and {total - len(rows)} more (raise --limit to list them)")
