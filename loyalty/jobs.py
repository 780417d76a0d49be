"""The nightly loyalty jobs: points expiry and tier evaluation, set-based, chunked, resumable.

A run is one JobRun row per (organization, job, local date). Members are processed in chunks
of membership ids; each chunk is ONE transaction that writes its effects and moves the run's
`cursor` past the chunk. The expiry locks the memberships it expires points of (FOR UPDATE, id
order, the same lock every online write takes first, so a redemption and the expiry of the
same member never interleave). A worker that dies mid-run loses only the uncommitted chunk; the retried task starts
from the cursor. A finished run is never repeated for the same date. Every expire entry also
carries a unique idempotency key (lot id + date) as a second guard.
"""

import datetime
import time

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils import timezone

from hotelcrm.audit import audit_record
from hotelcrm.selectors import home_hotel, home_hotels
from loyalty.models import JobKind, JobRun, JobStatus, Membership, Tier
from loyalty.services import program_ensure

CHUNK = 50_000

# The expiry of one chunk, as separate statements that each use an index (a data-modifying CTE
# joined back to the ledger lets the planner pick a scan of the whole table per chunk).
EXPIRE_LOCK_SQL = """
SELECT m.id FROM loyalty_membership m
WHERE m.organization_id = %(org)s AND m.id > %(lo)s AND m.id <= %(hi)s AND m.status = 'active' AND m.balance > 0
  AND (EXISTS (SELECT 1 FROM loyalty_ledgerentry x
               WHERE x.organization_id = %(org)s AND x.membership_id = m.id AND x.remaining > 0
                 AND x.expires_on <= %(today)s)
       OR (%(inactive_cutoff)s::date IS NOT NULL AND m.last_activity_on < %(inactive_cutoff)s::date))
ORDER BY m.id FOR UPDATE
"""
EXPIRE_DUE_SQL = """
SELECT e.id, e.membership_id, e.remaining, e.expires_on FROM loyalty_ledgerentry e
JOIN loyalty_membership m ON m.organization_id = %(org)s AND m.id = e.membership_id
WHERE e.organization_id = %(org)s AND e.membership_id = ANY(%(members)s) AND e.remaining > 0
  AND (e.expires_on <= %(today)s OR (%(inactive_cutoff)s::date IS NOT NULL AND m.last_activity_on < %(inactive_cutoff)s::date))
"""
EXPIRE_WRITE_SQL = """
WITH due AS (
    SELECT unnest(%(lots)s::bigint[]) AS lot_id, unnest(%(lot_members)s::bigint[]) AS membership_id,
           unnest(%(lot_points)s::bigint[]) AS remaining, unnest(%(lot_expiry)s::date[]) AS expires_on
), ins AS (
    INSERT INTO loyalty_ledgerentry (organization_id, membership_id, hotel_id, kind, points, remaining, expires_on,
        source_type, source_id, idempotency_key, qualifying_nights, qualifying_stays, qualifying_spend, reason, details,
        actor_id, created_at, business_on)
    -- Dated at the lot's expiry date (a run catching up on missed nights dates each expiry when it
    -- was due); an inactivity expiry on the run's date.
    SELECT %(org)s, d.membership_id, NULL, 'expire', -d.remaining, 0, NULL, 'job_run', %(run)s,
           'expire:' || d.lot_id || ':' || %(today_text)s, 0, 0, 0, '', jsonb_build_object('lot', d.lot_id), NULL, %(now)s,
           LEAST(COALESCE(d.expires_on, %(today)s::date), %(today)s::date)
    FROM due d
    ON CONFLICT (organization_id, idempotency_key) DO NOTHING
    RETURNING id, membership_id, points, (details->>'lot')::bigint AS lot_id
)
INSERT INTO loyalty_ledgerallocation (organization_id, debit_id, lot_id, points)
SELECT %(org)s, id, lot_id, -points FROM ins
RETURNING lot_id
"""
EXPIRE_LOTS_SQL = "UPDATE loyalty_ledgerentry SET remaining = 0 WHERE organization_id = %(org)s AND id = ANY(%(done)s)"
EXPIRE_MEMBERS_SQL = """
UPDATE loyalty_membership m SET balance = m.balance - u.points
FROM (SELECT unnest(%(members)s::bigint[]) AS id, unnest(%(points)s::bigint[]) AS points) u
WHERE m.organization_id = %(org)s AND m.id = u.id
"""
COUNT_SQL = "SELECT count(*) FROM loyalty_membership WHERE organization_id = %(org)s AND id > %(lo)s AND id <= %(hi)s"


