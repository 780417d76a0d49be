"""Give organizations that existed before the catalog its entries (new ones get it from a signal)."""
from django.db import migrations


def seed_catalog(apps, schema_editor):
    from guests.catalog import catalog_rows

    Organization = apps.get_model("core", "Organization")
    PreferenceType = apps.get_model("guests", "PreferenceType")
    for organization_id in Organization.objects.values_list("pk", flat=True).order_by("pk"):
        # ON CONFLICT DO NOTHING on (organization, code): entries an organization already has stay as they are.
        PreferenceType.objects.bulk_create(catalog_rows(organization_id, PreferenceType), ignore_conflicts=True)


def unseed_catalog(apps, schema_editor):
    """Remove catalog entries no guest preference uses; entries in use stay (their values would be lost)."""
    from guests.catalog import CATALOG

    PreferenceType = apps.get_model("guests", "PreferenceType")
    GuestPreference = apps.get_model("guests", "GuestPreference")
    used = GuestPreference.objects.values("preference_type_id")
    PreferenceType.objects.filter(code__in=[entry.code for entry in CATALOG]).exclude(pk__in=used).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("guests", "0002_guest_archive"),
    ]

    operations = [
        migrations.RunPython(seed_catalog, unseed_catalog),
    ]
