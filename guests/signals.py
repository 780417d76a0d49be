"""Signal receivers of the guests app."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from guests import duplicates  # noqa: F401  (its receivers keep the duplicate pairs up to date)
from guests.catalog import preference_catalog_seed
from hotelcrm.models import Organization


@receiver(post_save, sender=Organization, dispatch_uid="guests.seed_preference_catalog")
def organization_created_seed_catalog(sender, instance, created, raw=False, **kwargs):
    # A fixture being loaded (raw) brings its own catalog rows. The seed runs in the
    # transaction that creates the organization, so both commit or neither does.
    if created and not raw:
        preference_catalog_seed(organization=instance)
