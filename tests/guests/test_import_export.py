import csv
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

import guests.tasks_import  # noqa: F401  (the task must be registered where the test enqueues it)
from guests import imports, services
from guests.models import GuestContact, GuestImport, GuestProfile, ImportStatus
from guests.selectors import guests_by_contact
from hotelcrm.models import AuditEvent, Role
from tests.factories import GuestFactory

HEADER = "姓,名,姓名,手机,邮箱,生日,公司,职位,Gender,VIP\n"
GOOD_ROWS = (
    "Wang,Wei,王伟,13812345678,wang.wei@example.test,1980-02-03,Acme,CEO,男,2\n"
    "Li,Na,李娜,+8613987654321,li.na@example.test,,Globex,,女,0\n"
)
BAD_ROW = ",Nobody,,12345,not-an-email,3020-01-01,,,robot,9\n"


def _upload(client, content, name="guests.csv"):
    return client.post(reverse("guests:import-new"), {"file": SimpleUploadedFile(name, content)})


def _login(client, tenants, role=Role.GUEST_RELATIONS):
    client.force_login(tenants.a.users[role])


def _import_of(response):
    return GuestImport.objects.all_tenants_unscoped().get(pk=int(response["Location"].rstrip("/").split("/")[-2]))


def _mapping_post(client, guest_import, overrides=None):
    data = {
        name: "" if index is None else str(index)
        for name, index in ((f.name, guest_import.mapping.get(f.name)) for f in imports.IMPORT_FIELDS)
    }
    data.update(overrides or {})
    return client.post(reverse("guests:import-mapping", args=[guest_import.pk]), data)


# --- reading files -------------------------------------------------------------------------------


def test_the_mapping_is_guessed_from_chinese_and_english_headers():
    columns, rows = imports.read_table((HEADER + GOOD_ROWS).encode("utf-8"), "guests.csv")
    mapping = imports.guess_mapping(columns)
    assert [
        columns[mapping[f]]
        for f in (
            "family_name",
            "given_name",
            "native_name",
            "phone",
            "email",
            "birth_date",
            "company",
            "position",
            "gender",
            "vip_level",
        )
    ] == ["姓", "名", "姓名", "手机", "邮箱", "生日", "公司", "职位", "Gender", "VIP"]
    english = imports.guess_mapping(["Last Name", "First_Name", "E-mail", "Mobile Phone", "Date of Birth"])
    assert english == {"family_name": 0, "given_name": 1, "email": 2, "phone": 3, "birth_date": 4}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk_reads_the_same(encoding):
    columns, rows = imports.read_table((HEADER + GOOD_ROWS).encode(encoding), "guests.csv")
    assert columns[0] == "姓" and rows[0][2] == "王伟"


def test_xlsx_reads_with_dates_and_numeric_phones():
    import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["Family name", "Phone", "Birth date"])
    sheet.append(["Zhao", 13812345678, datetime.datetime(1990, 1, 2)])
    buffer = io.BytesIO()
    book.save(buffer)
    columns, rows = imports.read_table(buffer.getvalue(), "guests.xlsx")
    assert rows == [["Zhao", "13812345678", "1990-01-02"]]


