"""The preference catalog every organization starts with."""

import importlib

from django.apps import apps

from guests import services
from guests.catalog import CATALOG, CHOICE, preference_catalog_seed
from guests.models import GuestPreference, PreferenceType
from tests.factories import GuestFactory, OrganizationFactory

HEALTH_CODES = {"physical-disability", "allergies", "dietary-requirements"}
# Every item of MISSION.md's list ("Guest archive"), by the code it has in the catalog.
MISSION_ITEMS = {
    "birthday",
    "wedding-anniversary",
    "special-occasions",
    "repeat-guest",
    "favourite-games",
    "drink",
    "food",
    "tea-coffee",
    "breakfast-time",
    "standing-breakfast-order",
    "pillow",
    "wardrobe-care",
    "unpacking",
    "packing",
    "wine",
    "music",
    "golfer",
    "flowers",
    "fruit",
    "newspaper",
    "home-city",
    "magazines",
    "previous-complaints",
    "complaint-this-visit",
    "physical-disability",
    "allergies",
    "dietary-requirements",
    "likes",
    "dislikes",
    "laundry-needs",
    "preferred-restaurants",
    "preferred-table",
    "in-suite-dining",
    "spa-user",
    "room-set-up",
    "specific-requests",
    "equipment-brought",
    "computer-type",
    "smoker",
    "cigarette-cigar-type",
    "toiletries",
    "movies",
    "english-level",
    "languages-spoken",
}
migration = importlib.import_module("guests.migrations.0003_preference_catalog")


def catalog_of(organization):
    return PreferenceType.objects.for_org(organization)


def test_a_new_organization_gets_the_full_catalog(db):
    organization = OrganizationFactory()
    assert catalog_of(organization).count() == len(CATALOG)
    assert MISSION_ITEMS <= set(catalog_of(organization).values_list("code", flat=True))


def test_seeding_twice_adds_nothing_and_keeps_what_the_organization_edited(db):
    organization = OrganizationFactory()
    catalog_of(organization).filter(code="newspaper").update(name="Morning paper", is_active=False)
    assert preference_catalog_seed(organization=organization) == 0
    assert catalog_of(organization).count() == len(CATALOG)
    newspaper = catalog_of(organization).get(code="newspaper")
    assert (newspaper.name, newspaper.is_active) == ("Morning paper", False)


def test_a_missing_entry_is_added_back_by_the_next_seed(db):
    organization = OrganizationFactory()
    catalog_of(organization).filter(code="golfer").delete()
    assert preference_catalog_seed(organization=organization) == 1
    assert catalog_of(organization).filter(code="golfer").exists()


def test_exactly_the_health_items_are_sensitive(db):
    organization = OrganizationFactory()
    sensitive = set(catalog_of(organization).filter(is_sensitive=True).values_list("code", flat=True))
    assert sensitive == HEALTH_CODES
    complaints = catalog_of(organization).filter(code__in=["previous-complaints", "complaint-this-visit"])
    assert [entry.is_sensitive for entry in complaints] == [False, False]


def test_every_entry_has_a_chinese_name_a_category_and_a_sensible_value_type(db):
    organization = OrganizationFactory()
    for entry in catalog_of(organization):
        assert entry.name_zh and entry.category and entry.name
        assert any("\u4e00" <= character <= "\u9fff" for character in entry.name_zh)
        assert bool(entry.choices) == (entry.value_type == CHOICE)
    assert catalog_of(organization).get(code="pillow").choices == [
        "Feather",
        "Down-free",
        "Buckwheat",
        "Memory foam",
        "Extra firm",
    ]
    assert catalog_of(organization).get(code="smoker").choices == ["Smoker", "Non-smoker"]
    assert catalog_of(organization).get(code="english-level").choices == ["None", "Basic", "Fluent", "Native"]
    assert len({entry.sort_order for entry in catalog_of(organization)}) == len(CATALOG)


def test_the_seeded_catalog_takes_guest_preferences(db):
    organization = OrganizationFactory()
    guest = GuestFactory(organization=organization)
    pillow = catalog_of(organization).get(code="pillow")
    services.guest_preference_set(guest=guest, preference_type=pillow, value="Memory foam", actor=None)
    assert GuestPreference.objects.for_org(organization).get(guest=guest).value == "Memory foam"


def test_the_data_migration_seeds_organizations_that_existed_before_it(db):
    organization = OrganizationFactory()
    other = OrganizationFactory()
    catalog_of(organization).delete()
    migration.seed_catalog(apps, None)
    assert catalog_of(organization).count() == len(CATALOG)
    assert catalog_of(other).count() == len(CATALOG)


def test_undoing_the_migration_keeps_entries_guests_use(db):
    organization = OrganizationFactory()
    guest = GuestFactory(organization=organization)
    services.guest_preference_set(
        guest=guest, preference_type=catalog_of(organization).get(code="golfer"), value="yes", actor=None
    )
    migration.unseed_catalog(apps, None)
    assert list(catalog_of(organization).values_list("code", flat=True)) == ["golfer"]


def test_each_organization_has_its_own_catalog(tenants):
    a, b = tenants.a.organization, tenants.b.organization
    a_ids = set(catalog_of(a).values_list("pk", flat=True))
    assert a_ids.isdisjoint(catalog_of(b).values_list("pk", flat=True))
    # The fixture's own "pillow-type" entry sits beside the catalog without clashing.
    assert catalog_of(a).count() == len(CATALOG) + 1
