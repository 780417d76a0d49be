"""Bad deploy settings stop start-up with one line that names the setting."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SECRET_KEY": "x" * 50,
    "FIELD_ENCRYPTION_KEYS": "etQTxL1UpxiFfpE2XlaUX2zhFMxSnAygbKVL0UctFYA=",
    "ALLOWED_HOSTS": "crm.example.test",
    "BLIND_INDEX_KEY": "b" * 40,
}


def _start(**overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in GOOD and k not in ("DEBUG", "HTTPS", "EMAIL_USE_TLS", "EMAIL_USE_SSL")
    }
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS"),
        ({"FIELD_ENCRYPTION_KEYS": "not-a-key"}, "FIELD_ENCRYPTION_KEYS"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"BLIND_INDEX_KEY": None}, "BLIND_INDEX_KEY"),
        ({"BLIND_INDEX_KEY": "short"}, "BLIND_INDEX_KEY"),
        ({"DATABASE_URL": "mysql://root@localhost/crm"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_TLS"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(overrides, named):
    result = _start(**overrides)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("HotelCRM configuration error:") and named in lines[0]


def test_good_settings_start(tmp_path):
    result = _start()
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