STEP_SECONDS = {}  # statement -> seconds, summed over the process (the benchmark prints it)


def _timed_execute(db, name, sql, params):
    started = time.perf_counter()
    db.execute(sql, params)
    STEP_SECONDS[name] = STEP_SECONDS.get(name, 0.0) + time.perf_counter() - started


def _expire_chunk(db, params):
    """(members in the chunk, members whose points expired, points expired), inside the chunk's transaction."""
    db.execute(COUNT_SQL, params)
    (seen,) = db.fetchone()
    _timed_execute(db, "expire_lock_sql", EXPIRE_LOCK_SQL, params)
    members = [row[0] for row in db.fetchall()]
    if not members:
        return seen, 0, 0
    _timed_execute(db, "expire_due_sql", EXPIRE_DUE_SQL, {**params, "members": members})
    due = db.fetchall()
    if not due:
        return seen, 0, 0
    by_lot = {lot_id: (membership_id, remaining, expires_on) for lot_id, membership_id, remaining, expires_on in due}
    _timed_execute(
        db,
        "expire_write_sql",
        EXPIRE_WRITE_SQL,
        {
            **params,
            "lots": list(by_lot),
            "lot_members": [v[0] for v in by_lot.values()],
            "lot_points": [v[1] for v in by_lot.values()],
            "lot_expiry": [v[2] for v in by_lot.values()],
        },
    )
    done = [row[0] for row in db.fetchall()]  # a lot already expired today (a rerun) is skipped
    if not done:
        return seen, 0, 0
    _timed_execute(db, "expire_lots_sql", EXPIRE_LOTS_SQL, {**params, "done": done})
    per_member = {}
    for lot_id in done:
        membership_id, remaining, _expires_on = by_lot[lot_id]
        per_member[membership_id] = per_member.get(membership_id, 0) + remaining
    _timed_execute(
        db,
        "expire_members_sql",
        EXPIRE_MEMBERS_SQL,
        {**params, "members": list(per_member), "points": list(per_member.values())},
    )
    return seen, len(per_member), sum(per_member.values())


