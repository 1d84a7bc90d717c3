"""The outage history of one provider: every outage, on disk, and the figures.

The history is the source of truth for the uptime sensors and the report (not the
recorder), so it works with the recorder disabled. An outage is written the moment
it is declared and the moment it ends; an outage still open when Home Assistant
stops stays open in the file and is closed by the same record after the restart
(the machine state in monitoring/state_store.py keeps it offline, so no second
record is opened).

Every write is atomic and durable (Home Assistant's atomic writes: a temporary
file, fsync, rename, fsync of the folder): an outage written at once survives a
power cut right after. The history is written in the executor: what is saved is
a snapshot of the records' stored rows (HistoryIndex.snapshot), serialised off
the event loop; a change costs what it changed (the rows and time line of one
system), not a walk of the whole history. A history file that cannot be read is
set aside and a fresh history starts (see files.py). What a step of a system's
state machine means for the records is logic/tracking.py's, the layout and its
migrations logic/history_file.py's, the figures logic/provider_figures.py's and
the notes on outages logic/notes.py's; this class keeps them on disk and tells
the listeners.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_at_time

from ..logic.cause import Cause
from ..logic.cost import Contract
from ..logic.figures import Interval
from ..logic.history_file import HISTORY_MINOR_VERSION, HISTORY_VERSION, parse_history
from ..logic.notes import OutageNote
from ..logic.outages import OutageRecord
from ..logic.provider_figures import ProviderFigures, provider_figures
from ..logic.rollups import Rollup
from ..logic.state import Step
from ..logic.timeline import Union
from ..logic.tracking import Change, OutageTracker
from .files import (
    HistoryStore,
    history_key,
    inspect_file,
    move_aside,
    raise_corrupt_issue,
    stamp_now,
    write_copy,
)

CAUSE_SAVE_DELAY = 10  # seconds: a changed cause or an alert mark is written soon


class OutageHistory:
    """Every outage of a provider's systems, persisted in a Store."""

    def __init__[R](self, hass: HomeAssistant, entry: ConfigEntry[R]) -> None:
        """Create the (empty) history; async_load reads the file."""
        self.hass = hass
        self._entry_id = entry.entry_id
        self._title = entry.title
        self._store = HistoryStore(
            hass,
            HISTORY_VERSION,
            history_key(entry.entry_id),
            minor_version=HISTORY_MINOR_VERSION,
            serialize_in_event_loop=False,
            atomic_writes=True,  # fsync'd: an outage written at once is durable
        )
        self._tracker = OutageTracker(entry.title, ulid_at_time)
        self._union = Union()  # the provider's systems as one (the figures')
        self._listeners: list[CALLBACK_TYPE] = []
        self.writable = True

    # --- reading ---------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The history file."""
        return Path(self.hass.config.path(STORAGE_DIR, self._store.key))

    @property
    def outages(self) -> list[OutageRecord]:
        """Every retained outage, oldest first."""
        return self._tracker.index.all()

    @property
    def rollups(self) -> list[Rollup]:
        """The monthly summaries of the outages the bound no longer keeps."""
        return self._tracker.index.all_rollups()

    async def async_load(self) -> None:
        """Read the history; a bad file is set aside and a fresh history starts."""
        problem = await self.hass.async_add_executor_job(inspect_file, self.path)
        if problem is not None:
            await self._async_set_aside(problem)
            return
        try:
            raw = await self._store.async_load()
        except (HomeAssistantError, ValueError, TypeError, KeyError) as err:
            await self._async_set_aside(str(err) or type(err).__name__)
            return
        if raw is None:
            return
        try:
            data, dropped = parse_history(raw)
        except TypeError as err:
            await self._async_set_aside(str(err))
            return
        if dropped:
            stamp = stamp_now()
            copy = await self.hass.async_add_executor_job(
                write_copy, self.path, stamp, raw
            )
            self._raise_issue(f"{dropped} unreadable entries", copy)
        self._tracker.load(data, dt_util.utcnow(), dt_util.get_default_time_zone())

    async def _async_set_aside(self, problem: str) -> None:
        moved = await self.hass.async_add_executor_job(
            move_aside, self.path, stamp_now()
        )
        if moved is None and await self.hass.async_add_executor_job(self.path.exists):
            # It could not be moved: keep the history in memory only, never
            # overwrite the file.
            self.writable = False
            self._store.make_read_only()
        self._raise_issue(problem, moved)

    def _raise_issue(self, problem: str, moved: Path | None) -> None:
        raise_corrupt_issue(
            self.hass, self._entry_id, self._title, problem, moved or self.path
        )

    def open_outage(self, system_id: str) -> OutageRecord | None:
        """The outage of a system that is going on, if any."""
        return self._tracker.open_outage(system_id)

    def latest(self, count: int) -> list[OutageRecord]:
        """The newest outages, newest first."""
        return self._tracker.index.latest(count)

    def between(
        self, start: datetime, end: datetime, system_ids: Iterable[str] | None = None
    ) -> list[OutageRecord]:
        """Outages that overlap [start, end), oldest first."""
        return self._tracker.index.between(start, end, system_ids)

    def intervals(self, system_id: str) -> list[Interval]:
        """A system's outages on the time line."""
        return self._tracker.index.intervals(system_id)

    def find(self, outage_id: str) -> OutageRecord | None:
        """An outage by its id."""
        return self._tracker.index.find(outage_id)

    def added(self, system_id: str) -> datetime | None:
        """When a system was first monitored."""
        return self._tracker.index.added(system_id)

    def figures(
        self,
        system_ids: Iterable[str],
        now: datetime,
        *,
        contract: Contract | None = None,
        zone: tzinfo = UTC,
        previous: ProviderFigures | None = None,
    ) -> ProviderFigures:
        """The sensors' figures at `now` (the billing month is local to `zone`).

        With `previous`, only the systems whose outages changed are computed again.
        """
        return provider_figures(
            self._tracker.index,
            self._union,
            system_ids,
            now,
            contract=contract,
            zone=zone,
            previous=previous,
        )

    # --- listening -------------------------------------------------------------

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` whenever the history changes; returns the remover."""
        self._listeners.append(listener)

        @callback
        def remove() -> None:
            self._listeners.remove(listener)

        return remove

    @callback
    def _changed(self, *, now: bool) -> None:
        for listener in list(self._listeners):
            listener()
        if not now:
            # the snapshot is taken now, in the event loop; the Store serialises it
            # in the executor when the delay is over
            snapshot = self._tracker.index.snapshot()
            self._store.async_delay_save(lambda: snapshot, CAUSE_SAVE_DELAY)

    # --- writing ---------------------------------------------------------------

    async def async_track(
        self,
        *,
        system_id: str,
        name: str,
        kind: str,
        step: Step,
        cause: Cause | None,
        now: datetime,
    ) -> None:
        """Record what a step of a system's state machine means for the history.

        Also called once at setup (a step without a transition), which adds a new
        system and repairs a history that lost track of an outage.
        """
        change = self._tracker.track(system_id, name, kind, step, cause, now)
        await self._async_write_for(change)

    async def async_track_restored(
        self, systems: Iterable[tuple[str, str, str, Step]], now: datetime
    ) -> None:
        """At setup, each (system id, name, kind, restored step): written once for all.

        (One write per system made a provider of 100 systems write its history
        file 100 times while it set up.)
        """
        change = Change.NONE
        for system_id, name, kind, step in systems:
            change |= self._tracker.track(system_id, name, kind, step, None, now)
        await self._async_write_for(change)

    async def _async_write_for(self, change: Change) -> None:
        if Change.SOON in change:
            self._changed(now=False)
        if Change.NOW in change:
            await self.async_flush()
            self._changed(now=True)

    @callback
    def async_update_cause(self, system_id: str, cause: Cause | None) -> None:
        """The cause of an open outage was re-judged."""
        if self._tracker.update_cause(system_id, cause):
            self._changed(now=False)

    async def async_retain(self, system_ids: set[str], now: datetime) -> None:
        """Close the open outages of systems that were removed (records stay)."""
        if self._tracker.retain(system_ids, now):
            await self.async_flush()
            self._changed(now=True)

    @callback
    def note(self, note: OutageNote) -> int:
        """The one way in for what alerts, phones and self-heal note on outages.

        Returns how many outages the note changed (see logic/notes.py).
        """
        changed = self._tracker.note(note)
        if changed:
            self._changed(now=False)
        return changed

    async def async_flush(self) -> None:
        """Prune and write the history now (serialised in the executor)."""
        self._tracker.prune(dt_util.utcnow(), dt_util.get_default_time_zone())
        await self._store.async_save(self._tracker.index.snapshot())

    async def async_remove(self) -> None:
        """Delete the file (the provider was removed)."""
        await self._store.async_remove()
