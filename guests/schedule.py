"""Beat entries of this app, merged into CELERY_BEAT_SCHEDULE by settings (no Django imports here)."""

BEAT_SCHEDULE = {
    # Confidential-profile grants end on time: expired guardian permissions are removed.
    "revoke-expired-access-grants": {
        "task": "guests.tasks.revoke_expired_access_grants_task",
        "schedule": 300.0,
    },
    # A guest import whose worker was lost (heartbeat stopped) is resumed, or failed with a message.
    "recover-stale-guest-imports": {
        "task": "guests.recover_stale_imports_task",
        "schedule": 60.0,
    },
    # The duplicate-review queue's stored pairs, recomputed once a day (kept current incrementally).
    "rebuild-duplicate-pairs": {
        "task": "guests.tasks.rebuild_duplicate_pairs_task",
        "schedule": 86400.0,
    },
    # Guests past their organization's retention period are anonymised (guests/retention.py).
    "apply-guest-retention": {
        "task": "guests.tasks.apply_guest_retention_task",
        "schedule": 86400.0,
    },
}
