"""Churn early warning: the nightly score against an independent computation, the watch list's
movement, the owners' notice, and the page for relationship owners."""

import datetime
from decimal import Decimal

import pytest

from care.churn import POINTS, WATCH_THRESHOLD, churn_due_organizations, churn_scores_refresh
from care.models import Campaign, CampaignKind, Channel, ChurnRun, ChurnScore, Delivery, SurveyResponse
from care.tasks import score_churn_task
from complaints import services as complaint_services
from guests.models import GuestProfile, Stay
from hotelcrm.models import AuditEvent, Role
from notifications.models import Notification
from tests.factories import GuestFactory, StayFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)


def _stays(tenant, guest, departures, spend, hotel=None):
    """Checked-out two-night stays departing `departures` days before TODAY, `spend` each."""
    for days in departures:
        departure = TODAY - datetime.timedelta(days=days)
        StayFactory(
            hotel=hotel or tenant.hotels[0],
            organization=tenant.organization,
            guest=guest,
            arrival_on=departure - datetime.timedelta(days=2),
            departure_on=departure,
            status="checked_out",
            room_revenue=Decimal(spend),
            fb_revenue=Decimal(0),
            other_revenue=Decimal(0),
        )


def _percentile_cont(values, fraction):
    values = sorted(values)
    position = fraction * (len(values) - 1)
    lower = int(position)
    upper = min(lower + 1, len(values) - 1)
    return values[lower] + (values[upper] - values[lower]) * (position - lower)


