"""Human labels for the codes people would otherwise see: countries, languages, audit actions and fields.

Countries come from django-countries (ISO 3166, translated), languages from Django's own list
(`django.conf.locale.LANG_INFO`, translated by Django's catalog). Audit actions and fields are
contributed by the app that writes them (`register_audit_labels` in its AppConfig.ready()), so
the core knows no domain app: an unknown code still reads as words, never as `snake_case`.
"""

import re

from django.conf.locale import LANG_INFO
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

_AUDIT_ACTIONS = {
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.session_expired": _("Session expired"),
    "audit.export": _("Audit trail exported"),
    "demo.seeded": _("Demo data created"),
}
_AUDIT_FIELDS = {}
_AUDIT_DOMAINS = {
    "auth": _("Sign-in"),
    "audit": _("Audit trail"),
}


def register_audit_labels(*, actions=None, fields=None, domains=None):
    """Labels an app contributes for the audit events it writes (lazy translations)."""
    _AUDIT_ACTIONS.update(actions or {})
    _AUDIT_FIELDS.update(fields or {})
    _AUDIT_DOMAINS.update(domains or {})


def model_field_labels(*models):
    """{field name: capitalised verbose name} of the models' fields, for register_audit_labels(fields=...)."""
    labels = {}
    for model in models:
        for model_field in model._meta.get_fields():
            verbose = getattr(model_field, "verbose_name", None)
            if verbose:
                labels.setdefault(model_field.name, capfirst(verbose))
    return labels


def _words(code):
    return str(code).replace("_", " ").replace("-", " ").replace(".", " ").strip()


# What the jobs and guest links write as an audit event's actor (stored text, shown as a label).
_ACTOR_LABELS = {
    "seed_demo": _("Demo data loader"),
    "churn scoring job": _("Churn scoring job"),
    "care dispatcher": _("Guest care dispatcher"),
    "escalation job": _("Complaint escalation job"),
    "guest (survey link)": _("Guest (survey link)"),
    "guest (unsubscribe link)": _("Guest (unsubscribe link)"),
}


def audit_actor_label(text):
    """An event's stored actor label in the reader's language (an API key's label stays as its owner named it)."""
    label = _ACTOR_LABELS.get(text or "")
    return str(label) if label is not None else (text or "")


def audit_action_label(code):
    if not code:
        return ""
    label = _AUDIT_ACTIONS.get(code)
    if label is not None:
        return str(label)
    domain, _dot, verb = str(code).partition(".")
    domain_label = _AUDIT_DOMAINS.get(domain)
    if domain_label is not None and verb:
        return f"{domain_label}: {_words(verb)}"
    return capfirst(_words(code))


def audit_field_label(code):
    label = _AUDIT_FIELDS.get(code)
    return str(label) if label is not None else _words(code)


# ---- Languages ---------------------------------------------------------------------------------
# LANG_INFO has no bare "zh"; guests' records use it for "Chinese" whatever the script.
_EXTRA_LANGUAGES = {"zh": _("Chinese")}


LANGUAGE_CODES = frozenset({code for code, info in LANG_INFO.items() if "fallback" not in info} | set(_EXTRA_LANGUAGES))
_KNOWN_CODES = frozenset(set(LANG_INFO) | set(_EXTRA_LANGUAGES))
# A region or script after a known language (en-US, zh-Hans-CN) is still that language.
_SUBTAG = re.compile(r"^[a-z0-9]{2,8}$")


def language_name(code):
    """The language's name in the reader's language ("" for an empty code; the code if unknown)."""
    if not code:
        return ""
    key = _known_key(code)
    if key is None:
        return str(code)
    if key in _EXTRA_LANGUAGES:
        return str(_EXTRA_LANGUAGES[key])
    info = LANG_INFO[key]
    if "fallback" in info:
        info = LANG_INFO[info["fallback"][0]]
    return gettext(info["name"])


def _known_key(code):
    """The LANG_INFO key `code` stands for (exact, else its language part), or None."""
    key = str(code or "").strip().lower().replace("_", "-")
    if key in _KNOWN_CODES:
        return key
    parts = key.split("-")
    for length in (2, 1):
        if len(parts) > length and all(_SUBTAG.match(part) for part in parts[length:]):
            base = "-".join(parts[:length])
            if base in _KNOWN_CODES:
                return base
    return None


def is_language_code(code):
    return len(str(code or "")) <= 10 and _known_key(code) is not None


def language_choices():
    """(code, name) sorted by the name in the reader's language; for select inputs."""
    pairs = [(code, language_name(code)) for code in LANGUAGE_CODES]
    return sorted(pairs, key=lambda pair: pair[1].casefold())


# ---- Countries ----------------------------------------------------------------------------------
def country_name(code):
    if not code:
        return ""
    from django_countries import countries

    return str(countries.name(str(code).upper())) or str(code)


def is_country_code(code):
    from django_countries import countries

    value = str(code or "").strip().upper()
    return len(value) == 2 and bool(countries.alpha2(value)) and countries.alpha2(value) == value


def country_choices():
    from django_countries import countries

    return [(code, str(name)) for code, name in countries]
