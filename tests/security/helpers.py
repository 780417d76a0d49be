"""Shared tools of the attack suite: a fingerprint of a tenant's rows, route filling, form harvesting."""

import re
from html.parser import HTMLParser

from django.db import connection

from hotelcrm.tenancy import tenant_models


def _tables(exclude=()):
    tables = []
    for model in tenant_models():
        if model._meta.proxy or not model._meta.managed or model in exclude:
            continue
        column = model._meta.get_field("organization").column
        tables.append((model._meta.label, model._meta.db_table, column))
    return sorted(set(tables))


def tenant_fingerprint(organization, exclude=()):
    """{table: (row count, sum of 64-bit hashes of whole rows)} of one organization's rows.

    One query for every tenant table: a changed, added or removed row of the organization
    changes its table's entry, so "nothing changed" can be asserted, not only "no row added".
    """
    tables = _tables(exclude)
    qn = connection.ops.quote_name
    parts = [
        f"SELECT %s, count(*), coalesce(sum(hashtextextended(t::text, 0)), 0) FROM {qn(table)} t WHERE {qn(column)} = %s"
        for _label, table, column in tables
    ]
    params = []
    for label, _table, _column in tables:
        params.extend([label, organization.pk])
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        fingerprint = {label: (count, digest) for label, count, digest in cursor.fetchall()}
    # Row-level security hides rows from a connection left in another tenant's context: an
    # empty fingerprint would make "nothing changed" true of anything, so it is refused.
    assert sum(count for count, _digest in fingerprint.values()) > 0, "the fingerprint sees no rows"
    return fingerprint


def changed_tables(before, after):
    return sorted(label for label in set(before) | set(after) if before.get(label) != after.get(label))


class FormFields(HTMLParser):
    """The named fields of the forms on a page: inputs, selects (first non-empty option), textareas."""

    def __init__(self, action=None):
        super().__init__()
        self.fields = {}  # name -> {"tag", "type", "value", "maxlength", "options"}
        self._select = None
        self._textarea = None
        self.forms = 0
        self.action = action  # only the fields of the form posting to this path, when given
        self._in_wanted = action is None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms += 1
            if self.action is not None:
                self._in_wanted = (attrs.get("action") or "") == self.action
        if not self._in_wanted:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            entry = self.fields.setdefault(
                name,
                {
                    "tag": "input",
                    "type": kind,
                    "value": attrs.get("value", ""),
                    "maxlength": attrs.get("maxlength"),
                    "options": [],
                    "checked": "checked" in attrs,
                },
            )
            if kind in ("radio", "checkbox"):
                entry["options"].append(attrs.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(
                name,
                {
                    "tag": "select",
                    "type": "select",
                    "value": "",
                    "maxlength": None,
                    "options": [],
                    "multiple": "multiple" in attrs,
                },
            )
        elif tag == "option" and self._select:
            value = attrs.get("value")
            if value:
                self.fields[self._select]["options"].append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(
                name,
                {
                    "tag": "textarea",
                    "type": "textarea",
                    "value": "",
                    "maxlength": attrs.get("maxlength"),
                    "options": [],
                },
            )

    def handle_endtag(self, tag):
        if tag == "form" and self.action is not None:
            self._in_wanted = False
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and data.strip():
            self.fields[self._textarea]["value"] = data.strip()


def form_fields(html, action=None):
    parser = FormFields(action)
    parser.feed(html)
    return parser.fields


TEXT_TYPES = ("text", "textarea", "search", "email", "tel", "url")
DATE_RE = re.compile(r"date")


def fill_form(fields, *, text="Security suite", today="2026-12-01"):
    """Plausible values for every harvested field; `text(name, maxlength)` may give text fields their value."""
    data = {}
    for name, field in fields.items():
        if name == "csrfmiddlewaretoken":
            continue
        kind = field["type"]
        if kind == "hidden":
            data[name] = field["value"]
        elif kind == "select":
            data[name] = field["options"][0] if field["options"] else field["value"]
        elif kind in ("radio",):
            data[name] = field["options"][0] if field["options"] else "on"
        elif kind == "checkbox":
            data[name] = field["options"][0] if field["options"] else "on"
        elif kind == "number":
            data[name] = field["value"] or "1"
        elif kind == "date" or DATE_RE.search(name) and kind not in TEXT_TYPES + ("textarea",):
            data[name] = field["value"] or today
        elif kind == "datetime-local":
            data[name] = field["value"] or f"{today}T12:00"
        elif kind == "time":
            data[name] = field["value"] or "12:00"
        elif kind == "email":
            data[name] = "security.suite@example.test"
        elif kind == "file":
            continue
        elif callable(text):
            data[name] = text(name, int(field["maxlength"]) if field.get("maxlength") else None, field)
        else:
            data[name] = field["value"] or text
    return data


def shows_b(body):
    """Whether a page shows organization B's data, random tokens left out (tests.isolation)."""
    from tests.isolation import shows_b as isolation_shows_b

    return isolation_shows_b(body)
