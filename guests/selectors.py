"""Reads of the guest archive: each takes the tenant and returns data in a constant number of queries."""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Max, Q, Sum
from django.db.models.functions import Collate

from guests.extensions import SEARCH_KEYS
from guests.models import (
    ContactKind,
    DocumentType,
    GuestContact,
    GuestPreference,
    GuestProfile,
    PreferenceType,
    SpecialDate,
    Stay,
    StayStatus,
    fold_for_search,
)
from hotelcrm.models import Membership

# What a phone number looks like once spaces, dots, dashes and brackets are gone.
_PHONE_SHAPE = re.compile(r"\+?\d{5,20}")
_SEPARATORS = re.compile(r"[\s().\-]")
# Room numbers and document numbers: letters and digits only, at least one digit.
_KEY_SHAPE = re.compile(r"[A-Za-z0-9]*\d[A-Za-z0-9]*")


def _contact_guest_ids(*, organization, kind, raw_value):
    """Guest ids with this phone or email through the blind index; None when the value is invalid."""
    from guests.services import contact_blind_index

    try:
        _normalised, index = contact_blind_index(kind, raw_value)
    except ValidationError:
        return None
    return (
        GuestContact.objects.for_org(organization)
        .filter(kind=kind, blind_index=index)
        .values_list("guest_id", flat=True)
    )


def _exact_key_ids(*, organization, hotel, text):
    """Ids of guests whose email, phone, document or current room at `hotel` is exactly `text`.

    One query (a UNION of index lookups), or none when the input has no such shape.
    """
    from guests.services import document_blind_index

    lookups = []
    compact = _SEPARATORS.sub("", text)
    if "@" in text:
        lookups.append(_contact_guest_ids(organization=organization, kind=ContactKind.EMAIL, raw_value=text))
    else:
        if _PHONE_SHAPE.fullmatch(compact):
            lookups.append(_contact_guest_ids(organization=organization, kind=ContactKind.PHONE, raw_value=text))
        # Keys other apps contribute (a loyalty member number): guests.extensions.
        lookups.extend(lookup(organization=organization, text=compact) for lookup in SEARCH_KEYS)
        if _KEY_SHAPE.fullmatch(compact) and len(compact) <= 40:
            indexes = set()
            # A resident ID must pass its checksum; any other document uses the plain normalised form.
            for document_type in (DocumentType.RESIDENT_ID, DocumentType.PASSPORT):
                try:
                    indexes.add(document_blind_index(document_type, compact)[1])
                except ValidationError:
                    pass
            if indexes:
                lookups.append(
                    GuestProfile.objects.for_org(organization)
                    .filter(document_blind_index__in=indexes)
                    .values_list("pk", flat=True)
                )
        if hotel is not None and _KEY_SHAPE.fullmatch(text) and len(text) <= 16:
            lookups.append(
                Stay.objects.for_hotel(hotel)
                .filter(room_number=text, status=StayStatus.IN_HOUSE)
                .values_list("guest_id", flat=True)
            )
    lookups = [lookup for lookup in lookups if lookup is not None]
    if not lookups:
        return None
    first, *rest = lookups
    return set(first.union(*rest)) if rest else set(first)


# Below this many characters a "contains" search has no trigram to use; prefixes are used instead.
MIN_CONTAINS_LENGTH = 3


