"""One row of every loyalty table for a test tenant (the isolation tests need B's ids)."""

import datetime

from hotelcrm.models import Role
from loyalty import services
from loyalty.models import JobKind, JobRun, RewardKind


def fill(tenant, label):
    desk, manager = tenant.users[Role.FRONT_DESK], tenant.users[Role.MANAGER]
    hotel = tenant.hotels[0]
    membership = services.membership_enrol(guest=tenant.guests[0], actor=desk, hotel=hotel)
    services.points_award(
        membership=membership,
        points=5000,
        idempotency_key=f"{label}-welcome",
        actor=desk,
        hotel=hotel,
        reason="Welcome",
    )
    reward = services.reward_save(
        organization=tenant.organization,
        actor=manager,
        hotel=hotel,
        data={"kind": RewardKind.BREAKFAST, "name": f"{label} breakfast", "points_price": 800, "stock": 10},
    )
    services.reward_order_place(
        membership=membership, reward=reward, hotel=hotel, actor=desk, idempotency_key=f"{label}-order"
    )
    services.adjustment_request(
        membership=membership, points=2000, reason=f"{label} big goodwill", actor=desk, hotel=hotel, is_goodwill=True
    )  # above the threshold: waits for a manager
    JobRun.objects.create(organization=tenant.organization, job=JobKind.EXPIRY, local_date=datetime.date(2026, 1, 1))
