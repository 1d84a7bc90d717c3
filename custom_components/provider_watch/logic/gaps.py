"""A flapping outage's gaps: when it was back online inside its record. Pure: no HA.

Offsets from the record's start in whole tenths of a second,
[up0, down0, up1, down1, ...], non-decreasing; stored as their deltas in one string
("3,5,2": each number the tenths since the previous one), which keeps a month of a
system flapping every poll in a few hundred kilobytes.
"""

from collections.abc import Sequence
from datetime import timedelta
from itertools import accumulate

TENTH = timedelta(milliseconds=100)  # the unit of a flapping outage's gaps
TENTH_US = 100_000


def tenths(value: timedelta) -> int:
    """A duration in whole tenths of a second (rounded)."""
    return round(value / TENTH)


def encode_gaps(gaps: Sequence[int]) -> str:
    """Offsets (tenths, non-decreasing) as their deltas: "3,5,2"."""
    previous = 0
    deltas = []
    for offset in gaps:
        deltas.append(str(offset - previous))
        previous = offset
    return ",".join(deltas)


def decode_gaps(text: object, flaps: object) -> list[int] | None:
    """Read "gaps" back; None when it is not `flaps` pairs of valid deltas."""
    if not isinstance(text, str) or not isinstance(flaps, int) or flaps < 1:
        return None
    try:
        deltas = [int(part) for part in text.split(",")]
    except ValueError:
        return None
    if len(deltas) != 2 * flaps or any(delta < 0 for delta in deltas):
        return None
    return list(accumulate(deltas))