@pytest.mark.parametrize(
    "content, name, problem",
    [
        ("family_name\nWang\n".encode("utf-16"), "guests.csv", "UTF-16"),
        (b"family_name\nM\xfcller\xff\xff\xff\n\x81", "guests.csv", "neither UTF-8 nor GB18030"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "photo.png", "CSV or XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "guests.xls", ".xls"),
        (b"PK\x03\x04broken", "guests.xlsx", "XLSX"),
        (b"", "guests.csv", "empty"),
        (b"family_name\n", "guests.csv", "no guests"),
        (b"\n\n", "guests.csv", "no header"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_with_a_message_naming_the_problem(
    client, tenants, content, name, problem
):
    _login(client, tenants)
    response = _upload(client, content, name)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not GuestImport.objects.for_org(tenants.a.organization).filter(original_name=name).exists()


def test_a_file_over_the_size_or_row_limit_is_refused(client, tenants, monkeypatch):
    _login(client, tenants)
    too_many = "family_name\n" + "Wang\n" * (imports.MAX_ROWS + 1)
    response = _upload(client, too_many.encode())
    assert response.status_code == 400 and "50,000 rows" in response.content.decode()
    big = b"family_name\n" + b"x" * (imports.MAX_FILE_BYTES + 1)
    response = _upload(client, big)
    assert response.status_code == 400 and "10 MB" in response.content.decode()


def test_front_desk_cannot_import(client, tenants):
    _login(client, tenants, Role.FRONT_DESK)
    assert client.get(reverse("guests:import-new")).status_code == 403
    assert _upload(client, (HEADER + GOOD_ROWS).encode()).status_code == 403


def test_the_uploaded_file_rests_encrypted(client, tenants):
    _login(client, tenants)
    guest_import = _import_of(_upload(client, (HEADER + GOOD_ROWS).encode()))
    with guest_import.file.open("rb") as handle:
        stored = handle.read()
    assert b"wang.wei" not in stored and "王伟".encode() not in stored


# --- mapping and the validation report -----------------------------------------------------------


def test_the_family_name_column_must_be_mapped(client, tenants):
    _login(client, tenants)
    guest_import = _import_of(_upload(client, (HEADER + GOOD_ROWS).encode()))
    response = _mapping_post(client, guest_import, {"family_name": ""})
    assert response.status_code == 400
    assert GuestImport.objects.for_org(tenants.a.organization).get(pk=guest_import.pk).status == ImportStatus.UPLOADED


def test_a_column_mapped_twice_is_refused(client, tenants):
    _login(client, tenants)
    guest_import = _import_of(_upload(client, (HEADER + GOOD_ROWS).encode()))
    response = _mapping_post(client, guest_import, {"notes": str(guest_import.mapping["company"])})
    assert response.status_code == 400 and "two fields" in response.content.decode()


def test_a_file_with_errors_imports_nothing_and_reports_each_row_and_column(client, tenants):
    _login(client, tenants)
    before = GuestProfile.objects.for_org(tenants.a.organization).count()
    guest_import = _import_of(_upload(client, (HEADER + GOOD_ROWS + BAD_ROW).encode()))
    response = _mapping_post(client, guest_import)
    # The request only stores the mapping: the rows are checked by the worker (run in-process here).
    assert response["Location"] == reverse("guests:import-detail", args=[guest_import.pk])
    guest_import.refresh_from_db()
    assert guest_import.status == ImportStatus.VALIDATING and guest_import.errors == []
    assert 'hx-trigger="every 1s"' in client.get(response["Location"]).content.decode()
    imports.guest_import_process(organization_id=tenants.a.organization.pk, import_id=guest_import.pk)
    guest_import.refresh_from_db()
    assert guest_import.status == ImportStatus.INVALID and guest_import.validated_rows == 3
    problems = {(p["row"], p["column"]) for p in guest_import.errors}
    assert {(4, "姓"), (4, "手机"), (4, "邮箱"), (4, "生日"), (4, "Gender"), (4, "VIP")} <= problems
    body = client.get(reverse("guests:import-report", args=[guest_import.pk])).content.decode()
    assert "not-an-email" in body or "valid email" in body
    assert "cannot be in the future" in body
    assert GuestProfile.objects.for_org(tenants.a.organization).count() == before


def test_a_guest_already_in_the_archive_is_reported_as_a_duplicate(client, tenants):
    existing = tenants.a.guests[0]
    services.guest_contact_add(guest=existing, kind="email", raw_value="wang.wei@example.test", actor=None)
    _login(client, tenants)
    guest_import = _import_of(_upload(client, (HEADER + GOOD_ROWS).encode()))
    rows, duplicates = imports.check_rows(
        organization_id=tenants.a.organization.pk,
        columns=guest_import.columns,
        rows=imports._load_rows(guest_import)[1],
        mapping=guest_import.mapping,
    )
    assert duplicates == {2: existing.pk}


def test_another_organizations_contacts_are_not_duplicates(tenants):
    columns, rows = imports.read_table(b"family_name,email\nX,alpha.guest@example.test\n", "a.csv")
    _checked, duplicates = imports.check_rows(
        organization_id=tenants.b.organization.pk, columns=columns, rows=rows, mapping={"family_name": 0, "email": 1}
    )
    assert duplicates == {}


# --- the import itself, on a real worker -----------------------------------------------------------


def _wait_until_finished(guest_import, statuses=(ImportStatus.DONE, ImportStatus.FAILED), seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        guest_import.refresh_from_db()
        if guest_import.status in statuses:
            return guest_import
        time.sleep(0.2)
    raise AssertionError(f"the import did not finish: {guest_import.status}")


@pytest.mark.django_db(transaction=True)
def test_a_clean_file_is_imported_by_the_worker_with_contacts_findable_by_blind_index(
    client, tenants, celery_worker_process
):
    _login(client, tenants)
    organization = tenants.a.organization
    body = HEADER + GOOD_ROWS + "".join(f"Zhang,San{i},张三{i},,guest{i}@import.test,,,,,\n" for i in range(1200))
    guest_import = _import_of(_upload(client, body.encode("gb18030")))
    response = _mapping_post(client, guest_import)
    assert response["Location"] == reverse("guests:import-detail", args=[guest_import.pk])
    page = client.get(response["Location"]).content.decode()
    guest_import = _wait_until_finished(guest_import)
    assert 'hx-trigger="every 1s"' in page or guest_import.status == ImportStatus.DONE
    assert guest_import.status == ImportStatus.DONE, guest_import.message
    assert guest_import.processed_rows == guest_import.total_rows == 1202
    assert guest_import.imported_rows == 1202
    wang = guests_by_contact(organization=organization, kind="phone", raw_value="138 1234 5678").get()
    assert (wang.native_name, wang.given_name, wang.birth_month_day[0], wang.gender, wang.vip_level) == (
        "王伟",
        "Wei",
        2,
        "male",
        2,
    )
    assert wang.search_name and "王伟" in wang.search_name
    assert guests_by_contact(organization=organization, kind="email", raw_value="Guest7@Import.test").count() == 1
    event = AuditEvent.objects.for_org(organization).get(action="guest.import")
    assert event.extra["imported"] == 1202 and event.actor == tenants.a.users[Role.GUEST_RELATIONS]
    assert not guest_import.file  # the plain list of personal data is gone once imported
    done_page = client.get(reverse("guests:import-progress", args=[guest_import.pk])).content.decode()
    assert "every 1s" not in done_page and "1202" in done_page

    # The same task again (a retry, a double click) changes nothing.
    from guests.tasks_import import import_guests_task

    import_guests_task.delay(organization.pk, guest_import.pk).get(timeout=60)
    assert GuestProfile.objects.for_org(organization).filter(family_name="Zhang").count() == 1200
    assert AuditEvent.objects.for_org(organization).filter(action="guest.import").count() == 1


@pytest.mark.django_db(transaction=True)
def test_skipping_bad_rows_imports_the_valid_ones_and_leaves_duplicates_alone(client, tenants, celery_worker_process):
    organization = tenants.a.organization
    existing = GuestFactory(organization=organization, family_name="Li", given_name="Existing")
    services.guest_contact_add(guest=existing, kind="email", raw_value="li.na@example.test", actor=None)
    _login(client, tenants)
    guest_import = _import_of(_upload(client, (HEADER + GOOD_ROWS + BAD_ROW).encode("utf-8-sig")))
    _mapping_post(client, guest_import)
    guest_import = _wait_until_finished(guest_import, statuses=(ImportStatus.INVALID, ImportStatus.FAILED))
    assert guest_import.status == ImportStatus.INVALID
    report = client.get(reverse("guests:import-report", args=[guest_import.pk])).content.decode()
    assert "1 with errors, 1 already in the archive, 1 ready to import" in report
    response = client.post(reverse("guests:import-start", args=[guest_import.pk]))
    assert response["Location"] == reverse("guests:import-detail", args=[guest_import.pk])
    guest_import = _wait_until_finished(guest_import)
    assert guest_import.status == ImportStatus.DONE and guest_import.imported_rows == 1
    assert GuestProfile.objects.for_org(organization).filter(family_name="Wang").count() == 1
    assert GuestProfile.objects.for_org(organization).filter(family_name="Li").get() == existing
    assert GuestContact.objects.for_org(organization).filter(guest=existing).count() == 1
    # A second click after the start finds it already started.
    again = client.post(reverse("guests:import-start", args=[guest_import.pk]), follow=True)
    assert "already started" in again.content.decode()


def _start_worker(queues):
    """A worker of our own (the session's worker must not be the one this test kills)."""
    import subprocess
    import sys
    import uuid

    from tests.conftest import _subprocess_env

    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hotelcrm",
            "worker",
            "--pool=solo",
            "-Q",
            queues,
            "-n",
            f"import-kill-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        env=_subprocess_env(),
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_is_resumed_by_another_without_duplicating_rows(client, tenants):
    import signal

    from guests.tasks_import import import_guests_task

    organization = tenants.a.organization
    _login(client, tenants)
    rows = 6_000
    body = "family_name,given_name,email\n" + "".join(f"Kill,G{i},kill{i}@import.test\n" for i in range(rows))
    guest_import = _import_of(_upload(client, body.encode()))
    # Mapped without the view (which would queue the file for any worker), validated and queued here; imported by a worker of our own, on a queue only it reads.
    GuestImport.objects.for_org(organization).filter(pk=guest_import.pk).update(status=ImportStatus.VALIDATING)
    imports.guest_import_validate(organization_id=organization.pk, import_id=guest_import.pk)
    guest_import.refresh_from_db()
    assert guest_import.status == ImportStatus.QUEUED and guest_import.validated_rows == rows
    first = _start_worker("import-kill-test")
    try:
        import_guests_task.apply_async((organization.pk, guest_import.pk), queue="import-kill-test")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            guest_import.refresh_from_db()
            if guest_import.good_rows_done >= imports.CHUNK_ROWS:
                break
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    guest_import.refresh_from_db()
    assert guest_import.status == ImportStatus.RUNNING and 0 < guest_import.good_rows_done < rows, guest_import.status
    done_before = guest_import.good_rows_done
    # Nothing moves any more; a fresh heartbeat is not stale yet, an old one is.
    assert imports.guest_imports_recover_stale() == ([], [])
    resumed, failed = imports.guest_imports_recover_stale(now=timezone.now() + imports.STALE_AFTER * 2)
    assert resumed == [guest_import.pk] and failed == []
    guest_import.refresh_from_db()
    assert guest_import.status == ImportStatus.QUEUED and guest_import.attempts == 1
    second = _start_worker("celery")
    try:
        guest_import = _wait_until_finished(guest_import, seconds=180)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    assert guest_import.status == ImportStatus.DONE, guest_import.message
    assert guest_import.imported_rows == rows and guest_import.processed_rows == rows
    assert GuestProfile.objects.for_org(organization).filter(family_name="Kill").count() == rows
    assert GuestContact.objects.for_org(organization).filter(guest__family_name="Kill").count() == rows
    event = AuditEvent.objects.for_org(organization).get(action="guest.import")
    assert event.extra["resumptions"] == 1 and done_before > 0


def test_an_import_lost_too_often_fails_with_a_message(client, tenants):
    _login(client, tenants)
    guest_import = _import_of(_upload(client, (HEADER + GOOD_ROWS).encode()))
    GuestImport.objects.for_org(tenants.a.organization).filter(pk=guest_import.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now(), attempts=imports.MAX_RESUMPTIONS, imported_rows=1
    )
    later = timezone.now() + imports.STALE_AFTER * 2
    assert imports.guest_imports_recover_stale(now=later) == ([], [guest_import.pk])
    guest_import.refresh_from_db()
    assert guest_import.status == ImportStatus.FAILED and "1 guests were imported" in guest_import.message
    page = client.get(reverse("guests:import-progress", args=[guest_import.pk])).content.decode()
    assert "every 1s" not in page and "import the remaining rows" in page


def test_a_stale_check_is_requeued_and_a_late_duplicate_task_does_nothing(client, tenants):
    organization = tenants.a.organization
    _login(client, tenants)
    guest_import = _import_of(_upload(client, (HEADER + GOOD_ROWS).encode()))
    _mapping_post(client, guest_import)
    GuestImport.objects.for_org(organization).filter(pk=guest_import.pk).update(heartbeat_at=timezone.now())
    # Someone holds the check: a second task finds nothing to do.
    assert imports.guest_import_process(organization_id=organization.pk, import_id=guest_import.pk) is None
    resumed, _failed = imports.guest_imports_recover_stale(now=timezone.now() + imports.STALE_AFTER * 2)
    assert resumed == [guest_import.pk]
    done = imports.guest_import_process(organization_id=organization.pk, import_id=guest_import.pk)
    assert done.status == ImportStatus.DONE and done.imported_rows == 2


# --- export ----------------------------------------------------------------------------------------


def test_export_csv_streams_the_filtered_list_without_sensitive_columns_and_is_audited(
    client, tenants, django_assert_max_num_queries
):
    organization = tenants.a.organization
    for i in range(30):
        GuestFactory(organization=organization, family_name=f"Exportee{i}", notes='=HYPERLINK("x")', company="=cmd")
    client.force_login(tenants.a.users[Role.MANAGER])
    # Constant: the request's own (session, membership, two-factor, the session's activity stamp),
    # the audited count (hash-chained: lock, last hash, insert) and one cursor for every row.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("guests:export-csv"), {"q": "exportee"})
        content = b"".join(response.streaming_content).decode("utf-8")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert len(rows) == 31
    assert all("Exportee" in row[1] for row in rows[1:])
    assert "'=cmd" in content  # a cell never runs as a formula
    for secret in ("alpha.guest@example.test", "+8613800138000", "1980-05-17", "HYPERLINK", "Buckwheat"):
        assert secret not in content
    event = AuditEvent.objects.for_org(organization).get(action="guest.export")
    assert event.extra == {"query": "exportee", "format": "csv", "rows": 30}


def test_export_xlsx_masks_nothing_for_a_manager_and_lists_the_filter(client, tenants):
    client.force_login(tenants.a.users[Role.MANAGER])
    response = client.get(reverse("guests:export-xlsx"), {"q": "alpha"})
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 3 and {values[1][1], values[2][1]} == {"AlphaFamily0", "AlphaFamily1"}
    assert (
        AuditEvent.objects.for_org(tenants.a.organization).filter(action="guest.export", extra__format="xlsx").exists()
    )


def test_a_profile_the_requester_may_not_open_is_masked_in_the_export(rf, tenants):
    from guests.exports import export_rows

    request = rf.get("/")
    request.organization, request.user, request.role = (
        tenants.a.organization,
        tenants.a.users[Role.GUEST_RELATIONS],
        Role.GUEST_RELATIONS,
    )
    rows = {row[0]: row for row in export_rows(request=request, query="alpha")}
    confidential = tenants.a.guests[1]
    assert rows[confidential.pk][1] == "Confidential guest" and "AlphaFamily1" not in rows[confidential.pk]
    assert rows[tenants.a.guests[0].pk][1] == "AlphaFamily0"


def test_export_is_for_managers_only(client, tenants):
    client.force_login(tenants.a.users[Role.GUEST_RELATIONS])
    assert client.get(reverse("guests:export-csv")).status_code == 403
    assert client.get(reverse("guests:export-xlsx")).status_code == 403
    assert not AuditEvent.objects.for_org(tenants.a.organization).filter(action="guest.export").exists()


def test_export_never_carries_another_organizations_guests(client, tenants):
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    content = b"".join(client.get(reverse("guests:export-csv")).streaming_content).decode()
    assert "Alpha" in content and "Bravo" not in content


def test_the_import_pages_answer_404_for_another_organizations_import(client, tenants):
    b_import = GuestImport.objects.for_org(tenants.b.organization).get()
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    for name in ("import-detail", "import-progress", "import-mapping", "import-report"):
        assert client.get(reverse(f"guests:{name}", args=[b_import.pk])).status_code == 404
    assert client.post(reverse("guests:import-start", args=[b_import.pk])).status_code == 404
    assert client.post(reverse("guests:import-mapping", args=[b_import.pk]), {"family_name": "0"}).status_code == 404


def test_the_import_list_runs_a_constant_number_of_queries(client, tenants, django_assert_max_num_queries):
    from django.core.files.base import ContentFile

    for i in range(20):
        GuestImport.objects.create(
            organization=tenants.a.organization,
            hotel=tenants.a.hotels[i % 2],
            created_by=tenants.a.users[Role.MANAGER],
            file=ContentFile(b"x", name="x.csv"),
            original_name=f"list{i}.csv",
        )
    _login(client, tenants)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("guests:import-list"))
    assert "list19.csv" in response.content.decode() and "Bravo" not in response.content.decode()
