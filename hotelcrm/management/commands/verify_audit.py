"""Walk each organization's audit hash chain and report the first broken link.

Exit status 0 when every chain checked is whole, 1 (CommandError) at the first broken link.
"""

from django.core.management.base import BaseCommand, CommandError

from hotelcrm.audit_chain import chain_verify
from hotelcrm.models import AuditEvent
from hotelcrm.selectors import organization_by_slug_or_id


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chain; report the first broken link of each organization."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="Only this organization (id or slug).")

    def handle(self, *args, organization=None, **options):
        if organization:
            org = organization_by_slug_or_id(organization)
            if org is None:
                raise CommandError(f"No organization with id or slug {organization!r}.")
            chains = [org.pk]
        else:
            # Every chain: each organization's, and the one of events with no organization.
            chains = sorted(
                set(AuditEvent.objects.all_tenants_unscoped().values_list("organization_id", flat=True).distinct()),
                key=lambda pk: (pk is not None, pk or 0),
            )
        broken = []
        total = 0
        for organization_id in chains:
            checked, link = chain_verify(organization_id)
            total += checked
            label = "no organization" if organization_id is None else f"organization {organization_id}"
            if link is None:
                self.stdout.write(f"OK {label}: {checked} events")
            else:
                broken.append(link)
                self.stdout.write(
                    f"BROKEN {label}: first broken link at audit event {link.event_id} "
                    f"(event {link.checked} of the chain): {link.reason}"
                )
        if broken:
            raise CommandError(f"{len(broken)} audit chain(s) broken; first broken event id {broken[0].event_id}.")
        self.stdout.write(f"All {len(chains)} audit chain(s) intact: {total} events checked.")
