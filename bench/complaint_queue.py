"""How long does guest relations wait for the complaint queue, and how long does the escalation
scan take, with half a million complaints in one organization?

Data: one organization with two hotels (Shanghai, London), guests from the demo generator and
500,000 complaints (full scale) from the complaints demo generator, about 4% still open with
due times around now (some breached), the rest closed over a year; plus 4 other organizations
of 20,000 complaints each. Measured: the queue page as a guest-relations user opens it (the
view through Django's test client: open complaints by resolve due time, first page of 50 with
the page count), and the escalation scan task, idle (nothing due) and with 20 breached
complaints due. Baselines, same data, same run: the raw SQL of the page (rows + count); the
raw SELECT of due complaints; and one raw-SQL transaction that claims the due complaints and
writes their escalation rows (without the notifications and audit the task also writes).
"""

import random
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

import bench
from complaints import demo as complaints_demo
from complaints.models import Complaint
from complaints.tasks import escalate_complaints_task
from guests import demo as guests_demo
from hotelcrm.models import Hotel, Membership, Organization, Role

QUESTION = "How long do the complaint queue and the escalation scan take with 500,000 complaints in one organization?"
SIZES = {
    "small": {"main": 30_000, "others": 2, "other_complaints": 3_000, "guests": 2_000},
    "full": {"main": 500_000, "others": 4, "other_complaints": 20_000, "guests": 50_000},
}
QUEUE_TARGET_MS = 200.0
IDLE_SCAN_TARGET_MS = 50.0
DUE_SCAN_TARGET_MS = 2000.0
DUE_BATCH = 20
REPETITIONS = 60
SCAN_REPETITIONS = 20


def _organization(slug, name):
    organization = Organization.objects.create(name=name, slug=slug, default_language="zh-hans")
    hotels = [
        Hotel.objects.create(organization=organization, name=f"{name} Shanghai", code="sha", time_zone="Asia/Shanghai"),
        Hotel.objects.create(organization=organization, name=f"{name} London", code="lon", time_zone="Europe/London"),
    ]
    return organization, hotels


def _load(organization, hotels, n_complaints, n_guests, seed, now):
    rng = random.Random(f"{seed}-{organization.slug}")
    with transaction.atomic():
        if n_guests:
            guests_demo.load_guests_and_stays(connection, organization, hotels, n_guests, rng, now=now)
        guest_ids = list(organization_guest_ids(organization))
        departments, _staff = complaints_demo.departments_ensure(organization, hotels)
        complaints_demo.complaint_copy_load(
            connection,
            complaints_demo.complaint_records(
                organization, hotels, n_complaints, rng, now=now, guest_ids=guest_ids, departments=departments
            ),
        )


def organization_guest_ids(organization):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM guests_guestprofile WHERE organization_id = %s ORDER BY id LIMIT 20000", [organization.pk]
        )
        return [row[0] for row in cursor.fetchall()]


def _timed(function, repetitions, prepare=None):
    samples = []
    for i in range(repetitions + 3):
        if prepare:
            prepare()
        started = time.perf_counter()
        function(i)
        elapsed = (time.perf_counter() - started) * 1000
        if i >= 3:  # warm-up: connections, plans, caches
            samples.append(elapsed)
    return samples


