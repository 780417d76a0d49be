"""Shared fixtures: two organizations, each with two hotels and a user per role.

Every test can ask "and the outsider?": `tenants.a` and `tenants.b` are independent groups.
"""

from dataclasses import dataclass, field

import pytest

from hotelcrm.models import Role
from tests.factories import GuestFactory, HotelFactory, MembershipFactory, OrganizationFactory, StayFactory, UserFactory


@dataclass
class Tenant:
    organization: object
    hotels: list
    users: dict  # role -> user (front desk, guest relations and manager at hotels[0])
    guests: list = field(default_factory=list)
    stays: list = field(default_factory=list)


def build_tenant(label):
    organization = OrganizationFactory(name=f"{label} Hotels Group", slug=f"{label.lower()}-group")
    hotels = [
        HotelFactory(
            organization=organization, name=f"{label} Grand", code=f"{label.lower()}-grand", time_zone="Asia/Shanghai"
        ),
        HotelFactory(
            organization=organization,
            name=f"{label} Riverside",
            code=f"{label.lower()}-river",
            time_zone="Europe/London",
        ),
    ]
    users = {}
    for role in Role:
        user = UserFactory(username=f"{label.lower()}-{role.value}")
        MembershipFactory(user=user, hotel=hotels[0], organization=organization, role=role)
        users[role] = user
    guests = [
        GuestFactory(
            organization=organization,
            family_name=f"{label}Family{i}",
            given_name=f"{label}Given{i}",
            native_name=f"{label}名{i}",
        )
        for i in range(2)
    ]
    stays = [
        StayFactory(
            hotel=hotels[i % 2], organization=organization, guest=guests[i % 2], pms_reservation_id=f"{label}-RES-{i}"
        )
        for i in range(2)
    ]
    _fill_guest_archive(organization, hotels, users, guests, label)
    tenant = Tenant(organization=organization, hotels=hotels, users=users, guests=guests, stays=stays)
    _fill_domain_tables(tenant, label)
    return tenant


# Each domain app adds `tests/<app>/tenant_rows.py` with `fill(tenant, label)` creating at least
# one row of each of its tenant tables, so the isolation tests have B's ids for every table.
DOMAIN_ROW_FILLERS = ("complaints", "loyalty", "care", "notifications", "integrations", "reports")


def _fill_domain_tables(tenant, label):
    import importlib
    import importlib.util

    for app in DOMAIN_ROW_FILLERS:
        if importlib.util.find_spec(f"tests.{app}.tenant_rows") is not None:
            importlib.import_module(f"tests.{app}.tenant_rows").fill(tenant, label)


def _fill_guest_archive(organization, hotels, users, guests, label):
    """At least one row of every guest-archive table, so isolation tests have B's ids for each."""
    import datetime

    from django.contrib.auth.models import Permission
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from guests import services
    from guests.models import (
        AccessRequest,
        DuplicateDecision,
        DuplicatePair,
        GuestImport,
        GuestProfileUserObjectPermission,
        MergeRecord,
        SpecialDateKind,
    )
    from tests.factories import PreferenceTypeFactory

    manager, desk = users[Role.MANAGER], users[Role.FRONT_DESK]
    first, second = guests
    services.guest_contact_add(guest=first, kind="email", raw_value=f"{label.lower()}.guest@example.test", actor=desk)
    services.guest_contact_add(guest=first, kind="phone", raw_value="+8613800138000", actor=desk)
    services.guest_birth_date_set(guest=first, birth_date=datetime.date(1980, 5, 17), actor=desk)
    services.special_date_add(guest=first, kind=SpecialDateKind.BIRTHDAY, month=8, day=15, calendar="lunar", actor=desk)
    pillow = PreferenceTypeFactory(organization=organization, code="pillow-type", name=f"{label} pillow")
    services.guest_preference_set(guest=first, preference_type=pillow, value="Buckwheat", actor=desk)
    second.is_confidential = True
    second.save(update_fields=["is_confidential"])
    request = AccessRequest.objects.create(
        organization=organization,
        hotel=hotels[0],
        guest=second,
        requested_by=desk,
        reason=f"{label} VIP arrival",
    )
    GuestProfileUserObjectPermission.objects.create(
        organization=organization,
        user=manager,
        content_object=second,
        permission=Permission.objects.get(codename="open_confidential_guestprofile"),
    )
    MergeRecord.objects.create(
        organization=organization,
        survivor=first,
        merged=second,
        merged_by=manager,
        undone_by=manager,
        undone_at=timezone.now(),
    )
    DuplicateDecision.objects.create(organization=organization, guest_a=first, guest_b=second, decided_by=manager)
    DuplicatePair.objects.create(
        organization=organization, first_guest_id=first.pk, second_guest_id=second.pk, score=25, reasons=["name_birth"]
    )
    GuestImport.objects.create(
        organization=organization,
        hotel=hotels[0],
        created_by=manager,
        file=ContentFile(b"family_name\n", name=f"{label}.csv"),
        original_name=f"{label}.csv",
    )
    return request


