"""The demo generator: departments, a closed history and a live queue with timelines, fast."""

from types import SimpleNamespace

from django.utils import timezone

from complaints import demo, selectors
from complaints.models import OPEN_STATUSES, Complaint, ComplaintTransition, Department, Escalation, Status


def test_demo_extras_give_each_hotel_a_history_and_a_live_queue(tenants):
    tenant = tenants.a
    before = Complaint.objects.for_org(tenant.organization).count()
    demo.demo_seed_extras(
        [(SimpleNamespace(slug="alpha"), tenant.organization, tenant.hotels)], seed=1, now=timezone.now()
    )
    rows = Complaint.objects.for_org(tenant.organization)
    # 150 closed, 8 in the live queue and 5 more for the states the queue lacks, per hotel.
    assert rows.count() - before == 150 * 2 + 8 * 2 + 5 * 2
    assert set(rows.values_list("status", flat=True)) == set(Status.values)
    breached = rows.filter(status__in=OPEN_STATUSES, resolve_due_at__lt=timezone.now())
    assert Escalation.objects.for_org(tenant.organization).filter(complaint__in=breached, threshold="breach").exists()
    assert Department.objects.for_hotel(tenant.hotels[0]).count() >= 5
    assert rows.filter(status="closed").exclude(root_cause="").exists()
    assert ComplaintTransition.objects.for_org(tenant.organization).count() > 16
    report = selectors.root_cause_report(organization=tenant.organization)
    assert report and all(row["closed"] for row in report)
    assert selectors.complaints_for_hotel(hotel=tenant.hotels[0]).exists()
