import os

from django.core.wsgi import get_wsgi_application

from hotelcrm.config import exit_on_bad_configuration

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotelcrm.settings")

with exit_on_bad_configuration():
    application = get_wsgi_application()
    from hotelcrm.staticcheck import require_collected_static

    require_collected_static()
