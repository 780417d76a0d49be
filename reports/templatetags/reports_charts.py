"""Server-side SVG charts: no script, no CDN; the numbers are also in the table beside each chart."""
from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

WIDTH, HEIGHT, PAD = 640, 180, 24


@register.simple_tag
def line_chart(points, key, label="", low=None, high=None):
    """A trend line of `points[i][key]` over the buckets, with a dot per bucket and its value as a tooltip.

    `low`/`high` fix the scale (a score such as NPS, -100..100); by default it runs from 0 to the largest value.
    Buckets without a value (no answers that month) are left out of the line.
    """
    points = [p for p in (points or []) if p.get(key) is not None or low is None]
    if not points:
        return ""
    values = [float(p.get(key) or 0) for p in points]
    bottom = float(low) if low is not None else 0.0
    top = float(high) if high is not None else (max(values) or 1.0)
    span = (top - bottom) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    coords = [(PAD + i * step, HEIGHT - PAD - ((v - bottom) / span) * (HEIGHT - 2 * PAD)) for i, v in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="3"><title>{}: {}</title></circle>',
                            ((f"{x:.1f}", f"{y:.1f}", p["bucket"], f"{v:g}") for (x, y), p, v in zip(coords, points, values)))
    first, last = points[0]["bucket"], points[-1]["bucket"]
    return format_html(
        '<svg class="chart line-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        '<line x1="{pad}" y1="{base}" x2="{right}" y2="{base}" class="axis"/>'
        '<polyline points="{path}" class="series"/>{dots}'
        '<text x="{pad}" y="{h2}" class="tick">{first}</text><text x="{right}" y="{h2}" class="tick" text-anchor="end">{last}</text>'
        '<text x="{pad}" y="14" class="tick">{top}</text></svg>',
        w=WIDTH, h=HEIGHT, label=label, pad=PAD, base=HEIGHT - PAD, right=WIDTH - PAD, path=path, dots=dots,
        h2=HEIGHT - 6, first=first, last=last, top=f"{top:g}",
    )


@register.simple_tag
def bar(percent, width=120):
    """One horizontal bar, `percent` of `width` pixels long."""
    try:
        length = max(0.0, min(100.0, float(percent or 0))) * width / 100
    except (TypeError, ValueError):
        length = 0
    return format_html('<svg class="chart bar" width="{w}" height="12" aria-hidden="true"><rect width="{l}" height="12"/></svg>',
                       w=width, l=f"{length:.1f}")


@register.filter
def change_class(value):
    if value is None:
        return ""
    return mark_safe("up" if value > 0 else "down" if value < 0 else "flat")
