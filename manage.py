#!/usr/bin/env python
"""Django's command-line utility for HotelCRM."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotelcrm.settings")
    from hotelcrm.config import exit_on_bad_configuration

    with exit_on_bad_configuration():
        from django.conf import settings

        _ = settings.INSTALLED_APPS  # load settings now, so a bad setting stops us with one line
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
