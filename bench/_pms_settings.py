"""Settings for the pms_ingest benchmark's API workers: the project's, plus a bare DRF endpoint."""

from hotelcrm.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench._pms_urls"