@dataclass
class Tenants:
    a: Tenant
    b: Tenant


@pytest.fixture
def tenants(db):
    return Tenants(a=build_tenant("Alpha"), b=build_tenant("Bravo"))


def _reset_request_state():
    """Back to what a fresh process has: the default language and time zone, no tenant context
    (row-level security: the login role) and no API key in the audit context."""
    from django.db import DatabaseError
    from django.utils import timezone, translation

    from hotelcrm import rls
    from hotelcrm.api.context import current_key

    translation.deactivate()
    timezone.deactivate()
    current_key.set(None)
    if rls.current() is not None:
        rls._current.set(None)
        try:
            rls._apply()  # the open connection goes back to the login role (a no-op when closed)
        except DatabaseError:
            pass  # _apply closed it; the next one opens outside any context


@pytest.fixture(autouse=True)
def reset_language_time_zone_and_tenant():
    """The suite runs in random order (pytest-randomly): no test may inherit what another left active
    (a request leaves its language active, a task its tenant context)."""
    _reset_request_state()
    yield
    _reset_request_state()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The deploy hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    # Deploy settings serve hashed files from the manifest, as production does: build it once.
    from django.conf import settings
    from django.core.management import call_command

    if "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]:
        import fcntl
        from pathlib import Path

        # Parallel workers (pytest-xdist) share STATIC_ROOT: one collects at a time, so none reads a
        # manifest another is half-way through writing.
        root = Path(settings.STATIC_ROOT)
        root.parent.mkdir(parents=True, exist_ok=True)
        with open(root.parent / f".{root.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            call_command("collectstatic", interactive=False, verbosity=0)


def _database_url_for_subprocess():
    """The test database as a URL, so worker and beat processes use what the test uses."""
    from urllib.parse import quote

    from django.db import connection

    s = connection.settings_dict
    host = quote(s["HOST"] or "", safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{quote(s['USER'])}{password}@{host}{port}/{s['NAME']}"


def _subprocess_env(**extra):
    import os

    env = dict(os.environ)
    env["DATABASE_URL"] = _database_url_for_subprocess()
    env.update(extra)
    return env


def _stop(process):
    import signal

    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except Exception:
            process.kill()
            process.wait(5)


class SmtpInbox:
    """What a real local SMTP server received; `wait_for(n)` blocks until n messages are in."""

    def __init__(self):
        import threading

        self.messages = []
        self.received = threading.Event()
        self._changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self._changed:
            self.messages.append(envelope)
            self.received.set()
            self._changed.notify_all()
        return "250 Message accepted"

    def reset(self):
        with self._changed:
            self.messages.clear()
            self.received.clear()

    def wait_for(self, count, timeout=15):
        with self._changed:
            return self._changed.wait_for(lambda: len(self.messages) >= count, timeout)


@pytest.fixture(scope="session")
def session_smtp_server():
    """One aiosmtpd server for the run; the Celery worker subprocess sends its mail here too."""
    import socket

    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_server(settings, session_smtp_server):
    """A real SMTP server on localhost, emptied for this test; Django (here and in the worker) sends to it."""
    session_smtp_server.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = session_smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return session_smtp_server


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory, session_smtp_server):
    """A real Celery worker on the configured Redis, reading the test database."""
    import subprocess
    import sys
    import time
    import uuid

    from hotelcrm.celery import app

    with django_db_blocker.unblock():
        env = _subprocess_env(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(session_smtp_server.port),
            EMAIL_USE_TLS="0",
            EMAIL_USE_SSL="0",
        )
    node = f"tests-{uuid.uuid4().hex[:8]}@%h"
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hotelcrm",
            "worker",
            "--pool=solo",
            "-n",
            node,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            f"--logfile={log}",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"the Celery worker did not start:\n{log.read_text() if log.exists() else ''}")
    yield process
    _stop(process)


@pytest.fixture
def start_celery_beat(django_db_blocker, tmp_path):
    """Start Celery beat with a given heartbeat interval, its schedule file in a temporary folder."""
    import subprocess
    import sys

    processes = []

    def start(heartbeat_seconds):
        with django_db_blocker.unblock():
            env = _subprocess_env(BEAT_HEARTBEAT_SECONDS=str(heartbeat_seconds))
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hotelcrm",
                "beat",
                "--loglevel=INFO",
                f"--schedule={tmp_path / 'beat-schedule'}",
                f"--logfile={tmp_path / 'beat.log'}",
            ],
            env=env,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        _stop(process)
