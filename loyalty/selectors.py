"""Loyalty reads. Each takes the tenant and does a constant number of queries.

For the PMS API: `member_balance`, `member_statement`, `membership_for_guest`,
`membership_by_number` (writes: loyalty.services.points_award / points_redeem).
"""

import datetime

from django.db import connection
from django.db.models import Q, Sum

from loyalty.models import (
    AdjustmentRequest,
    AdjustmentStatus,
    EntryKind,
    JobRun,
    LedgerEntry,
    Membership,
    MembershipStatus,
    OrderStatus,
    RedemptionOrder,
    Reward,
    Tier,
    luhn_is_valid,
)


def membership_get(*, organization, membership_id):
    return (
        Membership.objects.for_org(organization)
        .select_related("tier", "guest", "merged_into")
        .filter(pk=membership_id)
        .first()
    )


def membership_for_guest(*, organization, guest_id):
    """The guest's active membership, or None."""
    return (
        Membership.objects.for_org(organization)
        .select_related("tier")
        .filter(guest_id=guest_id, status=MembershipStatus.ACTIVE)
        .first()
    )


def membership_by_number(*, organization, number):
    """Exact member-number lookup (check digit verified first, so a typo finds nobody).
    A number retired by a merge resolves to the membership it was folded into."""
    number = (number or "").strip().replace(" ", "")
    if not luhn_is_valid(number):
        return None
    membership = (
        Membership.objects.for_org(organization)
        .select_related("tier", "merged_into__tier")
        .filter(member_number=number)
        .first()
    )
    if membership is not None and membership.merged_into_id:
        return membership.merged_into
    return membership


def member_balance(*, membership):
    """The balance (the cached column, kept equal to the ledger sum by every service) and the tier."""
    return {
        "member_number": membership.member_number,
        "balance": membership.balance,
        "tier": membership.tier.code,
        "tier_valid_until": membership.tier_valid_until,
    }


def ledger_balance(*, membership):
    """The balance as the ledger sums it (what the check command compares with the cache)."""
    return (
        LedgerEntry.objects.for_org(membership.organization_id)
        .filter(membership_id=membership.pk)
        .aggregate(total=Sum("points"))["total"]
        or 0
    )


class Statement:
    """A member's entries newest first with the balance after each one, filterable and sliceable
    (Paginator-compatible). The running balance is computed over ALL the member's entries before
    the filter, so a filtered page still shows the true balance after each entry. Two queries per
    page: the count and the page."""

    COLUMNS = (
        "id",
        "created_at",
        "kind",
        "points",
        "remaining",
        "expires_on",
        "source_type",
        "source_id",
        "reason",
        "hotel_id",
        "details",
        "business_on",
    )

    def __init__(self, membership, kinds=None, date_from=None, date_to=None, tz=None):
        self.membership = membership
        self.where, self.params = ["TRUE"], []
        if kinds:
            self.where.append("s.kind = ANY(%s)")
            self.params.append(list(kinds))
        if date_from:
            self.where.append("s.created_at >= %s")
            self.params.append(_start_of(date_from, tz))
        if date_to:
            self.where.append("s.created_at < %s")
            self.params.append(_start_of(date_to + datetime.timedelta(days=1), tz))
        self._count = None

    def _sql(self, select):
        return (
            # SUM of a bigint is numeric in PostgreSQL (a Decimal, sent as 1209.0 by the API): cast back.
            f"SELECT {select} FROM (SELECT e.*, (SUM(e.points) OVER (ORDER BY e.created_at, e.id))::bigint AS running "
            "FROM loyalty_ledgerentry e WHERE e.organization_id = %s AND e.membership_id = %s) s "
            f"WHERE {' AND '.join(self.where)}"
        ), [self.membership.organization_id, self.membership.pk, *self.params]

    def count(self):
        if self._count is None:
            if len(self.where) == 1:
                sql, params = (
                    "SELECT count(*) FROM loyalty_ledgerentry WHERE organization_id = %s AND membership_id = %s",
                    [self.membership.organization_id, self.membership.pk],
                )
            else:
                sql, params = self._sql("count(*)")
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice):
            rows = self[item : item + 1]
            if not rows:
                raise IndexError(item)
            return rows[0]
        start, stop = item.start or 0, item.stop
        sql, params = self._sql(", ".join(f"s.{c}" for c in self.COLUMNS) + ", s.running")
        sql += " ORDER BY s.created_at DESC, s.id DESC"
        if stop is not None:
            sql += " LIMIT %s"
            params.append(stop - start)
        sql += " OFFSET %s"
        params.append(start)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [StatementRow(dict(zip((*self.COLUMNS, "running"), row))) for row in rows]


