"""NHS number validation (Modulus 11), as published by NHS Digital.

Multiply digits 1-9 by weights 10 down to 2, sum, check = 11 - (sum mod 11);
11 means 0; 10 means the number can never be valid; compare with digit 10.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator


class InvalidNhsNumber(ValueError):
    """The text is not a valid NHS number; the message says why (never echoing the number)."""


def _normalise(value: object) -> object:
    if isinstance(value, str):
        return value.replace(" ", "").replace("-", "")
    return value


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when no check digit can make them valid."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    remainder = 11 - (total % 11)
    if remainder == 11:
        return 0
    if remainder == 10:
        return None
    return remainder


def validate_nhs_number(value: str) -> str:
    """Return the ten-digit NHS number, or raise InvalidNhsNumber with the reason."""
    text = str(_normalise(value))
    if len(text) != 10 or not text.isdigit():
        raise InvalidNhsNumber("an NHS number has exactly 10 digits")
    expected = check_digit(text[:9])
    if expected is None:
        raise InvalidNhsNumber("not a valid NHS number (no check digit can make the first nine digits valid)")
    if expected != int(text[9]):
        raise InvalidNhsNumber("NHS number check digit is wrong (Modulus 11)")
    return text


def is_valid_nhs_number(value: str) -> bool:
    try:
        validate_nhs_number(value)
    except InvalidNhsNumber:
        return False
    return True


NhsNumber = Annotated[str, BeforeValidator(_normalise), AfterValidator(validate_nhs_number)]
"""A pydantic field type: ten digits, spaces allowed on input, Modulus 11 checked."""
