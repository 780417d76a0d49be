"""Beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings (no Django imports here)."""

BEAT_SCHEDULE = {
    # The dispatcher decides per organization, in its home hotel's time zone, whether tonight's
    # points expiry and tier evaluation are due; missed nights are caught up on the next tick.
    "loyalty-dispatch-nightly-jobs": {
        "task": "loyalty.tasks.dispatch_loyalty_jobs_task",
        "schedule": 600.0,
    },
}
