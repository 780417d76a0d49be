"""Demo complaints: departments, a year of closed cases with root causes, and a live queue with
some cases at risk or breached. `complaint_copy_load` is also the benchmark's generator."""

import datetime
import random
from io import StringIO

from complaints import services, workflow
from complaints.models import Category, Channel, Complaint, Department, HotelComplaintSettings, Severity, SlaPolicy
from guests.models import GuestProfile
from hotelcrm.models import Membership, Role

DEPARTMENTS = ("Front office", "Housekeeping", "Engineering", "Food and beverage", "Security")
CATEGORY_DEPARTMENT = {
    Category.FACILITY: "Engineering",
    Category.HYGIENE: "Housekeeping",
    Category.LOST_PROPERTY: "Security",
    Category.SERVICE: "Front office",
    Category.ATTITUDE: "Front office",
    Category.PRICE_BILLING: "Front office",
    Category.COMMUNICATION: "Front office",
    Category.COMPENSATION: "Front office",
    Category.OTHER: "Food and beverage",
}
STORIES = {
    Category.FACILITY: (
        "Air conditioning noisy all night",
        "空调整夜噪音很大",
        "Fan bearing worn",
        "Bearings on the PM schedule",
    ),
    Category.SERVICE: (
        "Room service took 70 minutes",
        "送餐服务等了70分钟",
        "One runner on the late shift",
        "Second runner 21:00-24:00",
    ),
    Category.HYGIENE: ("Hair in the bathtub", "浴缸里有头发", "Bathroom checklist skipped", "Supervisor spot checks"),
    Category.LOST_PROPERTY: (
        "Watch left in the room safe",
        "手表遗忘在保险箱",
        "Safe not checked at check-out",
        "Safe check added to departure",
    ),
    Category.COMPENSATION: (
        "Suit damaged by the laundry",
        "洗衣房损坏西装",
        "Wrong programme chosen",
        "Care-label check before washing",
    ),
    Category.ATTITUDE: ("Reception was curt", "前台态度冷淡", "New staff under pressure", "Coaching and buddy shifts"),
    Category.PRICE_BILLING: (
        "Minibar charged twice",
        "迷你吧重复收费",
        "Manual posting error",
        "Minibar posted by scanner",
    ),
    Category.COMMUNICATION: (
        "Pool closure not announced",
        "泳池关闭未提前通知",
        "No notice to guests",
        "Closures announced on arrival",
    ),
    Category.OTHER: ("Breakfast ran out of congee", "早餐粥供应不足", "Forecast too low", "Forecast from arrivals"),
}
CATEGORY_WEIGHTS = [
    (Category.FACILITY, 22),
    (Category.SERVICE, 20),
    (Category.HYGIENE, 14),
    (Category.ATTITUDE, 10),
    (Category.PRICE_BILLING, 10),
    (Category.COMMUNICATION, 8),
    (Category.LOST_PROPERTY, 6),
    (Category.COMPENSATION, 4),
    (Category.OTHER, 6),
]
COLUMNS = (
    "organization_id",
    "hotel_id",
    "guest_id",
    "guest_name",
    "channel",
    "category",
    "subcategory",
    "severity",
    "room_number",
    "department_id",
    "assignee_id",
    "description",
    "guest_wish",
    "status",
    "received_at",
    "acknowledge_due_at",
    "resolve_due_at",
    "hard_due_at",
    "next_escalation_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "cancel_reason",
    "reopen_count",
    "outcome",
    "response_language",
    "response_text",
    "satisfaction",
    "satisfaction_comment",
    "satisfaction_source",
    "is_flagged",
    "root_cause",
    "corrective_action",
    "is_malicious",
    "is_suggestion_adopted",
    "created_by_id",
    "created_at",
    "updated_at",
    "version",
)


def _pick_category(rng):
    total = sum(w for _, w in CATEGORY_WEIGHTS)
    roll = rng.uniform(0, total)
    for category, weight in CATEGORY_WEIGHTS:
        roll -= weight
        if roll <= 0:
            return category
    return Category.OTHER


def _text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n")


