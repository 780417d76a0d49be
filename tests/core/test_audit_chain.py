"""The audit trail is a hash chain per organization; verify_audit finds the first broken link."""

import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from hotelcrm.audit import audit_record
from hotelcrm.audit_chain import chain_hash, chain_verify, event_content
from hotelcrm.models import AuditEvent, Role


def _tamper(sql, params):
    """What an attacker with table-owner rights could do: switch the append-only trigger off."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred FK checks
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update_delete")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_update_delete")


def _events(tenants, count=4):
    org = tenants.a.organization
    return [
        audit_record(
            action=f"test.event{i}",
            organization=org,
            hotel=tenants.a.hotels[0],
            actor=tenants.a.users[Role.MANAGER],
            obj=tenants.a.guests[0],
            fields=["phone"],
            extra={"n": i, "nested": {"b": 1, "a": [1, 2]}},
            reason="why",
        )
        for i in range(count)
    ]


def test_each_event_links_to_the_previous_event_of_its_organization(tenants):
    events = _events(tenants)
    other = audit_record(action="test.other", organization=tenants.b.organization)
    for previous, event in zip(events, events[1:]):
        assert event.prev_hash == previous.hash
    assert other.prev_hash != events[-1].hash  # B has its own chain
    stored = AuditEvent.objects.for_org(tenants.a.organization).get(pk=events[-1].pk)
    assert stored.hash == chain_hash(stored.prev_hash, event_content(stored))  # the stored form hashes the same


def test_verify_audit_passes_on_an_untouched_trail(tenants):
    _events(tenants)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()


@pytest.mark.parametrize("tamper", ["update", "delete"])
def test_verify_audit_reports_the_first_broken_link(tenants, tamper):
    events = _events(tenants)
    target = events[1]
    if tamper == "update":
        _tamper("UPDATE core_auditevent SET reason = 'nothing to see' WHERE id = %s", [target.pk])
        expected = target.pk
    else:
        _tamper("DELETE FROM core_auditevent WHERE id = %s", [target.pk])
        expected = events[2].pk  # the next event no longer links to its predecessor
    out = StringIO()
    with pytest.raises(CommandError, match=f"first broken event id {expected}"):
        call_command("verify_audit", "--organization", tenants.a.organization.slug, stdout=out)
    assert f"first broken link at audit event {expected}" in out.getvalue()
    # Another organization's chain is unaffected.
    assert chain_verify(tenants.b.organization.pk)[1] is None


def test_rewriting_an_event_and_its_hash_still_breaks_the_next_link(tenants):
    events = _events(tenants)
    target = events[1]
    target.reason = "rewritten"
    forged = chain_hash(target.prev_hash, event_content(target))
    _tamper("UPDATE core_auditevent SET reason = 'rewritten', hash = %s WHERE id = %s", [forged, target.pk])
    checked, link = chain_verify(tenants.a.organization.pk)
    assert link is not None and link.event_id == events[2].pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(tenants):
    org = tenants.a.organization
    errors = []

    def write(n):
        try:
            for i in range(10):
                with transaction.atomic():
                    audit_record(action=f"test.thread{n}.{i}", organization=org)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    checked, link = chain_verify(org.pk)
    assert link is None and checked >= 40
    prev_hashes = list(AuditEvent.objects.for_org(org).values_list("prev_hash", flat=True))
    assert len(prev_hashes) == len(set(prev_hashes))  # no two events share a predecessor


def test_verify_audit_refuses_an_unknown_organization(db):
    with pytest.raises(CommandError, match="No organization"):
        call_command("verify_audit", "--organization", "nope")
