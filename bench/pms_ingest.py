"""How many reservation events a second does the PMS API take in, and how long does one event take?

Two gunicorn worker processes serve the real API against PostgreSQL (a throw-away database);
two client threads post batches of 1,000 `booked` events (new reservations of linked guests)
as fast as the workers answer; then one client posts single `checked_in` events one after the
other. Baselines in the same run: the same stay rows inserted by raw SQL (executemany in one
transaction) for the batch figure, and a bare DRF endpoint (same key authentication and JSON
parsing, no work) for the single-event latency.
"""
import datetime
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

from django.db import connection, transaction
from django.utils import timezone

import bench

QUESTION = "How many stay events a second does the PMS API take in, and how fast is one event?"
SIZES = {
    "small": {"guests": 1_000, "batches": 2, "batch_size": 1000, "singles": 50},
    "full": {"guests": 20_000, "batches": 40, "batch_size": 1000, "singles": 1000},
}
TARGET_EVENTS_PER_S = 1000.0
TARGET_P95_MS = 100.0
CLIENTS = 2


def _seed(n_guests):
    from guests.models import GuestProfile
    from hotelcrm.models import Hotel, Organization
    from integrations.models import GuestLink
    from integrations.services import integration_key_create
    from integrations.models import Scope

    with transaction.atomic():
        organization = Organization.objects.create(name="Bench Hotels", slug="bench-hotels")
        hotel = Hotel.objects.create(organization=organization, name="Bench Grand", code="bench", time_zone="Asia/Shanghai")
        guests = GuestProfile.objects.bulk_create([
            GuestProfile(organization=organization, family_name=f"Guest{i}", given_name="Bench", search_name=f"guest{i} bench")
            for i in range(n_guests)
        ], batch_size=5000)
        GuestLink.objects.bulk_create([
            GuestLink(organization=organization, hotel=hotel, pms_profile_id=f"P{g.pk}", guest=g) for g in guests
        ], batch_size=5000)
        _key, raw = integration_key_create(hotel=hotel, actor=None, name="bench PMS", scopes=list(Scope.values),
                                           rate_per_minute=10**9)
    return organization, hotel, [g.pk for g in guests], raw


def _event(reservation, guest_pk, event="booked", version=1, day=0):
    arrival = datetime.date(2026, 12, 1) + datetime.timedelta(days=day % 200)
    return {"reservation_id": reservation, "event": event, "version": version,
            "event_at": f"2026-11-20T08:{version:02d}:00Z", "arrival_on": arrival.isoformat(),
            "departure_on": (arrival + datetime.timedelta(days=2)).isoformat(), "pms_profile_id": f"P{guest_pk}",
            "details": {"room_type": "Deluxe", "rate_code": "BAR", "room_revenue": "1200.00"}}


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
    env = {**os.environ, "DATABASE_URL": bench.database_url(dbname), "DJANGO_SETTINGS_MODULE": "bench._pms_settings",
           "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "hotelcrm.wsgi:application",
         "--workers", "2", "--bind", f"127.0.0.1:{port}", "--timeout", "600", "--log-level", "warning"],
        env=env, cwd=bench.REPO_DIR,
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


def _raw_sql_baseline(organization, hotel, guest_ids, count):
    """The same stay rows (and their receipts) inserted by raw SQL in one transaction: events/s."""
    now = timezone.now()
    stays = [(organization.pk, hotel.pk, guest_ids[i % len(guest_ids)], f"RAW-{i}", datetime.date(2026, 12, 1),
              datetime.date(2026, 12, 3), "", "Deluxe", "BAR", "", "booked", 1200, 0, 0, now) for i in range(count)]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO guests_stay (organization_id, hotel_id, guest_id, pms_reservation_id, arrival_on, departure_on,"
            " room_number, room_type, rate_code, channel, status, room_revenue, fb_revenue, other_revenue, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", stays)
        cursor.execute(
            "INSERT INTO integrations_stayeventreceipt (organization_id, hotel_id, pms_reservation_id, stay_id,"
            " last_version, last_event_at, last_event, updated_at)"
            " SELECT organization_id, hotel_id, pms_reservation_id, id, 1, now(), 'booked', now() FROM guests_stay"
            " WHERE organization_id = %s AND pms_reservation_id LIKE 'RAW-%%'", [organization.pk])
    return count / (time.perf_counter() - started)


