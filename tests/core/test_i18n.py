"""The Simplified Chinese catalog is complete, compiled, and reaches the pages people see."""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from hotelcrm.models import Role

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Domain apps keep their own catalog (<app>/locale/...), found by Django through APP_DIRS-style
# lookup of each installed app's locale folder; every catalog is held to the same rules.
APP_PO_PATHS = sorted(BASE_DIR.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
ALL_PO_PATHS = [PO_PATH, *APP_PO_PATHS]
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


@dataclass
class Entry:
    line: int
    flags: set = field(default_factory=set)
    strings: dict = field(default_factory=dict)  # keyword -> text

    @property
    def msgid(self):
        return self.strings.get("msgid")

    @property
    def msgstrs(self):
        return [text for keyword, text in sorted(self.strings.items()) if keyword.startswith("msgstr")]

    def __str__(self):
        return f"line {self.line}: {self.msgid!r}"


def parse_po(text):
    """Just enough of the PO format for our own catalog: flags, context, plurals, continued strings.

    Obsolete entries (`#~`) are skipped: gettext ignores them too.
    """
    entries, entry, keyword = [], None, None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            entry, keyword = None, None
            continue
        if line.startswith("#"):
            if entry is not None and keyword is not None:
                entry, keyword = None, None  # a comment after strings starts the next entry
            if entry is None:
                entry = Entry(line=number)
                entries.append(entry)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        match = KEYWORD.match(line)
        if match:
            if entry is None or (
                match.group(1) in ("msgid", "msgctxt") and keyword is not None and keyword.startswith("msgstr")
            ):
                entry = Entry(line=number)
                entries.append(entry)
            keyword = match.group(1)
            entry.strings[keyword] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and keyword is not None:
            entry.strings[keyword] += ast.literal_eval(line)
        else:
            raise AssertionError(f"line {number} is not understood: {raw!r}")
    return entries


@pytest.fixture(scope="module", params=ALL_PO_PATHS, ids=lambda path: str(path.relative_to(BASE_DIR)))
def po_path(request):
    return request.param


@pytest.fixture(scope="module")
def catalog(po_path):
    entries = parse_po(po_path.read_text(encoding="utf-8"))
    header = [e for e in entries if e.msgid == "" and "msgctxt" not in e.strings]
    assert len(header) == 1, "the catalog needs exactly one header"
    return header[0], [e for e in entries if e is not header[0]]


def test_the_catalog_declares_chinese_with_a_single_plural_form(catalog):
    header, _ = catalog
    assert "fuzzy" not in header.flags, "a fuzzy header is skipped by msgfmt, and with it the charset"
    assert "Content-Type: text/plain; charset=UTF-8" in header.msgstrs[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstrs[0]


def test_the_project_catalog_holds_the_project_strings():
    entries = parse_po(PO_PATH.read_text(encoding="utf-8"))
    assert len(entries) > 100, "makemessages found far fewer strings than the project has"


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy(catalog):
    _, entries = catalog
    untranslated = [str(e) for e in entries if not all(e.msgstrs)]
    fuzzy = [str(e) for e in entries if "fuzzy" in e.flags]
    assert untranslated == [], "run makemessages -l zh_Hans and translate these"
    assert fuzzy == [], "check these guesses by msgmerge and drop the fuzzy flag"


def test_translations_keep_every_placeholder_of_the_english_text(catalog):
    _, entries = catalog
    broken = [
        str(e)
        for e in entries
        for msgstr in e.msgstrs
        if sorted(PLACEHOLDER.findall(msgstr)) != sorted(PLACEHOLDER.findall(e.msgid))
    ]
    assert broken == []


def test_the_committed_mo_file_matches_the_po_file(catalog, po_path):
    # A fresh machine has no gettext tools: Django reads only the committed .mo, so it must say
    # exactly what the .po says. Run `manage.py compilemessages --ignore=.venv` after editing.
    _, entries = catalog
    # An app catalog's message that the project catalog also holds must say the same (the
    # project's LOCALE_PATHS win), so the test reads each message as Django will serve it.
    assert po_path.with_suffix(".mo").exists(), "compile the catalog and commit django.mo"
    stale = []
    with translation.override("zh-hans"):
        for e in entries:
            context = e.strings.get("msgctxt")
            if "msgid_plural" in e.strings:
                got = (
                    translation.npgettext(context, e.msgid, e.strings["msgid_plural"], 1)
                    if context
                    else translation.ngettext(e.msgid, e.strings["msgid_plural"], 1)
                )
            else:
                got = translation.pgettext(context, e.msgid) if context else translation.gettext(e.msgid)
            if got != e.msgstrs[0]:
                stale.append(f"{e}: .mo says {got!r}")
    assert stale == []


def test_a_user_who_chooses_chinese_gets_the_home_page_in_chinese(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    english = client.get(reverse("home")).content.decode()
    assert "Arrivals today" in english and "今日抵店" not in english

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in page
    assert "今日抵店" in page and "退出登录" in page
    assert "Arrivals today" not in page and "Log out" not in page
    assert tenants.a.guests[0].family_name in page, "guest names stay as they are written"
