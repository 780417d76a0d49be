"""One rule for every CSV and XLSX file we write: a text cell never runs as a formula.

Spreadsheets (Excel, LibreOffice, WPS) run a cell that starts with =, +, - or @ as a formula,
and some treat a leading tab or carriage return the same way once trimmed (CSV injection,
OWASP). Such text gets a leading apostrophe, which spreadsheets show as text. Numbers stay
numbers (a negative NPS is a number, not a formula).
"""

import csv
import datetime
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBERS = (int, float, Decimal)


def spreadsheet_text(text):
    """`text` (a str) as a cell a spreadsheet shows and never runs."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(value):
    """A CSV cell: empty for None, numbers as written, lists joined, dates in ISO form, text made safe."""
    if value is None:
        return ""
    if isinstance(value, _NUMBERS) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(item) for item in value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return spreadsheet_text(text)


def xlsx_cell(value):
    """An XLSX cell: numbers and dates as typed values (time zone dropped, Excel has none), text made safe."""
    if value is None:
        return None
    if isinstance(value, _NUMBERS) and not isinstance(value, bool):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.replace(tzinfo=None) if getattr(value, "tzinfo", None) is not None else value
    return csv_cell(value)


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows):
    """Stream `rows` (lists of values) as CSV lines, every cell through `csv_cell`."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])
