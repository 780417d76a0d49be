"""The dashboard's number formats and its small server-side bars (the charts are drawn by
static/reports/charts.js with Apache ECharts; the numbers are also in the table beside each chart)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _decimal(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def num(value, decimals=0):
    """A count or figure with thousands separators: 12,345 (decimals: 12,345.6); "–" for no value.

    Grouped by three with a comma in both languages: Django's zh-hans format has no thousands
    separator at all, which is how 478317.49 came to be shown.
    """
    number = _decimal(value)
    if number is None or value is None or value == "":
        return "–"
    return f"{number:,.{int(decimals)}f}"


@register.filter
def money(value, currency=""):
    """An amount with separators, two decimals and the currency code: 478,317.49 CNY."""
    number = _decimal(value)
    if number is None or value is None:
        return "–"
    return f"{number:,.2f} {currency}".strip()


@register.filter
def percent(value):
    """A share or rate in percent, one decimal at most: 12.5%; "–" when there is none (no base)."""
    number = _decimal(value)
    if number is None or value is None:
        return "–"
    return f"{number.normalize():f}%" if number == number.to_integral() else f"{number:.1f}%"


@register.simple_tag
def bar(percent, width=120):
    """One horizontal bar, `percent` (of the whole, 0-100) of `width` pixels long."""
    try:
        length = max(0.0, min(100.0, float(percent or 0))) * width / 100
    except (TypeError, ValueError):
        length = 0
    return format_html(
        '<svg class="sharebar" width="{w}" height="10" aria-hidden="true"><rect class="track" width="{w}" height="10"/><rect width="{l}" height="10"/></svg>',
        w=width,
        l=f"{length:.1f}",
    )


@register.filter
def change_class(value):
    if value is None:
        return ""
    return mark_safe("up" if value > 0 else "down" if value < 0 else "flat")
