"""The shared argument checks: what they accept, what they refuse, and what they say."""

import math
from fractions import Fraction

import numpy as np
import pytest

from signviz.validation import check_finite, check_positive, check_whole_number, is_whole_number


@pytest.mark.parametrize("value", [0, 3, -2, np.int64(5), np.uint8(1)])
def test_integers_are_whole_numbers(value):
    assert is_whole_number(value)


@pytest.mark.parametrize("value", [True, False, 3.0, "3", None, np.float32(2), Fraction(4, 1)])
def test_booleans_floats_and_text_are_not_whole_numbers(value):
    assert not is_whole_number(value)


def test_check_whole_number_with_and_without_a_minimum():
    check_whole_number("count", -4)
    check_whole_number("count", 1, minimum=1)
    with pytest.raises(ValueError, match=r"^count must be a whole number, got 2\.5\.$"):
        check_whole_number("count", 2.5)
    with pytest.raises(ValueError, match=r"^count must be a whole number of at least 1, got 0\.$"):
        check_whole_number("count", 0, minimum=1)
    with pytest.raises(ValueError, match="at least 1, got True"):
        check_whole_number("count", True, minimum=1)


@pytest.mark.parametrize("value", [0, -1.5, np.float64(1e300), Fraction(1, 3)])
def test_finite_numbers_pass(value):
    check_finite("start", value)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, True, "1", None])
def test_infinite_or_non_numbers_are_refused(value):
    with pytest.raises(ValueError, match=r"^start must be a finite number, got "):
        check_finite("start", value)


@pytest.mark.parametrize("value", [1e-9, 2, np.float32(0.5), np.int64(7)])
def test_positive_numbers_pass(value):
    check_positive("rate", value)


@pytest.mark.parametrize("value", [0, -1, math.inf, math.nan, True, "1", None])
def test_zero_negative_infinite_or_non_numbers_are_not_positive(value):
    with pytest.raises(ValueError, match=r"^rate must be a positive number, got "):
        check_positive("rate", value)


def test_a_positive_whole_number_may_be_written_as_a_float_but_not_as_a_fraction():
    check_positive("steps", 3, integer=True)
    check_positive("steps", 3.0, integer=True)
    with pytest.raises(ValueError, match=r"^steps must be a positive whole number, got 2\.5\.$"):
        check_positive("steps", 2.5, integer=True)
