"""Celery tasks of the guest import.

Celery autodiscovers only `tasks.py`; this module is registered by `guests/tasks.py` importing
it (and, until then, by the data views, which the worker loads through its URL system check).
"""

from celery import shared_task

from guests.imports import guest_import_process, guest_imports_recover_stale


@shared_task(name="guests.import_guests_task")
def import_guests_task(organization_id, import_id):
    """Check, then import, a queued guest file once: a repeated or late task finds it claimed and does nothing."""
    guest_import_process(organization_id=organization_id, import_id=import_id)


@shared_task(name="guests.recover_stale_imports_task")
def recover_stale_imports_task():
    """Beat, every minute: resume (or fail, after a few tries) the imports whose worker was lost."""
    resumed, failed = guest_imports_recover_stale()
    return {"resumed": resumed, "failed": failed}
