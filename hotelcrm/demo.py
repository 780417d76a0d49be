"""Demo data, the core's part: the demo organizations, their hotels and staff, and the orchestrator.

Each app builds its own demo data in `<app>/demo.py` and registers a step here from its
`AppConfig.ready` (`demo_step_register`), so the core names no domain: `demo_seed` creates the
tenants and staff, then runs the registered steps in their order inside one transaction.

Everything random comes from a `random.Random` seeded from `--seed` and the organization's slug
(`demo_rng`), so the same seed gives the same data; dates are laid out around "today" in each
hotel's own time zone, so the front desk always has arrivals to show.
"""

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from hotelcrm.audit import audit_record
from hotelcrm.models import AuditEvent, Hotel, Membership, Organization, Role
from hotelcrm.tenancy import tenant_models

DEFAULT_SEED = 20240611
DEFAULT_GUESTS = 2_000


# --- The demo tenants -------------------------------------------------------------------------
@dataclass(frozen=True)
class HotelSpec:
    code: str
    name: str
    time_zone: str
    currency: str
    address: str
    floors: tuple  # first and last floor with guest rooms
    rooms_per_floor: int
    nightly_rate: tuple  # low and high nightly room rate, in the hotel's currency
    share: float  # how likely this is a guest's home hotel within the organization


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    hotel_code: str


@dataclass(frozen=True)
class OrganizationSpec:
    slug: str
    name: str
    default_language: str
    currency: str
    guest_share: float  # share of --guests that belong to this organization
    guest_mix: str  # key of GUEST_MIXES
    hotels: tuple
    staff: tuple


DEMO_ORGANIZATIONS = (
    OrganizationSpec(
        slug="demo-yangtze",
        name="Yangtze Hotels Group",
        default_language="zh-hans",
        currency="CNY",
        guest_share=0.7,
        guest_mix="china",
        hotels=(
            HotelSpec(
                code="sha-bund",
                name="Yangtze Grand Shanghai Bund",
                time_zone="Asia/Shanghai",
                currency="CNY",
                address="18 Zhongshan East 1st Road, Huangpu District, Shanghai 200002",
                floors=(3, 32),
                rooms_per_floor=24,
                nightly_rate=(680, 1880),
                share=0.65,
            ),
            HotelSpec(
                code="urc-silk",
                name="Yangtze Silk Road Urumqi",
                time_zone="Asia/Urumqi",
                currency="CNY",
                address="66 Renmin Road, Tianshan District, Urumqi, Xinjiang 830002",
                floors=(2, 18),
                rooms_per_floor=20,
                nightly_rate=(380, 980),
                share=0.35,
            ),
        ),
        staff=(
            StaffSpec("yangtze.admin", "Jing", "Chen", Role.GROUP_ADMIN, "sha-bund"),
            StaffSpec("sha.desk", "Lei", "Wang", Role.FRONT_DESK, "sha-bund"),
            StaffSpec("sha.relations", "Fang", "Liu", Role.GUEST_RELATIONS, "sha-bund"),
            StaffSpec("sha.manager", "Min", "Zhao", Role.MANAGER, "sha-bund"),
            StaffSpec("urc.desk", "Dilnur", "Aziz", Role.FRONT_DESK, "urc-silk"),
            StaffSpec("urc.relations", "Hui", "Zhou", Role.GUEST_RELATIONS, "urc-silk"),
            StaffSpec("urc.manager", "Jun", "Ma", Role.MANAGER, "urc-silk"),
        ),
    ),
    OrganizationSpec(
        slug="demo-kensington",
        name="Kensington Garden Hotel",
        default_language="en",
        currency="GBP",
        guest_share=0.3,
        guest_mix="international",
        hotels=(
            HotelSpec(
                code="ldn-kensington",
                name="Kensington Garden Hotel",
                time_zone="Europe/London",
                currency="GBP",
                address="27 Kensington Gore, London SW7 2ET, United Kingdom",
                floors=(1, 7),
                rooms_per_floor=18,
                nightly_rate=(165, 520),
                share=1.0,
            ),
        ),
        staff=(
            StaffSpec("kensington.admin", "Eleanor", "Hughes", Role.GROUP_ADMIN, "ldn-kensington"),
            StaffSpec("ldn.desk", "Oliver", "Bennett", Role.FRONT_DESK, "ldn-kensington"),
            StaffSpec("ldn.relations", "Amelia", "Clarke", Role.GUEST_RELATIONS, "ldn-kensington"),
            StaffSpec("ldn.manager", "James", "Whitfield", Role.MANAGER, "ldn-kensington"),
        ),
    ),
)
DEMO_SLUGS = tuple(spec.slug for spec in DEMO_ORGANIZATIONS)

