"""Message texts: templates per campaign and language, {{ variables }}, tokens for public links."""

import re

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from care.models import CampaignKind, MessageLanguage

VARIABLE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
VARIABLES = {
    "guest_name": _("the guest's name"),
    "hotel_name": _("the hotel's name"),
    "occasion_date": _("the date of the occasion"),
    "holiday_name": _("the holiday (holiday greetings)"),
    "survey_url": _("link to the satisfaction survey (post-stay)"),
    "unsubscribe_url": _("one-click unsubscribe link (added to every email anyway)"),
}
UNSUBSCRIBE_SALT = "care.unsubscribe"
SURVEY_SALT = "care.survey"

# Texts used when a campaign has no template of its own yet, in the guest's language.
DEFAULT_TEXTS = {
    "en": {
        CampaignKind.BIRTHDAY: (
            "Happy birthday, {{ guest_name }}!",
            "Dear {{ guest_name }},\n\nEveryone at {{ hotel_name }} wishes you a very happy birthday.",
        ),
        CampaignKind.ANNIVERSARY: (
            "Happy anniversary, {{ guest_name }}",
            "Dear {{ guest_name }},\n\n{{ hotel_name }} wishes you a happy anniversary.",
        ),
        CampaignKind.HOLIDAY: (
            "{{ holiday_name }} greetings from {{ hotel_name }}",
            "Dear {{ guest_name }},\n\nWarm wishes for {{ holiday_name }} from all of us at {{ hotel_name }}.",
        ),
        CampaignKind.POST_STAY: (
            "Thank you for staying with us",
            "Dear {{ guest_name }},\n\nThank you for staying at {{ hotel_name }}. How was it? Tell us in one minute: {{ survey_url }}",
        ),
        CampaignKind.PRE_ARRIVAL: (
            "We look forward to welcoming you",
            "Dear {{ guest_name }},\n\n{{ hotel_name }} looks forward to welcoming you on {{ occasion_date }}.",
        ),
        CampaignKind.WIN_BACK: (
            "We miss you at {{ hotel_name }}",
            "Dear {{ guest_name }},\n\nIt has been a while. We would love to welcome you back to {{ hotel_name }}.",
        ),
        CampaignKind.ONE_OFF: ("News from {{ hotel_name }}", "Dear {{ guest_name }},\n\nNews from {{ hotel_name }}."),
        CampaignKind.REVISIT: ("", "Call {{ guest_name }} on behalf of {{ hotel_name }}."),
    },
    "zh-hans": {
        CampaignKind.BIRTHDAY: (
            "{{ guest_name }}，生日快乐！",
            "尊敬的{{ guest_name }}：\n\n{{ hotel_name }}全体同仁祝您生日快乐！",
        ),
        CampaignKind.ANNIVERSARY: (
            "{{ guest_name }}，纪念日快乐",
            "尊敬的{{ guest_name }}：\n\n{{ hotel_name }}祝您纪念日快乐！",
        ),
        CampaignKind.HOLIDAY: (
            "{{ hotel_name }}祝您{{ holiday_name }}快乐",
            "尊敬的{{ guest_name }}：\n\n{{ hotel_name }}全体同仁祝您{{ holiday_name }}快乐！",
        ),
        CampaignKind.POST_STAY: (
            "感谢您的光临",
            "尊敬的{{ guest_name }}：\n\n感谢您入住{{ hotel_name }}。请花一分钟告诉我们您的感受：{{ survey_url }}",
        ),
        CampaignKind.PRE_ARRIVAL: (
            "期待您的光临",
            "尊敬的{{ guest_name }}：\n\n{{ hotel_name }}期待在{{ occasion_date }}迎接您。",
        ),
        CampaignKind.WIN_BACK: (
            "{{ hotel_name }}想念您",
            "尊敬的{{ guest_name }}：\n\n好久不见，{{ hotel_name }}期待再次为您服务。",
        ),
        CampaignKind.ONE_OFF: ("{{ hotel_name }}最新消息", "尊敬的{{ guest_name }}：\n\n{{ hotel_name }}最新消息。"),
        CampaignKind.REVISIT: ("", "代表{{ hotel_name }}致电{{ guest_name }}。"),
    },
}
UNSUBSCRIBE_FOOTER = {
    "en": "To stop receiving these messages, open: {url}",
    "zh-hans": "如不希望再收到此类消息，请打开：{url}",
}


def unknown_variables(text):
    return sorted({name for name in VARIABLE.findall(text or "") if name not in VARIABLES})


def render(text, values):
    return VARIABLE.sub(lambda match: str(values.get(match.group(1), "")), text or "")


def language_for(guest, available, fallback):
    """The template language for a guest: Chinese speakers get Chinese, others English, then any."""
    wanted = []
    for code in [guest.preferred_language, *(guest.languages or [])]:
        code = (code or "").lower()
        if code.startswith("zh"):
            wanted.append(MessageLanguage.CHINESE.value)
        elif code.startswith("en"):
            wanted.append(MessageLanguage.ENGLISH.value)
    if not wanted and (guest.nationality or "").upper() in ("CN", "HK", "MO", "TW", "SG"):
        wanted.append(MessageLanguage.CHINESE.value)
    wanted.extend([fallback, MessageLanguage.ENGLISH.value, MessageLanguage.CHINESE.value])
    for code in wanted:
        if code in available:
            return code
    return wanted[0]


def make_token(salt, delivery):
    return signing.dumps({"o": delivery.organization_id, "d": delivery.pk}, salt=salt, compress=True)


def read_token(salt, token):
    """(organization_id, delivery_id) or None for anything forged, truncated or malformed."""
    try:
        data = signing.loads(token, salt=salt)
        return int(data["o"]), int(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def absolute_url(view_name, token):
    return f"{settings.SITE_URL}{reverse(view_name, args=[token])}"
