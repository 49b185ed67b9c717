"""Identifiers a partner gives us, checked with messages people can act on."""

import re

from django.core.exceptions import ValidationError

from courses.geocoding import normalise_postcode

# 8 digits (England and Wales), or a 2-character prefix and 6 digits: SC (Scotland), NI, OC (LLP),
# SO, NC, LP, SL, R0 and others. Numbers written without leading zeros are padded before this check.
COMPANIES_HOUSE_RE = re.compile(r"(?:\d{8}|[A-Z]{2}\d{6}|R0\d{6})")


def normalise_companies_house_number(raw: str) -> str:
    compact = "".join((raw or "").split()).upper()
    if compact.isdigit() and 6 <= len(compact) < 8:
        compact = compact.zfill(8)
    return compact


def validate_companies_house_number(value: str) -> None:
    if not COMPANIES_HOUSE_RE.fullmatch(value or ""):
        raise ValidationError(
            "Enter a Companies House number of 8 characters: 8 digits like 01234567, or 2 letters "
            "and 6 digits like SC123456.",
            code="invalid_companies_house_number",
        )


def validate_postcode(value: str) -> None:
    if value and normalise_postcode(value) != value:
        raise ValidationError("Enter a UK postcode, like SW1A 1AA.", code="invalid_postcode")
