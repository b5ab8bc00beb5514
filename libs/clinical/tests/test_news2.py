"""NEWS2 against the Royal College of Physicians chart (National Early Warning Score 2, 2017).

Every parameter is tested on both sides of every band boundary on the chart, one parameter at a
time, from a baseline set of observations that scores 0. Then the aggregate bands, three worked
examples, and the Observations model's refusal of values a body cannot have.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from carerelay_clinical.news2 import Acvpu, News2Band, score
from carerelay_contract.parts import Observations

# A well adult at rest: every parameter in its 0 band.
NORMAL: dict[str, Any] = {
    "respiration_rate": 16,
    "spo2_percent": 97,
    "spo2_scale": 1,
    "on_supplemental_oxygen": False,
    "systolic_bp": 130,
    "pulse": 70,
    "consciousness": Acvpu.ALERT,
    "temperature_celsius": 37.0,
}

PARAMETERS = ("respiration_rate", "spo2", "supplemental_oxygen", "systolic_bp", "pulse", "consciousness", "temperature")


def observations(**changes: Any) -> Observations:
    """The normal baseline with some fields changed, validated as the event model would be."""
    return Observations.model_validate({**NORMAL, **changes})


def test_baseline_scores_zero_on_every_parameter() -> None:
    news2 = score(observations())

    assert news2.parameter_scores == dict.fromkeys(PARAMETERS, 0)
    assert news2.score == 0
    assert news2.band == News2Band.LOW


def assert_only(changes: dict[str, Any], parameter: str, expected: int) -> None:
    """Changing `changes` scores `expected` on `parameter`, and nothing else moves."""
    news2 = score(observations(**changes))

    assert news2.parameter_scores[parameter] == expected
    others = {name: value for name, value in news2.parameter_scores.items() if name != parameter}
    assert others == dict.fromkeys(others, 0)
    assert news2.score == expected


# ---------------------------------------------------------------- respiration rate
# <=8: 3 | 9-11: 1 | 12-20: 0 | 21-24: 2 | >=25: 3


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (8, 3),
        (9, 1),
        (11, 1),
        (12, 0),
        (20, 0),
        (21, 2),
        (24, 2),
        (25, 3),
    ],
)
def test_respiration_rate_bands(rate: int, expected: int) -> None:
    assert_only({"respiration_rate": rate}, "respiration_rate", expected)


# ---------------------------------------------------------------- SpO2 scale 1
# <=91: 3 | 92-93: 2 | 94-95: 1 | >=96: 0 (on air or on oxygen)


@pytest.mark.parametrize(
    ("spo2", "expected"),
    [
        (91, 3),
        (92, 2),
        (93, 2),
        (94, 1),
        (95, 1),
        (96, 0),
        (100, 0),
    ],
)
def test_spo2_scale_1_bands(spo2: int, expected: int) -> None:
    assert_only({"spo2_percent": spo2}, "spo2", expected)


@pytest.mark.parametrize(("spo2", "expected"), [(91, 3), (93, 2), (95, 1), (96, 0), (100, 0)])
def test_spo2_scale_1_is_the_same_on_oxygen(spo2: int, expected: int) -> None:
    """Scale 1 has no oxygen-dependent bands: oxygen scores only in its own row."""
    news2 = score(observations(spo2_percent=spo2, on_supplemental_oxygen=True))

    assert news2.parameter_scores["spo2"] == expected
    assert news2.parameter_scores["supplemental_oxygen"] == 2
    assert news2.score == expected + 2


# ---------------------------------------------------------------- SpO2 scale 2 (hypercapnic respiratory failure)
# <=83: 3 | 84-85: 2 | 86-87: 1 | 88-92: 0 | >=93 on air: 0
# 93-94 on oxygen: 1 | 95-96 on oxygen: 2 | >=97 on oxygen: 3


@pytest.mark.parametrize(
    ("spo2", "expected"),
    [
        (83, 3),
        (84, 2),
        (85, 2),
        (86, 1),
        (87, 1),
        (88, 0),
        (92, 0),
        (93, 0),
        (94, 0),
        (95, 0),
        (96, 0),
        (97, 0),
        (100, 0),
    ],
)
def test_spo2_scale_2_on_air(spo2: int, expected: int) -> None:
    """On air, anything at or above the 88-92% target scores 0: high saturation is not a risk without oxygen."""
    assert_only({"spo2_scale": 2, "spo2_percent": spo2}, "spo2", expected)


@pytest.mark.parametrize(
    ("spo2", "expected"),
    [
        (83, 3),
        (84, 2),
        (85, 2),
        (86, 1),
        (87, 1),
        (88, 0),
        (92, 0),
        (93, 1),
        (94, 1),
        (95, 2),
        (96, 2),
        (97, 3),
        (100, 3),
    ],
)
def test_spo2_scale_2_on_oxygen(spo2: int, expected: int) -> None:
    """On oxygen, saturation above the 88-92% target scores too: over-oxygenation risks CO2 retention."""
    news2 = score(observations(spo2_scale=2, spo2_percent=spo2, on_supplemental_oxygen=True))

    assert news2.parameter_scores["spo2"] == expected
    assert news2.parameter_scores["supplemental_oxygen"] == 2
    assert news2.score == expected + 2


def test_spo2_scale_2_at_92_93_differs_on_air_and_on_oxygen() -> None:
    """The chart's split row: 93% is on target on air (0) and above target on oxygen (1)."""
    on_air = score(observations(spo2_scale=2, spo2_percent=93))
    on_oxygen = score(observations(spo2_scale=2, spo2_percent=93, on_supplemental_oxygen=True))

    assert on_air.parameter_scores["spo2"] == 0
    assert on_oxygen.parameter_scores["spo2"] == 1


