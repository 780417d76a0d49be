"""How many reservation events a second does the PMS API take in on a real mix, and how fast is one event?

Two gunicorn worker processes serve the real API against PostgreSQL (a throw-away database).
First the PMS's guests arrive through the batch guest upsert (1,000 per call). Then two client
threads replay a realistic mix in batches of 1,000 events: bookings (some creating their guest
inline), modifications, check-ins, checkouts of members and non-members, cancellations and
no-shows, with duplicates (events sent twice) and late deliveries (an older event arriving after
a newer one). Then one client posts single events one after the other. The run fails on any
failed event, and at the end reconciles what it wrote: every reservation's stay in the state of
its newest event, one receipt each, and points earned exactly once per member checkout (balances
equal their ledgers).

Baselines in the same run: COPY of the same stays (and guests) into a plain table, the fastest
honest way to land the rows; and a bare DRF endpoint (same key authentication and JSON parsing,
no work) for the single-event latency.
"""

import datetime
import http.client
import io
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

from django.db import connection, transaction

import bench

QUESTION = "How many stay events a second does the PMS API take in on a real mix, and how fast is one event?"
SIZES = {
    "small": {"guests": 1_000, "reservations": 1_500, "upserts": 2_000, "singles": 50},
    "full": {"guests": 20_000, "reservations": 30_000, "upserts": 20_000, "singles": 1000},
}
BATCH = 1000
TARGET_EVENTS_PER_S = 2000.0
TARGET_COPY_RATIO = 0.25
TARGET_UPSERTS_PER_S = 2000.0
TARGET_P95_MS = 50.0
CLIENTS = 2
SEED = 19


def _seed(n_guests):
    """A hotel, its PMS key, and `n_guests` linked guests of whom every second one is a loyalty member."""
    from guests.models import GuestProfile
    from hotelcrm.models import Hotel, Organization
    from integrations.models import GuestLink, Scope
    from integrations.services import integration_key_create
    from loyalty.models import Membership, Program, Tier, member_number_for
    from loyalty.services import program_ensure

    with transaction.atomic():
        organization = Organization.objects.create(name="Bench Hotels", slug="bench-hotels")
        hotel = Hotel.objects.create(
            organization=organization, name="Bench Grand", code="bench", time_zone="Asia/Shanghai"
        )
        guests = GuestProfile.objects.bulk_create(
            [
                GuestProfile(
                    organization=organization,
                    family_name=f"Guest{i}",
                    given_name="Bench",
                    search_name=f"guest{i} bench",
                )
                for i in range(n_guests)
            ],
            batch_size=5000,
        )
        GuestLink.objects.bulk_create(
            [GuestLink(organization=organization, hotel=hotel, pms_profile_id=f"P{g.pk}", guest=g) for g in guests],
            batch_size=5000,
        )
        program = program_ensure(organization=organization)
        tier = Tier.objects.for_org(organization).order_by("rank").first()
        members = guests[::2]
        Membership.objects.bulk_create(
            [
                Membership(
                    organization=organization,
                    guest=g,
                    member_number=member_number_for(program.next_member_sequence + n),
                    joined_on=datetime.date(2026, 1, 1),
                    tier=tier,
                )
                for n, g in enumerate(members)
            ],
            batch_size=5000,
        )
        Program.objects.for_org(organization).filter(pk=program.pk).update(
            next_member_sequence=program.next_member_sequence + len(members)
        )
        _key, raw = integration_key_create(
            hotel=hotel, actor=None, name="bench PMS", scopes=list(Scope.values), rate_per_minute=10**9
        )
    return organization, hotel, [g.pk for g in guests], {g.pk for g in members}, raw


