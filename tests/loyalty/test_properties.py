"""Property tests: random earn / redeem / reverse / expire sequences against a reference model.

After every step: cached balance == ledger sum == unspent lots, never negative, and each lot's
unspent points equal what a plain FIFO model (earliest expiry first, then oldest) predicts.
"""

import datetime
import threading

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty import jobs, selectors, services
from loyalty.exceptions import InsufficientPoints
from loyalty.models import JobKind, LedgerEntry, Membership, Program
from tests.factories import GuestFactory, HotelFactory, OrganizationFactory

operations = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 500), st.integers(1, 30)),
        st.tuples(st.just("redeem"), st.integers(1, 600), st.just(0)),
        st.tuples(st.just("reverse"), st.integers(0, 50), st.just(0)),
        st.tuples(st.just("expire"), st.integers(1, 6), st.just(0)),
    ),
    min_size=1,
    max_size=25,
)


class Reference:
    """The ledger as a list of lots, spent the way the issue says: oldest expiry first."""

    def __init__(self):
        self.lots = {}  # entry id -> [expires_on, remaining]
        self.allocations = {}  # debit id -> [(lot id, points)]

    @property
    def balance(self):
        return sum(remaining for _, remaining in self.lots.values())

    def take(self, debit_id, points, preferred=()):
        order = sorted(
            (lot_id for lot_id, (_, remaining) in self.lots.items() if remaining > 0),
            key=lambda i: (i not in preferred, self.lots[i][0] or datetime.date.max, i),
        )
        taken = []
        for lot_id in order:
            if points == 0:
                break
            share = min(points, self.lots[lot_id][1])
            self.lots[lot_id][1] -= share
            taken.append((lot_id, share))
            points -= share
        assert points == 0
        self.allocations[debit_id] = taken


def _check(membership, ref):
    membership = Membership.objects.for_org(membership.organization_id).get(pk=membership.pk)
    entries = LedgerEntry.objects.for_org(membership.organization_id).filter(membership_id=membership.pk)
    assert membership.balance >= 0
    assert membership.balance == selectors.ledger_balance(membership=membership) == ref.balance
    actual = dict(entries.filter(pk__in=list(ref.lots)).values_list("pk", "remaining"))
    assert actual == {lot_id: remaining for lot_id, (_, remaining) in ref.lots.items()}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(steps=operations)
def test_random_sequences_keep_the_ledger_exact(db, steps):
    with transaction.atomic():
        organization = OrganizationFactory()
        HotelFactory(organization=organization, time_zone="Asia/Shanghai")
        membership = services.membership_enrol(guest=GuestFactory(organization=organization), actor=None)
        program = Program.objects.for_org(organization).get()
        today = services.local_today(organization.pk)
        ref, entries, reversed_ids, months_ahead = Reference(), [], set(), 0
        for number, (op, amount, months) in enumerate(steps):
            key = f"step-{number}"
            if op == "earn":
                Program.objects.for_org(organization).filter(pk=program.pk).update(expiry_months_after_earning=months)
                entry = services.points_award(membership=membership, points=amount, idempotency_key=key)
                assert entry.expires_on == today + relativedelta(months=months)
                ref.lots[entry.pk] = [entry.expires_on, amount]
                entries.append(entry)
            elif op == "redeem":
                if amount > ref.balance:
                    with pytest.raises(InsufficientPoints):
                        services.points_redeem(membership=membership, points=amount, idempotency_key=key)
                else:
                    entry = services.points_redeem(membership=membership, points=amount, idempotency_key=key)
                    ref.take(entry.pk, amount)
                    entries.append(entry)
            elif op == "reverse":
                candidates = [e for e in entries if e.pk not in reversed_ids]
                if candidates:
                    target = candidates[amount % len(candidates)]
                    reversal = services.points_reverse(entry=target, actor=None, reason="test", idempotency_key=key)
                    reversed_ids.add(target.pk)
                    if target.points > 0:
                        wanted = min(target.points, ref.balance)
                        assert reversal.points == -wanted
                        if wanted:
                            ref.take(reversal.pk, wanted, preferred={target.pk})
                    else:
                        for lot_id, share in ref.allocations[target.pk]:
                            ref.lots[lot_id][1] += share
                        assert reversal.points == -target.points
            else:
                months_ahead += amount
                day = today + relativedelta(months=months_ahead)
                jobs.run_job(organization_id=organization.pk, job=JobKind.EXPIRY, local_date=day)
                for lot in ref.lots.values():
                    if lot[0] is not None and lot[0] <= day:
                        lot[1] = 0
            _check(membership, ref)
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads,each,expected", [(2, 60, 1), (8, 30, 3)])
def test_racing_redemptions_through_separate_connections(threads, each, expected):
    organization = OrganizationFactory()
    HotelFactory(organization=organization)
    membership = services.membership_enrol(guest=GuestFactory(organization=organization), actor=None)
    services.points_award(membership=membership, points=100, idempotency_key="seed")
    barrier = threading.Barrier(threads)
    outcomes = []

    def redeem(number):
        try:
            barrier.wait(10)
            services.points_redeem(membership=membership, points=each, idempotency_key=f"race-{number}")
            outcomes.append("ok")
        except InsufficientPoints:
            outcomes.append("refused")
        except Exception as error:  # anything else is a failure of the test
            outcomes.append(repr(error))
        finally:
            connection.close()

    workers = [threading.Thread(target=redeem, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert sorted(outcomes) == ["ok"] * expected + ["refused"] * (threads - expected)
    fresh = Membership.objects.for_org(organization).get(pk=membership.pk)
    assert fresh.balance == 100 - expected * each == selectors.ledger_balance(membership=fresh)
    assert LedgerEntry.objects.for_org(organization).filter(membership_id=membership.pk).count() == 1 + expected
    assert not selectors.balance_drift(organization_id=organization.pk)
