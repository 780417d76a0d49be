"""The demo a trainer uses: what `seed_demo` gives them to show, and dashboards that are full and
agree with their drill-downs on the first page view."""

import datetime
import io

import phonenumbers
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from care.models import ChurnRun, ChurnScore
from complaints.models import Complaint, Escalation, Status
from guests.models import AccessRequest, AccessRequestStatus, ContactKind, GuestContact, GuestProfile, Stay, StayStatus
from guests.selectors import guest_search
from guests.selectors_briefing import birthday_perks
from hotelcrm import demo
from hotelcrm.demo import demo_steps
from hotelcrm.models import Hotel, Organization
from loyalty.models import Membership, Tier
from reports import selectors, services
from reports.demo import demo_history_range
from reports.forms import PRESETS

GUESTS = 300

pytestmark = pytest.mark.django_db


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", "--guests", str(GUESTS), "--no-progress", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def organizations():
    return list(Organization.objects.filter(slug__in=demo.DEMO_SLUGS).order_by("slug"))


def test_every_app_contributes_its_step_and_reports_runs_last():
    names = [step.name for step in demo_steps()]
    assert names[0] == "guests" and names[-1] == "reports"
    assert {"complaints", "loyalty", "care", "care.churn", "guests.finish"} <= set(names)


def test_demo_guests_have_chinese_and_international_phones_and_emails_that_search_finds():
    seed()
    yangtze = Organization.objects.get(slug="demo-yangtze")
    kensington = Organization.objects.get(slug="demo-kensington")
    phones = [c for c in GuestContact.objects.for_org(yangtze).filter(kind=ContactKind.PHONE)]
    emails = [c.value for c in GuestContact.objects.for_org(yangtze).filter(kind=ContactKind.EMAIL)]
    chinese = [c for c in phones if c.value.startswith("+861")]
    assert chinese and any(not c.value.startswith("+86") for c in phones)
    assert any(e.endswith("@qq.com") for e in emails) and any(e.endswith("@163.com") for e in emails)
    london = [c.value for c in GuestContact.objects.for_org(kensington).filter(kind=ContactKind.PHONE)]
    assert any(not v.startswith("+86") for v in london)
    # Stored encrypted at rest, found through the blind index, typed the way a person says it.
    contact = chinese[0]
    number = phonenumbers.parse(contact.value)
    for typed in (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        contact.value,
    ):
        found = set(guest_search(organization=yangtze, query=typed).values_list("pk", flat=True))
        assert contact.guest_id in found, typed
    email = GuestContact.objects.for_org(kensington).filter(kind=ContactKind.EMAIL).first()
    found = set(guest_search(organization=kensington, query=email.value.upper()).values_list("pk", flat=True))
    assert email.guest_id in found
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM guests_guestcontact WHERE id = %s", [contact.pk])
        assert contact.value not in cursor.fetchone()[0]


def test_the_demo_has_a_confidential_guest_with_a_request_waiting_for_a_manager():
    seed()
    for organization in organizations():
        confidential = GuestProfile.objects.for_org(organization).filter(is_confidential=True)
        assert confidential.count() == 1
        waiting = AccessRequest.objects.for_org(organization).filter(
            guest=confidential.get(), status=AccessRequestStatus.PENDING
        )
        assert waiting.count() == 1


def test_the_demo_has_complaints_in_every_state_and_a_breached_one_escalated():
    seed()
    now = timezone.now()
    for organization in organizations():
        complaints = Complaint.objects.for_org(organization)
        assert set(complaints.values_list("status", flat=True)) == set(Status.values)
        assert complaints.filter(status=Status.IN_PROGRESS, reopen_count__gt=0).exists()
        breached = complaints.filter(
            status__in=[Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS], resolve_due_at__lt=now
        )
        assert Escalation.objects.for_org(organization).filter(complaint__in=breached, threshold="breach").exists()


