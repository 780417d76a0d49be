"""Labels of the guest catalog in the reader's language: preference categories, names and values."""

from django import template

from guests.catalog import category_label, choice_label, preference_type_label
from guests.models import PreferenceValueType

register = template.Library()


@register.filter
def preference_category(code):
    return category_label(code)


@register.filter
def preference_name(preference_type):
    """The Chinese name for a zh reader (English only when there is none), else the English name."""
    return preference_type_label(preference_type)


@register.filter
def preference_value(preference):
    """A choice or yes/no value as a translated label; free text as written."""
    if preference.preference_type.value_type in (PreferenceValueType.CHOICE, PreferenceValueType.YES_NO):
        return choice_label(preference.value)
    return preference.value
