"""How long does the nightly guest-care selection take for a million guests?

Data: 1,000,000 guests (full scale) in 5 organizations of 10 hotels each (50 hotels), with
their stays, from the demo generator (COPY); then, set-based: birth dates spread over the year,
lunar birthdays for one guest in ten, consent and an email address for most guests. Each hotel
runs three campaigns on the measured day: a birthday greeting, a festival greeting for
Chinese speakers (a Spring-Festival-sized audience) and the post-stay thank-you.

Measured: what the Celery tasks do, in-process: the dispatcher opens the 50 hotels' runs, each
run takes (the group's first run) the day's home-hotel snapshot, selects and enqueues its
deliveries (INSERT ... SELECT ... ON CONFLICT DO NOTHING, rules and frequency cap applied;
birthdays and the festival only for the guests whose home hotel it is) and its chunk tasks go
to Redis (on a queue of their own, purged afterwards). Baseline, same run: the raw SQL that
selects the same audiences (birthday and festival by home hotel, post-stay by the stay's
hotel, with consent and contact) in one statement per kind for all hotels, counting rows,
without writing anything.
"""

import datetime
import random
import time
import uuid

from django.db import connection, transaction
from django.utils import timezone

import bench
from care import services
from care.models import Campaign, CareSettings, Channel, Holiday, JobRun
from guests import demo
from guests.birth_dates import birthday_index
from hotelcrm import rls
from hotelcrm.crypto import encrypt_text
from hotelcrm.models import Hotel, Organization

QUESTION = "How long does the nightly guest-care selection (birthday + holiday + post-stay) take for a million guests?"
SIZES = {
    "small": {"organizations": 2, "hotels": 5, "guests": 50_000},
    "full": {"organizations": 5, "hotels": 10, "guests": 1_000_000},
}
TARGET_S = 60.0
TIME_ZONES = ("Asia/Shanghai", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Taipei")


def _build(size, now):
    organizations = []
    per_org = size["guests"] // size["organizations"]
    for n in range(size["organizations"]):
        organization = Organization.objects.create(
            name=f"Care Bench {n}", slug=f"care-bench-{n}", default_language="zh-hans"
        )
        hotels = [
            Hotel.objects.create(
                organization=organization,
                name=f"Care Bench {n}-{h}",
                code=f"cb{n}-{h}",
                time_zone=TIME_ZONES[h % len(TIME_ZONES)],
            )
            for h in range(size["hotels"])
        ]
        with transaction.atomic():
            demo.load_guests_and_stays(connection, organization, hotels, per_org, random.Random(f"care-{n}"), now=now)
        organizations.append((organization, hotels))
    sealed = encrypt_text("bench.guest@example.test")
    with connection.cursor() as cursor:
        # Birthdays spread evenly over the year; every tenth guest keeps a lunar birthday too.
        # The month-day is kept only as a keyed index (guests/birth_dates.py): one per organization and day.
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_birthdays (organization_id bigint, day_of_year int, birthday_index text)"
        )
        first = datetime.date(2001, 1, 1)
        cursor.executemany(
            "INSERT INTO bench_birthdays VALUES (%s, %s, %s)",
            [
                (
                    organization.pk,
                    n,
                    birthday_index(
                        organization.pk, (first + datetime.timedelta(n)).month, (first + datetime.timedelta(n)).day
                    ),
                )
                for organization, _hotels in organizations
                for n in range(365)
            ],
        )
        cursor.execute(
            "UPDATE guests_guestprofile g SET birthday_index = b.birthday_index FROM bench_birthdays b"
            " WHERE b.organization_id = g.organization_id AND b.day_of_year = g.id * 7919 % 365"
        )
        cursor.execute("DROP TABLE bench_birthdays")
        cursor.execute(
            "UPDATE guests_guestprofile SET"
            " consent_email = (id % 10 < 8), consent_sms = (id % 10 < 4), do_not_contact = (id % 53 = 0),"
            " is_confidential = (id % 97 = 0)"
        )
        cursor.execute(
            "INSERT INTO guests_specialdate (organization_id, guest_id, kind, label, calendar, month, day,"
            " is_leap_month, created_at) SELECT organization_id, id, 'birthday', '', 'lunar', 1 + id % 12,"
            " 1 + (id * 31) % 29, false, now() FROM guests_guestprofile WHERE id % 10 = 3"
        )
        cursor.execute(
            "INSERT INTO guests_guestcontact (organization_id, guest_id, kind, value, blind_index, label, is_primary,"
            " created_at) SELECT organization_id, id, 'email', %s, md5('email' || id), '', true, now()"
            " FROM guests_guestprofile WHERE id %% 20 <> 7",
            [sealed],
        )
        # As autovacuum keeps a live system's tables: statistics, visibility map, hint bits set (the
        # freshly copied rows would otherwise be rewritten by the first reads, in the measured run).
        cursor.execute("VACUUM ANALYZE")
    return organizations


