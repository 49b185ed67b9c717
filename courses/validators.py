"""Identifiers used in technical education, checked with messages people can act on."""

import re

from django.core.exceptions import ValidationError


def validate_ukprn(value: str) -> None:
    if not re.fullmatch(r"1\d{7}", value or ""):
        raise ValidationError(
            "Enter a UKPRN of 8 digits starting with 1, like 10001234.", code="invalid_ukprn"
        )


def validate_standard_reference(value: str) -> None:
    if not re.fullmatch(r"ST\d{4}", value or ""):
        raise ValidationError(
            "Enter an occupational standard reference as ST followed by 4 digits, like ST0787.",
            code="invalid_standard",
        )


def validate_qan(value: str) -> None:
    if not re.fullmatch(r"\d{3}/\d{4}/[0-9A-Z]", value or ""):
        raise ValidationError(
            "Enter an Ofqual qualification number (QAN) like 603/7284/5: 3 digits, 4 digits and "
            "a digit or capital letter, separated by slashes.",
            code="invalid_qan",
        )


def validate_lars_code(value: str) -> None:
    if not re.fullmatch(r"[0-9A-Z]{8}", value or ""):
        raise ValidationError(
            "Enter a LARS learning aim reference of 8 characters (digits and capital letters), "
            "like 60372845.",
            code="invalid_lars",
        )
