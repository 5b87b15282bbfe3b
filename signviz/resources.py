"""Memory limits: estimate what a computation needs before allocating it, refuse what cannot fit.

A model with 100,000 hidden units on 4096-pixel images needs gigabytes; numpy would
start allocating, fill the machine and end in a ``MemoryError`` long after. Instead,
each model estimates its needs from its hyperparameters and the data's shape before
creating any array, and `check_memory` refuses an estimate above the limit with one
sentence that says both sizes.

The limit is half the memory the operating system reports as available
(``MemAvailable`` in ``/proc/meminfo`` on Linux), or the ``SIGNVIZ_MEMORY_LIMIT``
environment variable when set (bytes, or with a suffix: ``500M``, ``2G``), whichever is
smaller. A deployed app can set the variable to bound what one visitor may ask for.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

MEMORY_LIMIT_VARIABLE = "SIGNVIZ_MEMORY_LIMIT"
#: Share of the available memory one computation may use.
AVAILABLE_SHARE = 0.5

_SUFFIXES = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


class ResourceLimitError(ValueError):
    """A computation would need more memory than the limit; the message gives both sizes."""


def available_memory() -> int:
    """Bytes of memory the operating system can give without swapping.

    Returns
    -------
    int
        ``MemAvailable`` from ``/proc/meminfo`` on Linux; elsewhere the free physical
        pages times the page size.
    """
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def memory_limit() -> tuple[int, str]:
    """The most memory one computation may use, and where that limit comes from.

    Returns
    -------
    limit : int
        Bytes.
    origin : str
        A few words for messages, e.g. ``"80 % of the 20.1 GB available"``.

    Raises
    ------
    ValueError
        If ``SIGNVIZ_MEMORY_LIMIT`` is set to something that is not a size.
    """
    available = available_memory()
    limit, origin = (
        int(AVAILABLE_SHARE * available),
        (f"{AVAILABLE_SHARE:.0%} of the {format_bytes(available)} available"),
    )
    text = os.environ.get(MEMORY_LIMIT_VARIABLE, "").strip()
    if text:
        configured = parse_size(text)
        if configured < limit:
            limit, origin = configured, f"{MEMORY_LIMIT_VARIABLE}={text}"
    return limit, origin


def parse_size(text: str) -> int:
    """``"2G"`` -> 2147483648; a plain number is bytes; suffixes K, M, G, T (powers of 1024)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text, flags=re.IGNORECASE)
    if match is None:
        raise ValueError(
            f"{MEMORY_LIMIT_VARIABLE} should be a size such as 2G or 500M, got {text!r}"
        )
    return int(float(match[1]) * _SUFFIXES[match[2].upper()])


def check_memory(n_bytes: float, what: str) -> None:
    """Refuse a computation whose estimated memory is above `memory_limit`.

    Parameters
    ----------
    n_bytes : float
        The estimate, in bytes.
    what : str
        The computation, as the start of a sentence: ``"training TwoLayerNetwork with
        100000 hidden units on 348 images of 4096 pixels"``.

    Raises
    ------
    ResourceLimitError
        Saying the estimate and the limit.
    """
    limit, origin = memory_limit()
    if n_bytes > limit:
        raise ResourceLimitError(
            f"{what} needs about {format_bytes(n_bytes)} of memory, more than the limit of "
            f"{format_bytes(limit)} ({origin}); choose a smaller setting"
        )


def format_bytes(n_bytes: float) -> str:
    """``1536`` -> ``"1.5 KB"``: at most three significant digits, binary multiples."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if abs(n_bytes) < 1024 or unit == "TB":
            break
        n_bytes /= 1024
    return f"{n_bytes:.0f} bytes" if unit == "bytes" else f"{n_bytes:.3g} {unit}"


def network_memory(layer_sizes, n_rows: int, itemsize: int, copies_per_parameter: int) -> int:
    """Bytes a fully connected network needs to train, estimated from its shape.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units of each layer, the input first: ``(4096, 8, 4, 1)``.
    n_rows : int
        Images processed at once (the whole training set for full-batch descent).
    itemsize : int
        Bytes per number (8 for float64, 4 for float32).
    copies_per_parameter : int
        Arrays of the parameters' size alive at once: the parameters, their gradients
        and temporaries (4 for gradient descent); Adam adds two moments (6).

    Returns
    -------
    int
        ``itemsize * (copies * n_parameters + 4 * n_rows * n_units)``: four arrays per
        layer of one value per unit and image (``Z``, ``A``, ``dZ`` and a temporary).
    """
    sizes = [int(size) for size in layer_sizes]
    parameters = sum(n_in * n_out + n_out for n_in, n_out in itertools.pairwise(sizes))
    units = sum(sizes[1:])
    return itemsize * (copies_per_parameter * parameters + 4 * int(n_rows) * units)