def complaint_records(
    organization, hotels, n, rng, *, now, guest_ids=(), departments=None, assignees=(), open_share=0.04
):
    """Tuples in COLUMNS order. About `open_share` are still open (due times around now, some
    breached); the rest are closed over the past year with root causes."""
    clocks = {s: services.sla_clock(organization=organization, severity=s) for s in Severity.values}
    departments = departments or {}
    for i in range(n):
        hotel = hotels[i % len(hotels)]
        category = _pick_category(rng)
        severity = rng.choices(Severity.values, weights=[30, 50, 15, 5])[0]
        is_open = rng.random() < open_share
        if is_open:
            received = now - datetime.timedelta(minutes=rng.randint(5, 60 * 50))
        else:
            received = now - datetime.timedelta(minutes=rng.randint(60 * 60, 365 * 24 * 60))
        due = workflow.due_times(received_at=received, clock=clocks[severity], tz=hotel.tz)
        en, zh, cause, action = STORIES[category]
        zh_text = rng.random() < 0.5
        guest_id = rng.choice(guest_ids) if guest_ids and rng.random() < 0.8 else None
        status, acknowledged, resolved, closed, next_at = "closed", None, None, None, None
        outcome = satisfaction = None
        if is_open:
            status = rng.choice(["received", "acknowledged", "in_progress", "in_progress"])
            acknowledged = received + datetime.timedelta(minutes=rng.randint(3, 40)) if status != "received" else None
            pending = [
                when
                for _t, when in workflow.threshold_times(
                    type("C", (), {"received_at": received, **due})(), workflow.DEFAULT_AT_RISK_PERCENT
                )
                if when > now
            ]
            next_at = min(pending) if pending else None
        else:
            acknowledged = received + datetime.timedelta(minutes=rng.randint(3, 40))
            resolved = received + datetime.timedelta(hours=rng.uniform(1, 30))
            closed = resolved + datetime.timedelta(hours=rng.uniform(2, 48))
            outcome = "justified" if rng.random() < 0.7 else "not_justified"
            satisfaction = rng.choices([1, 2, 3, 4, 5], weights=[2, 3, 10, 35, 50])[0]
            if satisfaction <= 2:
                satisfaction = 3  # a low score would have reopened it
        department = departments.get((hotel.pk, CATEGORY_DEPARTMENT[category]))
        yield (
            organization.pk,
            hotel.pk,
            guest_id,
            "" if guest_id else ("王先生" if zh_text else "Walk-in guest"),
            rng.choice(Channel.values),
            category,
            "",
            severity,
            f"{rng.randint(2, 28)}{rng.randint(1, 40):02d}",
            department,
            rng.choice(assignees) if assignees else None,
            zh if zh_text else en,
            "",
            status,
            received,
            due["acknowledge_due_at"],
            due["resolve_due_at"],
            due["hard_due_at"],
            next_at,
            acknowledged,
            resolved,
            closed,
            "",
            0,
            outcome or "",
            "zh-hans" if zh_text else "en" if closed else "",
            "Thank you for telling us." if closed else "",
            satisfaction,
            "",
            "staff" if satisfaction else "",
            False,
            cause if outcome == "justified" else "",
            action if outcome == "justified" else "",
            rng.random() < 0.01 and outcome == "not_justified",
            rng.random() < 0.01,
            None,
            received,
            closed or received,
            1,
        )


def complaint_copy_load(connection, records, chunk=50_000):
    """COPY tuples from `complaint_records` into the complaints table; returns how many."""
    count = 0
    buffer = StringIO()
    with connection.cursor() as cursor:
        for record in records:
            buffer.write("\t".join(_text(v) for v in record) + "\n")
            count += 1
            if count % chunk == 0:
                buffer.seek(0)
                cursor.copy_expert(f"COPY complaints_complaint ({', '.join(COLUMNS)}) FROM STDIN", buffer)
                buffer = StringIO()
        if buffer.tell():
            buffer.seek(0)
            cursor.copy_expert(f"COPY complaints_complaint ({', '.join(COLUMNS)}) FROM STDIN", buffer)
    return count


def departments_ensure(organization, hotels):
    staff = {}
    for membership in Membership.objects.for_org(organization).select_related("user"):
        staff.setdefault((membership.hotel_id, membership.role), membership.user)
    rows = []
    for hotel in hotels:
        head = staff.get((hotel.pk, Role.MANAGER))
        for name in DEPARTMENTS:
            rows.append(Department(organization=organization, hotel=hotel, name=name, head=head))
    Department.objects.bulk_create(rows, ignore_conflicts=True)
    found = Department.objects.for_org(organization).filter(hotel__in=hotels)
    return {(d.hotel_id, d.name): d.pk for d in found}, staff