TIER_SQL = """
WITH locked AS (
    -- Not locked: online writes never change a tier, and the UPDATE below locks what it changes.
    SELECT id, tier_id, tier_valid_until FROM loyalty_membership
    WHERE organization_id = %(org)s AND id > %(lo)s AND id <= %(hi)s AND status = 'active'
), q AS (
    SELECT e.membership_id, SUM(e.qualifying_nights) AS nights, SUM(e.qualifying_stays) AS stays,
           SUM(e.qualifying_spend) AS spend
    FROM loyalty_ledgerentry e
    WHERE e.organization_id = %(org)s AND e.membership_id > %(lo)s AND e.membership_id <= %(hi)s
      -- by business date (the stay's checkout), not by when the entry was written: an imported
      -- stay of three years ago is not a stay of the last 12 months
      AND e.business_on >= %(window_start)s AND e.business_on <= %(today)s
      -- the partial index's own predicate, so the planner can use it index-only
      AND (e.qualifying_stays > 0 OR e.qualifying_stays < 0 OR e.qualifying_nights > 0 OR e.qualifying_nights < 0
           OR e.qualifying_spend > 0 OR e.qualifying_spend < 0)
    GROUP BY e.membership_id
), earned AS (
    SELECT l.id, l.tier_id, l.tier_valid_until,
           {earned_case} AS earned_tier
    FROM locked l LEFT JOIN q ON q.membership_id = l.id
), ranked AS (
    SELECT e.*, tc.rank AS cur_rank, te.rank AS new_rank
    -- Joined on the organization too, so the tiers stay co-located with the members (Citus).
    FROM earned e JOIN loyalty_tier tc ON tc.organization_id = %(org)s AND tc.id = e.tier_id
    JOIN loyalty_tier te ON te.organization_id = %(org)s AND te.id = e.earned_tier
), decided AS (
    SELECT id, cur_rank, new_rank,
        CASE WHEN new_rank > cur_rank THEN earned_tier
             WHEN cur_rank > 0 AND (tier_valid_until IS NULL OR tier_valid_until < %(today)s) THEN earned_tier
             ELSE tier_id END AS tier_id,
        CASE WHEN new_rank > cur_rank THEN %(valid_until)s::date
             WHEN cur_rank > 0 AND (tier_valid_until IS NULL OR tier_valid_until < %(today)s)
                  THEN CASE WHEN new_rank > 0 THEN %(valid_until)s::date END
             ELSE tier_valid_until END AS valid_until
    FROM ranked
), changed AS (
    UPDATE loyalty_membership m SET tier_id = d.tier_id, tier_valid_until = d.valid_until, updated_at = %(now)s
    FROM decided d
    WHERE m.organization_id = %(org)s AND m.id > %(lo)s AND m.id <= %(hi)s AND m.id = d.id
      AND (m.tier_id <> d.tier_id OR m.tier_valid_until IS DISTINCT FROM d.valid_until)
    RETURNING d.cur_rank, d.new_rank
)
SELECT (SELECT count(*) FROM locked),
       (SELECT count(*) FROM changed WHERE new_rank > cur_rank),
       (SELECT count(*) FROM changed WHERE new_rank < cur_rank),
       (SELECT count(*) FROM changed WHERE new_rank = cur_rank)
"""


def _earned_case(tiers):
    """CASE picking the best tier whose ANY threshold the 12-month totals meet (entry tier otherwise)."""
    parts, params = [], {}
    entry = min(tiers, key=lambda t: t.rank)
    for tier in sorted(tiers, key=lambda t: -t.rank):
        if tier.pk == entry.pk:
            continue
        conditions = []
        for column, value in (("nights", tier.min_nights), ("stays", tier.min_stays), ("spend", tier.min_spend)):
            if value is not None:
                name = f"t{tier.pk}_{column}"
                params[name] = value
                conditions.append(f"COALESCE(q.{column}, 0) >= %({name})s")
        if conditions:
            parts.append(f"WHEN {' OR '.join(conditions)} THEN {int(tier.pk)}")
    return f"CASE {' '.join(parts)} ELSE {int(entry.pk)} END", params


def _run_claim(organization_id, job, local_date):
    run, _ = JobRun.objects.for_org(organization_id).get_or_create(
        organization_id=organization_id, job=job, local_date=local_date
    )
    return run


