"""The complaint state machine: every legal and illegal step, concurrency, closing rules."""

import itertools
import threading

import pytest
from django.db import connection

from complaints import services, workflow
from complaints.exceptions import ComplaintConflict, ComplaintError, IllegalTransition
from complaints.models import Complaint, ComplaintTransition, Status
from hotelcrm.domain_events import suggestion_adopted
from hotelcrm.models import AuditEvent, Role

# The path to reach each status from "received".
PATH = {
    Status.RECEIVED: [],
    Status.ACKNOWLEDGED: ["acknowledge"],
    Status.IN_PROGRESS: ["acknowledge", "start"],
    Status.RESOLVED: ["acknowledge", "start", "resolve"],
    Status.FOLLOW_UP_DONE: ["acknowledge", "start", "resolve", "follow_up"],
    Status.CLOSED: ["acknowledge", "start", "resolve", "follow_up", "close"],
    Status.CANCELLED: ["cancel"],
}
CLOSING = {
    "outcome": "justified",
    "response_text": "We are sorry.",
    "response_language": "en",
    "root_cause": "Broken valve",
    "corrective_action": "Valves checked monthly",
    "satisfaction": 4,
}


def _new(tenant, **kwargs):
    kwargs.setdefault("category", "facility")
    kwargs.setdefault("description", "The shower is cold")
    return services.complaint_create(hotel=tenant.hotels[0], actor=tenant.users[Role.FRONT_DESK], **kwargs)


def _step(complaint, action, actor, **kwargs):
    if action == "close":
        kwargs.setdefault("closing", CLOSING)
    if action == "cancel":
        kwargs.setdefault("reason", "Guest withdrew it")
    return services.complaint_transition(complaint=complaint, action=action, actor=actor, **kwargs)


def _at(tenant, status):
    complaint = _new(tenant)
    for action in PATH[status]:
        complaint = _step(complaint, action, tenant.users[Role.GUEST_RELATIONS])
    assert complaint.status == status
    return complaint


LEGAL = [
    (status, action)
    for status in Status.values
    for action in workflow.TRANSITIONS
    if status in workflow.TRANSITIONS[action][0]
]
ILLEGAL = [
    (status, action)
    for status, action in itertools.product(Status.values, workflow.TRANSITIONS)
    if (status, action) not in LEGAL
]


def test_the_table_has_the_issue_s_workflow():
    assert set(LEGAL) == {
        ("received", "acknowledge"),
        ("acknowledged", "start"),
        ("in_progress", "resolve"),
        ("resolved", "follow_up"),
        ("follow_up_done", "close"),
        ("resolved", "reopen"),
        ("follow_up_done", "reopen"),
        ("closed", "reopen"),
        ("received", "cancel"),
        ("acknowledged", "cancel"),
        ("in_progress", "cancel"),
    }


@pytest.mark.parametrize("status,action", LEGAL)
def test_every_legal_step_moves_the_complaint_and_is_recorded(tenants, status, action):
    complaint = _at(tenants.a, status)
    actor = tenants.a.users[Role.GUEST_RELATIONS]
    after = _step(complaint, action, actor, note=f"step {action}", expected_version=complaint.version)
    assert after.status == workflow.target_of(action)
    assert after.version == complaint.version + 1
    last = ComplaintTransition.objects.for_org(tenants.a.organization).filter(complaint=after).last()
    assert (last.from_status, last.to_status, last.actor) == (status, after.status, actor)
    assert (
        AuditEvent.objects.for_org(tenants.a.organization)
        .filter(action=f"complaint.{action}", object_id=str(after.pk))
        .exists()
    )


@pytest.mark.parametrize("status,action", ILLEGAL)
def test_every_illegal_step_is_refused_with_a_clear_message(tenants, status, action):
    complaint = _at(tenants.a, status)
    with pytest.raises(IllegalTransition) as refused:
        _step(complaint, action, tenants.a.users[Role.GUEST_RELATIONS])
    assert "is not possible now" in refused.value.message
    fresh = Complaint.objects.for_org(tenants.a.organization).get(pk=complaint.pk)
    assert (fresh.status, fresh.version) == (status, complaint.version)


def test_an_unknown_step_is_refused(tenants):
    with pytest.raises(IllegalTransition):
        _step(_new(tenants.a), "teleport", None)


def test_cancelling_needs_a_reason(tenants):
    with pytest.raises(ComplaintError):
        services.complaint_transition(complaint=_new(tenants.a), action="cancel", actor=None, reason="  ")


def test_a_stale_version_is_a_conflict_and_changes_nothing(tenants):
    complaint = _at(tenants.a, Status.IN_PROGRESS)
    actor = tenants.a.users[Role.GUEST_RELATIONS]
    _step(complaint, "resolve", actor, expected_version=complaint.version)
    with pytest.raises(ComplaintConflict) as conflict:
        _step(complaint, "cancel", actor, expected_version=complaint.version)
    assert "reload" in conflict.value.message
    assert Complaint.objects.for_org(tenants.a.organization).get(pk=complaint.pk).status == Status.RESOLVED


