"""Export of the filtered guest list: non-sensitive columns only, confidential profiles masked, audited."""

import io

from django.db import transaction
from django.utils.translation import gettext as _

from guests.access import openable_profile_ids
from guests.selectors import guest_search
from hotelcrm.audit import audit_record
from hotelcrm.exports import csv_cell, csv_lines

EXPORT_CHUNK = 2_000
# Phone, email, document, birth date, address, preferences and notes never leave through a list export.
EXPORT_COLUMNS = (
    "id",
    "family_name",
    "given_name",
    "native_name",
    "title",
    "gender",
    "nationality",
    "preferred_language",
    "company",
    "position",
    "guest_type",
    "value_class",
    "vip_level",
    "status",
    "tags",
    "created_at",
)


def export_headers():
    from guests.models import GuestProfile

    labels = {"id": _("Guest id"), "tags": _("Tags")}
    return [str(labels.get(name) or GuestProfile._meta.get_field(name).verbose_name) for name in EXPORT_COLUMNS]


def _safe(value):
    """A cell a spreadsheet will not run as a formula (CSV injection: hotelcrm.exports)."""
    return csv_cell(value)


def export_rows(*, request, query):
    """Rows of the filtered list, in chunks; a profile the requester may not open shows only its id."""
    guests = guest_search(organization=request.organization, query=query)
    masked = [""] * (len(EXPORT_COLUMNS) - 2)
    chunk = []
    for guest in guests.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(guest)
        if len(chunk) == EXPORT_CHUNK:
            yield from _chunk_rows(request, chunk, masked)
            chunk = []
    if chunk:
        yield from _chunk_rows(request, chunk, masked)


def _chunk_rows(request, guests, masked):
    openable = openable_profile_ids(request=request, guests=guests)  # one query per chunk at most
    for guest in guests:
        if guest.pk in openable:
            yield [guest.pk, *(_safe(getattr(guest, name)) for name in EXPORT_COLUMNS[1:])]
        else:
            yield [guest.pk, _("Confidential guest"), *masked]


def csv_stream(*, request, query):
    yield "\ufeff"  # Excel opens UTF-8 CSV with Chinese names correctly only with a BOM
    yield from csv_lines([export_headers()])
    yield from csv_lines(export_rows(request=request, query=query))


def xlsx_bytes(*, request, query):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Guests")[:31])
    sheet.append(export_headers())
    for row in export_rows(request=request, query=query):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def guest_list_export_record(*, request, query, file_format):
    """Audit the export before it streams: who took which filter, how many rows."""
    row_count = guest_search(organization=request.organization, query=query).count()
    audit_record(
        action="guest.export",
        hotel=request.hotel,
        actor=request.user,
        request=request,
        extra={"query": query, "format": file_format, "rows": row_count},
    )
    return row_count
