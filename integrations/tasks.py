from celery import shared_task
from django.utils import timezone

from integrations.services import idempotency_records_purge


@shared_task(name="integrations.purge_idempotency_records_task")
def purge_idempotency_records_task():
    return idempotency_records_purge(now=timezone.now())
