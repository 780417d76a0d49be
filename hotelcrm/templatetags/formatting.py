"""The one set of display filters: dates, money and codes, in the reader's language.

{% load formatting %}
{{ stay.arrival_on|day }}            4 Dec 2026 / 2026年12月4日
{{ event.occurred_at|moment }}       4 Dec 2026, 21:48 (in the active time zone)
{{ amount|money:currency }}          1,234.88 CNY
{{ guest.nationality|country }}      China / 中国
{{ guest.preferred_language|language }}
{{ event.action|audit_action }}  {{ event.fields|audit_fields }}
{{ user|person }}                    full name, else the username
"""

import datetime
import zoneinfo
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, timezone

from hotelcrm import labels

register = template.Library()
EMPTY = "—"


def _local(value, zone):
    if not timezone.is_aware(value):
        return value
    if zone:
        try:
            return value.astimezone(zoneinfo.ZoneInfo(str(zone)))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.localtime(value)


@register.filter
def day(value, zone=None):
    """A date (or a date-time's day in `zone`, else the active time zone), with the year."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value, zone).date()
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def moment(value, zone=None):
    """A date-time in `zone` (a hotel's time zone name), else the active time zone, with the year."""
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime.datetime):
        return day(value)
    return formats.date_format(_local(value, zone), "DATETIME_FORMAT")


@register.filter
def money(value, currency=""):
    """Two decimals with thousands separators, then the currency code."""
    if value in (None, ""):
        return EMPTY
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = formats.number_format(amount.quantize(Decimal("0.01")), 2, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


@register.filter
def number(value):
    """An integer with thousands separators."""
    if value in (None, ""):
        return EMPTY
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


@register.filter
def country(code):
    return labels.country_name(code)


@register.filter
def language(code):
    return labels.language_name(code)


@register.filter
def languages(codes):
    return ", ".join(labels.language_name(code) for code in codes or () if code)


@register.filter
def audit_actor(text):
    """`{{ event.actor_label|audit_actor }}`: a job's or a guest link's stored actor label, translated."""
    from hotelcrm.labels import audit_actor_label

    return audit_actor_label(text)


@register.filter
def audit_action(code):
    return labels.audit_action_label(code)


@register.filter
def audit_fields(codes):
    return ", ".join(labels.audit_field_label(code) for code in codes or ())


@register.filter
def person(user):
    if not user:
        return ""
    return user.get_full_name() or user.get_username()
