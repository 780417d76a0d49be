"""How fast are the member statement, a redemption and the nightly loyalty jobs with a million members?

Data (full scale): one organization with 1,000,000 guests, each a member, and 20,000,000
ledger entries (20 a member over the last ~26 months: 16 stay earns carrying qualifying
nights / stays / spend, 4 redemptions spent FIFO from the oldest lots), plus 4 small other
organizations. Rows are generated server-side with INSERT ... SELECT generate_series (the
fastest bulk path here; faster than COPY from Python), with the ledger's secondary indexes
built after the load, the way a bulk import is done. The data is deterministic. About 40% of
members hold one lot older than 24 months: the expiry run has a month of catch-up to do.

Figures, each with a baseline measured in the same run:
- statement_p95: the member statement page (loyalty:member view, Django test client, logged-in
  front desk) vs the raw SQL of the same page (count + 50 rows with the running balance).
- redemption_throughput: points_redeem (lock, FIFO lots, allocations, audit event) one after
  another on random members vs the same writes as bare SQL statements.
- nightly_jobs_total: the expiry and tier runs through loyalty.jobs.run_job (chunked, resumable,
  run report) vs one un-chunked set-based statement per job (run first, rolled back).
"""

import datetime as _dt
import random
import time

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

import bench
from hotelcrm.models import Hotel, Organization, Role
from hotelcrm.models import Membership as StaffMembership

QUESTION = "How fast are the member statement, a redemption and the nightly loyalty jobs with a million members?"
SIZES = {
    "small": {"members": 20_000, "others": 2, "other_members": 2_000},
    "full": {"members": 1_000_000, "others": 4, "other_members": 20_000},
}
ENTRIES_PER_MEMBER = 20
STATEMENT_TARGET_MS = 100.0
JOBS_TARGET_S = 300.0
REDEEM_TARGET = 10.0  # redemptions per second on one connection: far above a hotel group's desks
REPETITIONS = 60
REDEMPTIONS = {"small": 300, "full": 1000}