def test_the_demo_has_a_key_account_due_for_review_members_in_every_tier_and_birthdays_in_house():
    seed()
    for organization in organizations():
        hotel = Hotel.objects.for_org(organization).order_by("pk").first()
        today = timezone.localdate(timezone=hotel.tz)
        key_account = GuestProfile.objects.for_org(organization).get(value_class="key_account")
        assert key_account.credit_grade and key_account.relationship_owner_id
        assert key_account.credit_review_due_on <= today
        tiers = set(Tier.objects.for_org(organization).values_list("pk", flat=True))
        assert set(Membership.objects.for_org(organization).values_list("tier_id", flat=True)) == tiers
        perks = birthday_perks(hotel=hotel, day=today, may_open=lambda guests: {guest.pk for guest in guests})
        in_house = set(
            Stay.objects.for_hotel(hotel).filter(status=StayStatus.IN_HOUSE).values_list("guest_id", flat=True)
        )
        assert {perk.guest_id for perk in perks} & in_house, hotel.name


def test_after_seed_demo_every_dashboard_figure_equals_its_drill_down_for_12_months_and_older_ranges():
    seed()
    for organization in organizations():
        hotels = list(Hotel.objects.for_org(organization).order_by("name"))
        today = timezone.localdate(timezone=hotels[0].tz)
        end = today - datetime.timedelta(days=1)
        periods = [
            (end - datetime.timedelta(days=PRESETS["365d"] - 1), end),
            (today - datetime.timedelta(days=700), today - datetime.timedelta(days=200)),
            (today + datetime.timedelta(days=1), today + datetime.timedelta(days=30)),
        ]  # bookings ahead
        scopes = [selectors.Scope(organization, [hotel], False, hotel) for hotel in hotels]
        scopes.append(selectors.Scope(organization, hotels, True, hotels[0]))
        for scope in scopes:
            for start, stop in periods:
                stays = selectors.stay_section(scope=scope, start=start, end=stop)
                assert stays["totals"]["arrivals"] == selectors.stay_drill(scope=scope, start=start, end=stop).count()
                assert (
                    stays["totals"]["new_guests"]
                    == selectors.stay_drill(scope=scope, start=start, end=stop, only_new=True).count()
                )
                for dimension, rows in stays["by_dimension"].items():
                    for row in rows:
                        assert (
                            row["arrivals"]
                            == selectors.stay_drill(
                                scope=scope, start=start, end=stop, dimension=dimension, value=row["value"]
                            ).count()
                        )
                complaints = selectors.complaint_section(scope=scope, start=start, end=stop)
                assert (
                    complaints["totals"]["received"]
                    == selectors.complaint_drill(scope=scope, start=start, end=stop).count()
                )
        twelve = selectors.stay_section(scope=scopes[-1], start=periods[0][0], end=periods[0][1])
        assert twelve["totals"]["arrivals"] > 0 and twelve["totals"]["revenue"] > 0
        start, stop = demo_history_range(organization=organization, hotels=hotels, now=timezone.now())
        assert services.rollups_check(organization=organization, hotels=hotels, start=start, end=stop) == []


def test_churn_and_rfm_are_scored_by_the_seed():
    seed()
    for organization in organizations():
        hotels = list(Hotel.objects.for_org(organization).order_by("name"))
        scope = selectors.Scope(organization, hotels, True, hotels[0])
        assert ChurnRun.objects.for_org(organization).exists()
        assert ChurnScore.objects.for_org(organization).filter(on_watch=True).exists()
        # The scoring ran for the home hotel's local date, which may already be tomorrow in UTC terms.
        churn = selectors.churn_section(scope=scope, end=max(timezone.localdate(timezone=h.tz) for h in hotels))
        assert churn["size"] > 0 and churn["latest"] is not None
        rfm = selectors.rfm_section(scope=scope)
        assert rfm["total"] > 0
        assert sum(1 for segment in rfm["segments"] if segment["guests"]) >= 3


def test_seed_demo_tells_a_trainer_about_two_factor_and_what_to_try():
    with override_settings(TWO_FACTOR_REQUIRED_ROLES=["manager", "group_admin"]):
        output = seed()
    assert "Two-factor sign-in: Manager and Group admin users, and admin, enrol" in output
    assert "TWO_FACTOR_REQUIRED_ROLES=none" in output
    assert "To try first:" in output and "+86 1" in output and "confidential" in output
    with override_settings(TWO_FACTOR_REQUIRED_ROLES=[]):
        output = seed()
    assert "not required for any role" in output


def test_the_same_seed_gives_the_same_trainer_cast():
    first = seed().split("To try first:")[1]
    again = seed("--reset").split("To try first:")[1]
    assert first == again
