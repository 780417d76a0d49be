"""Account security: TOTP two-factor through the real log-in page, recovery codes, throttling, passwords."""

import pyotp
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from hotelcrm import twofactor
from hotelcrm.models import AuditEvent, RecoveryCode, Role, TwoFactorDevice
from tests.factories import DEMO_PASSWORD


@pytest.fixture
def two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["manager", "group_admin"]


def _log_in(client, user, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}, **extra)


def _enrol(client, user):
    """Through the setup page: read the key it shows, answer with the current code."""
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    secret = page.context["secret"]
    done = client.post(reverse("two-factor-setup"), {"code": pyotp.TOTP(secret).now(), "next": "/"})
    assert done.status_code == 200, done.content
    return secret, done.context["codes"]


def _actions(user):
    return set(AuditEvent.objects.all_tenants_unscoped().filter(actor=user).values_list("action", flat=True))


def test_a_manager_must_enrol_before_reaching_any_page(client, tenants, two_factor_required):
    manager = tenants.a.users[Role.MANAGER]
    response = _log_in(client, manager)
    assert response.status_code == 302
    blocked = client.get(reverse("guests:list"))
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("two-factor-setup"))
    api = client.get("/api/v1/guests/")
    assert api.status_code == 403 and api.json()["type"] == "two_factor_required"
    _, codes = _enrol(client, manager)
    assert len(codes) == twofactor.RECOVERY_CODE_COUNT
    assert client.get(reverse("guests:list")).status_code == 200
    assert {"auth.login", "auth.2fa_enrolled"} <= _actions(manager)
    # Only hashes are stored.
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()


