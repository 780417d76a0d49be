"""Guest import from CSV or XLSX: reading the file, guessing the column mapping, checking rows, importing.

The flow: `guest_import_upload` reads the file once (refusing a wrong encoding, a file that is
neither CSV nor XLSX, one that is too big or has no header) and stores it encrypted, since an
import file is a plain list of phones and emails; `guest_import_map` stores the column mapping
and queues the file. The worker (`import_guests_task` → `guest_import_process`) checks every
row (status "validating", progress in `validated_rows`); a file with errors waits until the
user chooses to import only the valid rows (`guest_import_start`); a clean file goes straight
on to `guest_import_run`, which imports in chunks of CHUNK_ROWS, each committed with its
progress (`good_rows_done`) in one transaction.

A worker killed mid-way leaves a heartbeat that stops moving: `guest_imports_recover_stale`
(beat, every minute) requeues such an import, which resumes after the last committed chunk (a
chunk is refused unless the progress it starts from is still the stored one, so two workers
never import the same rows), or fails it with a message after MAX_RESUMPTIONS.

Duplicates: a row whose email or phone already belongs to a guest of the organization (or to an
earlier row of the same file) is NOT imported and the existing profile is left as it is; the
row is reported as a duplicate, with the existing guest's id, so the user can merge by hand.
Imported rows never overwrite data someone entered at the desk.
"""

import csv
import datetime
import io
import re
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guests import birth_dates
from guests.birth_dates import birth_date_columns
from guests.duplicates import duplicate_pairs_refresh
from guests.exceptions import GuestError
from guests.models import (
    ConsentSource,
    ContactKind,
    Gender,
    GuestContact,
    GuestImport,
    GuestProfile,
    GuestType,
    ImportStatus,
    fold_for_search,
)
from guests.services import contact_blind_index
from guests.validators import normalise_nationality, validate_birth_date
from hotelcrm.audit import audit_record
from hotelcrm.crypto import _multifernet

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_LISTED_PROBLEMS = 2_000
CHUNK_ROWS = 500
VALIDATE_CHUNK_ROWS = 2_000
MAX_RESUMPTIONS = 3
# An import whose worker showed no progress for this long is presumed lost (a chunk takes seconds).
STALE_AFTER = datetime.timedelta(minutes=2)


class ImportFileError(GuestError):
    code = "import_file_invalid"


@dataclass(frozen=True)
class ImportField:
    name: str
    label: object
    headers: tuple  # normalised header names that map to this field, English and Chinese
    required: bool = False


