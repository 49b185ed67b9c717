"""UK identifiers (providers, qualifications, standards, companies, postcodes), checked with
messages people can act on."""

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


POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(raw: str) -> str | None:
    """``"sw1a1aa"`` → ``"SW1A 1AA"``; None when it is not shaped like a UK postcode."""
    compact = re.sub(r"\s+", "", raw or "").upper()
    match = POSTCODE_RE.match(compact[:-3] + " " + compact[-3:]) if len(compact) >= 5 else None
    return f"{match.group(1)} {match.group(2)}" if match else None


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


def companies_house_url(number: str) -> str:
    """The company's public record at Companies House, to check an applicant's number."""
    return f"https://find-and-update.company-information.service.gov.uk/company/{number}"


# The UK Register of Learning Providers has no address per UKPRN: staff search it by number.
UKRLP_SEARCH_URL = "https://www.ukrlp.co.uk/"
