"""What a cost curve says about its training: where the cost jumped up.

(Live training itself is in :mod:`signviz.trainer`.)
"""

from __future__ import annotations

import numpy as np


def cost_rises(costs, *, by: float = 0.1) -> list[int]:
    """Where the cost jumped up: the iterations whose cost exceeds the one before by
    more than the fraction ``by``, one per jump (a jump spread over a few iterations
    counts once, at its first).

    Gradient descent with a fixed learning rate can take a step too long for a steep
    spot of the cost: the cost jumps, and the next steps bring it back down.

    Parameters
    ----------
    costs : sequence of float
        The cost before each iteration (``cost_history_``).
    by : float, default 0.1

    Returns
    -------
    list of int
        Iteration numbers, counted from 0 like ``cost_history_``.
    """
    costs = np.asarray(costs, dtype=float)
    if costs.size < 2:
        return []
    rising = np.flatnonzero(costs[1:] > costs[:-1] * (1 + by)) + 1
    first_of_each = np.diff(rising, prepend=-np.inf) > 5
    return [int(iteration) for iteration in rising[first_of_each]]