def run(scale, *, guests=None):
    size = dict(SIZES[scale])
    if guests:
        size["guests"] = guests
    figures = []
    with bench.temporary_database("pmsingest") as dbname:
        organization, hotel, guest_ids, raw_key = _seed(size["guests"])
        print(f"  seeded {len(guest_ids)} linked guests", flush=True)
        port = bench.free_port()
        connection.close()  # the workers get their own connections
        workers = _start_workers(dbname, port)
        try:
            warm = Client(port, raw_key)
            for i in range(20):
                warm.post("/api/v1/stays/events/", _event(f"WARM-{i}", guest_ids[i % len(guest_ids)]))
                warm.post("/bench/bare/", {"x": i})
            # 1. Batches from two clients at once.
            batches = [
                [_event(f"B{b}-{i}", guest_ids[(b * size["batch_size"] + i) % len(guest_ids)], day=i)
                 for i in range(size["batch_size"])]
                for b in range(size["batches"])
            ]
            batch_ms, errors = [], []

            def client_loop(my_batches):
                client = Client(port, raw_key)
                for batch in my_batches:
                    elapsed, body = client.post("/api/v1/stays/events/batch/", {"events": batch})
                    batch_ms.append(elapsed * 1000)
                    if body["errors"]:
                        errors.append(body["results"][0])

            threads = [threading.Thread(target=client_loop, args=(batches[c::CLIENTS],)) for c in range(CLIENTS)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
            total = size["batches"] * size["batch_size"]
            events_per_s = total / wall
            if errors:
                print(f"  batch errors, e.g. {errors[0]}", flush=True)
            print(f"  batches: {total} events in {wall:.1f} s = {events_per_s:.0f} events/s; "
                  f"batch p50 {bench.p50(batch_ms):.0f} ms p95 {bench.percentile(batch_ms, 0.95):.0f} ms", flush=True)
            # 2. Single events, one after the other: check-ins of the reservations just booked.
            single = Client(port, raw_key)
            single_ms, bare_ms = [], []
            for i in range(size["singles"]):
                event = _event(f"B0-{i}", guest_ids[i % len(guest_ids)], event="checked_in", version=2, day=i)
                single_ms.append(single.post("/api/v1/stays/events/", event)[0] * 1000)
                bare_ms.append(single.post("/bench/bare/", event)[0] * 1000)
            p95_single, p95_bare = bench.percentile(single_ms, 0.95), bench.percentile(bare_ms, 0.95)
            print(f"  single event p50 {bench.p50(single_ms):.1f} ms p95 {p95_single:.1f} ms; "
                  f"bare DRF endpoint p50 {bench.p50(bare_ms):.1f} ms p95 {p95_bare:.1f} ms", flush=True)
            # 3. The bare endpoint's throughput from two clients: the framework floor.
            bare_count = 200 if scale == "small" else 2000

            def bare_loop(n):
                client = Client(port, raw_key)
                for i in range(n):
                    client.post("/bench/bare/", {"i": i})

            threads = [threading.Thread(target=bare_loop, args=(bare_count // CLIENTS,)) for _ in range(CLIENTS)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            bare_rps = bare_count / (time.perf_counter() - started)
            print(f"  bare DRF endpoint: {bare_rps:.0f} requests/s with {CLIENTS} clients", flush=True)
        finally:
            workers.terminate()
            try:
                workers.wait(timeout=30)
            except subprocess.TimeoutExpired:
                workers.kill()
                workers.wait()
        raw_per_s = _raw_sql_baseline(organization, hotel, guest_ids, min(total, 20_000))
        print(f"  raw SQL inserts of the same rows: {raw_per_s:.0f} rows/s", flush=True)
        figures.append(bench.Figure("pms_ingest", "batch_events_per_s", events_per_s, "events/s", raw_per_s,
                                    f">={TARGET_EVENTS_PER_S:.0f}", events_per_s >= TARGET_EVENTS_PER_S))
        figures.append(bench.Figure("pms_ingest", "single_event_p95", p95_single, "ms", p95_bare,
                                    f"<{TARGET_P95_MS:.0f}", p95_single < TARGET_P95_MS))
        if scale == "full" and not guests:  # a quick or small run must not overwrite the recorded full one
            bench.write_results("pms_ingest", scale=scale, figures=figures, details={
                "sizes": size, "api_workers": 2, "clients": CLIENTS, "batch_p50_ms": round(bench.p50(batch_ms), 1),
                "batch_p95_ms": round(bench.percentile(batch_ms, 0.95), 1),
                "single_p50_ms": round(bench.p50(single_ms), 2), "bare_p50_ms": round(bench.p50(bare_ms), 2),
                "bare_requests_per_s": round(bare_rps, 1), "raw_sql_rows_per_s": round(raw_per_s, 1),
                "batch_errors": len(errors),
            })
    return figures


bench.register("pms_ingest", QUESTION, run)