IMPORT_FIELDS = (
    ImportField(
        "family_name", gettext_lazy("Family name"), ("familyname", "lastname", "surname", "family", "姓", "姓氏"), True
    ),
    ImportField("given_name", gettext_lazy("Given name"), ("givenname", "firstname", "given", "first", "名", "名字")),
    ImportField(
        "native_name",
        gettext_lazy("Name in native script"),
        ("nativename", "chinesename", "fullname", "name", "姓名", "中文名", "中文姓名", "客人姓名"),
    ),
    ImportField("gender", gettext_lazy("Gender"), ("gender", "sex", "性别")),
    ImportField(
        "nationality", gettext_lazy("Nationality (ISO 3166 code)"), ("nationality", "country", "countrycode", "国籍")
    ),
    ImportField(
        "preferred_language", gettext_lazy("Preferred language"), ("preferredlanguage", "language", "语言", "首选语言")
    ),
    ImportField(
        "birth_date",
        gettext_lazy("Birth date (YYYY-MM-DD)"),
        ("birthdate", "dateofbirth", "dob", "birthday", "生日", "出生日期"),
    ),
    ImportField(
        "phone",
        gettext_lazy("Phone"),
        (
            "phone",
            "mobile",
            "mobilephone",
            "phonenumber",
            "tel",
            "telephone",
            "cell",
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "联系电话",
            "电话号码",
        ),
    ),
    ImportField(
        "email", gettext_lazy("Email"), ("email", "mail", "emailaddress", "邮箱", "电子邮件", "电子邮箱", "邮件")
    ),
    ImportField(
        "company",
        gettext_lazy("Company"),
        ("company", "companyname", "employer", "organisation", "organization", "公司", "单位", "公司名称", "工作单位"),
    ),
    ImportField("position", gettext_lazy("Position"), ("position", "jobtitle", "job", "职位", "职务")),
    ImportField("guest_type", gettext_lazy("Guest type"), ("guesttype", "type", "客人类型", "客户类型", "宾客类型")),
    ImportField("vip_level", gettext_lazy("VIP level (0-5)"), ("vip", "viplevel", "vip等级", "贵宾等级", "vip级别")),
    ImportField("notes", gettext_lazy("Notes"), ("notes", "note", "remarks", "comments", "备注")),
    ImportField(
        "pms_profile_id", gettext_lazy("PMS profile id"), ("pmsprofileid", "pmsid", "profileid", "档案号", "客史档案号")
    ),
    ImportField(
        "consent_email",
        gettext_lazy("Email marketing consent (yes/no)"),
        ("consentemail", "emailconsent", "邮件营销同意"),
    ),
    ImportField(
        "consent_sms", gettext_lazy("SMS marketing consent (yes/no)"), ("consentsms", "smsconsent", "短信营销同意")
    ),
    ImportField(
        "consent_phone",
        gettext_lazy("Phone marketing consent (yes/no)"),
        ("consentphone", "phoneconsent", "电话营销同意"),
    ),
)
FIELDS_BY_NAME = {f.name: f for f in IMPORT_FIELDS}

_YES = {"yes", "y", "true", "1", "是", "同意", "x"}
_NO = {"no", "n", "false", "0", "否", "不同意", ""}
_GENDERS = {
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
    "woman": Gender.FEMALE,
    "女": Gender.FEMALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "man": Gender.MALE,
    "男": Gender.MALE,
    "other": Gender.OTHER,
    "其他": Gender.OTHER,
    "unknown": Gender.UNKNOWN,
    "": Gender.UNKNOWN,
    "未知": Gender.UNKNOWN,
}


# --- the file --------------------------------------------------------------------------------


def _seal(raw: bytes) -> bytes:
    # Import files are lists of phones and emails: they rest on disk encrypted like the columns do.
    return _multifernet().encrypt(raw)


def _unseal(sealed: bytes) -> bytes:
    return _multifernet().decrypt(sealed)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number Excel stored as a number
    return str(value).strip()


def _decode_csv(raw):
    if b"\x00" in raw[:4096]:
        raise ImportFileError(
            _(
                "The file is not plain text in a supported encoding (it looks like UTF-16 or a binary file). "
                "Save it as “CSV UTF-8” and upload it again."
            )
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("The file's text encoding is neither UTF-8 nor GB18030/GBK. Save it as “CSV UTF-8” and upload it again.")
    )


def _read_csv(raw):
    text = _decode_csv(raw)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as error:
        raise ImportFileError(_("The CSV file cannot be read: %(problem)s.") % {"problem": error}) from None


def _read_xlsx(raw):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or disguised file
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_table(raw: bytes, filename: str):
    """(columns, rows) of an uploaded file, or ImportFileError naming what is wrong with it."""
    if not raw:
        raise ImportFileError(_("The file is empty."))
    if len(raw) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(limit)s MB: split it into smaller files.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    name = (filename or "").lower()
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("Old Excel files (.xls) are not supported: save the sheet as .xlsx or CSV."))
    if raw.startswith(b"PK\x03\x04"):
        rows = _read_xlsx(raw)
    elif name.endswith((".csv", ".txt", ".tsv")):
        rows = _read_csv(raw)
    else:
        raise ImportFileError(_("Upload a CSV or XLSX file (this one is neither)."))
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows or not any(rows[0]):
        raise ImportFileError(_("The file has no header row: the first row must name the columns."))
    header, data = rows[0], [row for row in rows[1:] if any(row)]
    if not data:
        raise ImportFileError(_("The file has a header row but no guests."))
    if len(data) > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(limit)s rows: split it into smaller files.") % {"limit": f"{MAX_ROWS:,}"}
        )
    columns = [cell or _("Column %(number)s") % {"number": i + 1} for i, cell in enumerate(header)]
    return columns, data