def test_an_enrolled_manager_is_asked_for_a_code_at_every_log_in(client, tenants, two_factor_required):
    manager = tenants.a.users[Role.MANAGER]
    _log_in(client, manager)
    secret, _ = _enrol(client, manager)
    client.post(reverse("logout"))

    _log_in(client, manager)
    blocked = client.get(reverse("guests:list"))
    assert blocked["Location"].startswith(reverse("two-factor-verify"))
    wrong = client.post(reverse("two-factor-verify"), {"code": "000000"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    # The code used to enrol was spent: the next step's code (or a fresh one) is needed.
    device = TwoFactorDevice.objects.get(user=manager)
    code = pyotp.TOTP(secret).at((device.last_used_step + 1) * twofactor.STEP_SECONDS)
    ok = client.post(reverse("two-factor-verify"), {"code": code, "next": reverse("guests:list")})
    assert ok.status_code == 302 and ok["Location"] == reverse("guests:list")
    assert client.get(reverse("guests:list")).status_code == 200
    assert {"auth.2fa_failed", "auth.2fa_verified", "auth.logout"} <= _actions(manager)


def test_a_totp_code_is_accepted_only_once(tenants, two_factor_required):
    manager = tenants.a.users[Role.MANAGER]
    secret = twofactor.new_secret()
    assert twofactor.device_confirm(user=manager, secret=secret, code=pyotp.TOTP(secret).now()) is not None
    step = TwoFactorDevice.objects.get(user=manager).last_used_step
    replay = pyotp.TOTP(secret).at(step * twofactor.STEP_SECONDS)
    assert twofactor.code_verify(user=manager, code=replay) is None


def test_a_recovery_code_works_once(client, tenants, two_factor_required):
    manager = tenants.a.users[Role.MANAGER]
    _log_in(client, manager)
    _, codes = _enrol(client, manager)
    client.post(reverse("logout"))
    for attempt in range(2):
        _log_in(client, manager)
        response = client.post(reverse("two-factor-verify"), {"code": codes[0].upper()})
        if attempt == 0:
            assert response.status_code == 302
            client.post(reverse("logout"))
        else:
            assert response.status_code == 200  # spent
    assert "auth.2fa_recovery_code_used" in _actions(manager)


def test_too_many_wrong_codes_end_the_session(client, tenants, two_factor_required):
    manager = tenants.a.users[Role.MANAGER]
    _log_in(client, manager)
    _enrol(client, manager)
    client.post(reverse("logout"))
    _log_in(client, manager)
    for _ in range(twofactor.MAX_FAILURES_PER_SESSION):
        last = client.post(reverse("two-factor-verify"), {"code": "123456"})
    assert last.status_code == 302 and last["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert "auth.2fa_locked_out" in _actions(manager)


def test_front_desk_is_not_required_but_may_enrol(client, tenants, two_factor_required):
    desk = tenants.a.users[Role.FRONT_DESK]
    _log_in(client, desk)
    page = client.get(reverse("guests:list"))
    assert page.status_code == 200
    # Every page's top bar leads to the two-factor settings, where an optional user enrols.
    assert f'href="{reverse("two-factor")}" id="two-factor-link"' in page.content.decode()
    _enrol(client, desk)
    client.post(reverse("logout"))
    _log_in(client, desk)
    assert client.get(reverse("guests:list"))["Location"].startswith(reverse("two-factor-verify"))


def test_an_optional_user_can_turn_it_off_a_required_one_cannot(client, tenants, two_factor_required):
    desk, manager = tenants.a.users[Role.FRONT_DESK], tenants.a.users[Role.MANAGER]
    for user, can_remove in ((desk, True), (manager, False)):
        client.post(reverse("logout"))
        _log_in(client, user)
        _enrol(client, user)
        client.post(reverse("two-factor"), {"action": "remove"})
        assert TwoFactorDevice.objects.filter(user=user).exists() is not can_remove


def test_server_side_logins_are_not_held_but_a_session_without_a_mark_is(client, tenants, two_factor_required):
    # force_login has no HTTP request behind it (like a script or a benchmark): nobody to ask for a code.
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    assert client.get(reverse("guests:list")).status_code == 200
    # A session from before two-factor existed carries no mark: it is held (fail closed).
    session = client.session
    del session[twofactor.SESSION_KEY]
    session.save()
    assert client.get(reverse("guests:list"))["Location"].startswith(reverse("two-factor-setup"))


def test_an_admin_site_log_in_is_held_too(client, tenants, two_factor_required):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root-admin", "root@example.test", DEMO_PASSWORD)
    response = client.post("/admin/login/", {"username": "root-admin", "password": DEMO_PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/")["Location"].startswith(reverse("two-factor-setup"))


def test_a_bad_role_name_in_the_setting_stops_start_up():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, TWO_FACTOR_REQUIRED_ROLES="manager,boss")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "TWO_FACTOR_REQUIRED_ROLES" in result.stderr


def test_one_address_failing_across_many_usernames_is_locked(client, tenants, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    users = list(tenants.a.users.values()) + list(tenants.b.users.values())
    for user in users[:6]:
        client.post(reverse("login"), {"username": user.username, "password": "guess"}, REMOTE_ADDR="198.51.100.20")
    locked = client.post(
        reverse("login"), {"username": users[7].username, "password": DEMO_PASSWORD}, REMOTE_ADDR="198.51.100.20"
    )
    assert locked.status_code == 429
    # Another address is not affected.
    assert (
        client.post(
            reverse("login"), {"username": users[7].username, "password": DEMO_PASSWORD}, REMOTE_ADDR="198.51.100.21"
        ).status_code
        == 302
    )


def test_one_username_failing_from_many_addresses_is_locked(client, tenants, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 6
    user = tenants.a.users[Role.FRONT_DESK]
    for n in range(6):
        client.post(
            reverse("login"), {"username": user.username, "password": "guess"}, REMOTE_ADDR=f"198.51.100.{30 + n}"
        )
    locked = client.post(
        reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}, REMOTE_ADDR="198.51.100.99"
    )
    assert locked.status_code == 429


@pytest.mark.parametrize("password", ["short1!", "password1234", "123456789012", "alpha-front_desk"])
def test_weak_passwords_are_refused(tenants, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=tenants.a.users[Role.FRONT_DESK])


def test_a_long_passphrase_is_accepted(tenants):
    validate_password("copper kettle harbour lantern", user=tenants.a.users[Role.FRONT_DESK])
