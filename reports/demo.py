"""Demo data for the dashboard: the rollups the nightly job would have built, so a freshly seeded
demo opens on real figures (runs last among the demo extras, after complaints, loyalty and care)."""
import datetime

from django.utils import timezone

from reports import services

# The demo's stays reach about a year back; a little more covers the previous-period comparison.
DEMO_DAYS_BACK = 400
DEMO_DAYS_AHEAD = 30


def demo_seed_extras(tenants, *, seed, now):
    for _spec, organization, hotels in tenants:
        today = timezone.localdate(now, timezone=hotels[0].tz)
        services.rollups_rebuild(organization=organization, hotels=hotels,
                                 start=today - datetime.timedelta(days=DEMO_DAYS_BACK),
                                 end=today + datetime.timedelta(days=DEMO_DAYS_AHEAD), as_of=today)