def demo_seed_extras(tenants, *, seed, now):
    for spec, organization, hotels in tenants:
        rng = random.Random(f"{seed}:complaints:{spec.slug}")
        SlaPolicy.objects.get_or_create(organization=organization)
        departments, staff = departments_ensure(organization, hotels)
        for hotel in hotels:
            HotelComplaintSettings.objects.get_or_create(
                organization=organization,
                hotel=hotel,
                defaults={"general_manager": staff.get((hotel.pk, Role.MANAGER))},
            )
        guest_ids = list(GuestProfile.objects.for_org(organization).order_by("id").values_list("id", flat=True)[:2000])
        assignee_ids = sorted(
            {u.pk for (hotel_id, role), u in staff.items() if role in (Role.GUEST_RELATIONS, Role.MANAGER)}
        )
        from django.db import connection

        complaint_copy_load(
            connection,
            complaint_records(
                organization,
                hotels,
                150 * len(hotels),
                rng,
                now=now,
                guest_ids=guest_ids,
                departments=departments,
                assignees=assignee_ids,
                open_share=0.0,
            ),
        )
        # A live queue through the services, so each case has its checklist and timeline.
        for hotel in hotels:
            desk = staff.get((hotel.pk, Role.FRONT_DESK))
            relations = staff.get((hotel.pk, Role.GUEST_RELATIONS)) or staff.get((hotel.pk, Role.MANAGER))
            for n in range(8):
                category = _pick_category(rng)
                en, zh, cause, action = STORIES[category]
                complaint = services.complaint_create(
                    hotel=hotel,
                    actor=desk,
                    category=category,
                    description=zh if n % 2 else en,
                    severity=rng.choice([Severity.MEDIUM, Severity.MEDIUM, Severity.HIGH]),
                    guest=GuestProfile.objects.for_org(organization).filter(pk=rng.choice(guest_ids)).first()
                    if guest_ids
                    else None,
                    room_number=f"{rng.randint(2, 28)}{rng.randint(1, 40):02d}",
                    assignee=relations,
                    received_at=now - datetime.timedelta(hours=rng.choice([0.2, 2, 8, 19, 26, 50])),
                )
                for action_name in ("acknowledge", "start", "resolve")[: n % 4]:
                    complaint = services.complaint_transition(
                        complaint=complaint, action=action_name, actor=relations, note=""
                    )
            _every_state(hotel, organization, desk, relations, guest_ids, rng, now)
        # What the escalation scan would have done by now: cases past their thresholds are escalated.
        due = Complaint.objects.for_org(organization).filter(next_escalation_at__lte=now).order_by("pk")
        for complaint_id in due.values_list("pk", flat=True):
            services.complaint_escalate(organization_id=organization.pk, complaint_id=complaint_id, now=now)


# The rest of the life of a case, one each per hotel (the live queue above has received,
# acknowledged, in progress and resolved): (steps, hours since received).
_LIFECYCLES = (
    (("acknowledge", "start", "resolve", "follow_up"), 30),
    (("acknowledge", "start", "resolve", "follow_up", "close"), 40),
    (("cancel",), 3),
    (("acknowledge", "start", "resolve", "reopen"), 20),
    # Breached: the 24-hour resolve time passed six hours ago; the scan escalates it below.
    (("acknowledge", "start"), 30),
)


def _every_state(hotel, organization, desk, relations, guest_ids, rng, now):
    guests = GuestProfile.objects.for_org(organization)
    for steps, hours in _LIFECYCLES:
        category = _pick_category(rng)
        en, zh, cause, action = STORIES[category]
        chinese = organization.default_language.startswith("zh")
        complaint = services.complaint_create(
            hotel=hotel,
            actor=desk,
            category=category,
            description=zh if chinese else en,
            severity=Severity.MEDIUM,
            guest=guests.filter(pk=rng.choice(guest_ids)).first() if guest_ids else None,
            room_number=f"{rng.randint(2, 28)}{rng.randint(1, 40):02d}",
            assignee=relations,
            received_at=now - datetime.timedelta(hours=hours),
        )
        for step in steps:
            closing = {
                "outcome": "justified",
                "response_text": "Thank you for telling us.",
                "root_cause": cause,
                "corrective_action": action,
                "satisfaction": 4,
                "response_language": "zh-hans" if chinese else "en",
            }
            complaint = services.complaint_transition(
                complaint=complaint,
                action=step,
                actor=relations,
                closing=closing if step == "close" else None,
                reason="Logged twice by the night shift" if step == "cancel" else "",
                note="The guest called back: still not fixed" if step == "reopen" else "",
            )


def demo_step(run):
    """This app's step of `hotelcrm.demo.demo_seed` (registered in its AppConfig.ready)."""
    demo_seed_extras(run.tenants, seed=run.seed, now=run.now)
