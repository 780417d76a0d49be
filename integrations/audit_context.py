"""Naming the integration key in every audit event written while a key's call is served.

Guest services take a user as `actor`; a PMS call has none. While a key's request runs, the
authentication sets the key's label here and a pre_save receiver on AuditEvent (connected in
IntegrationsConfig.ready) fills `actor_label` and `extra.api_key_id` of events without an actor,
so every call made with a key is attributable, whatever service recorded it. The variable
belongs to the core's request scope (hotelcrm.request_context), which clears it after every request.
"""

from hotelcrm.request_context import current_api_key as current_key  # cleared per request by the core


def label_audit_event(sender, instance, **kwargs):
    key = current_key.get()
    if key is None or instance.actor_id is not None:
        return
    if not instance.actor_label:
        instance.actor_label = key.label[:200]
    extra = dict(instance.extra or {})
    extra.setdefault("api_key_id", key.pk)
    instance.extra = extra
