"""Normalising and checking guest contact data before it is encrypted and indexed."""

import datetime
import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

# ISO 7064 MOD 11-2 weights and check characters of the 18-digit PRC resident identity number.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_phone(raw, *, region=None):
    """E.164 form (+8613812345678) of a phone number, or ValidationError saying what is wrong."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    if len(text) > 40:
        raise ValidationError(_("A phone number has at most 40 characters."), code="max_length")
    try:
        number = phonenumbers.parse(text, region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(value)s” is not a phone number."), code="invalid", params={"value": text}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number; add the country code (such as +86) for numbers from abroad."),
            code="invalid",
            params={"value": text},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw):
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter an email address."), code="required")
    if len(text) > 254:
        raise ValidationError(_("An email address has at most 254 characters."), code="max_length")
    validate_email(text)
    return text.lower()


def prc_resident_id_is_valid(number):
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17]


def normalise_document(document_type, raw):
    """Upper case without spaces or dashes; PRC resident ID numbers must pass their checksum."""
    text = re.sub(r"[\s-]", "", (raw or "")).upper()
    if not text:
        raise ValidationError(_("Enter the document number."), code="required")
    if len(text) > 40:
        raise ValidationError(_("A document number has at most 40 characters."), code="max_length")
    if not re.fullmatch(r"[A-Z0-9]+", text):
        raise ValidationError(_("A document number has only letters and digits."), code="invalid")
    if document_type == "resident_id" and not prc_resident_id_is_valid(text):
        raise ValidationError(
            _("“%(value)s” is not a valid PRC resident identity number (18 characters, checksum does not match)."),
            code="invalid",
            params={"value": text},
        )
    return text


def validate_birth_date(value):
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError(_("A birth date cannot be in the future."), code="future")
    if value.year < 1900:
        raise ValidationError(_("A birth date before 1900 is not plausible; check the year."), code="too_old")


def validate_country_code(value):
    """An ISO 3166 two-letter country code from the maintained list (django-countries), or blank."""
    from hotelcrm.labels import is_country_code

    if value and not is_country_code(value):
        raise ValidationError(
            _("“%(value)s” is not a country on the list: choose the nationality from the list (ISO 3166)."),
            code="invalid_country",
            params={"value": value},
        )


def validate_language_code(value):
    """A language code from Django's maintained list (such as zh, zh-hans, en, ja), or blank."""
    from hotelcrm.labels import is_language_code

    if value and not is_language_code(value):
        raise ValidationError(
            _("“%(value)s” is not a language on the list: choose the language from the list."),
            code="invalid_language",
            params={"value": value},
        )


def validate_guest_codes(values):
    """Field errors for the coded fields among `values` (nationality, preferred_language, languages)."""
    errors = {}
    checks = {"nationality": validate_country_code, "preferred_language": validate_language_code}
    for name, check in checks.items():
        if name in values:
            try:
                check(values[name])
            except ValidationError as error:
                errors[name] = error.error_list
    if "languages" in values:
        for code in values["languages"] or ():
            try:
                validate_language_code(code)
            except ValidationError as error:
                errors["languages"] = error.error_list
                break
    if errors:
        raise ValidationError(errors)


def normalise_nationality(raw):
    """The ISO 3166-1 alpha-2 code (upper case) of a nationality sent as alpha-2 or alpha-3 in any
    case (`PT`, `prt`); "" for blank; ValidationError for anything else. One rule for the PMS API,
    the guest form and the CSV import."""
    text = (raw or "").strip().upper() if isinstance(raw, str) else raw
    if not text:
        return ""
    code = ""
    if isinstance(text, str) and text.isascii() and text.isalpha() and len(text) in (2, 3):
        from django_countries import countries  # the maintained ISO 3166 list the UI's selects use

        code = countries.alpha2(text)
    if not code:
        raise ValidationError(
            _("“%(value)s” is not an ISO 3166 country code: send two or three letters, such as CN or CHN."),
            code="invalid",
            params={"value": str(raw)[:20]},
        )
    return code