class StatementRow(dict):
    __getattr__ = dict.get

    @property
    def kind_label(self):
        return EntryKind(self["kind"]).label

    @property
    def source_label(self):
        from loyalty.models import SourceType

        try:
            return SourceType(self["source_type"]).label
        except ValueError:
            return self["source_type"]


def _start_of(day, tz):
    if tz is None:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def member_statement(*, membership, kinds=None, date_from=None, date_to=None, tz=None):
    return Statement(membership, kinds=kinds, date_from=date_from, date_to=date_to, tz=tz)


def membership_list(*, organization, query="", tier_code=""):
    rows = (
        Membership.objects.for_org(organization).select_related("tier", "guest").filter(status=MembershipStatus.ACTIVE)
    )
    query = (query or "").strip()
    if query:
        if query.isdigit():
            rows = rows.filter(member_number=query)
        else:
            from guests.models import fold_for_search

            rows = rows.filter(guest__search_name__contains=fold_for_search(query))
    if tier_code:
        rows = rows.filter(tier__code=tier_code)
    return rows.order_by("-pk")


def tiers_of(*, organization):
    return list(Tier.objects.for_org(organization).order_by("rank"))


def tiers_for_guests(*, organization, guest_ids):
    """{guest_id: Membership (with tier)} for the guests that are members: one query."""
    rows = (
        Membership.objects.for_org(organization)
        .select_related("tier")
        .filter(guest_id__in=list(guest_ids), status=MembershipStatus.ACTIVE)
    )
    return {m.guest_id: m for m in rows}


def rewards_available(*, organization, hotel, today):
    return (
        Reward.objects.for_org(organization)
        .filter(Q(hotel__isnull=True) | Q(hotel_id=hotel.pk), is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(stock__isnull=True) | Q(stock__gt=0))
        .select_related("hotel")
        .order_by("points_price", "name")
    )


def reward_list(*, organization):
    return Reward.objects.for_org(organization).select_related("hotel").order_by("-is_active", "points_price", "name")


def order_list(*, organization, hotel=None, status=""):
    rows = RedemptionOrder.objects.for_org(organization).select_related(
        "reward", "membership__guest", "hotel", "placed_by"
    )
    if hotel is not None:
        rows = rows.filter(hotel_id=hotel.pk)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-placed_at", "-pk")


def member_orders(*, membership):
    return (
        RedemptionOrder.objects.for_org(membership.organization_id)
        .filter(membership_id=membership.pk)
        .select_related("reward", "hotel")
        .order_by("-placed_at", "-pk")
    )


def adjustment_list(*, organization, hotel=None, pending_only=True):
    rows = AdjustmentRequest.objects.for_org(organization).select_related(
        "membership__guest", "hotel", "requested_by", "decided_by"
    )
    if hotel is not None:
        rows = rows.filter(hotel_id=hotel.pk)
    if pending_only:
        rows = rows.filter(status=AdjustmentStatus.PENDING)
    return rows.order_by("-requested_at", "-pk")


def job_runs(*, organization, limit=30):
    return list(JobRun.objects.for_org(organization).order_by("-local_date", "job")[:limit])


BALANCE_DRIFT_SQL = """
SELECT m.organization_id, m.id, m.member_number, m.balance,
       COALESCE(l.total, 0) AS ledger, COALESCE(l.lots, 0) AS lots
FROM loyalty_membership m
LEFT JOIN (
    SELECT membership_id, SUM(points) AS total, SUM(remaining) AS lots
    FROM loyalty_ledgerentry {where_entries} GROUP BY membership_id
) l ON l.membership_id = m.id
WHERE (m.balance <> COALESCE(l.total, 0) OR COALESCE(l.total, 0) <> COALESCE(l.lots, 0)) {and_members}
ORDER BY m.organization_id, m.id
"""


def balance_drift(*, organization_id=None):
    """Members whose cached balance, ledger sum and unspent lots disagree: [(org, id, number, cached, ledger, lots)].
    One set-based query over the whole table (or one organization)."""
    params = []
    where_entries = and_members = ""
    if organization_id is not None:
        where_entries, and_members = "WHERE organization_id = %s", "AND m.organization_id = %s"
        params = [organization_id, organization_id]
    with connection.cursor() as cursor:
        cursor.execute(BALANCE_DRIFT_SQL.format(where_entries=where_entries, and_members=and_members), params)
        return cursor.fetchall()


def order_states():
    return OrderStatus.choices


def guest_loyalty_card(*, organization, guest_id):
    """What the guest profile's loyalty card shows: the active membership with its tier, or None. One query."""
    return membership_for_guest(organization=organization, guest_id=guest_id)


def adjustment_entry(*, adjustment):
    """The ledger entry an applied adjustment wrote (None while it waits or after a rejection)."""
    return (
        LedgerEntry.objects.for_org(adjustment.organization_id)
        .filter(idempotency_key=f"adjustment:{adjustment.pk}")
        .first()
    )