def _expected_scores(organization):
    """The score of every regular, computed in Python from the raw rows (independent of the SQL)."""
    year_ago, two_years_ago = TODAY - datetime.timedelta(days=365), TODAY - datetime.timedelta(days=730)
    by_guest = {}
    for stay in Stay.objects.for_org(organization).filter(status="checked_out", departure_on__lte=TODAY):
        by_guest.setdefault(stay.guest_id, []).append(stay)
    guests = {g.pk: g for g in GuestProfile.objects.for_org(organization).filter(pk__in=list(by_guest))}
    regulars = {}
    for guest_id, stays in by_guest.items():
        guest = guests[guest_id]
        if len(stays) < 2 or guest.merged_into_id or guest.is_anonymised:
            continue
        if max(s.departure_on for s in stays) <= two_years_ago:
            continue
        regulars[guest_id] = stays
    spend = {g: sum(s.room_revenue + s.fb_revenue + s.other_revenue for s in stays) for g, stays in regulars.items()}
    p75 = _percentile_cont([float(v) for v in spend.values()], 0.75) if spend else 0
    from complaints.models import Complaint

    expected = {}
    for guest_id, stays in regulars.items():
        arrivals = sorted(s.arrival_on for s in stays)
        usual = max(30, (arrivals[-1] - arrivals[0]).days // (len(stays) - 1))
        idle = (TODAY - max(s.departure_on for s in stays)).days
        recent = [s for s in stays if s.departure_on > year_ago]
        before = [s for s in stays if two_years_ago < s.departure_on <= year_ago]
        total = lambda rows: sum(s.room_revenue + s.fb_revenue + s.other_revenue for s in rows)  # noqa: E731
        complaints = Complaint.objects.for_org(organization).filter(guest_id=guest_id)
        open_n = sum(1 for c in complaints if c.status in ("received", "acknowledged", "in_progress"))
        low = sum(
            1
            for c in complaints
            if c.satisfaction is not None and c.satisfaction <= 2 and c.closed_at and c.closed_at.date() >= year_ago
        )
        low += (
            SurveyResponse.objects.for_org(organization)
            .filter(guest_id=guest_id)
            .filter(created_at__date__gte=year_ago)
            .filter(csat__lte=2)
            .count()
            + SurveyResponse.objects.for_org(organization)
            .filter(guest_id=guest_id, created_at__date__gte=year_ago, csat__gt=2, nps__lte=6)
            .count()
        )
        reasons, risk = [], 0
        if idle > 3 * usual:
            risk += POINTS["overdue_long"]
            reasons.append("overdue")
        elif idle * 2 > 3 * usual:
            risk += POINTS["overdue"]
            reasons.append("overdue")
        if len(before) >= 2 and len(recent) * 2 <= len(before):
            risk += POINTS["fewer_stays"]
            reasons.append("fewer_stays")
        if total(before) > 0 and total(recent) * 2 < total(before):
            risk += POINTS["lower_spend"]
            reasons.append("lower_spend")
        if open_n:
            risk += POINTS["open_complaint"]
            reasons.append("open_complaint")
        if low:
            risk += POINTS["low_rating"]
            reasons.append("low_rating")
        if risk and float(spend[guest_id]) >= p75:
            risk += POINTS["high_value"]
            reasons.append("high_value")
        expected[guest_id] = (min(100, risk), reasons)
    return expected


def _low_survey(tenant, guest, csat=2, nps=3):
    hotel = tenant.hotels[0]
    campaign = Campaign.objects.create(
        organization=tenant.organization, hotel=hotel, name="Thanks", kind=CampaignKind.POST_STAY, channel=Channel.EMAIL
    )
    delivery = Delivery.objects.create(
        organization=tenant.organization,
        hotel=hotel,
        campaign=campaign,
        guest=guest,
        occasion_on=TODAY - datetime.timedelta(days=20),
        channel=Channel.EMAIL,
        status="sent",
        language="en",
    )
    return SurveyResponse.objects.create(
        organization=tenant.organization, hotel=hotel, delivery=delivery, guest=guest, csat=csat, nps=nps
    )


@pytest.fixture
def regulars(tenants):
    a = tenants.a
    owner = a.users[Role.GUEST_RELATIONS]
    make = lambda name, **fields: GuestFactory(organization=a.organization, family_name=name, **fields)  # noqa: E731
    guests = {
        # Comes every ~two months, last here three weeks ago: no risk.
        "loyal": make("Loyal", relationship_owner=owner),
        # Four stays the year before last, one since, none for 300 days: overdue, fewer, spending less.
        "drifting": make("Drifting", relationship_owner=owner),
        # Big spender, recent, but an open complaint and a poor survey.
        "unhappy": make("Unhappy"),
        # Only one stay: not a regular.
        "once": make("Once"),
        # Last stay more than two years ago: lapsed, the win-back campaign's business.
        "lapsed": make("Lapsed"),
        # A regular on the list, but confidential.
        "confidential": make("Secret", is_confidential=True, relationship_owner=owner),
    }
    _stays(a, guests["loyal"], [20, 80, 140, 200, 260, 320, 380, 440], 1000)
    _stays(a, guests["drifting"], [700, 600, 500, 420, 300], 100)
    _stays(a, guests["unhappy"], [30, 90], 5000, hotel=a.hotels[1])
    _stays(a, guests["once"], [400], 100)
    _stays(a, guests["lapsed"], [900, 800], 100)
    _stays(a, guests["confidential"], [710, 610, 510, 430, 310], 100)
    complaint_services.complaint_create(
        hotel=a.hotels[1],
        actor=a.users[Role.MANAGER],
        category="service",
        description="Room not cleaned",
        guest=guests["unhappy"],
    )
    _low_survey(a, guests["unhappy"])
    # Tenant B has a drifting regular too: it must never show up in A's scores or pages.
    b_guest = GuestFactory(organization=tenants.b.organization, family_name="BravoDrifter")
    _stays(tenants.b, b_guest, [700, 600, 500, 420, 300], 100)
    return guests


def test_every_regular_is_scored_as_an_independent_computation_says(tenants, regulars):
    # The tenant fixture holds one stale watch-list row, for a guest who is no regular.
    watched_before = set(
        ChurnScore.objects.for_org(tenants.a.organization).filter(on_watch=True).values_list("guest_id", flat=True)
    )
    run = churn_scores_refresh(organization_id=tenants.a.organization.pk, local_date=TODAY)

    expected = _expected_scores(tenants.a.organization)
    scores = {row.guest_id: row for row in ChurnScore.objects.for_org(tenants.a.organization)}
    assert set(scores) == set(expected)
    for guest_id, (score, reasons) in expected.items():
        assert scores[guest_id].score == score, (guest_id, scores[guest_id].reasons)
        assert [code for code, _params in scores[guest_id].reasons] == reasons
        assert scores[guest_id].on_watch == (score >= WATCH_THRESHOLD)

    drifting = scores[regulars["drifting"].pk]
    assert drifting.on_watch and drifting.watch_since == TODAY
    assert drifting.reasons[0] == ["overdue", {"days": 300, "usual": 100}]
    assert drifting.last_stay_on == TODAY - datetime.timedelta(days=300)
    assert not scores[regulars["loyal"].pk].on_watch and scores[regulars["loyal"].pk].score == 0
    unhappy = [code for code, _ in scores[regulars["unhappy"].pk].reasons]
    assert unhappy == ["open_complaint", "low_rating", "high_value"] and scores[regulars["unhappy"].pk].on_watch
    assert regulars["once"].pk not in scores and regulars["lapsed"].pk not in scores
    # Scoring A touched nothing of B (whose fixture holds one scored row of its own).
    assert not ChurnScore.objects.for_org(tenants.b.organization).filter(guest__family_name="BravoDrifter").exists()
    assert list(ChurnScore.objects.for_org(tenants.b.organization).values_list("score", flat=True)) == [80]

    watched = {guest_id for guest_id, (score, _) in expected.items() if score >= WATCH_THRESHOLD}
    assert (run.scored, run.on_watch, run.entered, run.left) == (
        len(expected),
        len(watched),
        len(watched - watched_before),
        len(watched_before - watched),
    )
    assert (
        run.left == 1
        and not ChurnScore.objects.for_org(tenants.a.organization)
        .filter(guest_id__in=watched_before - watched)
        .exists()
    )
    assert run.reasons["overdue"] == 2
    assert AuditEvent.objects.filter(organization=tenants.a.organization, action="care.churn_scored").count() == 1


def test_a_day_is_scored_once_and_the_next_day_shows_the_movement(tenants, regulars):
    organization = tenants.a.organization
    first = churn_scores_refresh(organization_id=organization.pk, local_date=TODAY)
    again = churn_scores_refresh(organization_id=organization.pk, local_date=TODAY)
    assert again.pk == first.pk and ChurnRun.objects.for_org(organization).filter(local_date=TODAY).count() == 1

    # The drifting guest comes back; the next night they leave the list, keeping no stale reasons.
    StayFactory(
        hotel=tenants.a.hotels[0],
        organization=organization,
        guest=regulars["drifting"],
        arrival_on=TODAY - datetime.timedelta(days=2),
        departure_on=TODAY,
        status="checked_out",
        room_revenue=Decimal(300),
        fb_revenue=0,
        other_revenue=0,
    )
    tomorrow = TODAY + datetime.timedelta(days=1)
    second = churn_scores_refresh(organization_id=organization.pk, local_date=tomorrow)
    drifting = ChurnScore.objects.for_org(organization).get(guest=regulars["drifting"])
    assert not drifting.on_watch and drifting.watch_since is None
    assert second.left == 1 and second.entered == 0 and second.on_watch == first.on_watch - 1

    # Still on the list a day later: the date they joined is kept.
    unhappy = ChurnScore.objects.for_org(organization).get(guest=regulars["unhappy"])
    assert unhappy.on_watch and unhappy.watch_since == TODAY


def test_relationship_owners_are_told_once_a_day(tenants, regulars):
    organization = tenants.a.organization
    owner = tenants.a.users[Role.GUEST_RELATIONS]
    score_churn_task.apply(args=(organization.pk, TODAY.isoformat()))
    score_churn_task.apply(args=(organization.pk, TODAY.isoformat()))  # a retried task
    notices = Notification.objects.for_org(organization).filter(kind="churn_watch")
    assert [(n.recipient_id, n.params["count"]) for n in notices] == [(owner.pk, 2)]  # drifting + confidential
    assert notices[0].url.endswith("/care/watch/?show=new")
    # No newcomer the next day, so nothing new to say.
    churn_scores_refresh(organization_id=organization.pk, local_date=TODAY + datetime.timedelta(days=1))
    assert Notification.objects.for_org(organization).filter(kind="churn_watch").count() == 1


def test_scoring_waits_for_each_organization_s_local_night(tenants):
    shanghai_evening = datetime.datetime(2026, 6, 30, 18, 30, tzinfo=datetime.UTC)  # 02:30 next day in Shanghai
    assert (tenants.a.organization.pk, datetime.date(2026, 7, 1)) not in churn_due_organizations(now=shanghai_evening)
    later = shanghai_evening + datetime.timedelta(hours=1)  # 03:30 in Shanghai
    assert (tenants.a.organization.pk, datetime.date(2026, 7, 1)) in churn_due_organizations(now=later)
    churn_scores_refresh(organization_id=tenants.a.organization.pk, local_date=datetime.date(2026, 7, 1))
    assert (tenants.a.organization.pk, datetime.date(2026, 7, 1)) not in churn_due_organizations(now=later)


def test_the_watch_list_shows_owners_their_guests_with_reasons_and_masks_confidential_ones(client, tenants, regulars):
    churn_scores_refresh(organization_id=tenants.a.organization.pk, local_date=TODAY)
    client.force_login(tenants.a.users[Role.GUEST_RELATIONS])
    mine = client.get("/care/watch/").content.decode()
    assert "Drifting" in mine and "Unhappy" not in mine  # not their guest
    assert "No stay for 300 days; usually back every 100 days" in mine
    assert "Secret" not in mine and "Confidential guest" in mine
    everyone = client.get("/care/watch/?show=all").content.decode()
    assert "Unhappy" in everyone and "Open complaints: 1" in everyone
    assert "BravoDrifter" not in everyone
    chinese = client.get("/care/watch/?show=all", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "流失预警名单" in chinese

    client.force_login(tenants.a.users[Role.MANAGER])  # a manager may open confidential profiles
    assert "Secret" in client.get("/care/watch/?show=all").content.decode()
    client.force_login(tenants.b.users[Role.MANAGER])
    assert "Drifting" not in client.get("/care/watch/?show=all").content.decode()


def test_the_watch_list_runs_a_constant_number_of_queries(client, tenants, django_assert_max_num_queries):
    organization = tenants.a.organization
    owner = tenants.a.users[Role.FRONT_DESK]
    for n in range(30):
        guest = GuestFactory(
            organization=organization, family_name=f"Drift{n}", relationship_owner=owner, is_confidential=n % 5 == 0
        )
        _stays(tenants.a, guest, [700, 600, 500, 420, 300], 100)
    churn_scores_refresh(organization_id=organization.pk, local_date=TODAY)
    client.force_login(owner)
    client.get("/care/watch/")  # warm caches of the session and middleware
    with django_assert_max_num_queries(12):
        body = client.get("/care/watch/").content.decode()
    assert body.count("No stay for 300 days") == 24  # six of the thirty are confidential, masked
