"""Celery tasks of the guest archive: ids in, one service call, safe to repeat."""

from celery import shared_task
from django.utils import timezone

from guests.access import access_grants_revoke_expired


@shared_task(name="guests.tasks.revoke_expired_access_grants_task", ignore_result=False)
def revoke_expired_access_grants_task():
    """Fired by beat every few minutes. It sweeps every organization, so it takes no ids; a grant
    already revoked is not found again, so a repeated or overlapping run revokes nothing twice."""
    return access_grants_revoke_expired(now=timezone.now())


@shared_task(name="guests.tasks.rebuild_duplicate_pairs_task")
def rebuild_duplicate_pairs_task():
    """Nightly: every organization's duplicate pairs recomputed (each in one transaction, so a
    repeated run only recomputes the same rows). Incremental updates keep them current by day."""
    from guests.duplicates import duplicate_pairs_rebuild_all

    return duplicate_pairs_rebuild_all()


# Celery autodiscovers only tasks.py: register the import tasks that live beside it.
from guests import tasks_import  # noqa: E402,F401


@shared_task(name="guests.tasks.apply_guest_retention_task", ignore_result=True)
def apply_guest_retention_task():
    from guests.retention import retention_apply_all

    retention_apply_all()