def test_closing_checks_the_closing_fields(tenants):
    complaint = _at(tenants.a, Status.FOLLOW_UP_DONE)
    actor = tenants.a.users[Role.GUEST_RELATIONS]
    with pytest.raises(ComplaintError) as invalid:
        _step(complaint, "close", actor, closing={"outcome": "justified", "response_text": ""})
    assert {"response_text", "root_cause", "corrective_action"} <= set(invalid.value.fields)
    with pytest.raises(ComplaintError) as unhappy:
        _step(complaint, "close", actor, closing={**CLOSING, "satisfaction": 2})
    assert "reopen" in unhappy.value.fields["satisfaction"][0]
    closed = _step(
        complaint,
        "close",
        actor,
        closing={**CLOSING, "outcome": "not_justified", "root_cause": "", "corrective_action": ""},
    )
    assert closed.status == Status.CLOSED and closed.closed_at is not None


def test_reopening_clears_the_resolution_and_counts(tenants):
    closed = _at(tenants.a, Status.CLOSED)
    reopened = _step(closed, "reopen", tenants.a.users[Role.GUEST_RELATIONS], note="Guest called again")
    assert (reopened.status, reopened.reopen_count, reopened.closed_at, reopened.resolved_at) == (
        Status.IN_PROGRESS,
        1,
        None,
        None,
    )


def test_a_malicious_complaint_counts_towards_a_warning_on_the_guest(tenants):
    from guests.models import GuestProfile, GuestStatus

    guest = tenants.a.guests[1]
    for _ in range(2):
        complaint = _new(tenants.a, guest=guest)
        for action in PATH[Status.FOLLOW_UP_DONE]:
            complaint = _step(complaint, action, tenants.a.users[Role.GUEST_RELATIONS])
        _step(
            complaint,
            "close",
            tenants.a.users[Role.GUEST_RELATIONS],
            closing={**CLOSING, "outcome": "not_justified", "is_malicious": True},
        )
        status = GuestProfile.objects.for_org(tenants.a.organization).get(pk=guest.pk).status
    assert status == GuestStatus.WARNED


def test_an_adopted_suggestion_sends_the_domain_event_once(tenants):
    received = []

    def receiver(sender, complaint, actor, **kwargs):
        received.append((complaint.pk, actor))

    suggestion_adopted.connect(receiver)
    try:
        complaint = _at(tenants.a, Status.FOLLOW_UP_DONE)
        actor = tenants.a.users[Role.GUEST_RELATIONS]
        closed = _step(complaint, "close", actor, closing={**CLOSING, "is_suggestion_adopted": True})
        again = _step(_step(closed, "reopen", actor), "resolve", actor)
        again = _step(again, "follow_up", actor)
        _step(again, "close", actor, closing={**CLOSING, "is_suggestion_adopted": True})
    finally:
        suggestion_adopted.disconnect(receiver)
    assert received == [(complaint.pk, actor)]


def test_compensation_above_the_threshold_waits_for_a_manager(tenants):
    complaint = _at(tenants.a, Status.IN_PROGRESS)  # hotel threshold is 100 (tenant_rows)
    relations, manager = tenants.a.users[Role.GUEST_RELATIONS], tenants.a.users[Role.MANAGER]
    small = services.compensation_propose(complaint=complaint, actor=relations, kind="amount", amount=50)
    assert small.status == "approved"
    big = services.compensation_propose(
        complaint=complaint, actor=relations, kind="gift", gift="Spa voucher", value=300
    )
    assert big.status == "proposed"
    decided = services.compensation_decide(compensation=big, actor=manager, approve=True)
    assert (decided.status, decided.decided_by) == ("approved", manager)
    with pytest.raises(ComplaintError):
        services.compensation_decide(compensation=big, actor=manager, approve=False)
    assert AuditEvent.objects.for_org(tenants.a.organization).filter(action="complaint.compensation_approve").exists()
    with pytest.raises(ComplaintError):
        services.compensation_propose(complaint=complaint, actor=relations, kind="amount", amount=0)


def test_the_checklist_has_the_six_steps_and_the_category_guidance(tenants):
    complaint = _new(tenants.a, category="lost_property")
    codes = list(complaint.checklist.values_list("code", flat=True))
    assert codes[:6] == ["listen", "apologise", "analyse", "solution", "follow_up_call", "self_review"]
    assert {"lost_police_offered", "lost_police_accepted", "lost_police_handed_over"} <= set(codes)


def test_a_guest_or_department_of_another_tenant_is_refused(tenants):
    with pytest.raises(ComplaintError):
        _new(tenants.a, guest=tenants.b.guests[0])
    with pytest.raises(ComplaintError):
        _new(tenants.a, assignee=tenants.b.users[Role.MANAGER])


# --- concurrency: two real connections ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_staff_resolving_at_once_one_wins_the_other_gets_a_conflict():
    from tests.conftest import build_tenant

    tenant = build_tenant("Gamma")
    complaint = _at(tenant, Status.IN_PROGRESS)
    version = complaint.version
    users = [tenant.users[Role.GUEST_RELATIONS], tenant.users[Role.MANAGER]]
    barrier = threading.Barrier(2)
    results = []

    def resolve(user):
        try:
            barrier.wait(5)
            services.complaint_transition(
                complaint=complaint, action="resolve", actor=user, note=f"by {user.username}", expected_version=version
            )
            results.append("won")
        except ComplaintConflict as conflict:
            results.append(conflict.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=resolve, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(results, key=len)[0] == "won" and len(results) == 2
    assert "Someone else changed this complaint" in [r for r in results if r != "won"][0]
    fresh = Complaint.objects.for_org(tenant.organization).get(pk=complaint.pk)
    assert (fresh.status, fresh.version) == (Status.RESOLVED, version + 1)
    resolutions = ComplaintTransition.objects.for_org(tenant.organization).filter(complaint=fresh, to_status="resolved")
    assert resolutions.count() == 1
