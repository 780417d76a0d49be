import datetime

from django.core.management.base import CommandError

from hotelcrm.models import Hotel, Organization


def add_arguments(parser):
    parser.add_argument("--organization", help="slug of one organization (default: all)")
    parser.add_argument("--hotel", help="code of one hotel of that organization")
    parser.add_argument("--start", required=True, help="first local day, YYYY-MM-DD")
    parser.add_argument("--end", required=True, help="last local day, YYYY-MM-DD")


def parse(options):
    try:
        start = datetime.date.fromisoformat(options["start"])
        end = datetime.date.fromisoformat(options["end"])
    except ValueError as error:
        raise CommandError(f"Dates must look like 2026-01-31: {error}") from None
    if end < start:
        raise CommandError("--end is before --start.")
    organizations = Organization.objects.order_by("pk")
    if options.get("organization"):
        organizations = organizations.filter(slug=options["organization"])
        if not organizations.exists():
            raise CommandError(f"No organization with slug {options['organization']!r}.")
    plans = []
    for organization in organizations:
        hotels = Hotel.objects.for_org(organization).order_by("pk")
        if options.get("hotel"):
            hotels = hotels.filter(code=options["hotel"])
            if not hotels.exists():
                raise CommandError(f"No hotel {options['hotel']!r} in {organization.slug}.")
        plans.append((organization, list(hotels)))
    return start, end, plans
