"""The demo guests a trainer shows: phone numbers and e-mails (Chinese and international) stored
through the same encryption and blind index as real ones, so phone and e-mail search find them;
a confidential VIP with an access request waiting for a manager; a key account whose credit
review is due today; and guests in house on their birthday. All deterministic with the seed.
"""

import datetime
import unicodedata

import phonenumbers

from guests.access import access_request_create
from guests.models import ContactKind, GuestContact, GuestProfile, Stay, StayStatus
from guests.services import CREDIT_REVIEW_MONTHS, _add_months, contact_blind_index, guest_birth_date_set, guest_update
from hotelcrm.demo import demo_rng
from hotelcrm.models import Membership, Role

# Guests per organization that get a phone and an e-mail. Encrypting and hashing cost about 0.1 ms
# a value, so a million-guest seed stops here rather than spend minutes on it.
DEMO_CONTACT_GUESTS = 5_000
PHONE_SHARE, EMAIL_SHARE = 0.9, 0.7
BIRTHDAYS_IN_HOUSE_PER_HOTEL = 2

# Mainland mobile prefixes (China Mobile, Unicom, Telecom).
CN_MOBILE_PREFIXES = (
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "183",
    "187",
    "188",
    "198",
    "130",
    "131",
    "132",
    "155",
    "156",
    "166",
    "176",
    "185",
    "186",
    "133",
    "153",
    "177",
    "180",
    "181",
    "189",
    "199",
)
CN_MAIL_DOMAINS = ("qq.com", "qq.com", "163.com", "126.com", "sina.com", "139.com")
# Reserved for documentation (RFC 2606): a demo configured with a real mail server mails nobody abroad.
INTERNATIONAL_MAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")


def _cn_mobile(rng):
    return f"+86 {rng.choice(CN_MOBILE_PREFIXES)} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}"


