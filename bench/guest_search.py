"""How long does the front desk wait for a guest search in a big archive?

Data: one organization with the issue's 1,000,000 guests (full scale) and 5,000,000 stays,
plus 9 other organizations of 100,000 guests each, from the demo generator; every guest of
the measured organization has a phone number, encrypted, with its blind index, and a loyalty
member number. Searches go
through the guest list view as the live search box calls it (Django test client, HTMX
fragment, logged-in front-desk user); the baseline is the SQL that answers the same question
directly (the page of 50 names, the blind-index join, or the member-number join), on the same data, in the same run.
"""

import random
import time
from io import StringIO

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

import bench
from guests import demo
from guests.models import GuestContact, GuestProfile, Stay
from guests.services import contact_blind_index
from hotelcrm.crypto import encrypt_text
from hotelcrm.models import Hotel, Membership, Organization, Role

QUESTION = "How long does the front desk wait for a guest search in a big archive?"
SIZES = {
    "small": {"main": 50_000, "others": 9, "other_guests": 5_000, "stays": 250_000},
    "full": {"main": 1_000_000, "others": 9, "other_guests": 100_000, "stays": 5_000_000},
}
TARGET_MS = 50.0
REPETITIONS = 60


def _organization(slug, name):
    organization = Organization.objects.create(name=name, slug=slug, default_language="zh-hans")
    hotels = [
        Hotel.objects.create(organization=organization, name=f"{name} Shanghai", code="sha", time_zone="Asia/Shanghai"),
        Hotel.objects.create(organization=organization, name=f"{name} London", code="lon", time_zone="Europe/London"),
    ]
    return organization, hotels


def _load(organization, hotels, n_guests, seed):
    rng = random.Random(f"{seed}-{organization.slug}")
    with transaction.atomic():
        demo.load_guests_and_stays(connection, organization, hotels, n_guests, rng, now=timezone.now())


def _top_up_stays(organization, target):
    """The generator gives about three stays a guest; repeat the history further back to reach `target`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM guests_stay WHERE organization_id = %s", [organization.pk])
        (count,) = cursor.fetchone()
        round_ = 0
        while count < target:
            round_ += 1
            cursor.execute(
                """
                INSERT INTO guests_stay (organization_id, hotel_id, guest_id, pms_reservation_id, arrival_on,
                    departure_on, room_number, room_type, rate_code, channel, status, room_revenue, fb_revenue,
                    other_revenue, created_at)
                SELECT organization_id, hotel_id, guest_id, pms_reservation_id || '-h' || %s,
                       arrival_on - 1100 * %s, departure_on - 1100 * %s, room_number, room_type, rate_code,
                       channel, 'checked_out', room_revenue, fb_revenue, other_revenue, created_at
                FROM guests_stay WHERE organization_id = %s AND pms_reservation_id NOT LIKE '%%-h%%'
                ORDER BY id LIMIT %s
                """,
                [round_, round_, round_, organization.pk, target - count],
            )
            count += cursor.rowcount


def _add_phones(organization):
    """One mobile number per guest: encrypted value and blind index, loaded with COPY."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM guests_guestprofile WHERE organization_id = %s ORDER BY id", [organization.pk])
        guest_ids = [row[0] for row in cursor.fetchall()]
    phones = {}
    now = timezone.now().isoformat()
    buffer = StringIO()
    for guest_id in guest_ids:
        phone = f"+86139{guest_id:08d}"
        normalised, index = contact_blind_index("phone", phone)
        phones[guest_id] = normalised
        buffer.write(f"{organization.pk}\t{guest_id}\tphone\t{encrypt_text(normalised)}\t{index}\tmobile\tt\t{now}\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY guests_guestcontact (organization_id, guest_id, kind, value, blind_index, label, is_primary, created_at) FROM STDIN",
            buffer,
        )
    return phones


