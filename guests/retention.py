"""Retention (PIPL art. 19, GDPR art. 5(1)(e)): personal data is kept no longer than needed.

An organization may set `guest_retention_years`. A guest with no stay (past, current or booked)
ending within that many years, on file for at least as long, and with no loyalty activity in
that time, is anonymised exactly as an erasure on request does: the stays stay for statistics,
everything that names or reaches the guest goes. A nightly job applies it; each guest is erased
in its own transaction with its own audit event, so a stopped run resumes where it was.
"""

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from guests.data_rights import guest_erase
from guests.extensions import RETENTION_HOLDS
from guests.models import GuestProfile, Stay
from hotelcrm.audit import audit_record

RETENTION_REASON = gettext_noop("Retention period passed: no stay for %(years)s years")
JOB_LABEL = "retention job"


def retention_cutoff(*, organization, today):
    years = organization.guest_retention_years
    return today - relativedelta(years=years) if years else None


def guests_past_retention(*, organization, today):
    """Guests of `organization` whose retention period has passed on `today` (none when unset)."""
    cutoff = retention_cutoff(organization=organization, today=today)
    if cutoff is None:
        return GuestProfile.objects.none()
    recent_stays = Stay.objects.for_org(organization).filter(guest_id=OuterRef("pk"), departure_on__gte=cutoff)
    rows = (
        GuestProfile.objects.for_org(organization)
        .filter(is_anonymised=False, merged_into__isnull=True, created_at__date__lt=cutoff)
        .exclude(Exists(recent_stays))
    )
    # Other apps keep a guest on file (loyalty activity since the cutoff): guests.extensions.
    for hold in RETENTION_HOLDS:
        rows = rows.exclude(Exists(hold(organization=organization, cutoff=cutoff)))
    return rows.order_by("pk")


def retention_report(*, organization, today, limit=100):
    """What the next run would anonymise, for a dry run: (how many, the first `limit` of them as
    dicts of guest id, on file since and last departure). Names stay out: it is read by operators."""
    rows = guests_past_retention(organization=organization, today=today)
    last_departure = (
        Stay.objects.for_org(organization)
        .filter(guest_id=OuterRef("pk"))
        .order_by("-departure_on")
        .values("departure_on")[:1]
    )
    listed = list(
        rows.annotate(last_departure_on=Subquery(last_departure)).values("pk", "created_at", "last_departure_on")[
            :limit
        ]
    )
    return rows.count(), listed


def retention_apply(*, organization, today=None, batch_size=200):
    """Anonymise every guest past the organization's retention period; returns how many."""
    today = today or timezone.localdate()
    if not organization.guest_retention_years:
        return 0
    reason = RETENTION_REASON % {"years": organization.guest_retention_years}
    erased = 0
    while True:
        ids = list(
            guests_past_retention(organization=organization, today=today).values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        for guest_id in ids:
            with transaction.atomic():
                guest = GuestProfile.objects.for_org(organization).filter(pk=guest_id, is_anonymised=False).first()
                if guest is None:
                    continue  # erased meanwhile (a request, another run)
                guest_erase(guest=guest, actor=None, reason=reason, actor_label=JOB_LABEL)
                erased += 1
    if erased:
        audit_record(
            action="guest.retention_run",
            organization=organization,
            actor_label=JOB_LABEL,
            extra={"erased": erased, "years": organization.guest_retention_years, "day": today.isoformat()},
        )
    return erased


def retention_apply_all(*, today=None):
    """{organization id: guests anonymised} for every organization with a retention period.
    The dispatcher lists tenants on purpose; each organization is handled in its own scope."""
    from hotelcrm.models import Organization

    return {
        organization.pk: retention_apply(organization=organization, today=today)
        for organization in Organization.objects.filter(guest_retention_years__isnull=False).order_by("pk")
    }