def _normalise_header(text):
    return re.sub(r"[\s_\-./()（）:：]", "", text or "").casefold()


def guess_mapping(columns):
    """{field name: column index} from header names in English or Chinese; each column used once."""
    mapping, used = {}, set()
    normalised = [_normalise_header(c) for c in columns]
    for import_field in IMPORT_FIELDS:
        for index, header in enumerate(normalised):
            if index not in used and header in import_field.headers:
                mapping[import_field.name] = index
                used.add(index)
                break
    return mapping


def _load_rows(guest_import):
    with guest_import.file.open("rb") as handle:
        raw = _unseal(handle.read())
    return read_table(raw, guest_import.original_name)


# --- checking rows ---------------------------------------------------------------------------


@dataclass
class CheckedRow:
    number: int  # the row number a spreadsheet shows (the header is row 1)
    values: dict = field(default_factory=dict)  # GuestProfile field values
    contacts: list = field(default_factory=list)  # (kind, normalised, blind index)
    problems: list = field(default_factory=list)  # (column, message)


def _yes_no(text):
    folded = text.strip().casefold()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise ValidationError(_("Write yes or no."))


def _choice(text, choices, allowed_message):
    folded = text.strip().casefold()
    for value, label in choices:
        if folded in (value.casefold(), str(label).casefold()):
            return value
    raise ValidationError(allowed_message)


