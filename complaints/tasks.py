"""Celery tasks of complaints: one service call each, safe to repeat."""

from celery import shared_task

from complaints.services import complaints_escalate_due


@shared_task(name="complaints.tasks.escalate_complaints_task", ignore_result=False)
def escalate_complaints_task(limit=500):
    """Fired by beat every minute. It is the dispatcher across organizations (so it takes no ids);
    each complaint's thresholds are claimed with a unique row in the same transaction as its
    notifications, so a repeated, overlapping or retried run announces nothing twice."""
    return complaints_escalate_due(limit=limit)