def _campaigns(organizations, now):
    """Three campaigns per hotel; the festival falls on each hotel's measured day."""
    days = {}
    for organization, hotels in organizations:
        for hotel in hotels:
            day = now.astimezone(hotel.tz).date()
            days[hotel.pk] = day
            holiday, _created = Holiday.objects.for_org(organization).get_or_create(
                name=f"Festival {day.isoformat()}",
                defaults={"organization": organization, "calendar": "dated", "on_date": day, "languages": ["zh"]},
            )
            CareSettings.objects.create(
                organization=organization,
                hotel=hotel,
                send_time=datetime.time(0),
                quiet_start=datetime.time(0),
                quiet_end=datetime.time(0),
                catch_up_days=0,
            )
            Campaign.objects.bulk_create(
                [
                    Campaign(
                        organization=organization, hotel=hotel, name="Birthday", kind="birthday", channel=Channel.EMAIL
                    ),
                    Campaign(
                        organization=organization,
                        hotel=hotel,
                        name="Festival",
                        kind="holiday",
                        holiday=holiday,
                        channel=Channel.EMAIL,
                    ),
                    Campaign(
                        organization=organization,
                        hotel=hotel,
                        name="Thank you",
                        kind="post_stay",
                        days_offset=1,
                        channel=Channel.EMAIL,
                    ),
                ]
            )
    # Last month's greetings, as a live system has them (and as autovacuum has analysed them): the
    # frequency cap looks them up, outside its 7-day window.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO care_delivery (organization_id, hotel_id, campaign_id, guest_id, occasion_on, channel,"
            " is_marketing, language, status, attempts, last_error, created_at, sent_at)"
            " SELECT c.organization_id, c.hotel_id, c.id, s.guest_id, %s, 'email', true, 'en', 'sent', 1, '', %s, %s"
            " FROM care_campaign c JOIN (SELECT DISTINCT ON (guest_id) organization_id, hotel_id, guest_id"
            " FROM guests_stay WHERE guest_id %% 20 = 1 ORDER BY guest_id, arrival_on) s"
            " ON s.organization_id = c.organization_id AND s.hotel_id = c.hotel_id WHERE c.kind = 'birthday'",
            [
                (now - datetime.timedelta(days=30)).date(),
                now - datetime.timedelta(days=30),
                now - datetime.timedelta(days=30),
            ],
        )
        cursor.execute("ANALYZE care_delivery")
    # Campaign rows were made now; the service greets from their creation day on, which is today.
    return days


def _measured(now, queue):
    """The dispatcher, every run's selection and enqueueing of its chunk tasks, as the tasks do it:
    in the row-level-security context the Celery task class gives them (hotelcrm/celery.py), the
    dispatcher across organizations, each run in its organization's."""
    from care.tasks import send_chunk_tasks

    started = time.perf_counter()
    with rls.tenant_context(rls.SYSTEM):
        runs = services.care_dispatch(now=now)
    enqueued = chunks = 0
    selecting = broker = 0.0
    for run in runs:
        with rls.tenant_context(run.organization_id):
            mark = time.perf_counter()
            ranges = services.care_run_select(organization_id=run.organization_id, run_id=run.pk, now=now)
            selecting += time.perf_counter() - mark
            mark = time.perf_counter()
            send_chunk_tasks(run.organization_id, run.pk, ranges, queue=queue)
            chunks += len(ranges)
            broker += time.perf_counter() - mark
    elapsed = time.perf_counter() - started
    print(f"  of which selection + insert {selecting:.2f} s, chunk tasks to Redis {broker:.2f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM care_delivery WHERE run_id IS NOT NULL")
        (enqueued,) = cursor.fetchone()
    return elapsed, len(runs), enqueued, chunks


BASELINE_RULES = (
    "g.merged_into_id IS NULL AND NOT g.is_anonymised AND NOT g.do_not_contact AND NOT g.is_confidential"
    " AND g.status <> 'blacklisted' AND g.consent_email"
    " AND EXISTS (SELECT 1 FROM guests_guestcontact c WHERE c.organization_id = g.organization_id"
    " AND c.guest_id = g.id AND c.kind = 'email')"
)


