import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotelcrm.settings")

app = Celery("hotelcrm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def announce_beat_start(sender, **kwargs):
    # The first scheduled heartbeat comes one interval after start; send one now so /healthz
    # sees beat as soon as it runs.
    sender.app.send_task("hotelcrm.tasks.record_beat_heartbeat_task")
