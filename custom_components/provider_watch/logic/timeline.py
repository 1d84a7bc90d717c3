"""Offline stretches on the time line, indexed for fast window figures. Pure: no HA.

A `Timeline` holds disjoint, sorted stretches (integer microseconds since the epoch,
so sums are exact) with prefix sums of their lengths: the downtime, the number of
stretches and the longest stretch inside any window cost two binary searches and
one max over a slice, whatever the size of the history. Stretches that overlap or
touch are merged, exactly as figures.merged does, so the figures are the ones
figures.figures computes from the same intervals.

Changes only ever happen at the end of a time line (an outage opens, closes or a
flapping one re-opens): `truncate_from` cuts the stretches a change can touch and
`extend` appends the new ones, so a change costs what it changed, not the history.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import heapq

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICRO = timedelta(microseconds=1)
OPEN = 1 << 62  # the end of a stretch that is still going on
US = 1_000_000  # microseconds per second

type Stretch = tuple[int, int]  # (start, end) in µs; end OPEN while going on


def to_us(value: datetime) -> int:
    """An aware time as microseconds since the epoch."""
    return (value - EPOCH) // MICRO


def from_us(value: int) -> datetime:
    """Microseconds since the epoch as an aware UTC time."""
    return EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True, kw_only=True, slots=True)
class Span:
    """What a window shows of a time line (seconds)."""

    downtime: float = 0.0
    count: int = 0
    longest: float = 0.0


class Timeline:
    """Disjoint, sorted offline stretches with prefix sums (see the module)."""

    __slots__ = ("_cum", "_lengths", "ends", "starts")

    def __init__(self, stretches: Iterable[Stretch] = ()) -> None:
        """A time line of these stretches (sorted by start)."""
        self.starts: list[int] = []
        self.ends: list[int] = []
        self._lengths: list[int] = []  # OPEN for a stretch still going on
        self._cum: list[int] = [0]  # _cum[i]: the closed lengths before stretch i
        self.extend(stretches)

    def __len__(self) -> int:
        """How many (merged) stretches."""
        return len(self.starts)

    def stretches(self) -> list[Stretch]:
        """Every stretch, oldest first."""
        return list(zip(self.starts, self.ends, strict=True))

    def since(self, cut: int) -> list[Stretch]:
        """The stretches that end at or after `cut` (an open one always does)."""
        i = bisect_left(self.ends, cut)
        return list(zip(self.starts[i:], self.ends[i:], strict=True))

    def truncate_from(self, when: int) -> int:
        """Drop the stretches a change at `when` can touch; where they began.

        Every stretch that ends at or after `when` goes; the result is the earlier
        of `when` and the first dropped stretch's start: everything kept ends before
        it, so the stretches that end at or after it can be appended again.
        """
        i = bisect_left(self.ends, when)
        cut = min(when, self.starts[i]) if i < len(self.starts) else when
        del self.starts[i:], self.ends[i:], self._lengths[i:], self._cum[i + 1 :]
        return cut

    def drop_until(self, when: int) -> bool:
        """Forget the stretches that ended at or before `when` (summarised or pruned).

        False when a kept stretch began before `when` (it was merged with one that
        went): then the time line must be built again.
        """
        i = bisect_right(self.ends, when)
        del self.starts[:i], self.ends[:i], self._lengths[:i], self._cum[:i]
        return not self.starts or self.starts[0] >= when

    def extend(self, stretches: Iterable[Stretch]) -> None:
        """Append stretches (sorted by start); overlapping or touching ones merge."""
        starts, ends, lengths, cum = self.starts, self.ends, self._lengths, self._cum
        for start, end in stretches:
            if end <= start:
                continue
            if starts and start <= ends[-1]:
                if end <= ends[-1]:
                    continue
                ends[-1] = end
                lengths[-1] = OPEN if end == OPEN else end - starts[-1]
                cum[-1] = cum[-2] + (0 if end == OPEN else lengths[-1])
                continue
            starts.append(start)
            ends.append(end)
            lengths.append(OPEN if end == OPEN else end - start)
            cum.append(cum[-1] + (0 if end == OPEN else end - start))

    def query(self, start: int, end: int, now: int) -> Span:
        """The stretches inside [start, min(end, now)): downtime, count, longest."""
        end = min(end, now)
        if end <= start:
            return Span()
        i = bisect_right(self.ends, start)  # the first that ends after the start
        j = bisect_left(self.starts, end)  # the first that begins at or after the end
        if i >= j:
            return Span()

        def inside(k: int) -> int:
            return min(self.ends[k], end) - max(self.starts[k], start)

        first = inside(i)
        if j - i == 1:
            return Span(downtime=first / US, count=1, longest=first / US)
        last = inside(j - 1)
        # the stretches between the first and the last lie wholly inside the window
        # and are closed (only the very last stretch of a time line can be open)
        middle = self._cum[j - 1] - self._cum[i + 1]
        longest = max(first, last, max(self._lengths[i + 1 : j - 1], default=0))
        return Span(
            downtime=(first + middle + last) / US, count=j - i, longest=longest / US
        )

    def open_since(self) -> int | None:
        """When the stretch still going on began (None: none is)."""
        if self.ends and self.ends[-1] == OPEN:
            return self.starts[-1]
        return None


def union(timelines: Iterable[Timeline], cut: int = 0) -> list[Stretch]:
    """The stretches of several time lines that end at or after `cut`, by start."""
    return list(heapq.merge(*(t.since(cut) for t in timelines)))


class Union:
    """Several time lines as one: down while any is down (a provider's systems).

    Holds only what ends after `horizon` (what its figures look at), kept up to date
    from the changes of its members (`update`); rebuilt when the members change.
    """

    def __init__(self) -> None:
        """An empty union; `rebuild` fills it."""
        self.members: frozenset[str] = frozenset()
        self.horizon = 0
        self.timeline = Timeline()

    def rebuild(
        self, members: frozenset[str], timelines: Iterable[Timeline], horizon: int
    ) -> None:
        """Build the union of these members' time lines from `horizon` on."""
        self.members = members
        self.horizon = horizon
        self.timeline = Timeline(union(timelines, horizon))

    def update(self, when: int, timelines: Iterable[Timeline]) -> None:
        """A member changed from `when` on: redo the union from there."""
        cut = self.timeline.truncate_from(max(when, self.horizon))
        self.timeline.extend(union(timelines, cut))