def _not_null_defaults(table, given):
    """SQL literals for every NOT NULL column of `table` without a DB default and not in `given`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
            "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
            [table],
        )
        rows = cursor.fetchall()
    literal = {
        "text": "''",
        "character varying": "''",
        "boolean": "false",
        "integer": "0",
        "smallint": "0",
        "bigint": "0",
        "numeric": "0",
        "jsonb": "'[]'::jsonb",
        "date": "current_date",
        "timestamp with time zone": "now()",
        "ARRAY": "'{}'",
    }
    return {name: literal.get(kind, "''") for name, kind in rows if name not in given and name != "id"}


def _organization(slug, name):
    organization = Organization.objects.create(name=name, slug=slug, default_language="zh-hans")
    hotels = [
        Hotel.objects.create(organization=organization, name=f"{name} Shanghai", code="sha", time_zone="Asia/Shanghai"),
        Hotel.objects.create(organization=organization, name=f"{name} London", code="lon", time_zone="Europe/London"),
    ]
    return organization, hotels


def _load(organization, hotels, n, entry_tier_id):
    """n guests, n members, 20n ledger entries, all with generate_series."""
    org = organization.pk
    given = {
        "organization_id": f"{org}",
        "family_name": "'Member' || g",
        "given_name": "'Bench'",
        "search_name": "'member' || g || ' bench'",
        "created_at": "now()",
        "updated_at": "now()",
    }
    columns = {**given, **_not_null_defaults("guests_guestprofile", given)}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM guests_guestprofile")
        (base,) = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO guests_guestprofile ({', '.join(columns)}) "
            f"SELECT {', '.join(columns.values())} FROM generate_series(1, %s) g",
            [n],
        )
    print(f"    guests: {time.perf_counter() - started:.1f} s", flush=True)
    load_members_and_ledger(organization, [hotels[0]], entry_tier_id, first_guest_id=base + 1)


def load_members_and_ledger(organization, hotels, entry_tier_id, *, first_guest_id=1):
    """A member for each guest of the organization from `first_guest_id` on, and 20 ledger entries
    each (earns at one of `hotels`, every fifth a redemption), all with generate_series."""
    org = organization.pk
    hotel_ids = ", ".join(str(int(hotel.pk)) for hotel in hotels)
    clock = time.perf_counter()

    def lap(label):
        nonlocal clock
        now = time.perf_counter()
        print(f"    {label}: {now - clock:.1f} s", flush=True)
        clock = now

    with connection.cursor() as cursor:
        base = first_guest_id - 1
        # Member numbers: nine digits + Luhn check digit, computed in SQL from the sequence.
        cursor.execute(
            """
            INSERT INTO loyalty_membership (organization_id, guest_id, member_number, joined_on, tier_id, balance,
                status, created_at, updated_at)
            SELECT %(org)s, g.id, body || (
                (10 - (SELECT SUM(CASE WHEN (10 - i) %% 2 = 1 THEN
                        CASE WHEN substr(body, i, 1)::int * 2 > 9 THEN substr(body, i, 1)::int * 2 - 9 ELSE substr(body, i, 1)::int * 2 END
                      ELSE substr(body, i, 1)::int END) FROM generate_series(1, 9) i) %% 10) %% 10)::text,
                current_date - 900, %(tier)s, 0, 'active', now(), now()
            FROM (SELECT id, lpad((id - %(base)s + %(seq)s)::text, 9, '0') AS body FROM guests_guestprofile
                  WHERE organization_id = %(org)s AND id > %(base)s) g
        """,
            {"org": org, "tier": entry_tier_id, "base": base, "seq": 1},
        )
        cursor.execute(
            "UPDATE loyalty_program SET next_member_sequence = 1 + (SELECT count(*) FROM loyalty_membership"
            " WHERE organization_id = %s) WHERE organization_id = %s",
            [org, org],
        )
        lap("memberships")
        # 20 entries a member: k % 5 = 4 redeems half an earn; the two oldest earns are spent (FIFO).
        cursor.execute(
            f"""
            INSERT INTO loyalty_ledgerentry (organization_id, membership_id, hotel_id, kind, points, remaining, expires_on,
                source_type, source_id, idempotency_key, qualifying_nights, qualifying_stays, qualifying_spend, reason,
                details, actor_id, created_at, business_on)
            SELECT %(org)s, m.id, (ARRAY[%(hotels)s])[1 + (m.id + k) % %(hotel_count)s],
                   CASE WHEN k % 5 = 4 THEN 'redeem' ELSE 'earn' END,
                   CASE WHEN k % 5 = 4 THEN -p / 2 ELSE p END,
                   CASE WHEN k % 5 = 4 OR k < 2 THEN 0 ELSE p END,
                   CASE WHEN k % 5 = 4 THEN NULL ELSE (ts::date + 730) END,
                   CASE WHEN k % 5 = 4 THEN 'reward_order' ELSE 'stay' END,
                   (m.id * 20 + k)::text, 'b:' || m.id || ':' || k,
                   CASE WHEN k % 5 = 4 THEN 0 ELSE 1 + (m.id + k) % 4 END,
                   CASE WHEN k % 5 = 4 THEN 0 ELSE 1 END,
                   CASE WHEN k % 5 = 4 THEN 0 ELSE 400 + ((m.id * 7 + k * 13) % 20) * 100 END,
                   '', '{{}}'::jsonb, NULL, ts, ts::date
            FROM (SELECT id, 50 + (id % 10) * 10 AS p FROM loyalty_membership WHERE organization_id = %(org)s) m
            CROSS JOIN generate_series(0, {ENTRIES_PER_MEMBER - 1}) k
            CROSS JOIN LATERAL (SELECT now() - make_interval(days => 790 - k * 41 + (m.id % 37)::int) AS ts) t
        """.replace("%(org)s", str(int(org)))
            .replace("%(hotels)s", hotel_ids)
            .replace("%(hotel_count)s", str(len(hotels)))
        )  # no params: % is modulo
        lap("ledger")
        cursor.execute(
            """
            UPDATE loyalty_membership m SET balance = t.total, last_activity_on = t.last_day
            FROM (SELECT membership_id, SUM(points) AS total, MAX(business_on) AS last_day
                  FROM loyalty_ledgerentry WHERE organization_id = %s GROUP BY membership_id) t
            WHERE m.id = t.membership_id AND m.organization_id = %s
        """,
            [org, org],
        )
        lap("balances")


def _drop_ledger_indexes():
    """Every secondary index and unique constraint of the ledger, dropped for the bulk load;
    returns the statements that rebuild them."""
    rebuild = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'loyalty_ledgerentry'::regclass AND contype = 'u'"
        )
        for name, definition in cursor.fetchall():
            rebuild.append(f'ALTER TABLE loyalty_ledgerentry ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(f'ALTER TABLE loyalty_ledgerentry DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'loyalty_ledgerentry' "
            "AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'loyalty_ledgerentry'::regclass)"
        )
        for name, definition in cursor.fetchall():
            rebuild.append(definition)
            cursor.execute(f'DROP INDEX "{name}"')
    return rebuild


def _create_indexes(definitions):
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")


def _timed(function, repetitions, warmup=5):
    for i in range(warmup):
        function(i)
    samples = []
    for i in range(repetitions):
        started = time.perf_counter()
        function(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


RAW_STATEMENT_COUNT = "SELECT count(*) FROM loyalty_ledgerentry WHERE organization_id = %s AND membership_id = %s"
RAW_STATEMENT_PAGE = """
SELECT id, created_at, kind, points, remaining, expires_on, source_type, source_id, reason, hotel_id, details, running
FROM (SELECT e.*, SUM(points) OVER (ORDER BY created_at, id) AS running FROM loyalty_ledgerentry e
      WHERE organization_id = %s AND membership_id = %s) s