# ---------------------------------------------------------------- air or oxygen
# air: 0 | oxygen: 2


@pytest.mark.parametrize(("on_oxygen", "expected"), [(False, 0), (True, 2)])
def test_supplemental_oxygen(on_oxygen: bool, expected: int) -> None:
    assert_only({"on_supplemental_oxygen": on_oxygen}, "supplemental_oxygen", expected)


# ---------------------------------------------------------------- systolic blood pressure
# <=90: 3 | 91-100: 2 | 101-110: 1 | 111-219: 0 | >=220: 3


@pytest.mark.parametrize(
    ("systolic", "expected"),
    [
        (90, 3),
        (91, 2),
        (100, 2),
        (101, 1),
        (110, 1),
        (111, 0),
        (219, 0),
        (220, 3),
    ],
)
def test_systolic_bp_bands(systolic: int, expected: int) -> None:
    assert_only({"systolic_bp": systolic}, "systolic_bp", expected)


# ---------------------------------------------------------------- pulse
# <=40: 3 | 41-50: 1 | 51-90: 0 | 91-110: 1 | 111-130: 2 | >=131: 3


@pytest.mark.parametrize(
    ("pulse", "expected"),
    [
        (40, 3),
        (41, 1),
        (50, 1),
        (51, 0),
        (90, 0),
        (91, 1),
        (110, 1),
        (111, 2),
        (130, 2),
        (131, 3),
    ],
)
def test_pulse_bands(pulse: int, expected: int) -> None:
    assert_only({"pulse": pulse}, "pulse", expected)


# ---------------------------------------------------------------- consciousness (ACVPU)
# Alert: 0 | new Confusion, Voice, Pain, Unresponsive: 3


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Acvpu.ALERT, 0),
        (Acvpu.CONFUSION, 3),
        (Acvpu.VOICE, 3),
        (Acvpu.PAIN, 3),
        (Acvpu.UNRESPONSIVE, 3),
    ],
)
def test_consciousness(level: Acvpu, expected: int) -> None:
    assert_only({"consciousness": level}, "consciousness", expected)


# ---------------------------------------------------------------- temperature
# <=35.0: 3 | 35.1-36.0: 1 | 36.1-38.0: 0 | 38.1-39.0: 1 | >=39.1: 2


@pytest.mark.parametrize(
    ("celsius", "expected"),
    [
        (35.0, 3),
        (35.1, 1),
        (36.0, 1),
        (36.1, 0),
        (38.0, 0),
        (38.1, 1),
        (39.0, 1),
        (39.1, 2),
    ],
)
def test_temperature_bands(celsius: float, expected: int) -> None:
    assert_only({"temperature_celsius": celsius}, "temperature", expected)


# ---------------------------------------------------------------- aggregate bands
# 0-4: low | any single parameter 3 (aggregate below 5): low-medium, urgent review
# 5-6: medium, urgent review | 7 or more: high, emergency


