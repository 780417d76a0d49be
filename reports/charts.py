"""The dashboard's chart data, as plain JSON for static/reports/charts.js (Apache ECharts).

Built from the figures the selectors already computed, so a chart costs no query. Labels are
translated and dates formatted here, in the reader's language; the page carries the result in one
`<script type="application/json">` block (no inline script, so the CSP stays strict).
"""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _


def _bucket_label(bucket, monthly):
    if not isinstance(bucket, datetime.date):
        return str(bucket)
    return date_format(bucket, "YEAR_MONTH_FORMAT" if monthly else "MONTH_DAY_FORMAT")


def _number(value):
    return None if value is None else float(value)


def _series(points, key):
    return [_number(p.get(key)) for p in points]


def _line(points, series, *, monthly, low=None, high=None, kind="line"):
    """`series` is [(key, label)]; one line (or bar set) per key over the points' buckets."""
    return {
        "kind": kind,
        "labels": [_bucket_label(p["bucket"], monthly) for p in points],
        "series": [{"name": str(label), "data": _series(points, key)} for key, label in series],
        "min": low,
        "max": high,
    }


def dashboard_charts(summary, *, monthly):
    """{chart id: spec}: the section charts and the summary's small trends."""
    charts = {}
    stays = summary["stays"]
    if stays["trend"]:
        charts["stays-trend"] = _line(
            stays["trend"], [("arrivals", _("Arrivals")), ("new_guests", _("New guests"))], monthly=monthly, kind="bar"
        )
        charts["spark-arrivals"] = {
            **_line(stays["trend"], [("arrivals", _("Arrivals"))], monthly=monthly),
            "kind": "spark",
        }
        charts["spark-new-guests"] = {
            **_line(stays["trend"], [("new_guests", _("New guests"))], monthly=monthly),
            "kind": "spark",
        }
    complaints = summary.get("complaints")
    if complaints and complaints["trend"]:
        charts["complaints-trend"] = _line(
            complaints["trend"], [("received", _("Complaints received"))], monthly=monthly, kind="bar"
        )
        charts["spark-complaints"] = {
            **_line(complaints["trend"], [("received", _("Complaints received"))], monthly=monthly),
            "kind": "spark",
        }
    satisfaction = summary.get("satisfaction")
    if satisfaction and satisfaction["trend"]:
        trend = satisfaction["trend"]
        charts["csat-trend"] = _line(trend, [("csat_avg", _("CSAT (1-5)"))], monthly=monthly, low=1, high=5)
        charts["nps-trend"] = _line(trend, [("nps", _("NPS"))], monthly=monthly, low=-100, high=100)
        charts["spark-csat"] = {
            **_line(trend, [("csat_avg", _("CSAT (1-5)"))], monthly=monthly, low=1, high=5),
            "kind": "spark",
        }
        charts["spark-nps"] = {
            **_line(trend, [("nps", _("NPS"))], monthly=monthly, low=-100, high=100),
            "kind": "spark",
        }
    churn = summary.get("churn")
    if churn and churn["trend"]:
        charts["churn-trend"] = _line(churn["trend"], [("on_watch", _("On the watch list"))], monthly=False)
        charts["spark-churn"] = {**charts["churn-trend"], "kind": "spark"}
    return charts