def guest_search(*, organization, query="", hotel=None):
    """Guests of the organization matching `query`, merged profiles left out.

    Name: partial, either script, any case or accent (trigram index on `search_name`).
    Email, phone and document number: exact, through their blind indexes. Room: the guest
    in house in that room at `hotel`. At most two queries plus the caller's count.
    """
    guests = (
        GuestProfile.objects.for_org(organization)
        .filter(merged_into__isnull=True)
        .alias(search_name_c=Collate("search_name", "C"))
    )
    text = (query or "").strip()
    folded = fold_for_search(text)
    if not folded:
        return guests.order_by("family_name", "given_name", "pk")
    ids = _exact_key_ids(organization=organization, hotel=hotel, text=text) if text else None
    # An email or a bare number is not a name: searching names for it would only add noise.
    by_name = "@" not in text and not _PHONE_SHAPE.fullmatch(_SEPARATORS.sub("", text))
    condition = Q(pk__in=ids) if ids else Q(pk__in=[])
    if by_name:
        if len(folded.replace(" ", "")) >= MIN_CONTAINS_LENGTH:
            condition |= Q(search_name__contains=folded)
        elif any(ord(character) >= 0x2E80 for character in text):
            # A two-character Chinese given name (小明) is a whole name: find it anywhere in the
            # native name, even though no trigram index can help with so short a pattern.
            condition |= Q(native_name__contains=text)
        else:
            # One or two Latin letters make no trigram: match the start of the name instead,
            # through the byte-ordered name index (guest_org_search_c_idx).
            condition |= _name_starts_with(folded)
    # Ordered by search_name, not by (family_name, given_name): that index order tempted the
    # planner into walking the whole organization's name index for a rare match (0.5 s at 1M guests).
    return guests.filter(condition).order_by("search_name", "pk")


def _name_starts_with(folded):
    """search_name starts with `folded`: a range in byte order, which guest_org_search_c_idx answers sorted."""
    upper = folded[:-1] + chr(ord(folded[-1]) + 1) if ord(folded[-1]) < 0x10FFFF else None
    condition = Q(search_name_c__gte=folded)
    if upper is not None and not 0xD800 <= ord(upper[-1]) <= 0xDFFF:
        condition &= Q(search_name_c__lt=upper)
    else:
        condition &= Q(search_name__startswith=folded)
    return condition


class SearchPage:
    """One page of results without counting them all: `has_next` comes from fetching one row more.

    Quacks like django.core.paginator.Page for the templates (no page count: that needs a COUNT).
    """

    def __init__(self, object_list, number, has_next):
        self.object_list, self.number, self._has_next = object_list, number, has_next

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self.number > 1

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def _page_number(raw):
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), 10_000)


# What a row of the front-desk list shows (and the access check reads): the ciphertexts stay in the table.
LIST_FIELDS = (
    "organization_id",
    "family_name",
    "given_name",
    "native_name",
    "nationality",
    "preferred_language",
    "vip_level",
    "is_confidential",
    "merged_into_id",
)


def guest_search_page(*, organization, query="", hotel=None, page=1, page_size=50):
    """The page `page` of guest_search's matches for the front-desk list, without a COUNT.

    A name is looked for in tiers, each ordered by search_name and disjoint from the ones
    before: the exact matches (email, phone, document, room), the names that start with the
    query (an index range scan that stops after one page, however common the surname), then,
    only if the page is not full yet, the names that contain it elsewhere (trigram index).
    One query per tier reached; a tier passed over entirely on a later page costs a COUNT.
    """
    number = _page_number(page)
    base = (
        GuestProfile.objects.for_org(organization)
        .filter(merged_into__isnull=True)
        .alias(search_name_c=Collate("search_name", "C"))
        .only(*LIST_FIELDS)
    )
    text = (query or "").strip()
    folded = fold_for_search(text)
    by_name = bool(folded) and "@" not in text and not _PHONE_SHAPE.fullmatch(_SEPARATORS.sub("", text))
    short = len(folded.replace(" ", "")) < MIN_CONTAINS_LENGTH
    if not by_name or (short and any(ord(character) >= 0x2E80 for character in text)):
        tiers = [guest_search(organization=organization, query=query, hotel=hotel).only(*LIST_FIELDS)]
    else:
        ids = sorted(_exact_key_ids(organization=organization, hotel=hotel, text=text) or ())
        prefix = _name_starts_with(folded)
        order = ("search_name_c", "pk")
        others = base.exclude(pk__in=ids) if ids else base
        tiers = [base.filter(pk__in=ids).order_by(*order)] if ids else []
        tiers.append(others.filter(prefix).order_by(*order))
        if not short:
            tiers.append(others.filter(search_name__contains=folded).exclude(prefix).order_by(*order))
    rows, skip, need = [], (number - 1) * page_size, page_size + 1
    for tier in tiers:
        found = list(tier[skip : skip + need])
        if found:
            rows += found
            need -= len(found)
            skip = 0
        elif skip:
            skip -= min(skip, tier.count())
        if not need:
            break
    return SearchPage(rows[:page_size], number, len(rows) > page_size)