def _add_members(organization):
    """A loyalty membership for every guest (member number with its check digit), loaded with COPY."""
    from loyalty.models import Program, Tier, member_number_for
    from loyalty.services import program_ensure

    program = program_ensure(organization=organization)
    entry_tier = Tier.objects.for_org(organization).get(rank=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM guests_guestprofile WHERE organization_id = %s ORDER BY id", [organization.pk])
        guest_ids = [row[0] for row in cursor.fetchall()]
    numbers = {}
    now = timezone.now().isoformat()
    today = timezone.now().date().isoformat()
    buffer = StringIO()
    for sequence, guest_id in enumerate(guest_ids, start=program.next_member_sequence):
        number = numbers[guest_id] = member_number_for(sequence)
        buffer.write(f"{organization.pk}\t{guest_id}\t{number}\t{today}\t{entry_tier.pk}\t0\tactive\t{now}\t{now}\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY loyalty_membership (organization_id, guest_id, member_number, joined_on, tier_id, balance, status, "
            "created_at, updated_at) FROM STDIN",
            buffer,
        )
    Program.objects.for_org(organization).filter(pk=program.pk).update(
        next_member_sequence=program.next_member_sequence + len(guest_ids)
    )
    return numbers


def _timed(function, repetitions):
    for _ in range(5):  # warm-up: connections, plans, caches
        function(0)
    samples = []
    for i in range(repetitions):
        started = time.perf_counter()
        function(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(scale, *, guests=None):
    size = dict(SIZES[scale])
    if guests:
        size.update(main=guests, other_guests=max(1, guests // 10), stays=guests * 5)
    figures = []
    with bench.temporary_database("search"):
        main, main_hotels = _organization("bench-main", "Bench Main Group")
        started = time.perf_counter()
        _load(main, main_hotels, size["main"], 1)
        for n in range(size["others"]):
            other, other_hotels = _organization(f"bench-other-{n}", f"Bench Other {n}")
            _load(other, other_hotels, size["other_guests"], 100 + n)
        _top_up_stays(main, size["stays"])
        phones = _add_phones(main)
        member_numbers = _add_members(main)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        counts = {
            "guests_main": GuestProfile.objects.for_org(main).count(),
            "stays_main": Stay.objects.for_org(main).count(),
            "guests_all": GuestProfile.objects.all_tenants_unscoped().count(),
            "contacts_main": GuestContact.objects.for_org(main).count(),
            "members_main": len(member_numbers),
        }
        print(f"  loaded in {time.perf_counter() - started:.0f} s: {counts}", flush=True)

        user = get_user_model().objects.create_user("bench-desk", password="bench-desk-password-1")
        Membership.objects.create(organization=main, hotel=main_hotels[0], user=user, role=Role.FRONT_DESK)
        client = Client()
        client.force_login(user)

        rng = random.Random(7)
        sample_guests = list(
            GuestProfile.objects.for_org(main)
            .order_by("?")
            .values_list("id", "family_name", "given_name")[:REPETITIONS]
        )
        # A name prefix as typed at the desk: the family name and the first letters of the given name.
        name_queries = [f"{family} {given[:2]}".strip() for _, family, given in sample_guests]
        phone_queries = [phones[guest_id] for guest_id, _, _ in sample_guests]
        rng.shuffle(phone_queries)
        member_queries = [member_numbers[guest_id] for guest_id, _, _ in sample_guests]
        rng.shuffle(member_queries)

        def view(query):
            response = client.get("/guests/", {"q": query}, HTTP_HX_REQUEST="true", secure=True)
            assert response.status_code == 200, response.status_code
            return response

        columns = (
            "id, organization_id, family_name, given_name, native_name, nationality, preferred_language, "
            "vip_level, is_confidential, merged_into_id"
        )

        def raw_name(query):
            """What the view asks for page 1: 51 name starts in byte order, then contained names if short."""
            from guests.models import fold_for_search

            folded = fold_for_search(query)
            upper = folded[:-1] + chr(ord(folded[-1]) + 1)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {columns} FROM guests_guestprofile WHERE organization_id = %s AND merged_into_id IS NULL "
                    'AND search_name COLLATE "C" >= %s AND search_name COLLATE "C" < %s '
                    'ORDER BY search_name COLLATE "C", id LIMIT 51',
                    [main.pk, folded, upper],
                )
                rows = cursor.fetchall()
                if len(rows) < 51:
                    cursor.execute(
                        f"SELECT {columns} FROM guests_guestprofile WHERE organization_id = %s AND merged_into_id IS NULL "
                        'AND search_name LIKE %s AND NOT (search_name COLLATE "C" >= %s AND search_name COLLATE "C" < %s) '
                        'ORDER BY search_name COLLATE "C", id LIMIT %s',
                        [
                            main.pk,
                            "%" + folded.replace("%", r"\%").replace("_", r"\_") + "%",
                            folded,
                            upper,
                            51 - len(rows),
                        ],
                    )
                    rows += cursor.fetchall()
                return rows

        def raw_phone(query):
            _normalised, index = contact_blind_index("phone", query)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT g.id, g.family_name, g.given_name, g.native_name FROM guests_guestprofile g "
                    "JOIN guests_guestcontact c ON c.guest_id = g.id "
                    "WHERE c.organization_id = %s AND c.kind = 'phone' AND c.blind_index = %s AND g.organization_id = %s",
                    [main.pk, index, main.pk],
                )
                return cursor.fetchall()

        def raw_member(query):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT g.id, g.family_name, g.given_name, g.native_name FROM guests_guestprofile g "
                    "JOIN loyalty_membership m ON m.guest_id = g.id "
                    "WHERE m.organization_id = %s AND m.member_number = %s AND g.organization_id = %s",
                    [main.pk, query, main.pk],
                )
                return cursor.fetchall()

        # Both paths must find the guest, or the comparison is void.
        by_phone = {phones[guest_id]: family for guest_id, family, _ in sample_guests}
        for query in phone_queries[:5]:
            assert raw_phone(query), f"raw SQL found no guest for {query}"
            assert by_phone[query] in view(query).content.decode(), f"the view found no guest for {query}"
        by_member = {member_numbers[guest_id]: family for guest_id, family, _ in sample_guests}
        for query in member_queries[:5]:
            assert raw_member(query), f"raw SQL found no guest for member number {query}"
            assert by_member[query] in view(query).content.decode(), (
                f"the view found no guest for member number {query}"
            )
        for query, (_, family, _) in list(zip(name_queries, sample_guests))[:5]:
            assert raw_name(query), f"raw SQL found no guest for {query!r}"
            assert family in view(query).content.decode(), f"the view found no guest for {query!r}"

        for figure, queries, raw in (
            ("name_prefix", name_queries, raw_name),
            ("phone", phone_queries, raw_phone),
            ("member_number", member_queries, raw_member),
        ):
            view_ms = _timed(lambda i: view(queries[i % len(queries)]), REPETITIONS)
            raw_ms = _timed(lambda i: raw(queries[i % len(queries)]), REPETITIONS)
            p95_view, p95_raw = bench.percentile(view_ms, 0.95), bench.percentile(raw_ms, 0.95)
            print(
                f"  {figure}: view p50 {bench.p50(view_ms):.1f} ms p95 {p95_view:.1f} ms; "
                f"raw SQL p50 {bench.p50(raw_ms):.2f} ms p95 {p95_raw:.2f} ms",
                flush=True,
            )
            figures.append(
                bench.Figure(
                    "guest_search",
                    f"{figure}_p95",
                    p95_view,
                    "ms",
                    p95_raw,
                    f"<{TARGET_MS:.0f}ms",
                    p95_view < TARGET_MS,
                )
            )
        if scale == "full" and not guests:
            bench.write_results(
                "guest_search",
                scale=scale,
                figures=figures,
                details={
                    **counts,
                    "repetitions": REPETITIONS,
                    "layer": "guest list view, HTMX fragment, Django test client",
                },
            )
    return figures


bench.register("guest_search", QUESTION, run)
