"""Readers of stored values: what a hand-edited file or an older version left.

Each returns the value when it is usable and the default (or None) otherwise: NaN,
infinity, a number out of range, text where a number belongs. settings.py reads
every stored option with these, so that a bad value never stops a set-up.
"""

from collections.abc import Mapping
from datetime import date, time
import math
from typing import Any


def text(value: object) -> str | None:
    """A non-empty text, or None."""
    return value if isinstance(value, str) and value else None


def usable(value: object, low: float, high: float, *, whole: bool = False) -> bool:
    """A finite number in [low, high] (and whole, if asked); not NaN, not text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if not math.isfinite(value) or not low <= value <= high:
        return False
    return not whole or float(value).is_integer()


def number(
    data: Mapping[str, Any],
    key: str,
    default: float,
    low: float = -math.inf,
    high: float = math.inf,
) -> float:
    """A stored finite number in [low, high], or the default."""
    value = data.get(key, default)
    return float(value) if usable(value, low, high) else default


def whole(data: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    """A stored whole number in [low, high], or the default."""
    value = data.get(key, default)
    return int(value) if usable(value, low, high, whole=True) else default


def ids(value: object) -> tuple[str, ...]:
    """A stored list of ids, as texts; anything else is none."""
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(item) for item in value)


def time_of(value: object) -> time | None:
    """A stored time of day (HH:MM[:SS]), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def date_of(value: object) -> date | None:
    """A stored date (YYYY-MM-DD), or None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def fee(value: object) -> float | None:
    """A stored monthly fee; anything but a finite number of 0 or more is none."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None