@pytest.mark.parametrize(
    ("changes", "total", "band"),
    [
        pytest.param({}, 0, News2Band.LOW, id="0-low"),
        pytest.param({"pulse": 95}, 1, News2Band.LOW, id="1-low"),
        pytest.param({"respiration_rate": 21, "pulse": 111}, 4, News2Band.LOW, id="4-low-no-single-3"),
        pytest.param({"consciousness": Acvpu.CONFUSION}, 3, News2Band.LOW_MEDIUM, id="3-single-3-low-medium"),
        pytest.param({"systolic_bp": 90, "pulse": 91}, 4, News2Band.LOW_MEDIUM, id="4-single-3-low-medium"),
        pytest.param({"respiration_rate": 22, "pulse": 115, "temperature_celsius": 38.5}, 5, News2Band.MEDIUM, id="5-medium"),
        pytest.param({"respiration_rate": 25, "pulse": 115}, 5, News2Band.MEDIUM, id="5-with-a-3-is-medium"),
        pytest.param(
            {"respiration_rate": 22, "pulse": 115, "systolic_bp": 105, "temperature_celsius": 38.5},
            6,
            News2Band.MEDIUM,
            id="6-medium",
        ),
        pytest.param(
            {"respiration_rate": 22, "pulse": 115, "systolic_bp": 95, "temperature_celsius": 38.5}, 7, News2Band.HIGH, id="7-high"
        ),
        pytest.param({"consciousness": Acvpu.VOICE, "systolic_bp": 88, "pulse": 135}, 9, News2Band.HIGH, id="9-high"),
    ],
)
def test_aggregate_bands(changes: dict[str, Any], total: int, band: News2Band) -> None:
    news2 = score(observations(**changes))

    assert news2.score == total
    assert news2.band == band


def test_oxygen_alone_never_makes_low_medium() -> None:
    """Oxygen scores 2, never 3: on its own it leaves the band low."""
    news2 = score(observations(on_supplemental_oxygen=True))

    assert news2.score == 2
    assert news2.band == News2Band.LOW


def test_worked_example_febrile_and_tachypnoeic_scores_6_medium() -> None:
    """An older woman with a chest infection, at home, on air.

    respiration 23 -> 2; SpO2 94% (scale 1) -> 1; air -> 0; systolic 105 -> 1;
    pulse 102 -> 1; alert -> 0; temperature 38.4 -> 1.  Total 2+1+0+1+1+0+1 = 6: medium, urgent review.
    """
    news2 = score(
        observations(respiration_rate=23, spo2_percent=94, systolic_bp=105, pulse=102, temperature_celsius=38.4),
    )

    assert news2.parameter_scores == {
        "respiration_rate": 2,
        "spo2": 1,
        "supplemental_oxygen": 0,
        "systolic_bp": 1,
        "pulse": 1,
        "consciousness": 0,
        "temperature": 1,
    }
    assert news2.score == 6
    assert news2.band == News2Band.MEDIUM


def test_worked_example_septic_and_confused_scores_17_high() -> None:
    """Newly confused, breathless, hypotensive and febrile on home oxygen.

    respiration 26 -> 3; SpO2 91% (scale 1) -> 3; oxygen -> 2; systolic 98 -> 2;
    pulse 118 -> 2; new confusion -> 3; temperature 39.3 -> 2.  Total 3+3+2+2+2+3+2 = 17: high, emergency.
    """
    news2 = score(
        observations(
            respiration_rate=26,
            spo2_percent=91,
            on_supplemental_oxygen=True,
            systolic_bp=98,
            pulse=118,
            consciousness=Acvpu.CONFUSION,
            temperature_celsius=39.3,
        ),
    )

    assert news2.score == 17
    assert news2.band == News2Band.HIGH


def test_worked_example_copd_on_oxygen_scale_2_scores_6_medium() -> None:
    """A person with COPD and known hypercapnic respiratory failure (scale 2), on oxygen, saturating 95%.

    respiration 21 -> 2; SpO2 95% on oxygen (scale 2) -> 2; oxygen -> 2; the rest 0.
    Total 2+2+2 = 6: medium. On scale 1 the same 95% would score 1 (total 5).
    """
    copd = score(observations(spo2_scale=2, spo2_percent=95, on_supplemental_oxygen=True, respiration_rate=21))
    same_on_scale_1 = score(observations(spo2_percent=95, on_supplemental_oxygen=True, respiration_rate=21))

    assert copd.score == 6
    assert copd.band == News2Band.MEDIUM
    assert same_on_scale_1.score == 5


# ---------------------------------------------------------------- impossible values


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("spo2_percent", 140),
        ("pulse", -3),
        ("respiration_rate", -1),
        ("systolic_bp", 400),
        ("temperature_celsius", 50.0),
        ("spo2_scale", 3),
    ],
)
def test_observations_reject_impossible_values_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        observations(**{field: value})

    assert [error["loc"] for error in caught.value.errors()] == [(field,)]
    assert field in str(caught.value)
