"""The stay actions a staff member may take from the guest profile's stays list."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def stay_actions(context, stay):
    """(status, label) pairs for the buttons of `stay`'s row; no queries."""
    from guests.views.stays import stay_actions_for

    return stay_actions_for(request=context["request"], stay=stay)
