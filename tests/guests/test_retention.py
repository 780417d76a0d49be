"""Retention: guests past their organization's retention period are anonymised by the nightly
job, stays kept; everyone else, and other organizations, untouched."""

import datetime

import pytest
from django.utils import timezone

from guests import services
from guests.models import GuestContact, GuestProfile, Stay
from guests.retention import guests_past_retention, retention_apply, retention_apply_all
from guests.tasks import apply_guest_retention_task
from hotelcrm.models import AuditEvent, Role
from tests.factories import GuestFactory, StayFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)


def _guest(tenant, name, *, years_on_file=10, stays_ending=(), email=None):
    guest = GuestFactory(organization=tenant.organization, family_name=name)
    # On file since long ago, as an archive migrated from the old PMS would be.
    GuestProfile.objects.for_org(tenant.organization).filter(pk=guest.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=365 * years_on_file)
    )
    for departure in stays_ending:
        StayFactory(
            hotel=tenant.hotels[0],
            organization=tenant.organization,
            guest=guest,
            arrival_on=departure - datetime.timedelta(days=2),
            departure_on=departure,
            status="checked_out",
        )
    if email:
        services.guest_contact_add(guest=guest, kind="email", raw_value=email, actor=tenant.users[Role.MANAGER])
    return guest


@pytest.fixture
def archive(tenants):
    a = tenants.a
    a.organization.guest_retention_years = 5
    a.organization.save()
    return {
        "lapsed": _guest(
            a,
            "Lapsed",
            stays_ending=[datetime.date(2019, 5, 1), datetime.date(2020, 1, 10)],
            email="lapsed@example.test",
        ),
        "recent": _guest(a, "Recent", stays_ending=[datetime.date(2015, 1, 1), datetime.date(2024, 8, 1)]),
        "booked": _guest(a, "Booked", stays_ending=[datetime.date(2018, 1, 1), datetime.date(2026, 9, 1)]),
        "never_stayed_old": _guest(a, "OldEnquiry"),
        "never_stayed_new": _guest(a, "NewEnquiry", years_on_file=1),
        # Tenant B keeps everything: it set no retention period.
        "other_tenant": _guest(tenants.b, "BravoLapsed", stays_ending=[datetime.date(2015, 1, 1)]),
    }


def test_only_guests_past_the_period_are_selected(tenants, archive):
    selected = set(
        guests_past_retention(organization=tenants.a.organization, today=TODAY).values_list("family_name", flat=True)
    )
    assert selected == {"Lapsed", "OldEnquiry"}
    assert not guests_past_retention(organization=tenants.b.organization, today=TODAY).exists()


def test_the_job_anonymises_them_keeps_their_stays_and_a_rerun_does_nothing(tenants, archive):
    organization = tenants.a.organization
    lapsed = archive["lapsed"]
    stays_before = Stay.objects.for_org(organization).filter(guest=lapsed).count()

    assert retention_apply(organization=organization, today=TODAY, batch_size=1) == 2
    erased = GuestProfile.objects.for_org(organization).get(pk=lapsed.pk)
    assert erased.is_anonymised and erased.family_name == "Erased guest" and erased.do_not_contact
    assert not GuestContact.objects.for_org(organization).filter(guest=lapsed).exists()
    assert Stay.objects.for_org(organization).filter(guest=lapsed).count() == stays_before == 2
    for kept in ("recent", "booked", "never_stayed_new"):
        assert not GuestProfile.objects.for_org(organization).get(pk=archive[kept].pk).is_anonymised
    assert not GuestProfile.objects.for_org(tenants.b.organization).get(pk=archive["other_tenant"].pk).is_anonymised

    events = AuditEvent.objects.for_org(organization).filter(action="guest.erased", object_id=str(lapsed.pk))
    assert [(e.actor_id, e.actor_label, e.reason) for e in events] == [
        (None, "retention job", "Retention period passed: no stay for 5 years")
    ]
    assert AuditEvent.objects.for_org(organization).get(action="guest.retention_run").extra["erased"] == 2

    assert retention_apply(organization=organization, today=TODAY) == 0
    assert AuditEvent.objects.for_org(organization).filter(action="guest.erased").count() == 2


