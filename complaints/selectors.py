"""Reads of complaints: each page's rows in a constant number of queries."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Q
from django.utils import timezone

from complaints.models import (
    OPEN_STATUSES,
    Attachment,
    Category,
    ChecklistItem,
    Compensation,
    Complaint,
    ComplaintTransition,
    Department,
    Escalation,
    Outcome,
    Status,
)
from hotelcrm.models import Membership, Role

DUE_SOON = datetime.timedelta(hours=2)
BOARD_CARDS = 20


def complaints_for_hotel(*, hotel, filters=None, user=None, now=None):
    """The queue of one hotel. filters: status ("open" by default, "all", or a status),
    category, assignee (a user id or "me"), due_soon, breached. Open complaints come by due time."""
    filters = filters or {}
    now = now or timezone.now()
    rows = Complaint.objects.for_hotel(hotel).select_related("guest", "assignee", "department")
    status = filters.get("status") or "open"
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        rows = rows.filter(status=status)
    if filters.get("category"):
        rows = rows.filter(category=filters["category"])
    assignee = filters.get("assignee")
    if assignee == "me" and user is not None:
        rows = rows.filter(assignee_id=user.pk)
    elif assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif assignee:
        rows = rows.filter(assignee_id=assignee)
    if filters.get("breached"):
        rows = rows.filter(status__in=OPEN_STATUSES, resolve_due_at__lt=now)
    elif filters.get("due_soon"):
        rows = rows.filter(status__in=OPEN_STATUSES, resolve_due_at__gte=now, resolve_due_at__lt=now + DUE_SOON)
    if status == "open" or filters.get("breached") or filters.get("due_soon"):
        return rows.order_by("resolve_due_at", "pk")
    return rows.order_by("-received_at", "-pk")


def complaint_get(*, organization, complaint_id):
    return (
        Complaint.objects.for_org(organization)
        .select_related("guest", "assignee", "department", "hotel", "created_by")
        .filter(pk=complaint_id)
        .first()
    )


def complaint_timeline(*, complaint):
    return (
        ComplaintTransition.objects.for_org(complaint.organization_id)
        .filter(complaint=complaint)
        .select_related("actor")
    )


def complaint_checklist(*, complaint):
    return (
        ChecklistItem.objects.for_org(complaint.organization_id).filter(complaint=complaint).select_related("done_by")
    )


def complaint_compensations(*, complaint):
    return (
        Compensation.objects.for_org(complaint.organization_id)
        .filter(complaint=complaint)
        .select_related("proposed_by", "decided_by")
    )


def complaint_attachments(*, complaint):
    return Attachment.objects.for_org(complaint.organization_id).filter(complaint=complaint)


def complaint_escalations(*, complaint):
    return Escalation.objects.for_org(complaint.organization_id).filter(complaint=complaint)


def complaint_board(*, hotel, limit=BOARD_CARDS):
    """Columns by status: the count and the first cards of each. One query per column, whatever the size."""
    columns = []
    counts = dict(Complaint.objects.for_hotel(hotel).values_list("status").annotate(n=Count("pk")).order_by())
    for status in (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.FOLLOW_UP_DONE):
        cards = list(
            Complaint.objects.for_hotel(hotel)
            .filter(status=status)
            .select_related("guest", "assignee")
            .order_by("resolve_due_at", "pk")[:limit]
        )
        columns.append(
            {"status": status, "label": Status(status).label, "count": counts.get(status, 0), "cards": cards}
        )
    return columns


def hotel_staff(*, hotel):
    """People a complaint can be assigned to: staff of this hotel and the group's admins."""
    memberships = Membership.objects.for_org(hotel.organization_id)
    ids = memberships.filter(Q(hotel_id=hotel.pk) | Q(role=Role.GROUP_ADMIN)).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


def departments_of_hotel(*, hotel):
    return Department.objects.for_hotel(hotel).select_related("head").order_by("name")


def complaints_for_guest(*, guest, limit=20):
    """A guest's complaint history across the group's hotels, newest first."""
    return (
        Complaint.objects.for_org(guest.organization_id)
        .filter(guest=guest)
        .select_related("hotel")
        .order_by("-received_at", "-pk")[:limit]
    )


def guest_complaint_summary(*, guest):
    return (
        Complaint.objects.for_org(guest.organization_id)
        .filter(guest=guest)
        .aggregate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            malicious=Count("pk", filter=Q(is_malicious=True)),
        )
    )


def open_complaints_by_guest(*, organization, guest_ids):
    """{guest id: number of open complaints} for the guests given, in one query (arrivals briefing)."""
    if not guest_ids:
        return {}
    return dict(
        Complaint.objects.for_org(organization)
        .filter(guest_id__in=list(guest_ids), status__in=OPEN_STATUSES)
        .values_list("guest_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def complaint_counts(*, hotel, now=None):
    """Open and breached-now counts for a hotel (home page / dashboards)."""
    now = now or timezone.now()
    return (
        Complaint.objects.for_hotel(hotel)
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            open=Count("pk"),
            breached=Count("pk", filter=Q(resolve_due_at__lt=now)),
        )
    )


def root_cause_report(*, organization, hotel=None, since=None, until=None):
    """Closed complaints by department and category: counts, justified share, satisfaction and the
    latest root causes and corrective actions. For the reports engineer and the analysis page."""
    rows = Complaint.objects.for_org(organization).filter(status=Status.CLOSED)
    if hotel is not None:
        rows = rows.filter(hotel_id=hotel.pk)
    if since is not None:
        rows = rows.filter(closed_at__gte=since)
    if until is not None:
        rows = rows.filter(closed_at__lt=until)
    grouped = (
        rows.values("department_id", "department__name", "category")
        .annotate(
            closed=Count("pk"),
            justified=Count("pk", filter=Q(outcome=Outcome.JUSTIFIED)),
            malicious=Count("pk", filter=Q(is_malicious=True)),
            satisfaction=Avg("satisfaction"),
        )
        .order_by("department__name", "category")
    )
    rows = list(grouped)
    for row in rows:
        row["category_label"] = (
            Category(row["category"]).label if row["category"] in Category.values else row["category"]
        )
    return rows


def root_cause_entries(*, organization, hotel=None, department_id=None, category=None, since=None):
    """The closed complaints behind one cell of the report, with their root cause and corrective action."""
    rows = Complaint.objects.for_org(organization).filter(status=Status.CLOSED).select_related("department")
    if hotel is not None:
        rows = rows.filter(hotel_id=hotel.pk)
    if department_id == "none":
        rows = rows.filter(department__isnull=True)
    elif department_id:
        rows = rows.filter(department_id=department_id)
    if category:
        rows = rows.filter(category=category)
    if since is not None:
        rows = rows.filter(closed_at__gte=since)
    return rows.order_by("-closed_at", "-pk")
