"""A finding put into words, with how loudly a page shows it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """A finding put into words, with how loudly a page shows it.

    Attributes
    ----------
    level : {"error", "warning", "info", "success", "caption"}
    text : str
        Markdown.
    icon : str or None
    """

    level: str
    text: str
    icon: str | None = None