ORDER BY created_at DESC, id DESC LIMIT 50
"""

RAW_REDEEM = [
    ("SELECT id, balance FROM loyalty_membership WHERE organization_id = %(org)s AND id = %(m)s FOR UPDATE", False),
    (
        "INSERT INTO loyalty_ledgerentry (organization_id, membership_id, kind, points, remaining, source_type, source_id, "
        "idempotency_key, qualifying_nights, qualifying_stays, qualifying_spend, reason, details, created_at, business_on) "
        "VALUES (%(org)s, %(m)s, 'redeem', -%(p)s, 0, 'reward_order', '', %(key)s, 0, 0, 0, '', '{}', now(), current_date) RETURNING id",
        True,
    ),
    (
        "SELECT id, remaining FROM loyalty_ledgerentry WHERE organization_id = %(org)s AND membership_id = %(m)s "
        "AND remaining > 0 ORDER BY expires_on, id LIMIT 1",
        True,
    ),
    ("UPDATE loyalty_ledgerentry SET remaining = remaining - %(p)s WHERE id = %(lot)s", False),
    (
        "INSERT INTO loyalty_ledgerallocation (organization_id, debit_id, lot_id, points) VALUES (%(org)s, %(debit)s, %(lot)s, %(p)s)",
        False,
    ),
    (
        "UPDATE loyalty_membership SET balance = balance - %(p)s, last_activity_on = current_date "
        "WHERE organization_id = %(org)s AND id = %(m)s",
        False,
    ),
]


def run(scale, *, guests=None):
    quick_members = guests  # --guests N: N members (each one guest), for a quick run
    from loyalty import jobs, services
    from loyalty.models import JobKind, LedgerEntry, Membership, Tier

    size = dict(SIZES[scale])
    if quick_members:
        size.update(members=quick_members, other_members=max(1, quick_members // 10))
    figures, details = [], {}
    with bench.temporary_database("loyalty"):
        main, main_hotels = _organization("bench-loyalty", "Bench Loyalty Group")
        others = [_organization(f"bench-loyalty-{n}", f"Bench Other {n}") for n in range(size["others"])]
        started = time.perf_counter()
        definitions = _drop_ledger_indexes()
        for organization, hotels in [(main, main_hotels), *others]:
            services.program_ensure(organization=organization)
            entry = Tier.objects.for_org(organization).get(rank=0)
            n = size["members"] if organization.pk == main.pk else size["other_members"]
            with transaction.atomic(), connection.cursor() as cursor:
                # Bulk load: foreign-key checks off for these generated rows (they are consistent by
                # construction, and checked below by the balance check), as pg_restore does.
                cursor.execute("SET LOCAL session_replication_role = replica")
                _load(organization, hotels, n, entry.pk)
            print(f"  loaded {organization.slug}: {n} members in {time.perf_counter() - started:.0f} s", flush=True)
        load_s = time.perf_counter() - started
        _create_indexes(definitions)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('loyalty_ledgerentry', 'id'), (SELECT MAX(id) FROM loyalty_ledgerentry))"
            )
            # What autovacuum does to a loaded table: statistics, and the visibility map index-only scans need.
            cursor.execute("VACUUM ANALYZE loyalty_ledgerentry")
            cursor.execute("VACUUM ANALYZE loyalty_membership")
            cursor.execute("ANALYZE")
        index_s = time.perf_counter() - started - load_s
        from loyalty.models import luhn_is_valid

        assert all(
            luhn_is_valid(number)
            for number in Membership.objects.for_org(main).values_list("member_number", flat=True)[:1000]
        )
        counts = {
            "members_main": Membership.objects.for_org(main).count(),
            "entries_main": LedgerEntry.objects.for_org(main).count(),
            "entries_all": LedgerEntry.objects.all_tenants_unscoped().count(),
        }
        details.update(counts, load_seconds=round(load_s, 1), index_seconds=round(index_s, 1))
        print(f"  loaded in {load_s:.0f} s, indexes in {index_s:.0f} s: {counts}", flush=True)

        # --- statement page ---
        user = get_user_model().objects.create_user("bench-desk", password="bench-desk-password-1")
        StaffMembership.objects.create(organization=main, hotel=main_hotels[0], user=user, role=Role.FRONT_DESK)
        client = Client(HTTP_HOST="localhost")  # a host every configuration allows
        client.force_login(user)
        rng = random.Random(11)
        ids = list(Membership.objects.for_org(main).values_list("pk", flat=True).order_by("pk"))
        sample = [ids[rng.randrange(len(ids))] for _ in range(REPETITIONS + 10)]

        def view(i):
            response = client.get(f"/loyalty/members/{sample[i % len(sample)]}/")
            assert response.status_code == 200, response.status_code

        def raw(i):
            with connection.cursor() as cursor:
                cursor.execute(RAW_STATEMENT_COUNT, [main.pk, sample[i % len(sample)]])
                cursor.fetchone()
                cursor.execute(RAW_STATEMENT_PAGE, [main.pk, sample[i % len(sample)]])
                assert len(cursor.fetchall()) == 20

        view_ms, raw_ms = _timed(view, REPETITIONS), _timed(raw, REPETITIONS)
        p95_view, p95_raw = bench.percentile(view_ms, 0.95), bench.percentile(raw_ms, 0.95)
        print(
            f"  statement: view p50 {bench.p50(view_ms):.1f} ms p95 {p95_view:.1f} ms; raw p50 {bench.p50(raw_ms):.2f} ms "
            f"p95 {p95_raw:.2f} ms",
            flush=True,
        )
        figures.append(
            bench.Figure(
                "loyalty",
                "statement_p95",
                p95_view,
                "ms",
                p95_raw,
                f"<{STATEMENT_TARGET_MS:.0f}ms",
                p95_view < STATEMENT_TARGET_MS,
            )
        )

        # --- redemptions ---
        count = REDEMPTIONS[scale]
        members = {m.pk: m for m in Membership.objects.for_org(main).filter(pk__in=rng.sample(ids, count * 2))}
        order = list(members)
        started = time.perf_counter()
        for i, pk in enumerate(order[:count]):
            services.points_redeem(membership=members[pk], points=10, idempotency_key=f"bench-redeem-{i}")
        service_rate = count / (time.perf_counter() - started)
        started = time.perf_counter()
        for i, pk in enumerate(order[count : count * 2]):
            with transaction.atomic(), connection.cursor() as cursor:
                params = {"org": main.pk, "m": pk, "p": 10, "key": f"bench-raw-{i}"}
                for sql, fetch in RAW_REDEEM:
                    cursor.execute(sql, params)
                    if fetch:
                        row = cursor.fetchone()
                        params["debit" if "debit" not in params else "lot"] = row[0]
        raw_rate = count / (time.perf_counter() - started)
        print(f"  redemptions: service {service_rate:.0f}/s, raw SQL {raw_rate:.0f}/s", flush=True)
        figures.append(
            bench.Figure(
                "loyalty",
                "redemption_throughput",
                service_rate,
                "events/s",
                raw_rate,
                f">{REDEEM_TARGET:.0f}/s",
                service_rate > REDEEM_TARGET,
            )
        )

        # --- nightly jobs ---
        today = services.local_today(main.pk)
        tiers = list(Tier.objects.for_org(main))
        case, case_params = jobs._earned_case(tiers)
        program = services.program_ensure(organization=main)
        params = {
            "org": main.pk,
            "today": today,
            "run": "0",
            "lo": 0,
            "hi": ids[-1],
            "now": timezone.now(),
            "inactive_cutoff": None,
            "today_text": today.isoformat(),
            "window_start": _dt.datetime.combine(
                today - relativedelta(months=12), _dt.time.min, tzinfo=main_hotels[0].tz
            ),
            "valid_until": today + relativedelta(months=program.tier_validity_months),
            **case_params,
        }
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            raw_expired = jobs._expire_chunk(cursor, params)
            cursor.execute(jobs.TIER_SQL.format(earned_case=case), params)
            raw_tiers = cursor.fetchone()
            transaction.set_rollback(True)
        raw_s = time.perf_counter() - started
        started = time.perf_counter()
        expiry = jobs.run_job(organization_id=main.pk, job=JobKind.EXPIRY, local_date=today)
        expiry_s = time.perf_counter() - started
        tiers_run = jobs.run_job(organization_id=main.pk, job=JobKind.TIERS, local_date=today)
        jobs_s = time.perf_counter() - started
        print(
            f"  nightly jobs: expiry {expiry_s:.1f} s ({expiry.members_changed} members, {expiry.points} points), "
            f"tiers {jobs_s - expiry_s:.1f} s ({tiers_run.report}); raw one-statement baseline {raw_s:.1f} s "
            f"(expired {raw_expired}, tiers {raw_tiers})",
            flush=True,
        )
        print(
            f"  seconds per statement (baseline and runs): { ({k: round(v, 1) for k, v in jobs.STEP_SECONDS.items()}) }",
            flush=True,
        )
        details["seconds_per_statement"] = {k: round(v, 1) for k, v in jobs.STEP_SECONDS.items()}
        assert expiry.members_changed == raw_expired[1], (expiry.members_changed, raw_expired)
        figures.append(
            bench.Figure(
                "loyalty", "nightly_jobs_total", jobs_s, "s", raw_s, f"<{JOBS_TARGET_S:.0f}s", jobs_s < JOBS_TARGET_S
            )
        )
        from loyalty.selectors import balance_drift

        drift = balance_drift(organization_id=main.pk)
        assert not drift, drift[:5]
        details.update(
            expiry_seconds=round(expiry_s, 1),
            tiers_seconds=round(jobs_s - expiry_s, 1),
            expired_members=expiry.members_changed,
            expired_points=expiry.points,
            tier_report=tiers_run.report,
            repetitions=REPETITIONS,
            redemptions=count,
            balance_drift_after=len(drift),
            statement_layer="loyalty:member view, Django test client",
            redemption_layer="loyalty.services.points_redeem, one connection, sequential",
            jobs_layer="loyalty.jobs.run_job (chunks of 50,000 members), as the Celery task calls it",
        )
        if scale == "full" and not quick_members:
            bench.write_results("loyalty", scale=scale, figures=figures, details=details)
    return figures


bench.register("loyalty", QUESTION, run)
