"""Celery tasks of loyalty: ids in, one service call, safe to repeat (acks_late is on)."""

import datetime

from celery import shared_task

from loyalty import jobs


@shared_task(name="loyalty.tasks.dispatch_loyalty_jobs_task", ignore_result=False)
def dispatch_loyalty_jobs_task():
    """Fired by beat every few minutes: queue every organization's due nightly job (in its own
    time zone). A job queued twice finds its run row done, or resumes it from the cursor."""
    due = jobs.due_jobs()
    for organization_id, job, local_date in due:
        run_loyalty_job_task.delay(organization_id, job, local_date.isoformat())
    return len(due)


@shared_task(name="loyalty.tasks.run_loyalty_job_task", ignore_result=False)
def run_loyalty_job_task(organization_id, job, local_date):
    if not jobs.organization_exists(organization_id):
        return None  # the organization is gone: nothing to do
    run = jobs.run_job(organization_id=organization_id, job=job, local_date=datetime.date.fromisoformat(local_date))
    return run.pk
