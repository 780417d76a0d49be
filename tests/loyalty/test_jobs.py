"""Nightly points expiry and tier evaluation: exact, idempotent, resumable; through a real worker."""

import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command

from hotelcrm.models import Role
from loyalty import jobs, selectors, services
from loyalty.models import EntryKind, JobKind, JobRun, JobStatus, LedgerEntry, Membership, Program
from tests.factories import GuestFactory


@pytest.fixture
def a(tenants):
    return tenants.a


def enrol(a, n=1):
    return [services.membership_enrol(guest=GuestFactory(organization=a.organization), actor=None) for _ in range(n)]


def org_points(a):
    return sum(Membership.objects.for_org(a.organization).values_list("balance", flat=True))


def balance(m):
    return Membership.objects.for_org(m.organization_id).get(pk=m.pk).balance


def test_expiry_expires_exactly_the_lots_that_are_due_and_only_once(a):
    first, second = enrol(a, 2)
    services.points_award(membership=first, points=100, idempotency_key="f1")
    services.points_redeem(membership=first, points=30, idempotency_key="f2")
    services.points_award(membership=second, points=50, idempotency_key="s1")
    today = services.local_today(a.organization.pk)
    later = today + relativedelta(months=24)  # the default policy: 24 months after earning
    before = org_points(a)  # the tenant's own members expire too
    run = jobs.run_job(organization_id=a.organization.pk, job=JobKind.EXPIRY, local_date=later)
    assert run.status == JobStatus.DONE and run.points == before and run.members_changed >= 2
    assert balance(first) == 0 and balance(second) == 0
    expired = LedgerEntry.objects.for_org(a.organization).filter(kind=EntryKind.EXPIRE, membership_id=first.pk).get()
    assert expired.points == -70 and expired.details["lot"]
    count = LedgerEntry.objects.for_org(a.organization).filter(kind=EntryKind.EXPIRE).count()
    again = jobs.run_job(organization_id=a.organization.pk, job=JobKind.EXPIRY, local_date=later)
    assert (
        again.pk == run.pk
        and LedgerEntry.objects.for_org(a.organization).filter(kind=EntryKind.EXPIRE).count() == count
    )
    call_command("loyalty_check_balances")


def test_nothing_expires_before_its_date(a):
    (member,) = enrol(a)
    services.points_award(membership=member, points=100, idempotency_key="f1")
    day_before = services.local_today(a.organization.pk) + relativedelta(months=24) - datetime.timedelta(days=1)
    jobs.run_job(organization_id=a.organization.pk, job=JobKind.EXPIRY, local_date=day_before)
    assert balance(member) == 100


def test_inactivity_expires_everything(a):
    Program.objects.for_org(a.organization).update(expiry_months_after_earning=None, expiry_months_inactive=6)
    (member,) = enrol(a)
    services.points_award(membership=member, points=100, idempotency_key="f1")
    today = services.local_today(a.organization.pk)
    jobs.run_job(organization_id=a.organization.pk, job=JobKind.EXPIRY, local_date=today + relativedelta(months=5))
    assert balance(member) == 100
    jobs.run_job(organization_id=a.organization.pk, job=JobKind.EXPIRY, local_date=today + relativedelta(months=7))
    assert balance(member) == 0


def test_a_run_stopped_midway_resumes_from_its_cursor(a):
    members = enrol(a, 4)
    for i, m in enumerate(members):
        services.points_award(membership=m, points=10 + i, idempotency_key=f"k{i}")
    later = services.local_today(a.organization.pk) + relativedelta(months=25)
    lo = min(m.pk for m in members) - 1  # start past the tenant's own members
    JobRun.objects.create(organization=a.organization, job=JobKind.EXPIRY, local_date=later, cursor=lo)
    partial = jobs.run_job(
        organization_id=a.organization.pk, job=JobKind.EXPIRY, local_date=later, chunk=2, stop_after_chunks=1
    )
    assert partial.status == JobStatus.RUNNING and partial.points == 10 + 11
    done = jobs.run_job(organization_id=a.organization.pk, job=JobKind.EXPIRY, local_date=later, chunk=2)
    assert done.status == JobStatus.DONE and done.points == 10 + 11 + 12 + 13
    assert all(balance(m) == 0 for m in members)