# Known on purpose: this is demo data. Each passes the project's password validators.
ROLE_PASSWORDS = {
    Role.FRONT_DESK: "Desk-Lantern-2048",
    Role.GUEST_RELATIONS: "Relations-Orchid-2048",
    Role.MANAGER: "Manager-Pagoda-2048",
    Role.GROUP_ADMIN: "Group-Compass-2048",
}
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "Admin-Harbour-2048"

# Hotels not described above (a benchmark's own, say) get this profile.
_DEFAULT_HOTEL_SPEC = HotelSpec(
    code="",
    name="",
    time_zone="Asia/Shanghai",
    currency="CNY",
    address="",
    floors=(2, 20),
    rooms_per_floor=20,
    nightly_rate=(450, 1200),
    share=1.0,
)
HOTEL_SPECS = {hotel.code: hotel for spec in DEMO_ORGANIZATIONS for hotel in spec.hotels}


def hotel_spec(code):
    """The demo profile of the hotel with this code (rooms, rates, share of guests), or a default one."""
    return HOTEL_SPECS.get(code, _DEFAULT_HOTEL_SPEC)


# --- The demo as a whole ----------------------------------------------------------------------
@dataclass
class Login:
    username: str
    password: str
    role: str
    hotel: str
    organization: str
    note: str = ""


@dataclass
class SeedResult:
    skipped: bool
    organizations: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    guests: int = 0
    stays: int = 0
    hints: list = field(default_factory=list)


def demo_rng(seed, organization_slug):
    # A string seed is hashed with SHA-512, so it does not depend on PYTHONHASHSEED.
    return random.Random(f"hotelcrm-demo:{seed}:{organization_slug}")


def demo_guest_counts(n_guests):
    """How `--guests` is split between the demo organizations (the counts add up to n_guests)."""
    counts = [int(n_guests * spec.guest_share) for spec in DEMO_ORGANIZATIONS]
    counts[0] += n_guests - sum(counts)
    return counts


def demo_organizations_present():
    return list(Organization.objects.filter(slug__in=DEMO_SLUGS).order_by("slug"))


def demo_tenants_ensure():
    """The demo organizations and their hotels, created or brought back to their demo values."""
    tenants = []
    for spec in DEMO_ORGANIZATIONS:
        organization, _created = Organization.objects.update_or_create(
            slug=spec.slug,
            defaults={"name": spec.name, "default_language": spec.default_language, "currency": spec.currency},
        )
        hotels = []
        for hotel_spec in spec.hotels:
            hotel, _created = Hotel.objects.update_or_create(
                organization=organization,
                code=hotel_spec.code,
                defaults={
                    "name": hotel_spec.name,
                    "time_zone": hotel_spec.time_zone,
                    "currency": hotel_spec.currency,
                    "address": hotel_spec.address,
                },
            )
            hotels.append(hotel)
        tenants.append((spec, organization, hotels))
    return tenants


def demo_staff_ensure(tenants):
    """A user per role at each demo hotel, with the known demo password and one membership."""
    User = get_user_model()
    logins = []
    # One hash per demo password, shared by the users of that role: the passwords are published
    # anyway, and each hash costs about a second (PBKDF2's production work factor), which made
    # a 300-guest seed spend 13 of its 20 seconds hashing.
    hashes = {}
    for spec, organization, hotels in tenants:
        hotels_by_code = {hotel.code: hotel for hotel in hotels}
        for staff in spec.staff:
            hotel = hotels_by_code[staff.hotel_code]
            password = ROLE_PASSWORDS[staff.role]
            user, _created = User.objects.get_or_create(username=staff.username)
            user.first_name, user.last_name = staff.first_name, staff.last_name
            user.email = f"{staff.username}@example.com"
            user.is_active = True
            validate_password(password, user)
            if password not in hashes:
                hashes[password] = make_password(password)
            user.password = hashes[password]
            user.save()
            Membership.objects.for_org(organization).filter(user=user).delete()
            Membership.objects.create(organization=organization, user=user, hotel=hotel, role=staff.role)
            where = f"every hotel of {organization.name}" if staff.role == Role.GROUP_ADMIN else hotel.name
            logins.append(Login(staff.username, password, str(Role(staff.role).label), where, organization.name))
    return logins


def demo_admin_ensure():
    """The `admin` superuser, created with the demo password; an existing one is left alone."""
    User = get_user_model()
    user = User.objects.filter(username=ADMIN_USERNAME).first()
    if user is not None:
        return Login(
            ADMIN_USERNAME,
            "(unchanged)",
            "Superuser",
            "Django admin: /admin/",
            "",
            note="already existed; its password was not changed",
        )
    user = User(username=ADMIN_USERNAME, email="admin@example.com", is_staff=True, is_superuser=True)
    validate_password(ADMIN_PASSWORD, user)
    user.set_password(ADMIN_PASSWORD)
    user.save()
    return Login(ADMIN_USERNAME, ADMIN_PASSWORD, "Superuser", "Django admin: /admin/", "")


