"""Prove that every member's cached balance equals the sum of the ledger (and of the unspent lots)."""

from django.core.management.base import BaseCommand, CommandError

from hotelcrm.models import Organization
from loyalty.selectors import balance_drift


class Command(BaseCommand):
    help = "Compare every membership's cached balance with its ledger sum and unspent lots; exit 1 on any drift."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="Only this organization (slug).")

    def handle(self, *args, organization=None, **options):
        organization_id = None
        if organization:
            found = Organization.objects.filter(slug=organization).first()
            if found is None:
                raise CommandError(f"No organization with slug {organization!r}.")
            organization_id = found.pk
        drift = balance_drift(organization_id=organization_id)
        for org_id, membership_id, number, cached, ledger, lots in drift[:200]:
            self.stdout.write(
                f"DRIFT organization={org_id} membership={membership_id} number={number} "
                f"cached={cached} ledger={ledger} lots={lots}"
            )
        if drift:
            raise CommandError(f"{len(drift)} membership(s) drift from the ledger.", returncode=1)
        self.stdout.write(self.style.SUCCESS("Every cached balance equals the ledger sum and the unspent lots."))
