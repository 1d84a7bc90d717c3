"""When a provider's systems are checked: timers per due second, not per system.

Home Assistant's own entity platforms poll this way: the systems of a provider that
are due in the same second are checked together, eight to a timer (a slot), the
slots 25 ms apart within the second. A system checked every 15 s stays in step with
the others of its interval (its next check is on the provider's grid of whole
seconds), so a provider's 100 systems wake the event loop 13 times per interval
instead of 100, and their answers do not all come back in the same iteration of the
loop (which would hold it ~15 ms). The grid's phase is random per provider: two
providers do not fire in the same instant, and one provider's systems are not spread
over the interval either (a system's own jitter would undo the batch).
"""

from collections.abc import Callable, Coroutine
import random
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback

CHUNK = 8  # checks started in one go (each runs until it waits for the network)
# A provider's systems are due on up to SLOTS timers per second, CHUNK systems
# each, SPACING s apart: their answers, which come in together, then do not hold
# the event loop for one long iteration (100 answers at once: ~15 ms).
SLOTS = 16
SPACING = 0.025


class Scheduled(Protocol):
    """A system the scheduler checks (a SystemCoordinator)."""

    def scheduled_check(self) -> Coroutine[Any, Any, None]:
        """The check itself, run in a background task of the provider's entry."""
        ...  # pragma: no cover

    @property
    def check_name(self) -> str:
        """The background task's name."""
        ...  # pragma: no cover

    @property
    def slot(self) -> int:
        """Its place among the provider's systems (ProbeScheduler.new_slot)."""
        ...  # pragma: no cover


class ProbeScheduler:
    """A provider's timers: due second -> the systems due then."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        phase: float | None = None,
    ) -> None:
        """Start with nothing due; `phase` (into a second) is random unless given.

        As Home Assistant's coordinators do, 0.05-0.5 s into the second.
        """
        self._hass = hass
        self._entry = entry
        self._phase = random.uniform(0.05, 0.5) if phase is None else phase  # noqa: S311
        self._due: dict[float, dict[Scheduled, None]] = {}
        self._timers: dict[float, Callable[[], None]] = {}
        self._tick_of: dict[Scheduled, float] = {}
        self._slots = 0
        self._stopped = False

    @callback
    def new_slot(self) -> int:
        """A place for a new system (its offset into the second: slot // CHUNK)."""
        self._slots += 1
        return self._slots - 1

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Stop with Home Assistant (no check in its close stage); returns the stop."""
        unsub = self._hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, self._async_stopping
        )

        @callback
        def stop() -> None:
            if not self._stopped:
                unsub()
            self.async_stop()

        return stop

    @callback
    def _async_stopping(self, _event: Event) -> None:
        """Home Assistant stops: in the event loop, before any timer can fire.

        (A plain function or lambda as listener would run in the executor, late.)
        """
        self.async_stop()

    @callback
    def schedule(self, system: Scheduled, delay: float) -> None:
        """Check `system` in about `delay` s (on the grid), instead of when it was due.

        (No closure per check to cancel it: `cancel(system)`.)
        """
        if self._stopped:
            return
        self.cancel(system)
        loop = self._hass.loop
        # a check that took less than a second keeps its system on the same tick
        tick = (
            int(loop.time() + delay)
            + self._phase
            + system.slot // CHUNK % SLOTS * SPACING
        )
        due = self._due.get(tick)
        if due is None:
            due = self._due[tick] = {}
            self._timers[tick] = loop.call_at(tick, self._fire, tick).cancel
        due[system] = None
        self._tick_of[system] = tick

    @callback
    def cancel(self, system: Scheduled) -> None:
        """`system` is not checked when it was due (nothing if it was not)."""
        tick = self._tick_of.pop(system, None)
        if tick is None:
            return
        systems = self._due[tick]  # (kept in step with _tick_of)
        del systems[system]
        if not systems:
            del self._due[tick]
            self._timers.pop(tick)()

    @callback
    def _fire(self, tick: float) -> None:
        self._timers.pop(tick, None)
        systems = list(self._due.pop(tick, {}))
        for system in systems:
            del self._tick_of[system]
        self._start(systems)

    @callback
    def _start(self, systems: list[Scheduled]) -> None:
        """Start the checks a few at a time, letting the event loop run in between.

        (A hundred checks started in one go would hold the loop ~20 ms.)
        """
        for system in systems[:CHUNK]:
            check = system.scheduled_check()
            self._entry.async_create_background_task(
                self._hass, check, system.check_name, eager_start=True
            )
        if len(systems) > CHUNK and not self._stopped:
            self._hass.loop.call_soon(self._start, systems[CHUNK:])

    @callback
    def async_stop(self) -> None:
        """Cancel every timer (the provider is unloaded, Home Assistant stops)."""
        self._stopped = True
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()
        self._due.clear()
        self._tick_of.clear()
