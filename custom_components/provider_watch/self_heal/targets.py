"""What self-heal keeps per target entity: its attempts, and switches left off.

The limits of self-heal are the target's, not the system's: systems that share a
plug share its daily cap (the attempts, stored so the cap holds across restarts) and
its attempt under way (`SharedAttempt`: one power-cycle; every system it serves
waits for its end). A switch is remembered as left off by Provider Watch before it
is turned off (written at once), so a restart in the middle of a power-cycle turns
it on at the next start, and its being off is never taken for the owner's choice.

Stored (version 2): {"attempts": {entity_id: [iso time, …]}, "off": {entity_id: iso
time}}. Version 1 counted the attempts per system id; on load they are counted for
each system's target.
"""

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..logic.self_heal import Reason, TargetAttempt, attempts_by_target, attempts_on_day
from ..settings import heal_target

STORAGE_KEY = f"{DOMAIN}.self_heal"
STORAGE_VERSION = 2
KEEP_ATTEMPTS = timedelta(days=2)  # attempt times kept for the daily cap

type Finished = Callable[[Reason | None, datetime], None]


class HealStore(Store[dict[str, Any]]):
    """The self-heal Store, with the move from per-system to per-target attempts."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> dict[str, Any]:
        """Version 1: attempts per system id, counted for the system's target now."""
        data = _mapping(old_data)
        target_of = {
            subentry_id: target.entity_id
            for entry in self.hass.config_entries.async_entries(DOMAIN)
            for subentry_id, subentry in entry.subentries.items()
            if (target := heal_target(subentry.data)) is not None
        }
        attempts = data.get("attempts")
        return {
            "attempts": attempts_by_target(_mapping(attempts), target_of),
            "off": {},
        }


def _mapping(raw: object) -> Mapping[Any, Any]:
    return raw if isinstance(raw, Mapping) else {}


def _moment(raw: object) -> datetime | None:
    """A stored time (aware), or None."""
    if not isinstance(raw, str):
        return None
    moment = dt_util.parse_datetime(raw)
    return moment if moment is not None and moment.tzinfo is not None else None


class SharedAttempt:
    """One attempt on a target entity; every system it serves waits for its end."""

    def __init__(self, entity_id: str, started: datetime) -> None:
        """An attempt that began at `started`."""
        self.entity_id = entity_id
        self.started = started
        self.window_end: datetime | None = None  # set when it ends
        self._end: tuple[Reason | None, datetime] | None = None
        self._waiting: list[Finished] = []

    @property
    def view(self) -> TargetAttempt:
        """What the decision core sees of it."""
        return TargetAttempt(started=self.started, window_end=self.window_end)

    @callback
    def join(self, finished: Finished) -> None:
        """Be told how it ended (at once if it has)."""
        if self._end is not None:
            finished(*self._end)
            return
        self._waiting.append(finished)

    @callback
    def finish(self, reason: Reason | None, recheck: float) -> None:
        """It ended (reason: why it failed); its window is `recheck` seconds."""
        done = dt_util.utcnow()
        # a failed attempt has no window: nothing is worth re-checking for
        self.window_end = done + timedelta(seconds=recheck if reason is None else 0)
        self._end = (reason, done)
        waiting, self._waiting = self._waiting, []
        for finished in waiting:
            finished(reason, done)


class Targets:
    """Per target entity: the attempts (the daily cap), the switches we left off."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Empty until async_load."""
        self._store = HealStore(hass, STORAGE_VERSION, STORAGE_KEY)
        self._attempts: dict[str, list[datetime]] = {}
        self.left_off: dict[str, datetime] = {}  # switches we turned off, not yet on
        self._latest: dict[str, SharedAttempt] = {}

    async def async_load(self) -> None:
        """Read what was stored (a version 1 file is moved to per-target keys)."""
        data = await self._store.async_load()
        if not isinstance(data, Mapping):
            return
        attempts = data.get("attempts")
        for entity_id, times in _mapping(attempts).items():
            parsed = [
                moment
                for raw in (times if isinstance(times, list) else [])
                if (moment := _moment(raw)) is not None
            ]
            if parsed:
                self._attempts[str(entity_id)] = parsed
        for entity_id, raw in _mapping(data.get("off")).items():
            if (moment := _moment(raw)) is not None:
                self.left_off[str(entity_id)] = moment

    async def _async_save(self) -> None:
        await self._store.async_save(
            {
                "attempts": {
                    entity_id: [t.isoformat() for t in times]
                    for entity_id, times in self._attempts.items()
                },
                "off": {
                    entity_id: since.isoformat()
                    for entity_id, since in self.left_off.items()
                },
            }
        )

    # --- the daily cap ----------------------------------------------------------------

    def attempts_today(self, entity_id: str, now: datetime) -> int:
        """Attempts on a target entity on today's local calendar day."""
        return attempts_on_day(
            self._attempts.get(entity_id, ()), now, dt_util.get_default_time_zone()
        )

    async def async_note_attempt(self, entity_id: str, when: datetime) -> None:
        """Count an attempt on a target (written at once: the cap holds)."""
        cutoff = when - KEEP_ATTEMPTS
        self._attempts = {
            target: kept
            for target, times in self._attempts.items()
            if (kept := [t for t in times if t >= cutoff])
        }
        self._attempts.setdefault(entity_id, []).append(when)
        await self._async_save()

    # --- the attempt under way --------------------------------------------------------

    def begin(self, entity_id: str, started: datetime) -> SharedAttempt:
        """An attempt on a target starts."""
        attempt = SharedAttempt(entity_id, started)
        self._latest[entity_id] = attempt
        return attempt

    def latest(self, entity_id: str) -> SharedAttempt | None:
        """The latest attempt on a target since the start."""
        return self._latest.get(entity_id)

    # --- switches left off ------------------------------------------------------------

    async def async_remember_off(self, entity_id: str) -> None:
        """A switch is about to be turned off by us (written before it is)."""
        self.left_off[entity_id] = dt_util.utcnow()
        await self._async_save()

    async def async_forget_off(self, entity_id: str) -> None:
        """A switch we turned off is on again (or a person took it over)."""
        if self.left_off.pop(entity_id, None) is not None:
            LOGGER.debug("Self-heal: %s is no longer ours to turn on", entity_id)
            await self._async_save()
