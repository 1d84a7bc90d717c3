"""Heartbeats in, verdicts out: rate limit and failure confirmation (no HA imports).

Anyone who holds a heartbeat URL can call it as often as they like. The filter turns
the beats into at most one verdict per minimum spacing (a tenth of the expected
period, between 1 s and 1 min), and a reported failure into an outage only once it
is confirmed:

- beats closer together than the spacing count once; a different verdict that
  arrives meanwhile (the latest one) is held and counted when the spacing is over;
- a failure report is confirmed by a second one at least the spacing later with no
  good beat in between, or by silence: no good beat until the next beat is overdue
  (period + grace). A good beat in between forgets it. While the system is already
  offline, a failure report keeps it offline at once;
- every beat, counted or not, is a sign of life (the caller's deadline restarts).

So a flood of beats costs one verdict per spacing at most, and a flood of mixed good
and failure beats no outage at all until it ends (then at most one).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_SPACING = timedelta(seconds=1)
MAX_SPACING = timedelta(minutes=1)


def min_spacing(period: timedelta) -> timedelta:
    """How close together beats may come and still count apart."""
    return min(max(period / 10, MIN_SPACING), MAX_SPACING)


@dataclass(frozen=True, kw_only=True, slots=True)
class Verdict:
    """What to tell the system's state machine."""

    failed: bool
    # failed: the device reported it (else: the beat was missed)
    reported: bool = False
    since: datetime | None = None  # failed: when the failure began


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    """The answer to one beat (or timer)."""

    verdict: Verdict | None = None  # push this now
    wake_at: datetime | None = None  # call `due` then: a verdict is held until then
    new_report: bool = False  # a failure report waits for confirmation from now on


class BeatFilter:
    """One heartbeat system's beats, filtered (see the module docstring)."""

    def __init__(self, spacing: timedelta) -> None:
        """Start with nothing counted."""
        self.spacing = spacing
        self._counted_at: datetime | None = None  # the last verdict pushed, when
        self._counted_failed: bool | None = None  # and what it said
        self._reported: datetime | None = None  # an unconfirmed failure report
        self._held: Verdict | None = None  # waits for the spacing to pass

    @property
    def report_pending(self) -> datetime | None:
        """When the failure report that still waits for confirmation came."""
        return self._reported

    def beat(self, now: datetime, *, failed: bool) -> Decision:
        """A beat came (a good one, or one that reports a failure)."""
        if not failed:
            self._reported = None
            return self._offer(now, Verdict(failed=False))
        if self._counted_failed:  # offline already: it stays so
            return self._offer(now, Verdict(failed=True, reported=True))
        reported = self._reported
        if reported is None or now < reported:  # (the clock went back: anew)
            self._reported = now
            return Decision(new_report=True)
        if now - reported < self.spacing:
            return Decision()  # the same report again, counted once
        return self._confirm(now, reported)

    def missed(self, now: datetime, due: datetime) -> Verdict:
        """The deadline passed without a beat: a failure report is confirmed by it.

        due: when the missed beat was due (the outage starts there, or at the report).
        """
        reported = self._reported
        self._reported = None
        verdict = Verdict(
            failed=True,
            reported=reported is not None,
            since=min(reported, due) if reported is not None else due,
        )
        self._count(now, verdict)
        return verdict

    def due(self, now: datetime) -> Decision:
        """The spacing after the last counted verdict passed: the held one, if any."""
        held = self._held
        if held is None:
            return Decision()
        return self._offer(now, held)

    def _confirm(self, now: datetime, reported: datetime) -> Decision:
        self._reported = None
        return self._offer(now, Verdict(failed=True, reported=True, since=reported))

    def _offer(self, now: datetime, verdict: Verdict) -> Decision:
        last = self._counted_at
        if last is None or not last <= now < last + self.spacing:
            self._count(now, verdict)
            return Decision(verdict=verdict)
        if verdict.failed == self._counted_failed:
            self._held = None  # what was counted last still holds
            return Decision()
        self._held = verdict  # the latest one wins
        return Decision(wake_at=last + self.spacing)

    def _count(self, now: datetime, verdict: Verdict) -> None:
        self._counted_at = now
        self._counted_failed = verdict.failed
        self._held = None
