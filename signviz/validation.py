"""Checks of arguments shared by the whole package, each written once.

Every public function that takes a count, a size or a rate checks it here, so that a
bad value gets the same clear ``ValueError`` wherever it is passed. This module imports
nothing but the standard library, so that any module may use it without dragging in
another part of the package.
"""

import math
import numbers


def is_whole_number(value) -> bool:
    """True for an integer (Python or numpy), False for anything else, booleans included.

    Parameters
    ----------
    value : object

    Returns
    -------
    bool
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_whole_number(name: str, value, *, minimum: int | None = None) -> None:
    """Raise ``ValueError`` unless ``value`` is an integer, at least ``minimum`` if given.

    Parameters
    ----------
    name : str
        How the message names the argument.
    value : object
    minimum : int, optional
        The smallest value allowed.
    """
    if minimum is None:
        if not is_whole_number(value):
            raise ValueError(f"{name} must be a whole number, got {value!r}.")
    elif not (is_whole_number(value) and value >= minimum):
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}.")


def check_finite(name: str, value) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite real number (not a boolean).

    Parameters
    ----------
    name : str
        How the message names the argument.
    value : object
    """
    if not _is_real(value) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")


def check_positive(name: str, value, *, integer: bool = False) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite positive number.

    Parameters
    ----------
    name : str
        How the message names the argument.
    value : object
    integer : bool, default False
        Also require a whole value (``3`` or ``3.0``, not ``2.5``).
    """
    kind = "a positive whole number" if integer else "a positive number"
    if (
        not _is_real(value)
        or not math.isfinite(float(value))
        or (integer and not float(value).is_integer())
        or value <= 0
    ):
        raise ValueError(f"{name} must be {kind}, got {value!r}.")


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