def check_row(number, row, mapping, columns, *, organization_id):
    """Turn one file row into profile values and contacts; collect every problem, never raise."""
    checked = CheckedRow(number=number)

    def cell(name):
        index = mapping.get(name)
        if index is None or index >= len(row):
            return ""
        return row[index].strip()

    def column_of(name):
        index = mapping.get(name)
        return columns[index] if index is not None and index < len(columns) else str(FIELDS_BY_NAME[name].label)

    values = checked.values
    for name in (
        "family_name",
        "given_name",
        "native_name",
        "preferred_language",
        "company",
        "position",
        "notes",
        "pms_profile_id",
    ):
        values[name] = cell(name)
    parsers = {
        "nationality": normalise_nationality,
        "gender": lambda t: (
            _GENDERS[t.casefold()]
            if t.casefold() in _GENDERS
            else _choice(t, Gender.choices, _("Write female, male, other or leave it empty."))
        ),
        "guest_type": lambda t: (
            ""
            if not t
            else _choice(
                t, GuestType.choices, _("Choose one of: %(choices)s.") % {"choices": ", ".join(GuestType.values)}
            )
        ),
        "vip_level": _parse_vip,
        "birth_date": _parse_birth_date,
    }
    for name, parse in parsers.items():
        try:
            parsed = parse(cell(name))
        except ValidationError as error:
            checked.problems.append((column_of(name), " ".join(error.messages)))
            continue
        if name == "birth_date":
            if parsed:
                values.update(birth_date=parsed.isoformat(), **birth_date_columns(organization_id, parsed))
        else:
            values[name] = parsed
    now = timezone.now()
    for channel in ("email", "sms", "phone"):
        name = f"consent_{channel}"
        try:
            given = _yes_no(cell(name))
        except ValidationError as error:
            checked.problems.append((column_of(name), " ".join(error.messages)))
            continue
        if given:
            values.update({name: True, f"{name}_at": now, f"{name}_source": ConsentSource.IMPORT})
    for kind in (ContactKind.PHONE, ContactKind.EMAIL):
        text = cell(kind)
        if not text:
            continue
        try:
            normalised, index = contact_blind_index(kind, text)
        except ValidationError as error:
            checked.problems.append((column_of(kind), " ".join(error.messages)))
            continue
        checked.contacts.append((kind, normalised, index))
    if not values["family_name"]:
        checked.problems.append((column_of("family_name"), _("The family name is empty.")))
    # The model's own limits (lengths, codes), reported against the file's column names.
    profile = GuestProfile(**{k: v for k, v in values.items() if k not in birth_dates.COLUMNS})
    try:
        profile.full_clean(
            exclude=["organization", "search_name", "family_name", "gender", "guest_type", "vip_level", "birth_date"]
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = column_of(name) if name in FIELDS_BY_NAME else name
            checked.problems.extend((label, message) for message in messages)
    if len(values["family_name"]) > 100:
        checked.problems.append((column_of("family_name"), _("A family name has at most 100 characters.")))
    return checked


def _parse_vip(text):
    if not text:
        return 0
    try:
        level = int(float(text))
    except ValueError:
        raise ValidationError(_("Write a whole number from 0 to 5.")) from None
    if not 0 <= level <= 5:
        raise ValidationError(_("Write a whole number from 0 to 5."))
    return level


def _parse_birth_date(text):
    if not text:
        return None
    try:
        value = datetime.date.fromisoformat(text[:10]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}( .*)?", text) else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationError(_("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": text[:40]})
    validate_birth_date(value)
    return value


def _existing_contacts(organization_id, indexes):
    """{(kind, blind index): guest id} for indexes already in the archive, a few queries at most."""
    found = {}
    indexes = list(indexes)
    for start in range(0, len(indexes), 5_000):
        batch = indexes[start : start + 5_000]
        rows = GuestContact.objects.for_org(organization_id).filter(blind_index__in=[i for _k, i in batch])
        for kind, index, guest_id in rows.values_list("kind", "blind_index", "guest_id"):
            found.setdefault((kind, index), guest_id)
    return found


def check_rows(*, organization_id, columns, rows, mapping, progress=None):
    """Every row checked, and duplicates marked: ([CheckedRow], {row number: existing guest id or None}).

    `progress(n)` is called after every VALIDATE_CHUNK_ROWS rows checked, and at the end.
    """
    checked = []
    for number, row in enumerate(rows, start=2):
        checked.append(check_row(number, row, mapping, columns, organization_id=organization_id))
        if progress is not None and len(checked) % VALIDATE_CHUNK_ROWS == 0:
            progress(len(checked))
    if progress is not None:
        progress(len(checked))
    existing = _existing_contacts(organization_id, {(k, i) for c in checked for k, _n, i in c.contacts})
    duplicates, seen = {}, {}
    for row in checked:
        if row.problems:
            continue
        for kind, _normalised, index in row.contacts:
            if (kind, index) in existing:
                duplicates[row.number] = existing[(kind, index)]
                break
            if (kind, index) in seen:
                duplicates[row.number] = None  # an earlier row of this file
                break
        else:
            for kind, _normalised, index in row.contacts:
                seen[(kind, index)] = row.number
    return checked, duplicates


def _report(checked, duplicates, columns, mapping):
    problems = []
    for row in checked:
        problems.extend({"row": row.number, "column": column, "message": message} for column, message in row.problems)
    for number, guest_id in duplicates.items():
        message = (
            (_("Already in the archive as guest #%(id)s: not imported.") % {"id": guest_id})
            if guest_id
            else _("Same phone or email as an earlier row of this file: not imported.")
        )
        problems.append({"row": number, "column": "", "message": message, "duplicate": True})
    problems.sort(key=lambda p: (p["row"], p.get("duplicate", False)))
    return problems[:MAX_LISTED_PROBLEMS]


def import_summary(guest_import):
    """Counts for the report page, from the stored problem list."""
    bad = {p["row"] for p in guest_import.errors if not p.get("duplicate")}
    duplicate = {p["row"] for p in guest_import.errors if p.get("duplicate")}
    return {
        "total": guest_import.total_rows,
        "bad": len(bad),
        "duplicates": len(duplicate),
        "valid": max(guest_import.total_rows - len(bad) - len(duplicate), 0),
        "listed_all": len(guest_import.errors) < MAX_LISTED_PROBLEMS,
    }


# --- services --------------------------------------------------------------------------------


@transaction.atomic
def guest_import_upload(*, hotel, actor, upload, request=None):
    """Read and store an uploaded file; ImportFileError (nothing stored) if it cannot be imported."""
    if upload.size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(limit)s MB: split it into smaller files.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    raw = upload.read()
    columns, rows = read_table(raw, upload.name)
    guest_import = GuestImport(
        organization_id=hotel.organization_id,
        hotel=hotel,
        created_by=actor,
        original_name=(upload.name or "")[:255],
        columns=columns,
        mapping=guess_mapping(columns),
        total_rows=len(rows),
    )
    guest_import.file.save(f"{uuid.uuid4().hex}.sealed", ContentFile(_seal(raw)), save=False)
    guest_import.save()
    audit_record(
        action="guest.import_upload",
        hotel=hotel,
        actor=actor,
        obj=guest_import,
        request=request,
        extra={"rows": len(rows), "columns": len(columns)},
    )
    return guest_import


def _clean_mapping(mapping, columns):
    cleaned, used = {}, {}
    for name, index in mapping.items():
        if name not in FIELDS_BY_NAME or index in (None, ""):
            continue
        index = int(index)
        if not 0 <= index < len(columns):
            raise GuestError(_("The mapping names a column the file does not have."))
        if index in used:
            raise GuestError(
                _("The column “%(column)s” is mapped to two fields: %(first)s and %(second)s.")
                % {
                    "column": columns[index],
                    "first": FIELDS_BY_NAME[used[index]].label,
                    "second": FIELDS_BY_NAME[name].label,
                }
            )
        used[index] = name
        cleaned[name] = index
    missing = [str(f.label) for f in IMPORT_FIELDS if f.required and f.name not in cleaned]
    if missing:
        raise GuestError(_("Choose the file's column for: %(fields)s.") % {"fields": ", ".join(missing)})
    return cleaned


def guest_import_map(*, guest_import, mapping, actor, request=None):
    """Store the mapping and queue the file: the worker checks every row, then imports a clean file."""
    cleaned = _clean_mapping(mapping, guest_import.columns)
    with transaction.atomic():
        # Only an import still waiting for its mapping (or its choice) may be re-mapped: a queued
        # or running one must not change under the worker.
        changed = (
            GuestImport.objects.for_org(guest_import.organization_id)
            .filter(
                pk=guest_import.pk,
                status__in=[ImportStatus.UPLOADED, ImportStatus.INVALID],
            )
            .update(
                mapping=cleaned,
                errors=[],
                status=ImportStatus.VALIDATING,
                skip_bad_rows=False,
                validated_rows=0,
                heartbeat_at=None,
                attempts=0,
                message="",
            )
        )
        if not changed:
            raise GuestError(_("This import has already started."))
        audit_record(
            action="guest.import_map",
            hotel=guest_import.hotel,
            actor=actor,
            obj=guest_import,
            request=request,
            extra={"fields": sorted(cleaned)},
        )
        _enqueue(guest_import)
    guest_import.refresh_from_db()
    return guest_import


def guest_import_start(*, guest_import, actor, request=None):
    """The user chose to import the valid rows of a file that has errors."""
    guest_import.refresh_from_db()
    if guest_import.status == ImportStatus.INVALID and import_summary(guest_import)["valid"] == 0:
        raise GuestError(_("No row of this file can be imported: fix the file and upload it again."))
    with transaction.atomic():
        # Conditional update: two clicks (or two tabs) queue the import once.
        changed = (
            GuestImport.objects.for_org(guest_import.organization_id)
            .filter(
                pk=guest_import.pk,
                status=ImportStatus.INVALID,
            )
            .update(status=ImportStatus.QUEUED, skip_bad_rows=True, heartbeat_at=None)
        )
        if not changed:
            raise GuestError(_("This import has already started."))
        _enqueue(guest_import)
    guest_import.refresh_from_db()
    return guest_import


def _enqueue(guest_import):
    from guests.tasks_import import import_guests_task

    organization_id, import_id = guest_import.organization_id, guest_import.pk
    transaction.on_commit(lambda: import_guests_task.delay(organization_id, import_id))


class _Superseded(Exception):
    """Another worker took the import over (it was presumed lost): this one stops quietly."""


def _touch(organization_id, import_id, status, **fields):
    """Progress and heartbeat of the worker holding the import; False if it no longer holds it."""
    return bool(
        GuestImport.objects.for_org(organization_id)
        .filter(pk=import_id, status=status)
        .update(heartbeat_at=timezone.now(), **fields)
    )


def _fail(organization_id, import_id, message):
    GuestImport.objects.for_org(organization_id).filter(
        pk=import_id,
        status__in=[ImportStatus.VALIDATING, ImportStatus.QUEUED, ImportStatus.RUNNING],
    ).update(status=ImportStatus.FAILED, message=message, finished_at=timezone.now(), heartbeat_at=None)


def guest_import_validate(*, organization_id, import_id):
    """Check every row of an import waiting for it; the import ends up invalid (the user chooses) or queued."""
    now = timezone.now()
    # The claim: a validating import nobody holds (heartbeat cleared when queued or requeued).
    claimed = (
        GuestImport.objects.for_org(organization_id)
        .filter(
            pk=import_id,
            status=ImportStatus.VALIDATING,
            heartbeat_at__isnull=True,
        )
        .update(heartbeat_at=now, validated_rows=0)
    )
    if not claimed:
        return None
    guest_import = GuestImport.objects.for_org(organization_id).get(pk=import_id)
    try:
        columns, rows = _load_rows(guest_import)

        def progress(done):
            if not _touch(organization_id, import_id, ImportStatus.VALIDATING, validated_rows=done):
                raise _Superseded()

        checked, duplicates = check_rows(
            organization_id=organization_id, columns=columns, rows=rows, mapping=guest_import.mapping, progress=progress
        )
    except _Superseded:
        return None
    except Exception as error:
        _fail(
            organization_id,
            import_id,
            error.message if isinstance(error, GuestError) else _("The check stopped with an internal error."),
        )
        if not isinstance(error, GuestError):
            raise
        return None
    has_errors = any(row.problems for row in checked)
    GuestImport.objects.for_org(organization_id).filter(pk=import_id, status=ImportStatus.VALIDATING).update(
        total_rows=len(rows),
        errors=_report(checked, duplicates, columns, guest_import.mapping),
        status=ImportStatus.INVALID if has_errors else ImportStatus.QUEUED,
        heartbeat_at=None,
    )
    guest_import.refresh_from_db()
    return guest_import


def guest_import_process(*, organization_id, import_id):
    """The worker's whole job: check the rows if that is still to do, then import if the file is queued."""
    guest_import_validate(organization_id=organization_id, import_id=import_id)
    return guest_import_run(organization_id=organization_id, import_id=import_id)


def _create_chunk(guest_import, rows, existing_seen, *, start, skipped):
    """Profiles and contacts of the valid rows [start, start + len(rows)), in one transaction with the progress.

    Refused (_Superseded) unless the stored progress is still `start`: a chunk is imported once.
    """
    organization_id = guest_import.organization_id
    fresh = _existing_contacts(organization_id, {(k, i) for r in rows for k, _n, i in r.contacts} - set(existing_seen))
    existing_seen.update(fresh)
    profiles, contacts_per_profile, duplicates = [], [], 0
    for row in rows:
        if any((kind, index) in existing_seen for kind, _n, index in row.contacts):
            duplicates += 1
            continue
        for kind, _n, index in row.contacts:
            existing_seen[(kind, index)] = None
        profile = GuestProfile(organization_id=organization_id, **row.values)
        # bulk_create skips save(): keep the search column as save() would.
        profile.search_name = fold_for_search(profile.family_name, profile.given_name, profile.native_name)
        profiles.append(profile)
        contacts_per_profile.append(row.contacts)
    with transaction.atomic():
        held = (
            GuestImport.objects.for_org(organization_id)
            .select_for_update()
            .filter(
                pk=guest_import.pk,
                status=ImportStatus.RUNNING,
                good_rows_done=start,
            )
            .exists()
        )
        if not held:
            raise _Superseded()
        GuestProfile.objects.bulk_create(profiles, batch_size=CHUNK_ROWS)
        contacts = [
            GuestContact(
                organization_id=organization_id,
                guest=profile,
                kind=kind,
                value=normalised,
                blind_index=index,
                is_primary=True,
            )
            for profile, row_contacts in zip(profiles, contacts_per_profile)
            for kind, normalised, index in row_contacts
        ]
        GuestContact.objects.bulk_create(contacts, batch_size=CHUNK_ROWS)
        # bulk_create sends no signal: the new guests' duplicate pairs are computed here.
        duplicate_pairs_refresh(organization_id=organization_id, guest_ids=[profile.pk for profile in profiles])
        GuestImport.objects.for_org(organization_id).filter(pk=guest_import.pk).update(
            good_rows_done=start + len(rows),
            processed_rows=skipped + start + len(rows),
            imported_rows=F("imported_rows") + len(profiles),
            duplicate_rows=F("duplicate_rows") + duplicates,
            heartbeat_at=timezone.now(),
        )
    return len(profiles), duplicates


def guest_import_run(*, organization_id, import_id):
    """Run (or resume) a queued import. Returns the import, or None when it is gone or someone else runs it."""
    # The claim: only one worker turns queued into running; a repeated task finds nothing to do.
    # Progress is kept: a requeued import resumes after its last committed chunk.
    claimed = (
        GuestImport.objects.for_org(organization_id)
        .filter(pk=import_id, status=ImportStatus.QUEUED)
        .update(
            status=ImportStatus.RUNNING,
            heartbeat_at=timezone.now(),
        )
    )
    if not claimed:
        return None
    guest_import = GuestImport.objects.for_org(organization_id).select_related("hotel", "created_by").get(pk=import_id)
    try:
        columns, rows = _load_rows(guest_import)
        checked, _duplicates = check_rows(
            organization_id=organization_id, columns=columns, rows=rows, mapping=guest_import.mapping
        )
        bad = [row for row in checked if row.problems]
        if bad and not guest_import.skip_bad_rows:
            # The file changed meaning since it was checked (it cannot, but never import a bad row silently).
            raise GuestError(_("Rows with errors and no choice to skip them: nothing was imported."))
        good = [row for row in checked if not row.problems]
        skipped = len(bad)
        start = guest_import.good_rows_done
        if not _touch(organization_id, import_id, ImportStatus.RUNNING, processed_rows=skipped + start):
            raise _Superseded()
        seen = {}
        for chunk_start in range(start, len(good), CHUNK_ROWS):
            _create_chunk(
                guest_import, good[chunk_start : chunk_start + CHUNK_ROWS], seen, start=chunk_start, skipped=skipped
            )
    except _Superseded:
        return None
    except Exception as error:  # record why, so the page says it; the task's log has the trace
        _fail(
            organization_id,
            import_id,
            error.message if isinstance(error, GuestError) else _("The import stopped with an internal error."),
        )
        if not isinstance(error, GuestError):
            raise
        return guest_import
    with transaction.atomic():
        guest_import = (
            GuestImport.objects.for_org(organization_id)
            .select_for_update(of=("self",))
            .select_related("hotel", "created_by")
            .filter(pk=import_id, status=ImportStatus.RUNNING)
            .first()
        )
        if guest_import is None:
            return None
        imported, duplicates = guest_import.imported_rows, guest_import.duplicate_rows
        GuestImport.objects.for_org(organization_id).filter(pk=import_id).update(
            status=ImportStatus.DONE,
            finished_at=timezone.now(),
            heartbeat_at=None,
            message=_(
                "%(imported)s guests imported, %(duplicates)s duplicates left out, %(skipped)s rows with errors skipped."
            )
            % {"imported": imported, "duplicates": duplicates, "skipped": skipped},
        )
        audit_record(
            action="guest.import",
            hotel=guest_import.hotel,
            actor=guest_import.created_by,
            obj=guest_import,
            extra={
                "rows": len(rows),
                "imported": imported,
                "duplicates": duplicates,
                "skipped": skipped,
                "file": guest_import.original_name,
                "resumptions": guest_import.attempts,
            },
        )
    # The file is a plain list of personal data: once imported, only the counts and report stay.
    if guest_import.file.name:
        guest_import.file.storage.delete(guest_import.file.name)
        GuestImport.objects.for_org(organization_id).filter(pk=import_id).update(file="")
    guest_import.refresh_from_db()
    return guest_import


def guest_imports_recover_stale(*, now=None, stale_after=STALE_AFTER):
    """Imports whose worker stopped moving: requeue them to resume, or fail them after MAX_RESUMPTIONS.

    Returns (resumed ids, failed ids). Run by beat every minute across organizations (a dispatcher).
    """
    cutoff = (now or timezone.now()) - stale_after
    resumed, failed = [], []
    candidates = (
        GuestImport.objects.all_tenants_unscoped()
        .filter(
            status__in=[ImportStatus.VALIDATING, ImportStatus.RUNNING],
            heartbeat_at__lt=cutoff,
        )
        .values_list("pk", flat=True)
    )
    for import_id in list(candidates[:100]):
        with transaction.atomic():
            guest_import = (
                GuestImport.objects.all_tenants_unscoped()
                .select_for_update(of=("self",))
                .select_related("hotel")
                .filter(
                    pk=import_id,
                    status__in=[ImportStatus.VALIDATING, ImportStatus.RUNNING],
                    heartbeat_at__lt=cutoff,
                )
                .first()
            )
            if guest_import is None:
                continue
            if guest_import.attempts >= MAX_RESUMPTIONS:
                message = _(
                    "The import stopped: its worker was lost %(times)s times. %(imported)s guests were imported "
                    "before that; import the remaining rows in a new file."
                ) % {"times": guest_import.attempts + 1, "imported": guest_import.imported_rows}
                GuestImport.objects.for_org(guest_import.organization_id).filter(pk=import_id).update(
                    status=ImportStatus.FAILED, message=message, finished_at=timezone.now(), heartbeat_at=None
                )
                audit_record(
                    action="guest.import_failed",
                    hotel=guest_import.hotel,
                    actor=None,
                    obj=guest_import,
                    extra={"imported": guest_import.imported_rows, "resumptions": guest_import.attempts},
                )
                failed.append(import_id)
                continue
            status = ImportStatus.VALIDATING if guest_import.status == ImportStatus.VALIDATING else ImportStatus.QUEUED
            GuestImport.objects.for_org(guest_import.organization_id).filter(pk=import_id).update(
                status=status,
                heartbeat_at=None,
                attempts=F("attempts") + 1,
                message=_("Resumed after its worker stopped answering."),
            )
            _enqueue(guest_import)
            resumed.append(import_id)
    return resumed, failed


# --- reads -----------------------------------------------------------------------------------


def guest_import_list(*, organization):
    return (
        GuestImport.objects.for_org(organization).select_related("hotel", "created_by").order_by("-created_at", "-pk")
    )


def guest_import_get(*, organization, import_id):
    return GuestImport.objects.for_org(organization).select_related("hotel", "created_by").filter(pk=import_id).first()
