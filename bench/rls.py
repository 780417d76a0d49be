"""What does row-level security cost the front desk?

Data: as `bench guest_search`, without the extra stay history: one organization of 1,000,000
guests (full scale) with about three stays each and a phone number per guest, plus 4 other
organizations of 100,000 guests, from the demo generator.

Measured through the views (Django test client, logged-in front-desk user), in the same run and
interleaved request by request, so load on the machine hits both sides alike:
- enforced: the application role the product runs as (settings.DATABASE_APP_ROLE), which the
  tenant policies bind;
- bypass: a role with the same grants and BYPASSRLS, reached through the same middleware and
  the same SET ROLE, so the only difference is whether the policies are applied.
Four requests: a name search as typed at the desk (family name and two letters), a name found
only by "contains" (the trigram tier), a phone number, and the guest's profile page.
Target: enforced p95 within 1.25x of bypass p95 for each.
"""

import random
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

import bench
from bench.guest_search import _add_phones, _load, _organization
from guests.models import GuestProfile
from hotelcrm.models import Membership, Role

QUESTION = "What does PostgreSQL row-level security cost the front-desk search and the profile page?"
SIZES = {
    "small": {"main": 50_000, "others": 4, "other_guests": 5_000},
    "full": {"main": 1_000_000, "others": 4, "other_guests": 100_000},
}
TARGET_RATIO = 1.25
REPETITIONS = 80
BYPASS_ROLE = "hotelcrm_bench_bypass"


def _create_bypass_role():
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN"
            f" IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{BYPASS_ROLE}') THEN"
            f"   CREATE ROLE {BYPASS_ROLE} NOLOGIN BYPASSRLS;"
            " END IF; END $$"
        )
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {BYPASS_ROLE}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {BYPASS_ROLE}")


def _drop_bypass_role(admin_cursor):
    admin_cursor.execute(f"DROP ROLE IF EXISTS {BYPASS_ROLE}")


def run(scale, *, guests=None):
    size = dict(SIZES[scale])
    if guests:
        size.update(main=guests, other_guests=max(1, guests // 10))
    figures = []
    enforced_role = settings.DATABASE_APP_ROLE
    with bench.temporary_database("rls"):
        main, main_hotels = _organization("bench-main", "Bench Main Group")
        started = time.perf_counter()
        _load(main, main_hotels, size["main"], 1)
        for n in range(size["others"]):
            other, other_hotels = _organization(f"bench-other-{n}", f"Bench Other {n}")
            _load(other, other_hotels, size["other_guests"], 100 + n)
        phones = _add_phones(main)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        counts = {
            "guests_main": GuestProfile.objects.for_org(main).count(),
            "guests_all": GuestProfile.objects.all_tenants_unscoped().count(),
        }
        print(f"  loaded in {time.perf_counter() - started:.0f} s: {counts}", flush=True)
        _create_bypass_role()

        user = get_user_model().objects.create_user("bench-desk", password="bench-desk-password-1")
        Membership.objects.create(organization=main, hotel=main_hotels[0], user=user, role=Role.FRONT_DESK)
        client = Client()
        client.force_login(user)

        rng = random.Random(11)
        sample = list(
            GuestProfile.objects.for_org(main)
            .order_by("?")
            .values_list("id", "family_name", "given_name")[:REPETITIONS]
        )
        requests = {
            "name_search": [
                ("/guests/", {"q": f"{family} {given[:2]}".strip()}, family) for _, family, given in sample
            ],
            # A given name alone is not the start of the search name: the "contains" tier answers.
            "contains_search": [("/guests/", {"q": given}, given) for _, _, given in sample if len(given) >= 3],
            "phone_search": [("/guests/", {"q": phones[guest_id]}, family) for guest_id, family, _ in sample],
            "profile_page": [(f"/guests/{guest_id}/", {}, family) for guest_id, family, _ in sample],
        }
        for kind in requests:
            rng.shuffle(requests[kind])

        def ask(role, path, params, expected):
            settings.DATABASE_APP_ROLE = role
            headers = {"HTTP_HX_REQUEST": "true"} if path == "/guests/" else {}
            started = time.perf_counter()
            response = client.get(path, params, secure=True, **headers)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (role, path, response.status_code)
            assert expected.lower() in response.content.decode().lower(), (role, path, params)
            return elapsed

        try:
            for kind, items in requests.items():
                for path, params, expected in items[:5]:  # warm-up: plans, caches, both roles
                    ask(enforced_role, path, params, expected)
                    ask(BYPASS_ROLE, path, params, expected)
                enforced, bypass = [], []
                for i in range(REPETITIONS):
                    path, params, expected = items[i % len(items)]
                    # Alternate which side goes first, so neither always meets the warmer cache.
                    order = ((enforced, enforced_role), (bypass, BYPASS_ROLE))
                    for samples, role in order if i % 2 == 0 else reversed(order):
                        samples.append(ask(role, path, params, expected))
                p95_enforced, p95_bypass = bench.percentile(enforced, 0.95), bench.percentile(bypass, 0.95)
                ratio = p95_enforced / p95_bypass
                print(
                    f"  {kind}: enforced p50 {bench.p50(enforced):.1f} ms p95 {p95_enforced:.1f} ms; "
                    f"bypass p50 {bench.p50(bypass):.1f} ms p95 {p95_bypass:.1f} ms; ratio {ratio:.2f}",
                    flush=True,
                )
                figures.append(
                    bench.Figure(
                        "rls",
                        f"{kind}_p95",
                        p95_enforced,
                        "ms",
                        p95_bypass,
                        f"<={TARGET_RATIO}x bypass",
                        ratio <= TARGET_RATIO,
                    )
                )
        finally:
            settings.DATABASE_APP_ROLE = enforced_role
        if scale == "full" and not guests:
            bench.write_results(
                "rls",
                scale=scale,
                figures=figures,
                details={
                    **counts,
                    "repetitions": REPETITIONS,
                    "enforced_role": enforced_role,
                    "bypass_role": BYPASS_ROLE,
                    "layer": "guest list view (HTMX fragment) and profile page, Django test client",
                },
            )
        connection.close()
    import psycopg2

    admin = psycopg2.connect(**bench._server_params(connection.settings_dict, "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            _drop_bypass_role(cursor)
    finally:
        admin.close()
    return figures


bench.register("rls", QUESTION, run)
