"""How numbers and text are written for people: money, durations, one-line clips.

>>> format_money(0.000123), format_money(1.5), format_money(None)
('$0.000123', '$1.50', '$?')
>>> format_seconds(0.0123), format_seconds(2.5)
('12.3 ms', '2.50 s')
"""

from __future__ import annotations

from typing import Any

__all__ = ["clip", "format_money", "format_seconds", "safe_str"]


def plural(count: int, noun: str) -> str:
    """``1 model call``, ``2 model calls``, ``0 model calls``.

    >>> plural(1, "model call"), plural(3, "model call")
    ('1 model call', '3 model calls')
    """
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def format_money(cost: float | None) -> str:
    """``$0.000123``, ``$1.23``, or ``$?`` when unpriced."""
    if cost is None:
        return "$?"
    return f"${cost:.2f}" if cost >= 1 else f"${cost:.6f}"


def format_seconds(seconds: float | None) -> str:
    """``12.3 ms`` below a second, ``2.50 s`` above, ``-`` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def clip(value: Any, width: int) -> str:
    """One line of at most ``width`` characters (for tree rows and notes)."""
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def safe_str(value: object) -> str:
    """``str(value)``, even for an object (an exception) whose ``__str__`` itself raises."""
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a broken __str__ must not break what reports it
        return f"<{type(value).__name__} whose text could not be shown>"
