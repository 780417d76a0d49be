"""Receivers of the domain events (hotelcrm/domain_events.py); each runs in the sender's transaction."""

from django.dispatch import receiver

from hotelcrm.domain_events import guest_merged, stay_changed, stays_changed, suggestion_adopted
from loyalty import services


@receiver(stay_changed, dispatch_uid="loyalty.stay_changed")
def on_stay_changed(sender, stay, previous_status=None, actor=None, source="", **kwargs):
    services.stay_points_sync(stay=stay, actor=actor, source=source)


@receiver(stays_changed, dispatch_uid="loyalty.stays_changed")
def on_stays_changed(sender, changes, actor=None, source="", **kwargs):
    services.stays_points_sync(changes=changes, actor=actor, source=source)


@receiver(suggestion_adopted, dispatch_uid="loyalty.suggestion_adopted")
def on_suggestion_adopted(sender, complaint, actor=None, **kwargs):
    services.suggestion_bonus_award(complaint=complaint, actor=actor)


@receiver(guest_merged, dispatch_uid="loyalty.guest_merged")
def on_guest_merged(sender, survivor, merged, actor=None, **kwargs):
    services.membership_fold(survivor=survivor, merged=merged, actor=actor)
