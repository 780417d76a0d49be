"""Celery tasks of guest care: ids in, one service call, safe to repeat.

Each task sends its follow-up tasks to the queue it came from, so a care run stays on the
queue its dispatcher was put on (CARE_TASK_QUEUE).
"""

from celery import shared_task

from care import services
from hotelcrm.selectors import hotel_get_for_task


def _queue(task):
    info = task.request.delivery_info or {}
    return info.get("routing_key") or None


@shared_task(name="care.tasks.dispatch_care_runs_task", bind=True, ignore_result=True)
def dispatch_care_runs_task(self):
    for run in services.care_dispatch():
        start_care_run_task.apply_async((run.organization_id, run.hotel_id, run.pk), queue=_queue(self))


@shared_task(name="care.tasks.start_care_run_task", bind=True, ignore_result=True)
def start_care_run_task(self, organization_id, hotel_id, run_id):
    if hotel_get_for_task(organization_id=organization_id, hotel_id=hotel_id) is None:
        return
    chunks = services.care_run_select(organization_id=organization_id, run_id=run_id)
    send_chunk_tasks(organization_id, run_id, chunks, queue=_queue(self))


def send_chunk_tasks(organization_id, run_id, chunks, *, queue=None):
    """Queue one send task per chunk over one broker connection (a run can have hundreds)."""
    with send_care_chunk_task.app.producer_or_acquire() as producer:
        for first_id, last_id in chunks:
            send_care_chunk_task.apply_async(
                (organization_id, run_id, first_id, last_id), queue=queue, producer=producer
            )


@shared_task(name="care.tasks.send_care_chunk_task", bind=True, ignore_result=True)
def send_care_chunk_task(self, organization_id, run_id, first_id, last_id):
    retries = services.care_chunk_send(
        organization_id=organization_id, run_id=run_id, first_id=first_id, last_id=last_id
    )
    for delivery_id, countdown in retries:
        send_care_delivery_task.apply_async(
            (organization_id, run_id, delivery_id), countdown=countdown, queue=_queue(self)
        )


@shared_task(name="care.tasks.send_care_delivery_task", bind=True, ignore_result=True)
def send_care_delivery_task(self, organization_id, run_id, delivery_id):
    """A retry of one delivery after a transient failure (back-off decided by the service)."""
    _status, retry_in = services.delivery_send(organization_id=organization_id, delivery_id=delivery_id)
    if retry_in:
        send_care_delivery_task.apply_async(
            (organization_id, run_id, delivery_id), countdown=retry_in, queue=_queue(self)
        )
    elif run_id:
        services.care_run_finish_if_done(organization_id=organization_id, run_id=run_id)


@shared_task(name="care.tasks.dispatch_churn_scoring_task", ignore_result=True)
def dispatch_churn_scoring_task():
    from care.churn import churn_due_organizations

    for organization_id, local_date in churn_due_organizations():
        score_churn_task.delay(organization_id, local_date.isoformat())


@shared_task(name="care.tasks.score_churn_task", ignore_result=True)
def score_churn_task(organization_id, local_date):
    import datetime

    from care.churn import churn_scores_refresh

    churn_scores_refresh(organization_id=organization_id, local_date=datetime.date.fromisoformat(local_date))
