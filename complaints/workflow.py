"""The rules of a complaint written down once: the state machine, the checklist, the SLA clocks
and the response templates. Pure functions; services apply them inside their transactions.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Outcome, Severity, Status

# action -> (statuses it may start from, status it leads to). Order matters for the buttons.
TRANSITIONS = {
    "acknowledge": ((Status.RECEIVED,), Status.ACKNOWLEDGED),
    "start": ((Status.ACKNOWLEDGED,), Status.IN_PROGRESS),
    "resolve": ((Status.IN_PROGRESS,), Status.RESOLVED),
    "follow_up": ((Status.RESOLVED,), Status.FOLLOW_UP_DONE),
    "close": ((Status.FOLLOW_UP_DONE,), Status.CLOSED),
    # The guest is not satisfied: the case opens again until they are.
    "reopen": ((Status.RESOLVED, Status.FOLLOW_UP_DONE, Status.CLOSED), Status.IN_PROGRESS),
    "cancel": ((Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS), Status.CANCELLED),
}

ACTION_LABELS = {
    "acknowledge": _("Acknowledge"),
    "start": _("Start handling"),
    "resolve": _("Mark resolved"),
    "follow_up": _("Follow-up call done"),
    "close": _("Close the case"),
    "reopen": _("Reopen"),
    "cancel": _("Cancel"),
}


def allowed_actions(status):
    return [action for action, (sources, _target) in TRANSITIONS.items() if status in sources]


def target_of(action):
    return TRANSITIONS[action][1]


# The six steps from practice, then guidance items by category.
STEPS = [
    ("listen", _("Listen to the guest without interrupting")),
    ("apologise", _("Apologise")),
    ("analyse", _("Analyse the cause")),
    ("solution", _("Offer a solution")),
    ("follow_up_call", _("Follow-up call")),
    ("self_review", _("Self-review: root cause and corrective action")),
]

GUIDANCE = {
    Category.FACILITY: [
        ("facility_inspected", _("Inspected on site")),
        ("facility_repaired", _("Repaired at once")),
        ("facility_room_moved", _("Guest moved to another room")),
    ],
    Category.SERVICE: [
        ("service_better_staff", _("A more experienced colleague or a manager sent")),
        ("service_reply_time", _("Reply time promised to the guest")),
        ("service_outcome_reported", _("Outcome reported to the guest")),
    ],
    Category.HYGIENE: [
        ("hygiene_fixed", _("Cleaned or replaced")),
    ],
    Category.LOST_PROPERTY: [
        ("lost_recorded", _("Details recorded and restated to the guest")),
        ("lost_searched", _("Search carried out")),
        ("lost_police_offered", _("Police report suggested")),
        ("lost_police_accepted", _("Guest agreed to a police report")),
        ("lost_police_handed_over", _("Handed over to the police")),
        ("lost_people_recorded", _("Everyone involved recorded")),
    ],
    Category.COMPENSATION: [
        ("comp_recorded", _("Claim recorded and restated")),
        ("comp_liability_checked", _("Liability checked: nothing accepted that is not the hotel's")),
    ],
}

_LABELS = dict(STEPS)
for _items in GUIDANCE.values():
    _LABELS.update(_items)


def checklist_codes(category):
    """(code, is_step) in display order for a new complaint of this category."""
    return [(code, True) for code, _label in STEPS] + [(code, False) for code, _label in GUIDANCE.get(category, [])]


def checklist_label(code):
    return _LABELS.get(code, code)


# --- SLA clocks ---------------------------------------------------------------------------------

DEFAULT_MINUTES = {"acknowledge": 30, "resolve": 24 * 60, "hard_limit": 48 * 60}
DEFAULT_AT_RISK_PERCENT = 75
# Used when the organization has not set its own: a critical complaint runs on shorter clocks.
DEFAULT_SEVERITY_MINUTES = {
    Severity.CRITICAL: {"acknowledge": 10, "resolve": 4 * 60, "hard_limit": 8 * 60},
    Severity.HIGH: {"acknowledge": 15, "resolve": 12 * 60, "hard_limit": 24 * 60},
}


@dataclass(frozen=True)
class Clock:
    acknowledge_minutes: int
    resolve_minutes: int
    hard_limit_minutes: int
    at_risk_percent: int


def add_minutes_in_zone(start, minutes, tz):
    """`start` plus `minutes`, where whole days are calendar days on the hotel's wall clock.

    "Within 24 hours" at the desk means "by this time tomorrow": across a daylight-saving
    change that is 23 or 25 elapsed hours. The remainder under a day is elapsed time. A local
    time that does not exist (spring forward) is carried past the gap; an ambiguous one
    (fall back) takes its first occurrence.
    """
    days, rest = divmod(int(minutes), 24 * 60)
    local = start.astimezone(tz)
    if days:
        wall = local.replace(tzinfo=None) + datetime.timedelta(days=days)
        # Round-trip through UTC normalises a wall time inside a DST gap.
        local = wall.replace(tzinfo=tz, fold=0).astimezone(datetime.UTC).astimezone(tz)
    return (local + datetime.timedelta(minutes=rest)).astimezone(datetime.UTC)


def due_times(*, received_at, clock, tz):
    return {
        "acknowledge_due_at": add_minutes_in_zone(received_at, clock.acknowledge_minutes, tz),
        "resolve_due_at": add_minutes_in_zone(received_at, clock.resolve_minutes, tz),
        "hard_due_at": add_minutes_in_zone(received_at, clock.hard_limit_minutes, tz),
    }


def threshold_times(complaint, at_risk_percent):
    """(threshold, when) in order; at risk is a share of the time to the resolve due time."""
    span = complaint.resolve_due_at - complaint.received_at
    at_risk = complaint.received_at + span * (at_risk_percent / 100)
    return [("at_risk", at_risk), ("breach", complaint.resolve_due_at), ("hard_limit", complaint.hard_due_at)]


# --- Written responses --------------------------------------------------------------------------
# Texts in the guest's language, whatever language the staff member uses the app in.
RESPONSE_TEMPLATES = {
    Outcome.JUSTIFIED: {
        "en": (
            "Dear {guest},\n\nThank you for telling us about your experience at {hotel}. You were right, and we "
            "apologise. This is what we have done: {action}\n\nWe hope to welcome you again.\n\n{hotel} Guest Relations"
        ),
        "zh-hans": (
            "尊敬的{guest}：\n\n感谢您将在{hotel}的经历告诉我们。您反映的情况属实，我们深表歉意。我们已采取以下措施：{action}\n\n"
            "期待再次为您服务。\n\n{hotel} 宾客关系部"
        ),
    },
    Outcome.NOT_JUSTIFIED: {
        "en": (
            "Dear {guest},\n\nThank you for telling us about your experience at {hotel}. We have looked into it "
            "carefully: {action}\n\nWe are sorry it fell short of what you expected and hope to welcome you again.\n\n"
            "{hotel} Guest Relations"
        ),
        "zh-hans": (
            "尊敬的{guest}：\n\n感谢您将在{hotel}的经历告诉我们。我们已认真调查此事：{action}\n\n"
            "未能达到您的期望，我们深感遗憾，期待再次为您服务。\n\n{hotel} 宾客关系部"
        ),
    },
}
RESPONSE_LANGUAGES = (("en", "English"), ("zh-hans", "简体中文"))


def response_draft(*, outcome, language, guest, hotel, action=""):
    templates = RESPONSE_TEMPLATES.get(outcome) or RESPONSE_TEMPLATES[Outcome.JUSTIFIED]
    text = templates.get(language) or templates["en"]
    return text.format(guest=guest or ("Guest" if language == "en" else "宾客"), hotel=hotel, action=action or "…")
