"""Beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings (no Django imports here).

The dispatcher is small and fires every few minutes (CARE_DISPATCH_SECONDS, default 300); it
decides per hotel, in the hotel's own time zone, whether the day's run is due.
CARE_TASK_QUEUE (optional) puts the dispatcher, and so the whole care run, on its own queue.
"""

import os


def _dispatch_seconds():
    raw = os.environ.get("CARE_DISPATCH_SECONDS", "300")
    try:
        value = float(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"CARE_DISPATCH_SECONDS must be a number of seconds >= 1, not {raw!r}")
    return value


_entry = {"task": "care.tasks.dispatch_care_runs_task", "schedule": _dispatch_seconds()}
if os.environ.get("CARE_TASK_QUEUE"):
    _entry["options"] = {"queue": os.environ["CARE_TASK_QUEUE"]}

# Churn scoring: the dispatcher checks hourly which organizations' local night has come.
BEAT_SCHEDULE = {
    "care-dispatch": _entry,
    "care-churn-dispatch": {"task": "care.tasks.dispatch_churn_scoring_task", "schedule": 3600.0},
}