def _mix(size, guest_ids):
    """The event stream a hotel's PMS sends, and what every reservation must end as.

    Returns (events in sending order, {reservation: expected final status}, {reservation: newest
    version}, {reservation: (pms_profile_id, checked out)})."""
    rng = random.Random(SEED)
    lifecycles = (
        (0.40, ["booked", "modified", "checked_in", "checked_out"]),
        (0.08, ["booked", "checked_in", "checked_out"]),
        (0.30, ["booked", "modified", "cancelled"]),
        (0.05, ["booked", "no_show"]),
        (0.17, ["booked", "modified"]),
    )
    final_status = {
        "booked": "booked",
        "modified": "booked",
        "checked_in": "in_house",
        "checked_out": "checked_out",
        "cancelled": "cancelled",
        "no_show": "no_show",
    }
    phases = [[] for _ in range(4)]
    expected, newest, profile_of = {}, {}, {}
    base = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    for r in range(size["reservations"]):
        reservation = f"R{r}"
        roll, acc = rng.random(), 0.0
        for share, steps in lifecycles:  # noqa: B007 (the chosen lifecycle is used after the break)
            acc += share
            if roll <= acc:
                break
        is_new = rng.random() < 0.1  # a profile the PMS has not sent before: the guest comes inline
        profile = f"N{r}" if is_new else f"P{guest_ids[rng.randrange(len(guest_ids))]}"
        arrival = datetime.date(2026, 12, 1) + datetime.timedelta(days=rng.randrange(0, 120))
        nights = rng.randrange(1, 6)
        for version, event in enumerate(steps, start=1):
            body = {
                "reservation_id": reservation,
                "event": event,
                "version": version,
                "event_at": (base + datetime.timedelta(minutes=r % 600 + version * 700)).isoformat(),
                "arrival_on": arrival.isoformat(),
                "departure_on": (
                    arrival + datetime.timedelta(days=nights + (1 if event == "modified" else 0))
                ).isoformat(),
                "pms_profile_id": profile,
                "details": {
                    "room_type": "Deluxe",
                    "rate_code": "BAR",
                    "channel": rng.choice(["Direct", "OTA", "GDS"]),
                    "market_segment": rng.choice(["Corporate", "Leisure", "Groups"]),
                    "adults": rng.choice([1, 2, 2, 3]),
                    "children": rng.choice([0, 0, 1]),
                    "booked_at": (base - datetime.timedelta(days=rng.randrange(0, 90))).isoformat(),
                    "room_revenue": f"{nights * 800}.00",
                },
            }
            if is_new:
                body["guest"] = {
                    "family_name": f"Inline{r}",
                    "given_name": "New",
                    "nationality": rng.choice(["CHN", "PRT", "GB"]),
                }
            phases[min(version - 1, 3)].append(body)
        expected[reservation] = final_status[[s for s in steps if s != "modified"][-1]]
        newest[reservation] = len(steps)
        profile_of[reservation] = (profile, steps[-1] == "checked_out")
    stream = []
    for phase in phases:
        rng.shuffle(phase)
        stream.extend(phase)
    # Late deliveries: 4% of the events held back and sent after everything else (an older event
    # arriving after newer ones); duplicates: 4% sent a second time, somewhere later.
    late = [e for e in stream if rng.random() < 0.04]
    late_ids = {id(e) for e in late}
    stream = [e for e in stream if id(e) not in late_ids]
    later = {}
    for index, event in enumerate(stream):
        if rng.random() < 0.04:
            later.setdefault(rng.randrange(index, len(stream)), []).append(dict(event))
    stream = [e for index, event in enumerate(stream) for e in [event, *later.get(index, [])]]
    stream.extend(late)
    return stream, expected, newest, profile_of