def test_loyalty_activity_keeps_a_member_and_no_period_keeps_everyone(tenants, archive):
    from loyalty.models import Membership, Tier
    from loyalty.services import program_ensure

    organization = tenants.a.organization
    program_ensure(organization=organization)
    Membership.objects.create(
        organization=organization,
        guest=archive["lapsed"],
        member_number="0900000002",
        joined_on=datetime.date(2018, 1, 1),
        tier=Tier.objects.for_org(organization).get(rank=0),
        last_activity_on=datetime.date(2025, 12, 1),
    )
    assert set(guests_past_retention(organization=organization, today=TODAY).values_list("family_name", flat=True)) == {
        "OldEnquiry"
    }

    organization.guest_retention_years = None
    organization.save()
    assert retention_apply(organization=organization, today=TODAY) == 0


def test_the_nightly_task_runs_for_every_organization_with_a_period(tenants, archive):
    apply_guest_retention_task.apply()
    # Run today, not on TODAY: the lapsed guest's last stay is older than five years either way.
    assert GuestProfile.objects.for_org(tenants.a.organization).get(pk=archive["lapsed"].pk).is_anonymised
    assert not GuestProfile.objects.for_org(tenants.b.organization).get(pk=archive["other_tenant"].pk).is_anonymised
    assert retention_apply_all() == {tenants.a.organization.pk: 0}


def _run(*args):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_the_dry_run_lists_who_the_job_would_anonymise_and_changes_nothing(tenants, archive):
    organization = tenants.a.organization
    events_before = AuditEvent.objects.all_tenants_unscoped().count()
    out = _run("--today", str(TODAY))
    assert f"{organization.name} (slug {organization.slug}): retention 5 years" in out
    assert "2 guests would be anonymised (dry run, nothing changed)" in out
    assert f"guest {archive['lapsed'].pk}: on file since" in out and "last departure 2020-01-10" in out
    assert f"guest {archive['never_stayed_old'].pk}: on file since" in out and "last departure never stayed" in out
    for kept in ("recent", "booked", "never_stayed_new", "other_tenant"):
        assert f"guest {archive[kept].pk}:" not in out
    assert "Lapsed" not in out  # guest numbers, not names
    assert tenants.b.organization.name not in out  # B set no retention period
    assert AuditEvent.objects.all_tenants_unscoped().count() == events_before
    assert not GuestProfile.objects.for_org(organization).filter(is_anonymised=True).exists()
    assert "... and 1 more" in _run("--today", str(TODAY), "--limit", "1")


def test_apply_anonymises_exactly_the_listed_guests(tenants, archive):
    out = _run("--organization", tenants.a.organization.slug, "--today", str(TODAY), "--apply")
    assert "2 guests anonymised" in out
    anonymised = set(
        GuestProfile.objects.for_org(tenants.a.organization).filter(is_anonymised=True).values_list("pk", flat=True)
    )
    assert anonymised == {archive["lapsed"].pk, archive["never_stayed_old"].pk}
    assert "0 guests would be anonymised" in _run("--organization", tenants.a.organization.slug, "--today", str(TODAY))


@pytest.mark.parametrize(
    "args, message",
    [
        (("--today", "30/06/2026"), "is not a date"),
        (("--today", "2026-02-30"), "is not a date"),
        (("--organization", "no-such-group"), "No organization"),
        (("--limit", "-1"), "--limit must be 0 or more"),
    ],
)
def test_bad_arguments_get_a_clear_message(tenants, args, message):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_an_organization_without_a_period_is_said_so(tenants):
    assert "no retention period set" in _run("--organization", tenants.b.organization.slug)
