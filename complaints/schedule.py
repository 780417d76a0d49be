"""Beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings (no Django imports here)."""

BEAT_SCHEDULE = {
    # Every minute: at-risk, breach and hard-limit notices; each is sent once per complaint and threshold.
    "complaints-escalation-scan": {
        "task": "complaints.tasks.escalate_complaints_task",
        "schedule": 60.0,
    },
}
