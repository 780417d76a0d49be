"""Reads for the tenancy core: which hotels a staff member may work in, and as what."""

from dataclasses import dataclass, field

from hotelcrm.models import ROLE_RANK, Hotel, Membership, Role


@dataclass
class StaffAccess:
    """What one user may reach: hotels in display order and the role at each."""

    hotels: list = field(default_factory=list)
    roles: dict = field(default_factory=dict)  # hotel id -> Role
    home_hotel: object = None  # where the user starts: a hotel of their own membership

    def role_at(self, hotel):
        return self.roles.get(hotel.pk) if hotel is not None else None

    def hotel_by_id(self, hotel_id):
        for hotel in self.hotels:
            if str(hotel.pk) == str(hotel_id):
                return hotel
        return None

    @property
    def organizations(self):
        seen = {}
        for hotel in self.hotels:
            seen.setdefault(hotel.organization_id, hotel.organization)
        return list(seen.values())


def staff_access_get(user) -> StaffAccess:
    """Two queries at most, whatever the number of hotels."""
    if user is None or not user.is_authenticated or not user.is_active:
        return StaffAccess()
    # A user's own memberships span tenants by nature: this is the one unscoped read here.
    memberships = list(
        Membership.objects.all_tenants_unscoped().filter(user=user).select_related("hotel__organization")
    )
    roles = {}
    hotels = {}
    group_admin_orgs = set()
    for membership in memberships:
        if membership.role == Role.GROUP_ADMIN:
            group_admin_orgs.add(membership.organization_id)
        hotels[membership.hotel_id] = membership.hotel
        current = roles.get(membership.hotel_id)
        if current is None or ROLE_RANK[Role(membership.role)] > ROLE_RANK[Role(current)]:
            roles[membership.hotel_id] = Role(membership.role)
    if group_admin_orgs:
        group_hotels = Hotel.objects.all_tenants_unscoped().filter(organization_id__in=group_admin_orgs)
        for hotel in group_hotels.select_related("organization"):
            hotels[hotel.pk] = hotel
            roles[hotel.pk] = Role.GROUP_ADMIN
    ordered = sorted(hotels.values(), key=lambda h: (h.organization.name, h.name, h.pk))
    # A group admin starts at the hotel of their own membership, not the first by name.
    home = min((m.hotel for m in memberships), key=lambda h: (h.organization.name, h.name, h.pk), default=None)
    return StaffAccess(hotels=ordered, roles=roles, home_hotel=home)


def hotel_get_for_task(*, organization_id, hotel_id):
    """The hotel a task was handed, through the tenant door; None if it is gone or not that tenant's.

    Tasks take `organization_id` and `hotel_id` explicitly (never a request or a model instance)
    and return quietly when this gives None.
    """
    return Hotel.objects.for_org(organization_id).filter(pk=hotel_id).select_related("organization").first()


def home_hotel(organization_id):
    """The organization's first hotel, whose time zone is the group's own (its nightly jobs' clock); None without hotels."""
    return Hotel.objects.for_org(organization_id).select_related("organization").order_by("pk").first()


def home_hotels():
    """{organization id: its home hotel} for every organization: for the nightly dispatchers,
    which cross tenants on purpose."""
    homes = {}
    for hotel in (
        Hotel.objects.all_tenants_unscoped().order_by("organization_id", "pk").only("organization_id", "time_zone")
    ):
        homes.setdefault(hotel.organization_id, hotel)
    return homes


def organization_by_slug_or_id(value):
    """The organization an operator named on the command line (slug, or id); None if there is none."""
    from hotelcrm.models import Organization

    found = Organization.objects.filter(slug=value).first()
    if found is None and value.isdigit():
        found = Organization.objects.filter(pk=int(value)).first()
    return found
