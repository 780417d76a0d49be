"""Log-in throttling: axes' lock per (username, address), plus a wider lock per address and per username.

axes counts failures per (username, IP) and locks that pair at AXES_FAILURE_LIMIT. That alone
lets one address try a few passwords against every account (spraying) and lets many addresses
try one account (a botnet). So this handler also refuses a log-in when, within the cool-off
window, one address has failed LOGIN_IP_FAILURE_LIMIT times across all usernames, or one
username has failed LOGIN_USERNAME_FAILURE_LIMIT times across all addresses. The wider limits
are higher, so a hotel's shared front-desk address is not locked by one person's typos.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def _failures(**filters):
    return AccessAttempt.objects.filter(**filters).aggregate(total=Sum("failures_since_start"))["total"] or 0


class HotelCRMAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        # axes compares this with AXES_FAILURE_LIMIT both before a log-in (is_locked) and after a
        # failure (to answer 429): a wider limit reached counts as the pair limit reached.
        failures = super().get_failures(request, credentials)
        if request is None or failures >= settings.AXES_FAILURE_LIMIT:
            return failures
        since = get_cool_off_threshold(request)
        ip_address = getattr(request, "axes_ip_address", None)
        username = get_client_username(request, credentials)
        if (
            ip_address and _failures(ip_address=ip_address, attempt_time__gte=since) >= settings.LOGIN_IP_FAILURE_LIMIT
        ) or (
            username and _failures(username=username, attempt_time__gte=since) >= settings.LOGIN_USERNAME_FAILURE_LIMIT
        ):
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures
