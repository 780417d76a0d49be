"""Beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings (no Django imports here)."""

BEAT_SCHEDULE = {
    "integrations-purge-idempotency-records": {
        "task": "integrations.purge_idempotency_records_task",
        "schedule": 3600.0,
    },
}
