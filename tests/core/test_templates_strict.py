"""Every template takes its looks from static CSS and its behaviour from static JS (issue 18).

No `style=` attribute, no `<style>` block, no inline `<script>` and no `on…=` handler in any
template of any app: the Content-Security-Policy allows none of them, so each would be a broken
control or an unstyled page in the browser.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from hotelcrm.models import Role

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    path
    for path in BASE_DIR.glob("**/templates/**/*.html")
    if not any(part.startswith(".") for part in path.relative_to(BASE_DIR).parts) and "node_modules" not in path.parts
)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc\s*=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)
# A {# comment #} ends on its own line; one that does not is printed on the page as text.
OPEN_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_the_scan_sees_the_templates_of_every_app():
    apps = {path.relative_to(BASE_DIR).parts[0] for path in TEMPLATES}
    assert {"templates", "guests", "complaints", "loyalty", "care", "reports", "notifications", "integrations"} <= apps


@pytest.mark.parametrize(
    "rule, pattern",
    [
        ("style attribute", STYLE_ATTRIBUTE),
        ("<style> block", STYLE_BLOCK),
        ("inline <script>", INLINE_SCRIPT),
        ("on… handler", HANDLER),
        ("javascript: URL", JAVASCRIPT_URL),
        ("{# comment over several lines", OPEN_COMMENT),
    ],
)
def test_no_template_carries_inline_style_or_script(rule, pattern):
    found = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(BASE_DIR)}:{line}: {match.group(0)[:80]}")
    assert found == [], f"{rule} in templates (move it to static/css/app.css or static/js/app.js)"


def test_the_patterns_catch_what_they_are_for():
    assert STYLE_ATTRIBUTE.search('<p class="x" style="color:red">')
    assert STYLE_BLOCK.search("<style>\n.a{}</style>")
    assert INLINE_SCRIPT.search("<script>alert(1)</script>") and not INLINE_SCRIPT.search('<script src="/a.js" defer>')
    assert HANDLER.search('<button type="button" onclick="window.print()">')
    assert not HANDLER.search('<button data-print hx-post="/x">')
    assert OPEN_COMMENT.search("{# one\ntwo #}") and not OPEN_COMMENT.search("{# one #}\n")


def test_the_page_policy_allows_no_inline_style_or_script(client, tenants):
    client.force_login(tenants.a.users[Role.MANAGER])
    for url in (reverse("guests:list"), reverse("guests:detail", args=[tenants.a.guests[0].pk]), reverse("home")):
        policy = dict(
            (directive.split(" ", 1) + [""])[:2]
            for directive in (part.strip() for part in client.get(url)["Content-Security-Policy"].split(";"))
            if directive
        )
        assert policy["style-src"] == "'self'", url
        assert policy["script-src"] == "'self'", url