# The guest's home hotel: the hotel of their latest stay (care.audience).
HOME = (
    "SELECT DISTINCT ON (s.organization_id, s.guest_id) s.organization_id, s.guest_id, s.hotel_id FROM guests_stay s"
    " WHERE s.status IN ('booked', 'in_house', 'checked_out')"
    " ORDER BY s.organization_id, s.guest_id, s.arrival_on DESC, s.id DESC"
)


def _baseline(day):
    """The same audiences in plain SQL, one statement per kind for all hotels, counted, nothing written."""
    statements = [
        # birthday (profile date), greeted by the guest's home hotel: the latest stay of each birthday guest
        (
            "SELECT count(*) FROM guests_guestprofile g CROSS JOIN LATERAL (SELECT s.hotel_id FROM guests_stay s"
            " WHERE s.organization_id = g.organization_id AND s.guest_id = g.id"
            " AND s.status IN ('booked', 'in_house', 'checked_out') ORDER BY s.arrival_on DESC, s.id DESC LIMIT 1) home"
            f" WHERE g.birthday_index = ANY(%s) AND {BASELINE_RULES}",
            [[birthday_index(o, day.month, day.day) for o in Organization.objects.values_list("pk", flat=True)]],
        ),
        # festival for Chinese speakers, greeted by their home hotel
        (
            f"SELECT count(*) FROM ({HOME}) home JOIN guests_guestprofile g ON g.organization_id = home.organization_id"
            " AND g.id = home.guest_id"
            f" WHERE split_part(lower(g.preferred_language), '-', 1) = 'zh' AND {BASELINE_RULES}",
            [],
        ),
        # thank-you the day after checkout, by the hotel of the stay
        (
            "SELECT count(*) FROM (SELECT DISTINCT s.hotel_id, g.id FROM guests_stay s JOIN guests_guestprofile g"
            " ON g.organization_id = s.organization_id AND g.id = s.guest_id"
            f" WHERE s.departure_on = %s AND s.status = 'checked_out' AND {BASELINE_RULES}) x",
            [day - datetime.timedelta(days=1)],
        ),
    ]
    started = time.perf_counter()
    rows = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            rows += cursor.fetchone()[0]
    return time.perf_counter() - started, rows


def run(scale, *, guests=None):
    size = dict(SIZES[scale])
    if guests:
        size["guests"] = guests
    queue = f"care-bench-{uuid.uuid4().hex[:8]}"
    with bench.temporary_database("care"):
        now = timezone.now()
        loading = time.perf_counter()
        organizations = _build(size, now)
        days = _campaigns(organizations, now)
        print(
            f"  loaded {size['guests']} guests, {sum(len(h) for _o, h in organizations)} hotels in "
            f"{time.perf_counter() - loading:.0f} s",
            flush=True,
        )
        baseline_warm = _baseline(days[organizations[0][1][0].pk])  # warm the cache for both sides
        elapsed, runs, enqueued, chunks = _measured(now, queue)
        baseline_s, baseline_rows = _baseline(days[organizations[0][1][0].pk])
        again_s, again_runs, again_total, _chunks = _measured(now, queue)
        from hotelcrm.celery import app

        with app.connection_for_write() as broker:
            broker.default_channel.queue_purge(queue)
        print(f"  nightly: {runs} runs, {enqueued} deliveries enqueued in {chunks} chunks, {elapsed:.2f} s", flush=True)
        print(
            f"  baseline raw SQL selection: {baseline_rows} rows in {baseline_s:.2f} s (warm-up {baseline_warm[0]:.2f} s)",
            flush=True,
        )
        print(
            f"  second dispatch: {again_runs} runs, total deliveries still {again_total}, {again_s:.2f} s", flush=True
        )
        if again_total != enqueued:
            raise RuntimeError("A second dispatch enqueued more deliveries: the nightly job is not idempotent.")
        assert JobRun.objects.all_tenants_unscoped().count() == runs
        rate = enqueued / elapsed if elapsed else 0.0
        baseline_rate = baseline_rows / baseline_s if baseline_s else 0.0
        figures = [
            bench.Figure(
                "care_nightly", "total_time", elapsed, "s", baseline_s, f"<{TARGET_S:.0f}s", elapsed < TARGET_S
            ),
            bench.Figure("care_nightly", "rows_per_second", rate, "rows/s", baseline_rate, "report", True),
        ]
        details = {
            "guests": size["guests"],
            "hotels": runs,
            "deliveries": enqueued,
            "chunks": chunks,
            "baseline_rows": baseline_rows,
            "second_dispatch_s": round(again_s, 3),
        }
        if scale == "full":
            bench.write_results("care_nightly", scale=scale, figures=figures, details=details)
    return figures


bench.register("care_nightly", QUESTION, run)
