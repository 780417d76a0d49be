"""Without collected static files a production web server would answer 500 on every page: it
refuses to start instead, and the commands that render pages themselves collect them first."""

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured

from hotelcrm.staticcheck import ensure_collected_static, require_collected_static

MANIFEST = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture
def empty_static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST}
    return settings.STATIC_ROOT


def test_the_web_server_refuses_to_start_without_collected_files_and_says_what_to_run(empty_static_root):
    with pytest.raises(ImproperlyConfigured, match="collectstatic"):
        require_collected_static()


def test_the_benchmarks_collect_what_is_missing_and_the_pages_then_find_their_files(empty_static_root):
    ensure_collected_static()
    require_collected_static()  # no longer refuses
    assert staticfiles_storage.url("favicon.svg") != "/static/favicon.svg"  # the hashed name from the manifest
    assert (empty_static_root / staticfiles_storage.manifest_name).exists()


def test_local_mode_serves_from_the_source_folder_and_needs_no_collection(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "nothing-here"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    require_collected_static()
