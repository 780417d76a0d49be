import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from hotelcrm import demo
from hotelcrm.models import Role


class Command(BaseCommand):
    help = (
        "Load demo data: two organizations (a Chinese hotel group with hotels in Shanghai and "
        "Urumqi, an independent hotel in London), a staff user per role with a known password, "
        "the `admin` superuser, and guests with about three stays each. The same --seed gives "
        "the same guests. Everything is written in one transaction, so a failure leaves nothing "
        "behind. If the demo organizations exist the command does nothing, unless --reset: that "
        "deletes every row the demo organizations own (guests, stays, memberships and other "
        "tenant data) except their audit events, which the database keeps by design; the "
        "organizations, hotels and demo users are kept, reset to their demo values, and the "
        "guests generated afresh. An existing `admin` user is never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--guests",
            type=int,
            default=demo.DEFAULT_GUESTS,
            help=f"Guests in all (default {demo.DEFAULT_GUESTS:,}); 70%% go to the group, 30%% to the London hotel.",
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help=f"Random seed (default {demo.DEFAULT_SEED})."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo organizations' data first (see above)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def handle(self, *args, guests, seed, reset, no_progress, **options):
        if guests < 0:
            raise CommandError("--guests cannot be negative.")
        if not reset and demo.demo_organizations_present():
            self._print_skipped(demo.demo_organizations_present())
            return
        bar = tqdm(
            total=guests,
            unit="guest",
            unit_scale=True,
            desc="Guests",
            file=sys.stderr,
            disable=no_progress or options.get("verbosity", 1) == 0,
        )
        try:
            with bar:
                result = demo.demo_seed(n_guests=guests, seed=seed, reset=reset, progress=bar)
        except DatabaseError as error:
            raise CommandError(f"Nothing was written: the database refused the demo data ({error}).".strip()) from error

        if result.skipped:  # another seed finished first, while this one waited for the lock
            self._print_skipped(result.organizations)
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(result.organizations)} organizations, {result.guests:,} guests and {result.stays:,} stays (seed {seed})."
            )
        )
        self._print_logins(result.logins)
        if result.hints:
            self.stdout.write("To try first:")
            for hint in result.hints:
                self.stdout.write(f"  - {hint}")
            self.stdout.write("")
        if not (settings.DEBUG or settings.LOCAL_MODE):
            self.stderr.write(
                self.style.WARNING(
                    "These demo accounts have published passwords: never leave them on a production site."
                )
            )

    def _print_skipped(self, organizations):
        names = ", ".join(f"{organization.name} ({organization.slug})" for organization in organizations)
        self.stdout.write(f"Demo data is already loaded ({names}); nothing changed. Use --reset to rebuild it.")
        self._print_logins(demo.demo_logins())

    def _print_logins(self, logins):
        header = ("Username", "Password", "Role", "Hotel")
        rows = [(login.username, login.password, login.role, login.hotel) for login in logins]
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        line = "  ".join(f"{{:<{width}}}" for width in widths)
        self.stdout.write("")
        self.stdout.write(line.format(*header).rstrip())
        self.stdout.write(line.format(*("-" * width for width in widths)))
        for login, row in zip(logins, rows):
            text = line.format(*row).rstrip()
            self.stdout.write(f"{text}  ({login.note})" if login.note else text)
        self.stdout.write("")
        self.stdout.write("Sign in on the site's start page; the Django admin is at /admin/ (user admin).")
        self.stdout.write(two_factor_note())
        self.stdout.write("")


def two_factor_note():
    """What a demo user meets after the password: which roles enrol an authenticator app, and how to skip it."""
    roles = list(settings.TWO_FACTOR_REQUIRED_ROLES)
    if not roles:
        return "Two-factor sign-in: not required for any role (TWO_FACTOR_REQUIRED_ROLES=none)."
    labels = " and ".join(", ".join(str(Role(role).label) for role in roles).rsplit(", ", 1))
    return (
        f"Two-factor sign-in: {labels} users, and admin, enrol an authenticator app (TOTP) at their first log-in. "
        f"For a demo without it, start with TWO_FACTOR_REQUIRED_ROLES=none (README: Configuration reference)."
    )