def run(scale, *, complaints=None):
    size = dict(SIZES[scale])
    if complaints:
        size.update(main=complaints, other_complaints=max(1, complaints // 10))
    figures = []
    now = timezone.now()
    with bench.temporary_database("complaints"):
        main, hotels = _organization("bench-main", "Bench Main Group")
        started = time.perf_counter()
        _load(main, hotels, size["main"], size["guests"], 1, now)
        for n in range(size["others"]):
            other, other_hotels = _organization(f"bench-other-{n}", f"Bench Other {n}")
            _load(other, other_hotels, size["other_complaints"], 0, 100 + n, now)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        counts = {
            "complaints_main": Complaint.objects.for_org(main).count(),
            "complaints_all": Complaint.objects.all_tenants_unscoped().count(),
            "open_main_hotel": Complaint.objects.for_hotel(hotels[0])
            .filter(status__in=["received", "acknowledged", "in_progress"])
            .count(),
        }
        print(f"  loaded in {time.perf_counter() - started:.0f} s: {counts}", flush=True)

        # No email address: the notifications stay in the app, so nothing is queued on the broker.
        user = get_user_model().objects.create_user("bench-relations", password="bench-relations-password-1")
        Membership.objects.create(organization=main, hotel=hotels[0], user=user, role=Role.MANAGER)
        client = Client()
        client.force_login(user)

        def view(_i):
            response = client.get("/complaints/", secure=True)
            assert response.status_code == 200, response.status_code
            return response

        def raw_queue(_i):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT c.id, c.category, c.severity, c.status, c.room_number, c.guest_name, c.acknowledged_at, "
                    "c.acknowledge_due_at, c.resolve_due_at, c.hard_due_at, g.family_name, g.given_name, u.username, "
                    "d.name FROM complaints_complaint c LEFT JOIN guests_guestprofile g ON g.id = c.guest_id "
                    "LEFT JOIN auth_user u ON u.id = c.assignee_id LEFT JOIN complaints_department d "
                    "ON d.id = c.department_id WHERE c.organization_id = %s AND c.hotel_id = %s "
                    "AND c.status IN ('received', 'acknowledged', 'in_progress') "
                    "ORDER BY c.resolve_due_at, c.id LIMIT 50",
                    [main.pk, hotels[0].pk],
                )
                rows = cursor.fetchall()
                cursor.execute(
                    "SELECT count(*) FROM complaints_complaint WHERE organization_id = %s AND hotel_id = %s "
                    "AND status IN ('received', 'acknowledged', 'in_progress')",
                    [main.pk, hotels[0].pk],
                )
                cursor.fetchone()
                return rows

        first = raw_queue(0)
        assert first, "raw SQL found no open complaint"
        assert f'/complaints/{first[0][0]}/"' in view(0).content.decode(), "the page does not show the first row"
        view_ms = _timed(view, REPETITIONS)
        raw_ms = _timed(raw_queue, REPETITIONS)
        p95_view, p95_raw = bench.percentile(view_ms, 0.95), bench.percentile(raw_ms, 0.95)
        print(
            f"  queue: view p50 {bench.p50(view_ms):.1f} ms p95 {p95_view:.1f} ms; "
            f"raw SQL p50 {bench.p50(raw_ms):.2f} ms p95 {p95_raw:.2f} ms",
            flush=True,
        )
        figures.append(
            bench.Figure(
                "complaint_queue",
                "queue_p95",
                p95_view,
                "ms",
                p95_raw,
                f"<{QUEUE_TARGET_MS:.0f}ms",
                p95_view < QUEUE_TARGET_MS,
            )
        )

        # The every-minute scan when nothing is due (as if everything due had been announced).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE complaints_complaint SET next_escalation_at = NULL "
                "WHERE next_escalation_at <= now() + interval '1 hour'"
            )

        def scan(_i):
            return escalate_complaints_task.apply().get()

        def raw_due(_i):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT organization_id, id FROM complaints_complaint WHERE next_escalation_at <= now() "
                    "ORDER BY next_escalation_at LIMIT 500"
                )
                return cursor.fetchall()

        assert scan(0)["scanned"] == 0
        idle_ms = _timed(scan, REPETITIONS)
        idle_raw_ms = _timed(raw_due, REPETITIONS)
        p95_idle, p95_idle_raw = bench.percentile(idle_ms, 0.95), bench.percentile(idle_raw_ms, 0.95)
        print(f"  idle scan: task p95 {p95_idle:.2f} ms; raw SELECT p95 {p95_idle_raw:.2f} ms", flush=True)
        figures.append(
            bench.Figure(
                "complaint_queue",
                "escalation_scan_idle_p95",
                p95_idle,
                "ms",
                p95_idle_raw,
                f"<{IDLE_SCAN_TARGET_MS:.0f}ms",
                p95_idle < IDLE_SCAN_TARGET_MS,
            )
        )

        # 20 breached complaints come due each run: the task announces at risk, breach (and hard limit).
        due_ids = list(
            Complaint.objects.for_org(main)
            .filter(status__in=["received", "acknowledged", "in_progress"], resolve_due_at__lt=now)
            .order_by("pk")
            .values_list("pk", flat=True)[:DUE_BATCH]
        )
        assert len(due_ids) == DUE_BATCH, f"only {len(due_ids)} breached complaints in the data"

        def make_due():
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM complaints_escalation WHERE organization_id = %s AND complaint_id = ANY(%s)",
                    [main.pk, due_ids],
                )
                cursor.execute(
                    "DELETE FROM notifications_notification WHERE organization_id = %s "
                    "AND dedupe_key LIKE 'complaint:%%'",
                    [main.pk],
                )
                cursor.execute(
                    "UPDATE complaints_complaint SET next_escalation_at = now() - interval '1 second' "
                    "WHERE organization_id = %s AND id = ANY(%s)",
                    [main.pk, due_ids],
                )

        def raw_claim(_i):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT organization_id, hotel_id, id, received_at, resolve_due_at, hard_due_at "
                    "FROM complaints_complaint WHERE next_escalation_at <= now() ORDER BY next_escalation_at "
                    "LIMIT 500 FOR UPDATE SKIP LOCKED"
                )
                rows = cursor.fetchall()
                values = []
                for organization_id, hotel_id, pk, received, resolve, hard in rows:
                    at_risk = received + (resolve - received) * 0.75
                    for threshold, when in (("at_risk", at_risk), ("breach", resolve), ("hard_limit", hard)):
                        if when <= now:
                            values.append((organization_id, hotel_id, pk, threshold))
                if values:
                    cursor.execute(
                        "INSERT INTO complaints_escalation (organization_id, hotel_id, complaint_id, threshold, "
                        "fired_at, recipients) SELECT v.o, v.h, v.c, v.t, now(), 0 FROM unnest(%s, %s, %s, %s) "
                        "AS v(o, h, c, t) ON CONFLICT DO NOTHING",
                        [
                            [v[0] for v in values],
                            [v[1] for v in values],
                            [v[2] for v in values],
                            [v[3] for v in values],
                        ],
                    )
                cursor.execute(
                    "UPDATE complaints_complaint SET next_escalation_at = NULL WHERE id = ANY(%s)",
                    [[row[2] for row in rows]],
                )
                return len(rows)

        make_due()
        result = scan(0)
        assert result["scanned"] == DUE_BATCH and result["fired"] >= 2 * DUE_BATCH, result
        make_due()
        assert raw_claim(0) == DUE_BATCH
        due_ms = _timed(scan, SCAN_REPETITIONS, prepare=make_due)
        due_raw_ms = _timed(raw_claim, SCAN_REPETITIONS, prepare=make_due)
        p95_due, p95_due_raw = bench.percentile(due_ms, 0.95), bench.percentile(due_raw_ms, 0.95)
        print(
            f"  scan with {DUE_BATCH} due: task p95 {p95_due:.1f} ms; raw SQL claim p95 {p95_due_raw:.2f} ms",
            flush=True,
        )
        figures.append(
            bench.Figure(
                "complaint_queue",
                f"escalation_scan_{DUE_BATCH}_due_p95",
                p95_due,
                "ms",
                p95_due_raw,
                f"<{DUE_SCAN_TARGET_MS:.0f}ms",
                p95_due < DUE_SCAN_TARGET_MS,
            )
        )
        if scale == "full" and not complaints:
            bench.write_results(
                "complaint_queue",
                scale=scale,
                figures=figures,
                details={
                    **counts,
                    "repetitions": REPETITIONS,
                    "scan_repetitions": SCAN_REPETITIONS,
                    "layer": "queue view through the Django test client; escalation task run in process (apply)",
                    "due_scan_baseline": "raw SQL claim + escalation rows; the task also writes notifications and audit",
                },
            )
    return figures


bench.register("complaint_queue", QUESTION, run)