class Client:
    def __init__(self, port, raw_key):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = {"Authorization": f"Bearer {raw_key}", "Content-Type": "application/json", "Host": "127.0.0.1"}

    def post(self, path, body):
        started = time.perf_counter()
        self.conn.request("POST", path, json.dumps(body), self.headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        if response.status >= 300:
            raise RuntimeError(f"{path}: {response.status} {data[:300]!r}")
        return elapsed, json.loads(data)


def _start_workers(dbname, port):
    env = {
        **os.environ,
        "DATABASE_URL": bench.database_url(dbname),
        "DJANGO_SETTINGS_MODULE": "bench._pms_settings",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hotelcrm.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=bench.REPO_DIR,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("the API workers did not start")


def _copy_baseline(organization, hotel, guest_ids, count):
    """COPY of `count` stay rows shaped like the API's into a plain table: rows/s, the floor of landing them."""
    buffer = io.StringIO()
    for i in range(count):
        buffer.write(
            f"{organization.pk}\t{hotel.pk}\t{guest_ids[i % len(guest_ids)]}\tCOPY-{i}\t2026-12-01\t2026-12-03\t"
            f"\tDeluxe\tBAR\tDirect\tbooked\t1600.00\t0\t0\t2\t0\tCorporate\t2026-11-01 00:00:00+00\t30\t"
            f"\\N\t\t2026-11-20 00:00:00+00\n"
        )
    columns = (
        "organization_id, hotel_id, guest_id, pms_reservation_id, arrival_on, departure_on, room_number, room_type,"
        " rate_code, channel, status, room_revenue, fb_revenue, other_revenue, adults, children, market_segment,"
        " booked_at, lead_days, cancelled_at, cancellation_reason, created_at"
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy_stay AS SELECT * FROM guests_stay WITH NO DATA")
        buffer.seek(0)
        started = time.perf_counter()
        with transaction.atomic():
            cursor.cursor.copy_expert(f"COPY bench_copy_stay ({columns}) FROM STDIN", buffer)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy_stay")
        assert cursor.fetchone()[0] == count
        cursor.execute("DROP TABLE bench_copy_stay")
    return count / elapsed


def _copy_guests_baseline(organization, count):
    """COPY of `count` guest rows into a plain table: rows/s."""
    buffer = io.StringIO("".join(f"{organization.pk}\tCopy{i}\tBench\tcopy{i} bench\tPT\n" for i in range(count)))
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_copy_guest (organization_id bigint, family_name text, given_name text,"
            " search_name text, nationality text)"
        )
        started = time.perf_counter()
        with transaction.atomic():
            cursor.cursor.copy_expert("COPY bench_copy_guest FROM STDIN", buffer)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy_guest")
    return count / elapsed


def _reconcile(organization, hotel, expected, newest, profile_of, members, upserted):
    """What the run wrote against what was posted: stays, receipts, points, upserted guests. A list of problems."""
    from django.db.models import Sum

    from guests.models import Stay
    from integrations.models import GuestLink, StayEventReceipt
    from loyalty.models import LedgerEntry, Membership, SourceType

    problems = []
    stays = dict(
        Stay.objects.for_hotel(hotel)
        .filter(pms_reservation_id__startswith="R")
        .values_list("pms_reservation_id", "status")
    )
    if len(stays) != len(expected):
        problems.append(f"{len(stays)} stays stored for {len(expected)} reservations")
    wrong = [r for r, status in expected.items() if stays.get(r) != status]
    if wrong:
        problems.append(
            f"{len(wrong)} stays not in their newest event's status, e.g. {wrong[0]}: "
            f"{stays.get(wrong[0])} instead of {expected[wrong[0]]}"
        )
    receipts = dict(
        StayEventReceipt.objects.for_hotel(hotel)
        .filter(pms_reservation_id__startswith="R")
        .values_list("pms_reservation_id", "last_version")
    )
    if receipts != newest:
        problems.append(f"{sum(receipts.get(r) != v for r, v in newest.items())} receipts not at the newest version")
    # Points: earned exactly once for each member's checkout, and every balance equals its ledger.
    links = dict(GuestLink.objects.for_hotel(hotel).values_list("pms_profile_id", "guest_id"))
    member_checkouts = {r for r, (profile, out) in profile_of.items() if out and links.get(profile) in members}
    stay_ids = dict(Stay.objects.for_hotel(hotel).values_list("pk", "pms_reservation_id"))
    earned = (
        LedgerEntry.objects.for_org(organization)
        .filter(source_type=SourceType.STAY)
        .values("source_id")
        .annotate(net=Sum("points"))
    )
    earned_for = {stay_ids.get(int(row["source_id"])) for row in earned if row["net"] > 0}
    if earned_for != member_checkouts:
        problems.append(f"points earned for {len(earned_for)} stays, {len(member_checkouts)} member checkouts")
    ledger = LedgerEntry.objects.for_org(organization).aggregate(total=Sum("points"))["total"] or 0
    balances = Membership.objects.for_org(organization).aggregate(total=Sum("balance"))["total"] or 0
    if ledger != balances:
        problems.append(f"balances {balances} != ledger {ledger}")
    linked = GuestLink.objects.for_hotel(hotel).filter(pms_profile_id__startswith="U").count()
    if linked != upserted:
        problems.append(f"{linked} upserted guests linked, {upserted} sent")
    return problems, len(member_checkouts)


def _batches(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def _in_parallel(batches, work):
    """Each client thread posts its share of `batches`; returns the wall time."""
    threads = [threading.Thread(target=work, args=(batches[c::CLIENTS],)) for c in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def run(scale, *, guests=None):
    size = dict(SIZES[scale])
    if guests:
        size["guests"] = guests
    figures = []
    with bench.temporary_database("pmsingest") as dbname:
        organization, hotel, guest_ids, members, raw_key = _seed(size["guests"])
        stream, expected, newest, profile_of = _mix(size, guest_ids)
        print(
            f"  seeded {len(guest_ids)} linked guests ({len(members)} members); the mix has {len(stream)} events "
            f"for {len(expected)} reservations",
            flush=True,
        )
        port = bench.free_port()
        connection.close()  # the workers get their own connections
        workers = _start_workers(dbname, port)
        failures, lock = [], threading.Lock()
        try:
            warm = Client(port, raw_key)
            for i in range(20):
                warm.post(
                    "/api/v1/guests/upsert/batch/", {"guests": [{"pms_profile_id": f"WARM-{i}", "family_name": "Warm"}]}
                )
                warm.post("/bench/bare/", {"x": i})

            # 1. The PMS's guests through the batch upsert, two clients at once.
            upserts = [
                {
                    "pms_profile_id": f"U{i}",
                    "family_name": f"Upsert{i}",
                    "given_name": "Bench",
                    "nationality": ("PRT", "CN", "gbr")[i % 3],
                    "email": f"u{i}@bench.test",
                    "vip_level": i % 3,
                }
                for i in range(size["upserts"])
            ]

            def upsert_loop(my_batches):
                client = Client(port, raw_key)
                for batch in my_batches:
                    _elapsed, body = client.post("/api/v1/guests/upsert/batch/", {"guests": batch})
                    if body["errors"]:
                        with lock:
                            failures.extend(r for r in body["results"] if r["result"] == "error")

            wall = _in_parallel(_batches(upserts, BATCH), upsert_loop)
            upserts_per_s = len(upserts) / wall
            print(
                f"  batch guest upsert: {len(upserts)} guests in {wall:.1f} s = {upserts_per_s:.0f} guests/s",
                flush=True,
            )

            # 2. The mix, in batches of 1,000 from two clients at once.
            batch_ms, results = [], {"applied": 0, "ignored": 0}

            def event_loop(my_batches):
                client = Client(port, raw_key)
                for batch in my_batches:
                    elapsed, body = client.post("/api/v1/stays/events/batch/", {"events": batch})
                    with lock:
                        batch_ms.append(elapsed * 1000)
                        results["applied"] += body["applied"]
                        results["ignored"] += body["ignored"]
                        failures.extend(r for r in body["results"] if r["result"] == "error")

            # Batches go out in stream order, two at a time: events of one reservation may be
            # applied out of order across the two, as a PMS with two senders does.
            wall = _in_parallel(_batches(stream, BATCH), event_loop)
            events_per_s = len(stream) / wall
            print(
                f"  mix: {len(stream)} events in {wall:.1f} s = {events_per_s:.0f} events/s "
                f"({results['applied']} applied, {results['ignored']} ignored as duplicate or late); "
                f"batch p50 {bench.p50(batch_ms):.0f} ms p95 {bench.percentile(batch_ms, 0.95):.0f} ms",
                flush=True,
            )

            # 3. Single events, one after the other: room moves of stays in house (a newer version each).
            single = Client(port, raw_key)
            single_ms, bare_ms = [], []
            in_house = [e for e in stream if e["event"] == "checked_in"][: size["singles"]]
            for i, event in enumerate(in_house):
                moved = {
                    **event,
                    "event": "modified",
                    "version": 100 + i,
                    "details": {**event["details"], "room_number": f"{1000 + i}"},
                }
                elapsed, body = single.post("/api/v1/stays/events/", moved)
                single_ms.append(elapsed * 1000)
                bare_ms.append(single.post("/bench/bare/", moved)[0] * 1000)
                newest[event["reservation_id"]] = 100 + i
                if body["result"] != "applied":
                    failures.append(body)
            p95_single, p95_bare = bench.percentile(single_ms, 0.95), bench.percentile(bare_ms, 0.95)
            print(
                f"  single event p50 {bench.p50(single_ms):.1f} ms p95 {p95_single:.1f} ms; "
                f"bare DRF endpoint p50 {bench.p50(bare_ms):.1f} ms p95 {p95_bare:.1f} ms",
                flush=True,
            )
        finally:
            workers.terminate()
            try:
                workers.wait(timeout=30)
            except subprocess.TimeoutExpired:
                workers.kill()
                workers.wait()
        copy_per_s = _copy_baseline(organization, hotel, guest_ids, len(expected))
        copy_guests_per_s = _copy_guests_baseline(organization, len(upserts))
        print(
            f"  COPY of the same stays into a plain table: {copy_per_s:.0f} rows/s; of the guests: "
            f"{copy_guests_per_s:.0f} rows/s",
            flush=True,
        )
        problems, member_checkouts = _reconcile(
            organization, hotel, expected, newest, profile_of, members, len(upserts)
        )
        print(
            f"  reconcile: {len(expected)} reservations, {member_checkouts} member checkouts: "
            f"{'OK' if not problems else problems}",
            flush=True,
        )
        if failures:
            raise RuntimeError(f"{len(failures)} events or guests failed, e.g. {failures[0]}")
        if problems:
            raise RuntimeError(f"the stored rows do not reconcile: {problems}")
        ratio = events_per_s / copy_per_s
        figures.append(
            bench.Figure(
                "pms_ingest",
                "mix_events_per_s",
                events_per_s,
                "events/s",
                copy_per_s,
                f">={TARGET_EVENTS_PER_S:.0f},ratio>={TARGET_COPY_RATIO}",
                events_per_s >= TARGET_EVENTS_PER_S and ratio >= TARGET_COPY_RATIO,
            )
        )
        figures.append(
            bench.Figure(
                "pms_ingest",
                "batch_upsert_guests_per_s",
                upserts_per_s,
                "rows/s",
                copy_guests_per_s,
                f">={TARGET_UPSERTS_PER_S:.0f}",
                upserts_per_s >= TARGET_UPSERTS_PER_S,
            )
        )
        figures.append(
            bench.Figure(
                "pms_ingest",
                "single_event_p95",
                p95_single,
                "ms",
                p95_bare,
                f"<{TARGET_P95_MS:.0f}",
                p95_single < TARGET_P95_MS,
            )
        )
        if scale == "full" and not guests:  # a quick or small run must not overwrite the recorded full one
            bench.write_results(
                "pms_ingest",
                scale=scale,
                figures=figures,
                details={
                    "sizes": size,
                    "events": len(stream),
                    "api_workers": 2,
                    "clients": CLIENTS,
                    "batch_p50_ms": round(bench.p50(batch_ms), 1),
                    "batch_p95_ms": round(bench.percentile(batch_ms, 0.95), 1),
                    "single_p50_ms": round(bench.p50(single_ms), 2),
                    "bare_p50_ms": round(bench.p50(bare_ms), 2),
                    "copy_stays_rows_per_s": round(copy_per_s, 1),
                    "copy_guests_rows_per_s": round(copy_guests_per_s, 1),
                    "applied": results["applied"],
                    "ignored": results["ignored"],
                    "member_checkouts": member_checkouts,
                },
            )
    return figures


bench.register("pms_ingest", QUESTION, run)