def _qualify(member, nights, key):
    services.points_award(membership=member, points=1, idempotency_key=key, qualifying=(nights, 1, Decimal("100")))


def test_tiers_upgrade_at_once_and_downgrade_only_after_validity(a):
    up, keep, down = enrol(a, 3)
    tiers = {t.code: t for t in selectors.tiers_of(organization=a.organization)}
    _qualify(up, 26, "u")  # gold needs 25 nights
    today = services.local_today(a.organization.pk)
    Membership.objects.for_org(a.organization).filter(pk=keep.pk).update(
        tier=tiers["platinum"], tier_valid_until=today + datetime.timedelta(days=10)
    )
    Membership.objects.for_org(a.organization).filter(pk=down.pk).update(
        tier=tiers["platinum"], tier_valid_until=today - datetime.timedelta(days=1)
    )
    _qualify(down, 11, "d")  # silver
    run = jobs.run_job(organization_id=a.organization.pk, job=JobKind.TIERS, local_date=today)
    got = {m.pk: m for m in Membership.objects.for_org(a.organization).filter(pk__in=[up.pk, keep.pk, down.pk])}
    assert got[up.pk].tier_id == tiers["gold"].pk and got[up.pk].tier_valid_until == today + relativedelta(months=12)
    assert got[keep.pk].tier_id == tiers["platinum"].pk
    assert got[down.pk].tier_id == tiers["silver"].pk
    assert run.report["upgraded"] == 1 and run.report["downgraded"] == 1
    assert jobs.run_job(organization_id=a.organization.pk, job=JobKind.TIERS, local_date=today).pk == run.pk


def test_qualifying_older_than_twelve_months_does_not_count(a):
    (member,) = enrol(a)
    _qualify(member, 60, "old")
    later = services.local_today(a.organization.pk) + relativedelta(months=13)
    jobs.run_job(organization_id=a.organization.pk, job=JobKind.TIERS, local_date=later)
    assert Membership.objects.for_org(a.organization).get(pk=member.pk).tier.code == "member"


def test_due_jobs_follow_the_home_hotel_time_zone(a):
    # Shanghai is UTC+8: at 17:00 UTC it is 01:00 there (not yet), at 19:00 UTC it is 03:00.
    early = datetime.datetime(2026, 6, 1, 17, 0, tzinfo=datetime.UTC)
    late = datetime.datetime(2026, 6, 1, 19, 0, tzinfo=datetime.UTC)
    assert not [d for d in jobs.due_jobs(now=early) if d[0] == a.organization.pk]
    due = [d for d in jobs.due_jobs(now=late) if d[0] == a.organization.pk]
    assert {(job, day) for _, job, day in due} == {
        (JobKind.EXPIRY, datetime.date(2026, 6, 2)),
        (JobKind.TIERS, datetime.date(2026, 6, 2)),
    }


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_dispatched_jobs_once(celery_worker_process):
    from loyalty.tasks import dispatch_loyalty_jobs_task, run_loyalty_job_task
    from tests.conftest import build_tenant

    tenant = build_tenant("Worker")
    member = services.membership_enrol(guest=tenant.guests[1], actor=tenant.users[Role.FRONT_DESK])
    services.points_award(membership=member, points=100, idempotency_key="w1")
    later = (services.local_today(tenant.organization.pk) + relativedelta(months=24)).isoformat()
    first = run_loyalty_job_task.delay(tenant.organization.pk, JobKind.EXPIRY, later).get(timeout=60)
    second = run_loyalty_job_task.delay(tenant.organization.pk, JobKind.EXPIRY, later).get(timeout=60)
    assert first == second
    assert Membership.objects.for_org(tenant.organization).get(pk=member.pk).balance == 0
    dispatch_loyalty_jobs_task.delay().get(timeout=60)
    call_command("loyalty_check_balances")
