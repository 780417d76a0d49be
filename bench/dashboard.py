"""How long does a manager wait for the dashboard over 12 months of a big group?

Data: one organization with the issue's 1,000,000 guests and 5,000,000 stays (full scale) from
the demo generator (COPY), over two hotels in different time zones, plus 500,000 complaints
generated set-based on the server, and a loyalty membership for every guest with 20 ledger
entries each (20,000,000 at full scale; earns and redemptions over two years, split between the
hotels), generated as `bench loyalty` does. The dashboard is measured through its view (Django test
client, logged-in manager for one hotel, group admin for the whole group), reading the rollups;
the baseline is the raw-SQL aggregation of the same figures over the raw tables (stays with the
first-stay test, complaints and ledger entries in local days), in the same run. The rollup rebuild (all days, RFM
included) and the nightly refresh of one hotel (60 local days) are timed too, each against the
plain raw aggregation of the same rows.
"""

import datetime
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

import bench
from bench.guest_search import _load, _organization, _top_up_stays
from bench.loyalty import _create_indexes, _drop_ledger_indexes, load_members_and_ledger
from hotelcrm.models import Membership, Role
from reports import rollups, services
from reports.selectors import previous_period

QUESTION = "How long does a manager wait for the dashboard over 12 months of a big group?"
SIZES = {
    "small": {"guests": 20_000, "stays": 100_000, "complaints": 10_000},
    "full": {"guests": 1_000_000, "stays": 5_000_000, "complaints": 500_000},
}
TARGET_MS = 300.0
TARGET_RATIO = 20.0
REPETITIONS = 30

COMPLAINTS_SQL = """
    INSERT INTO complaints_complaint (organization_id, hotel_id, guest_name, channel, category, subcategory, severity,
        room_number, description, guest_wish, status, received_at, acknowledge_due_at, resolve_due_at, hard_due_at,
        acknowledged_at, resolved_at, closed_at, cancel_reason, reopen_count, outcome, response_language, response_text,
        satisfaction, satisfaction_comment, satisfaction_source, is_flagged, root_cause, corrective_action, is_malicious,
        is_suggestion_adopted, created_at, updated_at, version)
    SELECT %(org)s, CASE WHEN n %% 2 = 0 THEN %(h0)s ELSE %(h1)s END, 'Bench guest',
           (ARRAY['in_person','phone','email','online_review','survey'])[1 + n %% 5],
           (ARRAY['facility','service','hygiene','lost_property','attitude','price_billing','communication','other'])[1 + n %% 8],
           '', (ARRAY['low','medium','high','critical'])[1 + n %% 4], '', 'Generated', '',
           CASE WHEN n %% 10 = 0 THEN 'received' ELSE 'closed' END,
           t, t + interval '30 minutes', t + interval '24 hours', t + interval '48 hours',
           CASE WHEN n %% 10 = 0 THEN NULL ELSE t + (n %% 90) * interval '1 minute' END,
           CASE WHEN n %% 10 = 0 THEN NULL ELSE t + (n %% 40) * interval '1 hour' END,
           CASE WHEN n %% 10 = 0 THEN NULL ELSE t + (n %% 40 + 1) * interval '1 hour' END,
           '', (n %% 17 = 0)::int, CASE WHEN n %% 3 = 0 THEN 'justified' ELSE 'not_justified' END, '', '',
           CASE WHEN n %% 4 = 0 THEN NULL ELSE 1 + n %% 5 END, '', '', false, '', '', false, false, t, t, 1
    FROM (SELECT n, %(now)s - (n %% 730) * interval '1 day' - (n %% 1440) * interval '1 minute' AS t
          FROM generate_series(1, %(count)s) AS n) AS g
"""