def demo_tenant_data_delete(organizations):
    """Delete every row the demo organizations own, except what must stay.

    Kept: the organizations and hotels (audit events point at them, and the audit table
    refuses DELETE by design) and the audit events themselves. Everything else that carries
    their organization_id goes: guests, stays, memberships and any other tenant table.
    Raw DELETEs are fine in any order because Django's foreign keys are DEFERRABLE INITIALLY
    DEFERRED: they are checked at commit, when nothing points at the deleted rows any more.
    """
    organization_ids = [organization.pk for organization in organizations]
    if not organization_ids:
        return
    kept = {AuditEvent, Hotel}
    with default_connection.cursor() as cursor:
        for model in tenant_models():
            if model in kept or model._meta.proxy or not model._meta.managed:
                continue
            table = default_connection.ops.quote_name(model._meta.db_table)
            column = default_connection.ops.quote_name(model._meta.get_field("organization").column)
            for m2m in model._meta.local_many_to_many:
                through = m2m.remote_field.through
                if through._meta.auto_created:
                    cursor.execute(
                        f"DELETE FROM {default_connection.ops.quote_name(through._meta.db_table)} "
                        f"WHERE {default_connection.ops.quote_name(m2m.m2m_column_name())} IN "
                        f"(SELECT id FROM {table} WHERE {column} = ANY(%s))",
                        [organization_ids],
                    )
            cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [organization_ids])


# --- The steps each app contributes --------------------------------------------------------------
@dataclass(frozen=True)
class DemoStep:
    name: str
    path: str  # dotted path of a callable taking a DemoRun, imported only when a seed runs
    order: int  # lower runs first: guests before what hangs off guests, reports last


_STEPS = {}


def demo_step_register(*, name, path, order):
    """Add (or replace, by name) a step of `demo_seed`. Apps call this from `AppConfig.ready`."""
    _STEPS[name] = DemoStep(name=name, path=path, order=order)


def demo_steps():
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


@dataclass
class DemoRun:
    """What a step gets: the tenants as [(OrganizationSpec, Organization, [Hotel])], the seed,
    the moment the demo is laid out around, and what earlier steps loaded."""

    tenants: list
    seed: int
    now: object
    n_guests: int
    progress: object = None
    loaded: dict = field(default_factory=dict)  # organization pk -> {"guests": n, "stays": n}
    hints: list = field(default_factory=list)  # lines for seed_demo to print: what to try first


def demo_seed(*, n_guests=DEFAULT_GUESTS, seed=DEFAULT_SEED, reset=False, progress=None, now=None):
    """Create the demo organizations, hotels and staff, then run every registered step, in one transaction.

    Does nothing (`skipped=True`) when the demo organizations exist, unless `reset`, which
    first deletes their data as `demo_tenant_data_delete` describes. `progress` gets
    `update(n)` as guests are loaded.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Two seeds started at once would both find no demo yet; the second waits here.
        with default_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('hotelcrm.seed_demo'))")
        present = demo_organizations_present()
        if present and not reset:
            return SeedResult(skipped=True, organizations=present)
        if present:
            demo_tenant_data_delete(present)
        tenants = demo_tenants_ensure()
        logins = demo_staff_ensure(tenants) + [demo_admin_ensure()]
        result = SeedResult(
            skipped=False, logins=logins, organizations=[organization for _spec, organization, _hotels in tenants]
        )
        run = DemoRun(tenants=tenants, seed=seed, now=now, n_guests=n_guests, progress=progress)
        for step in demo_steps():
            import_string(step.path)(run)
        result.hints = run.hints
        for _spec, organization, _hotels in tenants:
            loaded = run.loaded.get(organization.pk, {})
            result.guests += loaded.get("guests", 0)
            result.stays += loaded.get("stays", 0)
            audit_record(
                action="demo.seeded",
                organization=organization,
                actor_label="seed_demo",
                extra={
                    "guests": loaded.get("guests", 0),
                    "stays": loaded.get("stays", 0),
                    "seed": seed,
                    "reset": bool(present),
                },
            )
    return result


def demo_logins():
    """The demo logins as seed_demo prints them, without touching the database."""
    logins = []
    for spec in DEMO_ORGANIZATIONS:
        hotel_names = {hotel.code: hotel.name for hotel in spec.hotels}
        for staff in spec.staff:
            where = f"every hotel of {spec.name}" if staff.role == Role.GROUP_ADMIN else hotel_names[staff.hotel_code]
            logins.append(
                Login(staff.username, ROLE_PASSWORDS[staff.role], str(Role(staff.role).label), where, spec.name)
            )
    logins.append(
        Login(
            ADMIN_USERNAME,
            ADMIN_PASSWORD,
            "Superuser",
            "Django admin: /admin/",
            "",
            note="unless it existed before the demo",
        )
    )
    return logins