def guest_get(*, organization, guest_id):
    return GuestProfile.objects.for_org(organization).select_related("relationship_owner").filter(pk=guest_id).first()


def guest_get_or_404(*, organization, guest_id):
    """The guest through the tenant door, or Http404: another organization's id answers exactly as a
    missing one (never 403, which would confirm it exists). The UI and the API (DRF turns Http404
    into its 404) both fetch a guest from a URL through this."""
    from django.http import Http404

    guest = guest_get(organization=organization, guest_id=guest_id)
    if guest is None:
        raise Http404
    return guest


def guest_stays(*, guest):
    return (
        Stay.objects.for_org(guest.organization_id)
        .filter(guest=guest)
        .select_related("hotel")
        .order_by("-arrival_on", "-pk")
    )


def guest_stay_summary(*, guest):
    """Completed stays in one aggregate query: count, nights, spend, last stay, average spend per stay."""
    completed = Stay.objects.for_org(guest.organization_id).filter(guest=guest, status=StayStatus.CHECKED_OUT)
    spend = F("room_revenue") + F("fb_revenue") + F("other_revenue")
    totals = completed.aggregate(
        stays=Count("pk"),
        last_departure=Max("departure_on"),
        last_arrival=Max("arrival_on"),
        nights=Sum(F("departure_on") - F("arrival_on")),
        spend=Sum(spend),
        average_spend=Avg(spend),
    )
    nights = totals["nights"]
    # Date minus date is an interval in Django's PostgreSQL backend; some servers give an integer.
    totals["nights"] = getattr(nights, "days", nights) or 0
    totals["spend"] = totals["spend"] or 0
    if totals["average_spend"] is not None:
        totals["average_spend"] = round(totals["average_spend"], 2)
    return totals


def guest_visible_preferences(*, guest):
    """The guest's non-sensitive preferences (sensitive ones live in the audited sensitive section)."""
    return (
        GuestPreference.objects.for_org(guest.organization_id)
        .filter(guest=guest, preference_type__is_sensitive=False)
        .select_related("preference_type", "recorded_by")
        .order_by("preference_type__category", "preference_type__sort_order", "preference_type__name", "pk")
    )


def guest_special_dates(*, guest):
    return (
        SpecialDate.objects.for_org(guest.organization_id)
        .filter(guest=guest)
        .order_by("calendar", "month", "day", "pk")
    )


def preference_types_active(*, organization):
    return (
        PreferenceType.objects.for_org(organization).filter(is_active=True).order_by("category", "sort_order", "name")
    )


def staff_of_organization(*, organization):
    """Users holding a membership in the organization (relationship owners are chosen among them)."""
    user_ids = Membership.objects.for_org(organization).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")


def arrivals_on(*, hotel, day):
    return (
        Stay.objects.for_hotel(hotel)
        .filter(arrival_on=day)
        .exclude(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])
        .select_related("guest")
        .order_by("room_number", "pk")
    )


def guests_by_contact(*, organization, kind, raw_value):
    """Guests with this phone or email, exactly (through the blind index). Invalid input finds none."""
    guest_ids = _contact_guest_ids(organization=organization, kind=kind, raw_value=raw_value)
    if guest_ids is None:
        return GuestProfile.objects.none()
    return GuestProfile.objects.for_org(organization).filter(pk__in=guest_ids)


def guests_by_document(*, organization, document_type, raw_number):
    from guests.services import document_blind_index

    try:
        _normalised, index = document_blind_index(document_type, raw_number)
    except ValidationError:
        return GuestProfile.objects.none()
    return GuestProfile.objects.for_org(organization).filter(document_blind_index=index)