def _load_loyalty(organization, hotels):
    """A member for every guest and 20 ledger entries each, loaded as `bench loyalty` loads them:
    the ledger's indexes dropped for the load and rebuilt after it."""
    from loyalty.models import Tier
    from loyalty.services import program_ensure

    program_ensure(organization=organization)
    entry = Tier.objects.for_org(organization).get(rank=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM guests_guestprofile WHERE organization_id = %s", [organization.pk])
        (first_guest_id,) = cursor.fetchone()
    definitions = _drop_ledger_indexes()
    with transaction.atomic(), connection.cursor() as cursor:
        # Generated rows, consistent by construction: foreign-key triggers off, as pg_restore does.
        cursor.execute("SET LOCAL session_replication_role = replica")
        load_members_and_ledger(organization, hotels, entry.pk, first_guest_id=first_guest_id)
    _create_indexes(definitions)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('loyalty_ledgerentry', 'id'), (SELECT MAX(id) FROM loyalty_ledgerentry))"
        )
        cursor.execute("VACUUM ANALYZE loyalty_ledgerentry")
        cursor.execute("VACUUM ANALYZE loyalty_membership")


def _timed(function, repetitions, warmup=3):
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _once(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def run(scale, *, guests=None):
    size = dict(SIZES[scale])
    if guests:
        size.update(guests=guests, stays=guests * 5, complaints=guests // 2)
    from django.conf import settings

    # Measure as production runs: no query log, no debug cursor wrapper.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    figures = []
    with bench.temporary_database("dashboard"):
        organization, hotels = _organization("bench-dash", "Bench Dashboard Group")
        other, other_hotels = _organization("bench-dash-other", "Bench Other Group")
        started = time.perf_counter()
        _load(organization, hotels, size["guests"], 1)
        _load(other, other_hotels, max(1, size["guests"] // 10), 2)
        _top_up_stays(organization, size["stays"])
        _load_loyalty(organization, hotels)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                COMPLAINTS_SQL,
                {
                    "org": organization.pk,
                    "h0": hotels[0].pk,
                    "h1": hotels[1].pk,
                    "now": now,
                    "count": size["complaints"],
                },
            )
            cursor.execute("ANALYZE")
            cursor.execute(
                "SELECT min(arrival_on), max(arrival_on), count(*) FROM guests_stay WHERE organization_id = %s",
                [organization.pk],
            )
            first_day, last_day, stays = cursor.fetchone()
            cursor.execute(
                "SELECT count(*), min(created_at)::date FROM loyalty_ledgerentry WHERE organization_id = %s",
                [organization.pk],
            )
            ledger_entries, first_entry_day = cursor.fetchone()
        first_day = min(first_day, first_entry_day)
        first_day = min(first_day, (now - datetime.timedelta(days=800)).date())
        last_day = max(last_day, now.date())
        print(
            f"  loaded {stays} stays, {size['complaints']} complaints, {ledger_entries} ledger entries in {time.perf_counter() - started:.0f} s",
            flush=True,
        )

        # The rebuild from raw rows, against the bare aggregation of the same rows (no writes).
        rebuild_s = _once(
            lambda: services.rollups_rebuild(
                organization=organization, hotels=hotels, start=first_day, end=last_day, as_of=now.date()
            )
        )
        raw_all_s = _once(
            lambda: [
                (
                    rollups.raw_stay_rows(h, first_day, last_day),
                    rollups.raw_complaint_rows(h, first_day, last_day),
                    rollups.raw_loyalty_rows(organization.pk, h, first_day, last_day),
                )
                for h in hotels
            ]
        )
        assert not services.rollups_check(
            organization=organization, hotels=hotels[:1], start=now.date() - datetime.timedelta(days=30), end=now.date()
        )
        print(f"  rebuild {rebuild_s:.1f} s (raw aggregation alone {raw_all_s:.1f} s)", flush=True)
        local_today = timezone.localdate(now, timezone=hotels[0].tz)
        window = (
            local_today - datetime.timedelta(days=services.REFRESH_WINDOW_DAYS),
            local_today - datetime.timedelta(days=1),
        )
        nightly_s = _once(lambda: services.rollup_refresh_hotel(hotel=hotels[0], local_date=local_today))
        raw_window_s = _once(
            lambda: (
                rollups.raw_stay_rows(hotels[0], *window),
                rollups.raw_complaint_rows(hotels[0], *window),
                rollups.raw_loyalty_rows(organization.pk, hotels[0], *window),
            )
        )
        print(f"  nightly refresh of one hotel {nightly_s:.2f} s (raw aggregation {raw_window_s:.2f} s)", flush=True)

        users = {}
        for role, hotel in ((Role.MANAGER, hotels[0]), (Role.GROUP_ADMIN, hotels[0])):
            user = get_user_model().objects.create_user(f"bench-{role}", password="bench-password-1")
            Membership.objects.create(organization=organization, hotel=hotel, user=user, role=role)
            users[role] = user
        end = local_today - datetime.timedelta(days=1)
        start = end - datetime.timedelta(days=364)
        prev_start, _prev_end = previous_period(start, end)

        for figure, role, scope_hotels, params in (
            ("hotel_12m", Role.MANAGER, hotels[:1], {}),
            ("group_12m", Role.GROUP_ADMIN, hotels, {"group": "1"}),
        ):
            client = Client()
            client.force_login(users[role])

            def view():
                response = client.get(
                    "/reports/dashboard/", {"start": str(start), "end": str(end), **params}, secure=True
                )
                assert response.status_code == 200, response.status_code

            def raw():
                for hotel in scope_hotels:
                    rollups.raw_stay_rows(hotel, prev_start, end)
                    rollups.raw_complaint_rows(hotel, prev_start, end)
                    rollups.raw_loyalty_rows(organization.pk, hotel, prev_start, end)
                if len(scope_hotels) > 1:  # the group also shows entries of no hotel and members per tier
                    rollups.raw_loyalty_rows(organization.pk, None, prev_start, end)
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT tier_id, count(*) FROM loyalty_membership WHERE organization_id = %s"
                            " AND status = 'active' GROUP BY tier_id",
                            [organization.pk],
                        )
                        cursor.fetchall()

            view_ms = _timed(view, REPETITIONS)
            raw_ms = _timed(raw, max(3, REPETITIONS // 10), warmup=1)  # seconds each at full scale
            p95_view, p95_raw = bench.percentile(view_ms, 0.95), bench.percentile(raw_ms, 0.95)
            print(
                f"  {figure}: view p50 {bench.p50(view_ms):.1f} ms p95 {p95_view:.1f} ms; raw SQL p95 {p95_raw:.0f} ms "
                f"({p95_raw / p95_view:.0f}x)",
                flush=True,
            )
            figures.append(
                bench.Figure(
                    "dashboard",
                    f"{figure}_p95",
                    p95_view,
                    "ms",
                    p95_raw,
                    f"<{TARGET_MS:.0f}ms,>={TARGET_RATIO:.0f}x",
                    p95_view < TARGET_MS and p95_raw / p95_view >= TARGET_RATIO,
                )
            )
        figures.append(
            bench.Figure("dashboard", "nightly_refresh_hotel_60d", nightly_s, "s", raw_window_s, "report", True)
        )
        figures.append(bench.Figure("dashboard", "rebuild_all", rebuild_s, "s", raw_all_s, "report", True))
        if scale == "full" and not guests:
            bench.write_results(
                "dashboard",
                scale=scale,
                figures=figures,
                details={
                    "stays": stays,
                    "guests": size["guests"],
                    "complaints": size["complaints"],
                    "ledger_entries": ledger_entries,
                    "period": f"{start}..{end} (+ previous period {prev_start}..)",
                    "repetitions": REPETITIONS,
                    "layer": "dashboard view, Django test client",
                    "rebuild_days": f"{first_day}..{last_day}",
                },
            )
    return figures


bench.register("dashboard", QUESTION, run)
