from __future__ import annotations

import pytest

from carerelay_clinical.nhs_number import InvalidNhsNumber, check_digit, is_valid_nhs_number, validate_nhs_number


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", "9990000018", "4010232137"])
def test_valid_numbers_pass_and_are_normalised(number: str) -> None:
    assert validate_nhs_number(number) == number.replace(" ", "").replace("-", "")


def test_wrong_check_digit_is_rejected_with_the_reason() -> None:
    with pytest.raises(InvalidNhsNumber, match="check digit is wrong"):
        validate_nhs_number("9434765918")


def test_a_remainder_of_ten_can_never_be_valid() -> None:
    # digits 8 and 9 are 2 and 3, weighted 3 and 2: sum 12, 12 mod 11 = 1, 11 - 1 = 10 -> never valid.
    assert check_digit("000000023") is None
    assert not any(is_valid_nhs_number(f"000000023{digit}") for digit in range(10))


def test_a_remainder_of_eleven_means_zero() -> None:
    assert check_digit("000000011") == 6  # 1*3 + 1*2 = 5; 11 - 5 = 6
    assert check_digit("000000031") == 0  # 3*3 + 1*2 = 11; 11 - 0 = 11, which means 0
    assert is_valid_nhs_number("0000000310")


@pytest.mark.parametrize("text", ["", "123", "12345678901", "94347659I9"])
def test_anything_but_ten_digits_is_rejected(text: str) -> None:
    with pytest.raises(InvalidNhsNumber, match="exactly 10 digits"):
        validate_nhs_number(text)


def test_the_error_never_echoes_the_number() -> None:
    with pytest.raises(InvalidNhsNumber) as caught:
        validate_nhs_number("9434765918")
    assert "9434765918" not in str(caught.value)
