"""Checks of arguments shared by the whole package, each written once.

Every public function that takes a count, a size or a rate checks it here, so that a
bad value gets the same clear ``ValueError`` wherever it is passed.
"""

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
