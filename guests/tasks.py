"""Celery tasks of the guest archive: ids in, one service call, safe to repeat."""
from celery import shared_task
from django.utils import timezone

from guests.access import access_grants_revoke_expired


@shared_task(name="guests.tasks.revoke_expired_access_grants_task", ignore_result=False)
def revoke_expired_access_grants_task():
    """Fired by beat every few minutes. It sweeps every organization, so it takes no ids; a grant
    already revoked is not found again, so a repeated or overlapping run revokes nothing twice."""
    return access_grants_revoke_expired(now=timezone.now())

# Celery autodiscovers only tasks.py: register the import tasks that live beside it.
from guests import tasks_import  # noqa: E402,F401
