"""Beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings (no Django imports here)."""

BEAT_SCHEDULE = {
    # Every 10 minutes: each hotel whose local clock passed 01:00 gets its rollups refreshed once
    # for that local date (the last 60 days recomputed and replaced); due email summaries go out.
    "reports-dispatch-nightly-jobs": {
        "task": "reports.tasks.dispatch_report_jobs_task",
        "schedule": 600.0,
    },
    # Every two minutes: days whose raw rows changed (a PMS event, an import, a back-dated
    # complaint...: marked by database triggers) are recomputed, so no figure waits for the night.
    "reports-refresh-dirty-days": {
        "task": "reports.tasks.dispatch_dirty_rollups_task",
        "schedule": 120.0,
    },
}
