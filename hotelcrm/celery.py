import inspect
import os

from celery import Celery, Task
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotelcrm.settings")


class TenantTask(Task):
    """Every task runs in a row-level-security context (hotelcrm/rls.py): the organization named
    by its `organization_id` argument, or SYSTEM for the dispatchers that fan work out across
    organizations and take none."""

    def __call__(self, *args, **kwargs):
        from hotelcrm import rls

        with rls.tenant_context(self._tenant(args, kwargs)):
            return super().__call__(*args, **kwargs)

    def _tenant(self, args, kwargs):
        from hotelcrm import rls

        try:
            organization_id = inspect.signature(self.run).bind_partial(*args, **kwargs).arguments.get("organization_id")
        except TypeError:
            organization_id = None  # the call itself will fail with the real message
        if organization_id is None:
            return rls.SYSTEM
        try:
            return int(organization_id)
        except (TypeError, ValueError):
            return None  # a malformed message sees no tenant rows


app = Celery("hotelcrm", task_cls=TenantTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def announce_beat_start(sender, **kwargs):
    # The first scheduled heartbeat comes one interval after start; send one now so /healthz
    # sees beat as soon as it runs.
    sender.app.send_task("hotelcrm.tasks.record_beat_heartbeat_task")
