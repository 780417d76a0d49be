"""COPY of the demo guests and stays, in chunks: a million guests and three million stays
through the ORM would take hours. The rows carry what `save()` would have set
(`organization_id`, `search_name` folded as `GuestProfile.save()` does, the timestamps that
`auto_now` cannot fill), and every column the generator does not know gets its field default."""

import datetime
import io
import json
from dataclasses import dataclass

from django.db import connection as default_connection

from guests.demo_rows import GUEST_COLUMNS, STAY_COLUMNS, guest_rows
from guests.models import GuestProfile, Stay

# Guests per COPY statement; their stays (about three each) go in a COPY of their own.
CHUNK_GUESTS = 50_000


def _copy_escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _default_columns(model, provided, connection):
    """Columns the generator does not fill, with each field's default as COPY text.

    Other issues add fields to guests and stays; COPY bypasses Django, so their defaults are
    applied here once per load rather than forgotten.
    """
    columns, values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.column in provided or model_field.primary_key or model_field.has_db_default():
            continue
        if not model_field.has_default() and not model_field.null and not model_field.empty_strings_allowed:
            raise ValueError(
                f"{model._meta.label}.{model_field.name} has no default: teach guests.demo_rows.guest_rows to fill it."
            )
        value = model_field.get_default()
        if value is not None and model_field.get_internal_type() != "JSONField":
            value = model_field.get_db_prep_save(value, connection)
        if value is None:
            text = "\\N"
        elif isinstance(value, bool):
            text = "t" if value else "f"
        elif model_field.get_internal_type() == "JSONField":
            text = _copy_escape(json.dumps(value))
        elif isinstance(value, (list, tuple)):  # ArrayField: PostgreSQL array literal
            items = ('"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"' for item in value)
            text = _copy_escape("{" + ",".join(items) + "}")
        elif isinstance(value, (datetime.date, datetime.datetime)):
            text = value.isoformat()
        else:
            text = _copy_escape(str(value))
        columns.append(model_field.column)
        values.append(text)
    suffix = "".join("\t" + text for text in values)
    return columns, suffix


@dataclass
class CopyPlan:
    guest_sql: str
    stay_sql: str
    guest_suffix: str
    stay_suffix: str


def copy_plan(connection=None):
    connection = connection or default_connection
    guest_extra, guest_suffix = _default_columns(GuestProfile, set(GUEST_COLUMNS), connection)
    stay_extra, stay_suffix = _default_columns(Stay, set(STAY_COLUMNS) | {"id"}, connection)
    guest_table = GuestProfile._meta.db_table
    stay_table = Stay._meta.db_table
    return CopyPlan(
        guest_sql=f"COPY {guest_table} ({', '.join(GUEST_COLUMNS + tuple(guest_extra))}) FROM STDIN",
        stay_sql=f"COPY {stay_table} ({', '.join(STAY_COLUMNS + tuple(stay_extra))}) FROM STDIN",
        guest_suffix=guest_suffix,
        stay_suffix=stay_suffix,
    )


@dataclass
class CopyChunk:
    guests: bytes  # UTF-8 COPY text for GUEST_COLUMNS (plus defaulted columns)
    stays: bytes
    guest_count: int
    stay_count: int


def copy_chunks(records, *, allocate_ids, plan, chunk_size=CHUNK_GUESTS, progress=None):
    """Turn `guest_rows()` records into COPY text, `chunk_size` guests at a time.

    `allocate_ids(n)` returns n fresh guest ids; stays reference them, so the two COPY
    statements of a chunk must run in order (guests first).
    """
    guest_suffix = plan.guest_suffix + "\n"
    stay_suffix = plan.stay_suffix + "\n"
    batch = []
    progress_step = 5_000
    done = 0

    def flush():
        ids = allocate_ids(len(batch))
        guest_lines, stay_lines = [], []
        for guest_id, (guest, stays) in zip(ids, batch):
            guest_id = str(guest_id)
            guest_lines.append(guest_id + "\t" + "\t".join(guest) + guest_suffix)
            for stay in stays:
                stay_lines.append(guest_id + "\t" + "\t".join(stay) + stay_suffix)
        return CopyChunk("".join(guest_lines).encode(), "".join(stay_lines).encode(), len(guest_lines), len(stay_lines))

    for record in records:
        batch.append(record)
        done += 1
        if progress is not None and done % progress_step == 0:
            progress.update(progress_step)
        if len(batch) == chunk_size:
            yield flush()
            batch = []
    if progress is not None and done % progress_step:
        progress.update(done % progress_step)
    if batch:
        yield flush()


def copy_chunk_into(cursor, plan, chunk):
    """COPY one chunk: guests first, since its stays point at them."""
    # 1 MiB reads: psycopg2's default 8 KiB makes the client, not the server, the bottleneck.
    cursor.copy_expert(
        plan.guest_sql, io.BytesIO(chunk.guests), 1 << 20
    )  # positional: Django's debug cursor takes no size=
    if chunk.stay_count:
        cursor.copy_expert(plan.stay_sql, io.BytesIO(chunk.stays), 1 << 20)


def sequence_id_allocator(cursor):
    """Guest ids from the table's own identity sequence, so later ORM inserts never collide."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [GuestProfile._meta.db_table])
    (sequence,) = cursor.fetchone()

    def allocate(count):
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]

    return allocate


@dataclass
class LoadResult:
    guests: int = 0
    stays: int = 0

    @property
    def rows(self):
        return self.guests + self.stays


def load_guests_and_stays(
    connection, organization, hotels, n_guests, rng, *, now=None, progress=None, chunk_size=CHUNK_GUESTS, guest_mix=None
):
    """Generate `n_guests` guests of `organization` with their stays and COPY them in.

    Contract: call it inside `transaction.atomic()` for all-or-nothing; `organization` must
    hold no stays from an earlier load (reservation numbers restart at 1 per hotel, and the
    unique constraint refuses a repeat). `progress` is anything with `update(n_guests)`, such
    as a tqdm bar.
    """
    plan = copy_plan(connection)
    result = LoadResult()
    records = guest_rows(organization, hotels, n_guests, rng, now=now, guest_mix=guest_mix)
    with connection.cursor() as cursor:
        allocate = sequence_id_allocator(cursor)
        for chunk in copy_chunks(records, allocate_ids=allocate, plan=plan, chunk_size=chunk_size, progress=progress):
            copy_chunk_into(cursor, plan, chunk)
            result.guests += chunk.guest_count
            result.stays += chunk.stay_count
    return result