def run_job(*, organization_id, job, local_date, chunk=CHUNK, stop_after_chunks=None):
    """Run (or resume) one nightly job for one organization and local date. Returns the JobRun.

    `stop_after_chunks` exists for tests that simulate a worker dying mid-run.
    """
    run = _run_claim(organization_id, job, local_date)
    if run.status == JobStatus.DONE:
        return run
    program = program_ensure(organization=organization_id)
    members = Membership.objects.for_org(organization_id)
    last_id = members.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = timezone.now()
    params = {"org": organization_id, "today": local_date, "run": str(run.pk)}
    sql = None
    if job == JobKind.EXPIRY:
        months = program.expiry_months_inactive
        params["inactive_cutoff"] = local_date - relativedelta(months=months) if months else None
        params["today_text"] = local_date.isoformat()
    else:
        tiers = list(Tier.objects.for_org(organization_id))
        case, case_params = _earned_case(tiers)
        sql = TIER_SQL.format(earned_case=case)
        params.update(case_params)
        params["window_start"] = local_date - relativedelta(months=12)
        params["valid_until"] = local_date + relativedelta(months=program.tier_validity_months)
    chunks = 0
    cursor_id = run.cursor
    while cursor_id < last_id:
        hi = cursor_id + chunk
        params.update(lo=cursor_id, hi=hi, now=timezone.now())
        with transaction.atomic():
            # Re-read the run under a lock: two workers given the same run never do a chunk twice.
            locked = JobRun.objects.for_org(organization_id).select_for_update().get(pk=run.pk)
            if locked.status == JobStatus.DONE or locked.cursor != cursor_id:
                run = locked
                cursor_id = locked.cursor
                if locked.status == JobStatus.DONE:
                    return locked
                continue
            with connection.cursor() as db:
                if job == JobKind.EXPIRY:
                    row = _expire_chunk(db, params)
                else:
                    _timed_execute(db, "tier_sql", sql, params)
                    row = db.fetchone()
            report = dict(locked.report)
            if job == JobKind.EXPIRY:
                seen, changed, points = row
                locked.points += points
            else:
                seen, up, down, renewed = row
                changed = up + down + renewed
                report["upgraded"] = report.get("upgraded", 0) + up
                report["downgraded"] = report.get("downgraded", 0) + down
                report["renewed"] = report.get("renewed", 0) + renewed
            report["chunks"] = report.get("chunks", 0) + 1
            locked.members_seen += seen
            locked.members_changed += changed
            locked.cursor = hi
            locked.report = report
            locked.save(update_fields=["members_seen", "members_changed", "points", "cursor", "report"])
            run = locked
        cursor_id = hi
        chunks += 1
        if stop_after_chunks is not None and chunks >= stop_after_chunks:
            return run
    with transaction.atomic():
        run = JobRun.objects.for_org(organization_id).select_for_update().get(pk=run.pk)
        if run.status != JobStatus.DONE:
            run.status = JobStatus.DONE
            run.finished_at = timezone.now()
            run.report = {**run.report, "seconds_last_attempt": round((run.finished_at - started).total_seconds(), 3)}
            run.save(update_fields=["status", "finished_at", "report"])
            audit_record(
                action=f"loyalty.job_{job}",
                organization=run.organization,
                actor_label=f"loyalty {job} job",
                obj=run,
                extra={
                    "local_date": local_date.isoformat(),
                    "members": run.members_seen,
                    "changed": run.members_changed,
                    "points": run.points,
                },
            )
    return run


def organization_exists(organization_id):
    from hotelcrm.models import Organization

    return Organization.objects.filter(pk=organization_id).exists()


def _org_tz(organization_id):
    hotel = home_hotel(organization_id)
    return hotel.tz if hotel is not None else datetime.UTC


# Jobs start once the organization's local time has passed this hour (after the night audit).
RUN_AFTER_HOUR = 2


def due_jobs(*, now=None):
    """[(organization_id, job, local_date)] not yet done: for each organization, in its home
    hotel's time zone, once the local hour has passed RUN_AFTER_HOUR. The dispatcher crosses
    tenants on purpose."""
    now = now or timezone.now()
    homes = home_hotels()
    due = []
    done = set(
        JobRun.objects.all_tenants_unscoped()
        .filter(status=JobStatus.DONE, local_date__gte=(now - datetime.timedelta(days=2)).date())
        .values_list("organization_id", "job", "local_date")
    )
    for organization_id, hotel in homes.items():
        local = now.astimezone(hotel.tz)
        if local.hour < RUN_AFTER_HOUR:
            continue
        for job in (JobKind.EXPIRY, JobKind.TIERS):
            if (organization_id, job, local.date()) not in done:
                due.append((organization_id, job, local.date()))
    return due
