"""CSV and XLSX files of a report: a list of titled tables, written the same way in both formats."""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from hotelcrm.exports import spreadsheet_text, xlsx_cell
from reports.models import ComplaintDimension, StayDimension

MAX_ROWS = 100_000


@dataclass
class Table:
    title: str
    headers: list
    rows: list


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)
    return value


def _safe_text(value):
    # One rule for every export (hotelcrm.exports): = + - @ tab and CR never start a formula.
    return spreadsheet_text(value) if isinstance(value, str) else value


def _xlsx_cell(value):
    if isinstance(value, (int, float, Decimal, datetime.date)) or value is None:
        return xlsx_cell(value)
    return xlsx_cell(str(value))


def response(tables, fmt, *, filename):
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for table in tables:
            writer.writerow([str(table.title)])
            writer.writerow([str(h) for h in table.headers])
            for row in table.rows:
                # Numbers (a negative NPS) are written as they are; only text is quoted against formulas.
                writer.writerow(
                    [str(v) if isinstance(v, (int, float, Decimal)) else _safe_text(str(_cell(v))) for v in row]
                )
            writer.writerow([])
        result = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        result["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return result
    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, table in enumerate(tables):
        sheet = workbook.create_sheet(title=f"{index + 1} {str(table.title)}"[:31].replace("/", "-"))
        sheet.append([str(h) for h in table.headers])
        for row in table.rows:
            sheet.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    result["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return result


def dashboard_tables(summary, *, scope, start, end):
    stays = summary["stays"]
    t, p = stays["totals"], stays["previous"]
    tables = [
        Table(
            _("Guests and stays"),
            [_("Figure"), _("This period"), _("Previous period")],
            [
                [_("Arrivals"), t["arrivals"], p["arrivals"]],
                [_("New guests"), t["new_guests"], p["new_guests"]],
                [_("Returning stays"), t["returning"], p["returning"]],
                [_("Repeat rate (%)"), t["repeat_rate"], p["repeat_rate"]],
                [_("Room nights"), t["nights"], p["nights"]],
                [_("Room revenue"), t["room_revenue"], p["room_revenue"]],
                [_("F&B revenue"), t["fb_revenue"], p["fb_revenue"]],
                [_("Other revenue"), t["other_revenue"], p["other_revenue"]],
                [_("Total revenue"), t["revenue"], p["revenue"]],
            ],
        )
    ]
    for dimension, rows in stays["by_dimension"].items():
        tables.append(
            Table(
                StayDimension(dimension).label,
                [_("Value"), _("Arrivals"), _("New guests"), _("Share (%)")],
                [[r["label"], r["arrivals"], r["new_guests"], r["share"]] for r in rows],
            )
        )
    complaints = summary.get("complaints")
    if complaints:
        c = complaints["totals"]
        tables.append(
            Table(
                _("Complaints"),
                [_("Figure"), _("This period"), _("Previous period")],
                [
                    [_("Received"), c["received"], complaints["previous"]["received"]],
                    [_("Resolved"), c["resolved"], complaints["previous"]["resolved"]],
                    [_("Resolved within the SLA (%)"), c["sla_rate"], complaints["previous"]["sla_rate"]],
                    [
                        _("Average minutes to acknowledge"),
                        c["acknowledge_avg_minutes"],
                        complaints["previous"]["acknowledge_avg_minutes"],
                    ],
                    [
                        _("Average hours to resolve"),
                        c["resolve_avg_hours"],
                        complaints["previous"]["resolve_avg_hours"],
                    ],
                    [
                        _("Median minutes to acknowledge"),
                        c["acknowledge_median_minutes"],
                        complaints["previous"]["acknowledge_median_minutes"],
                    ],
                    [
                        _("Median hours to resolve"),
                        c["resolve_median_hours"],
                        complaints["previous"]["resolve_median_hours"],
                    ],
                    [
                        _("Satisfaction with handling (1-5)"),
                        c["satisfaction_avg"],
                        complaints["previous"]["satisfaction_avg"],
                    ],
                    [_("Reopen rate (%)"), c["reopen_rate"], complaints["previous"]["reopen_rate"]],
                    [_("Open now"), complaints["live"]["open"], ""],
                    [_("Breached now"), complaints["live"]["breached"], ""],
                ],
            )
        )
        for dimension, rows in complaints["by_dimension"].items():
            tables.append(
                Table(
                    ComplaintDimension(dimension).label,
                    [_("Value"), _("Received"), _("Resolved"), _("Within SLA (%)")],
                    [[r["label"], r["received"], r["resolved"], r["sla_rate"]] for r in rows],
                )
            )
    loyalty = summary.get("loyalty")
    if loyalty:
        tables.append(
            Table(
                _("Loyalty"),
                [_("Figure"), _("This period"), _("Previous period")],
                [
                    [_("Points issued"), loyalty["issued"], loyalty["previous"]["issued"]],
                    [_("Points redeemed"), loyalty["redeemed"], loyalty["previous"]["redeemed"]],
                    [_("Points expired"), loyalty["expired"], loyalty["previous"]["expired"]],
                ],
            )
        )
    if loyalty:
        tables.append(
            Table(
                _("Top rewards"),
                [_("Reward"), _("Quantity"), _("Orders"), _("Points")],
                [[r["reward__name"], r["quantity"], r["orders"], r["points"]] for r in loyalty["top_rewards"]],
            )
        )
    care = summary.get("care")
    if care:
        calls, before = care["calls"], care["calls_previous"]
        tables.append(
            Table(
                _("Call tasks"),
                [_("Figure"), _("This period"), _("Previous period")],
                [
                    [_("Call tasks due"), calls["due"], before["due"]],
                    [_("Done on time"), calls["on_time"], before["on_time"]],
                    [_("Late or not done"), calls["late_or_open"], before["late_or_open"]],
                    [_("Calls done on time (%)"), calls["on_time_rate"], before["on_time_rate"]],
                ],
            )
        )
    staff = summary.get("staff")
    if staff:
        tables.append(
            Table(
                _("Staff"),
                [
                    _("Staff member"),
                    _("Complaints handled"),
                    _("On time (%)"),
                    _("Guests owned"),
                    _("Profile completeness (%)"),
                ],
                [[r["name"], r["handled"], r["on_time_rate"], r["guests"], r["completeness"]] for r in staff["rows"]],
            )
        )
    satisfaction = summary.get("satisfaction")
    if satisfaction:
        t, p = satisfaction["totals"], satisfaction["previous"]
        tables.append(
            Table(
                _("Guest satisfaction (surveys)"),
                [_("Figure"), _("This period"), _("Previous period")],
                [
                    [_("Survey answers"), t["responses"], p["responses"]],
                    [_("CSAT (1-5)"), t["csat_avg"], p["csat_avg"]],
                    [_("NPS"), t["nps"], p["nps"]],
                    [_("With a comment"), t["comments"], ""],
                ],
            )
        )
        tables.append(
            Table(
                _("CSAT distribution"),
                [_("Score given"), _("Answers"), _("Share (%)")],
                [[r["value"], r["responses"], r["share"]] for r in satisfaction["csat"]],
            )
        )
        tables.append(
            Table(
                _("Likelihood to recommend (0-10)"),
                [_("Score given"), _("Answers"), _("Share (%)")],
                [[r["value"], r["responses"], r["share"]] for r in satisfaction["nps"]],
            )
        )
        tables.append(
            Table(
                _("CSAT and NPS over the period"),
                [_("Date"), _("Survey answers"), _("CSAT (1-5)"), _("NPS")],
                [[r["bucket"], r["responses"], r["csat_avg"], r["nps"]] for r in satisfaction["trend"]],
            )
        )
    churn = summary.get("churn")
    if churn:
        tables.append(
            Table(
                _("Churn watch list"),
                [_("Figure"), _("Guests")],
                [
                    [_("Regulars on the watch list now"), churn["size"]],
                    [_("Joined in the last 7 days"), churn["joined"]],
                    *[[label, count] for label, count in churn["reasons"]],
                ],
            )
        )
    rfm = summary["rfm"]
    tables.append(
        Table(
            _("RFM segments"),
            [_("Segment"), _("Guests"), _("Revenue"), _("Share (%)")],
            [[s["label"], s["guests"], s["revenue"], s["share"]] for s in rfm["segments"]],
        )
    )
    return tables
