"""Celery tasks of the guest import.

Celery autodiscovers only `tasks.py`; this module is registered by `guests/tasks.py` importing
it (and, until then, by the data views, which the worker loads through its URL system check).
"""
from celery import shared_task

from guests.imports import guest_import_run


@shared_task(name="guests.import_guests_task")
def import_guests_task(organization_id, import_id):
    """Import a queued guest file once: a repeated or late task finds it claimed and does nothing."""
    guest_import_run(organization_id=organization_id, import_id=import_id)
