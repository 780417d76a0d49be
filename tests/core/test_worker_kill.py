"""A Celery worker killed with SIGKILL mid-task loses and duplicates nothing (acks-late, idempotent task).

The task: the sweep that expires confidential-profile grants (guests.tasks). The test holds the
audit chain lock of organization A, so the worker blocks inside its transaction right after
marking A's grant expired and before its audit event; then the worker is SIGKILLed. PostgreSQL
rolls that transaction back, the broker hands the unacknowledged task out again after the
(shortened) visibility timeout, and a fresh worker finishes it: each grant expired once, one
audit event each, the chain intact.
"""

import datetime
import signal
import subprocess
import sys
import time
import uuid

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from guests.models import AccessRequest, AccessRequestStatus
from guests.tasks import revoke_expired_access_grants_task
from hotelcrm.audit_chain import AUDIT_LOCK_CLASS, chain_verify
from hotelcrm.models import AuditEvent
from tests.conftest import _stop, _subprocess_env

pytestmark = pytest.mark.celery


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _raw_connection():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    return psycopg2.connect(**params)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_loses_and_duplicates_nothing(tenants, tmp_path):
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    grants = []
    for i, tenant in enumerate((tenants.a, tenants.b)):
        request = AccessRequest.objects.for_org(tenant.organization).get()
        AccessRequest.objects.for_org(tenant.organization).filter(pk=request.pk).update(
            status=AccessRequestStatus.APPROVED, expires_at=now - datetime.timedelta(hours=2 - i)
        )  # A's first
        grants.append((tenant.organization, request.pk))

    def start_worker(name):
        # A backend waiting on a lock reads nothing from its client, so PostgreSQL learns of a
        # killed worker only by checking the socket: once a second here (production: see docs/security.md).
        env = _subprocess_env(CELERY_VISIBILITY_TIMEOUT="3", PGOPTIONS="-c client_connection_check_interval=1000")
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hotelcrm",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"{name}-{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--logfile={tmp_path / (name + '.log')}",
            ],
            env=env,
        )

    locker = _raw_connection()
    locker.autocommit = False
    first = second = None
    try:
        with locker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [AUDIT_LOCK_CLASS, tenants.a.organization.pk])
        first = start_worker("first")
        revoke_expired_access_grants_task.apply_async(queue=queue)

        def worker_is_blocked_on_the_audit_lock():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = %s",
                    [AUDIT_LOCK_CLASS],
                )
                return cursor.fetchone()[0] > 0

        _wait(worker_is_blocked_on_the_audit_lock, 60, "the worker to reach the audit lock mid-task")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        # Nothing half-done: the killed transaction is rolled back with its connection.
        _wait(lambda: not worker_is_blocked_on_the_audit_lock(), 30, "the killed worker's transaction to end")
        assert (
            AccessRequest.objects.for_org(tenants.a.organization).get(pk=grants[0][1]).status
            == AccessRequestStatus.APPROVED
        )
    finally:
        locker.rollback()
        locker.close()

    try:
        second = start_worker("second")

        def all_expired():
            return all(
                AccessRequest.objects.for_org(org).get(pk=pk).status == AccessRequestStatus.EXPIRED
                for org, pk in grants
            )

        _wait(all_expired, 90, "the redelivered task to finish the sweep")
        time.sleep(2)  # a duplicate delivery, if any, would land now
        for organization, pk in grants:
            events = AuditEvent.objects.for_org(organization).filter(action="guest.access_revoked")
            assert [e.extra["access_request_ids"] for e in events] == [[pk]]  # exactly once
            assert chain_verify(organization.pk)[1] is None
    finally:
        for process in (first, second):
            if process is not None:
                _stop(process)
