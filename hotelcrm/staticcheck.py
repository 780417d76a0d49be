"""Static files must be collected before a production web server starts.

With `DEBUG` off and real servers, pages name their CSS and scripts through the manifest that
`collectstatic` writes; without it every HTML page would answer 500. The web server refuses to
start instead, with one line saying what to run.
"""

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured


def uses_manifest():
    return "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]


def manifest_missing():
    if not uses_manifest():
        return False
    return not staticfiles_storage.exists(staticfiles_storage.manifest_name)


def require_collected_static():
    if manifest_missing():
        raise ImproperlyConfigured(
            f"static files are not collected in {settings.STATIC_ROOT}: run "
            "`python manage.py collectstatic --noinput` before starting the web server (README, Production)."
        )


def ensure_collected_static():
    """For commands that render pages themselves (the benchmarks): collect once if needed."""
    if manifest_missing():
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
