"""The one set of display filters: dates with the year, money with separators, codes as labels."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from hotelcrm import labels


def render(source, **context):
    return Template("{% load formatting %}" + source).render(Context(context))


@pytest.mark.parametrize(
    "language, expected_day, expected_moment",
    [
        ("en", "4 Dec 2026", "4 Dec 2026, 21:48"),
        ("zh-hans", "2026年12月4日", "2026年12月4日 21:48"),
    ],
)
def test_dates_and_date_times_carry_the_year_in_each_language(language, expected_day, expected_moment):
    moment = datetime.datetime(2026, 12, 4, 13, 48, tzinfo=datetime.UTC)
    with translation.override(language), timezone.override("Asia/Shanghai"):
        assert render("{{ d|day }}", d=datetime.date(2026, 12, 4)) == expected_day
        assert render("{{ m|moment }}", m=moment) == expected_moment
        # A hotel's time zone given by name wins over the active one.
        assert render("{{ m|moment:'Europe/London' }}", m=moment).endswith("13:48")
        # Templates that still ask for SHORT_DATE_FORMAT get the same form.
        assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=datetime.date(2026, 12, 4)) == expected_day


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_money_has_thousands_separators_two_decimals_and_the_currency(language):
    with translation.override(language):
        assert render("{{ v|money:'CNY' }}", v=Decimal("478317.49")) == "478,317.49 CNY"
        assert render("{{ v|money:'CNY' }}", v=1234567) == "1,234,567.00 CNY"
        assert render("{{ v|money:'CNY' }}", v=None) == "—"
        assert render("{{ v|number }}", v=12345) == "12,345"


def test_countries_and_languages_read_as_names_in_the_readers_language():
    with translation.override("en"):
        assert render(
            "{{ c|country }} · {{ l|language }} · {{ ls|languages }}", c="CN", l="zh-hans", ls=["ja", "en"]
        ) == ("China · Simplified Chinese · Japanese, English")
        assert labels.language_name("zh") == "Chinese"
    with translation.override("zh-hans"):
        assert render(
            "{{ c|country }} · {{ l|language }} · {{ ls|languages }}", c="GB", l="zh-hans", ls=["ja", "en"]
        ) == ("英国 · 简体中文 · 日语, 英语")
        assert labels.language_name("zh") == "中文"
        assert labels.country_name("CN") == "中国"


def test_an_unknown_code_is_shown_as_written_rather_than_dropped():
    assert labels.country_name("ZZ") == "ZZ" and labels.language_name("klingon!!") == "klingon!!"


def test_the_lists_refuse_codes_that_are_not_on_them():
    assert labels.is_country_code("GB") and not labels.is_country_code("ZZ") and not labels.is_country_code("GBR")
    assert labels.is_language_code("zh-hans") and labels.is_language_code("en-US") and labels.is_language_code("zh")
    assert not labels.is_language_code("klingon!!") and not labels.is_language_code("xx")


@pytest.mark.parametrize(
    "language, action, field",
    [
        ("en", "Access granted", "Nationality"),
        ("zh-hans", "已授予访问权限", "国籍"),
    ],
)
def test_audit_actions_and_fields_read_as_labels(language, action, field):
    with translation.override(language):
        assert render("{{ a|audit_action }}", a="guest.access_granted") == action
        assert render("{{ f|audit_fields }}", f=["nationality"]) == field
        # A code nobody registered still reads as words, never as snake_case.
        assert "_" not in labels.audit_action_label("complaint.something_new")
