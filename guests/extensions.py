"""What other apps contribute to the guest archive, registered in their AppConfig.ready().

Guests is the base the other domains build on and imports none of them (docs/architecture.md):
where the archive's screens or jobs need something of a higher app, that app registers it here.

- search keys: `search_key_register(fn)`; `fn(*, organization, text)` returns a queryset of
  guest ids whose key (e.g. a loyalty member number) is exactly `text`, or None when `text`
  is not such a key. The guest search unions them with its own exact lookups.
- profile panels: `profile_panel_register(template=..., context=fn)`; `fn(*, request, guest)`
  returns the template's context (one constant number of queries); the profile includes the
  template where the panels go.
- retention holds: `retention_hold_register(fn)`; `fn(*, organization, cutoff)` returns a
  queryset filtered by `guest_id=OuterRef("pk")` whose existence keeps a guest past the
  retention cutoff (e.g. loyalty activity since then).
"""

from dataclasses import dataclass

SEARCH_KEYS = []
PROFILE_PANELS = []
RETENTION_HOLDS = []


@dataclass(frozen=True)
class ProfilePanel:
    template: str
    context: object


def _register(registry, item):
    if item not in registry:
        registry.append(item)
    return item


def search_key_register(lookup):
    return _register(SEARCH_KEYS, lookup)


def profile_panel_register(*, template, context):
    return _register(PROFILE_PANELS, ProfilePanel(template=template, context=context))


def retention_hold_register(hold):
    return _register(RETENTION_HOLDS, hold)


def profile_panels(*, request, guest):
    """The registered panels with their context, in registration order: (template, context) pairs."""
    return [(panel.template, panel.context(request=request, guest=guest)) for panel in PROFILE_PANELS]