def _mobile_of(region, rng):
    """A valid mobile number of `region` in international format: the region's example number
    with its last four digits drawn, or the example itself when that is not a valid number."""
    example = phonenumbers.example_number_for_type(region or "GB", phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        example = phonenumbers.example_number_for_type("GB", phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    candidate = phonenumbers.parse(f"+{example.country_code}{national[:-4]}{rng.randint(0, 9999):04d}")
    number = candidate if phonenumbers.is_valid_number(candidate) else example
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _ascii(text):
    """Letters and digits of `text` without accents: Müller -> muller, O'Brien -> obrien."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in folded if ch.isalnum())


def _email_of(family_name, given_name, is_chinese, rng):
    given, family = _ascii(given_name) or "guest", _ascii(family_name) or "guest"
    if is_chinese:
        domain = rng.choice(CN_MAIL_DOMAINS)
        if domain == "qq.com" and rng.random() < 0.5:
            return f"{rng.randint(10_000_000, 3_999_999_999)}@qq.com"  # a QQ number as the address
        return f"{given}{family}{rng.randint(1, 999)}@{domain}"
    return f"{given}.{family}{rng.randint(1, 99)}@{rng.choice(INTERNATIONAL_MAIL_DOMAINS)}"


def demo_contacts_add(organization, *, seed):
    """Phones and e-mails for the organization's first DEMO_CONTACT_GUESTS guests, in bulk: the
    value is normalised, encrypted and blind-indexed exactly as `guest_contact_add` does."""
    rng = demo_rng(seed, f"{organization.slug}:contacts")
    guests = (
        GuestProfile.objects.for_org(organization)
        .order_by("id")
        .values_list("id", "family_name", "given_name", "native_name", "nationality")[:DEMO_CONTACT_GUESTS]
    )
    contacts = []
    for guest_id, family_name, given_name, native_name, nationality in guests:
        is_chinese = bool(native_name) and nationality in ("CN", "")
        draws = (rng.random(), rng.random())
        if draws[0] < PHONE_SHARE:
            raw = _cn_mobile(rng) if is_chinese else _mobile_of(nationality, rng)
            normalised, index = contact_blind_index(ContactKind.PHONE, raw)
            contacts.append(
                GuestContact(
                    organization=organization,
                    guest_id=guest_id,
                    kind=ContactKind.PHONE,
                    value=normalised,
                    blind_index=index,
                    label="mobile",
                    is_primary=True,
                )
            )
        if draws[1] < EMAIL_SHARE:
            raw = _email_of(family_name, given_name, is_chinese, rng)
            normalised, index = contact_blind_index(ContactKind.EMAIL, raw)
            contacts.append(
                GuestContact(
                    organization=organization,
                    guest_id=guest_id,
                    kind=ContactKind.EMAIL,
                    value=normalised,
                    blind_index=index,
                    label="personal",
                    is_primary=True,
                )
            )
    GuestContact.objects.bulk_create(contacts, batch_size=2000, ignore_conflicts=True)


def _staff(organization):
    return {(m.hotel_id, m.role): m.user for m in Membership.objects.for_org(organization).select_related("user")}


def _in_house(hotel, today):
    return (
        Stay.objects.for_hotel(hotel)
        .filter(status=StayStatus.IN_HOUSE, arrival_on__lte=today, departure_on__gt=today)
        .select_related("guest")
        .order_by("arrival_on", "pk")
    )


def demo_trainer_cast(organization, hotels, *, seed, now):
    """The confidential VIP, the key account and the birthdays in house, through the audited
    services (as a person would have recorded them). Returns lines for `seed_demo` to print."""
    rng = demo_rng(seed, f"{organization.slug}:trainer")
    staff = _staff(organization)
    hints = []
    taken = set()
    for hotel in hotels:
        today = now.astimezone(hotel.tz).date()
        manager = staff.get((hotel.pk, Role.MANAGER))
        for stay in _in_house(hotel, today)[:BIRTHDAYS_IN_HOUSE_PER_HOTEL]:
            year = rng.choice([y for y in range(1958, 2000) if today.month != 2 or today.day != 29 or y % 4 == 0])
            guest_birth_date_set(
                guest=stay.guest, birth_date=datetime.date(year, today.month, today.day), actor=manager, hotel=hotel
            )
            taken.add(stay.guest_id)
            hints.append(
                f"{hotel.name}: {stay.guest.display_name} is in house on their birthday (room {stay.room_number})."
            )
    hotel = hotels[0]
    today = now.astimezone(hotel.tz).date()
    manager, desk = staff.get((hotel.pk, Role.MANAGER)), staff.get((hotel.pk, Role.FRONT_DESK))
    arrivals = (
        Stay.objects.for_hotel(hotel)
        .filter(arrival_on=today)
        .exclude(guest_id__in=taken)
        .exclude(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])
        .select_related("guest")
        .order_by("pk")
    )
    arrivals = list(arrivals[:2])
    if arrivals:
        vip = guest_update(
            guest=arrivals[0].guest,
            actor=manager,
            hotel=hotel,
            data={"is_confidential": True, "vip_level": 4, "notes": "Asked for confidential service."},
        )
        taken.add(vip.pk)
        if desk is not None:
            access_request_create(
                guest=vip, actor=desk, hotel=hotel, reason="The guest is arriving today and asked for a late check-out."
            )
        hints.append(
            f"{hotel.name}: {vip.display_name} (arriving today) is confidential; "
            f"{desk.username if desk else 'the front desk'}'s request to open the profile "
            "waits for a manager."
        )
    regular = (
        GuestProfile.objects.for_org(organization)
        .exclude(pk__in=taken)
        .filter(stays__hotel=hotel, stays__status=StayStatus.CHECKED_OUT)
        .order_by("pk")
        .first()
    )
    if regular is not None:
        grade = "B"
        reviewed_on = _add_months(today, -CREDIT_REVIEW_MONTHS[grade])
        guest_update(
            guest=regular,
            actor=manager,
            hotel=hotel,
            data={
                "value_class": "key_account",
                "guest_type": regular.guest_type or "business",
                "credit_grade": grade,
                "credit_reviewed_on": reviewed_on,
                "company": regular.company
                or (
                    "长江国际贸易有限公司"
                    if organization.default_language.startswith("zh")
                    else "Harrow & Finch Consulting Ltd"
                ),
                "relationship_owner": manager,
                "account_opened_on": _add_months(today, -30),
            },
        )
        regular.refresh_from_db()
        hints.append(
            f"{hotel.name}: {regular.display_name} is a key account whose credit review is due "
            f"{regular.credit_review_due_on.isoformat()}."
        )
    return hints


def demo_phone_hint(organization, hotel, *, now):
    """A phone number to type into the search box: an arriving guest's, as a person would say it
    (a +86 mobile at a Chinese group's hotel when one of today's arrivals has one)."""
    today = now.astimezone(hotel.tz).date()
    guest_ids = list(
        Stay.objects.for_hotel(hotel)
        .filter(arrival_on=today, guest__is_confidential=False)
        .order_by("pk")
        .values_list("guest_id", flat=True)[:50]
    )
    contacts = {
        c.guest_id: c
        for c in GuestContact.objects.for_org(organization)
        .filter(guest_id__in=guest_ids, kind=ContactKind.PHONE)
        .select_related("guest")
    }
    found = [contacts[guest_id] for guest_id in guest_ids if guest_id in contacts]
    if organization.default_language.startswith("zh"):
        found.sort(key=lambda contact: not contact.value.startswith("+86"))
    if not found:
        return None
    number = phonenumbers.parse(found[0].value)
    return (
        f"{hotel.name}: search {phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)} "
        f"to find {found[0].guest.display_name}, arriving today."
    )
