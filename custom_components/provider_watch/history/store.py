"""The outage history of one provider: every outage, on disk, and the figures.

The history is the source of truth for the uptime sensors and the report (not the
recorder), so it works with the recorder disabled. An outage is written the moment
it is declared and the moment it ends; an outage still open when Home Assistant
stops stays open in the file and is closed by the same record after the restart
(the machine state in store.py keeps it offline, so no second record is opened).

A history file that cannot be read never stops the integration and is never
overwritten: it is renamed aside (`<file>.corrupt-<UTC time>`), a repair issue
says where it went, and a fresh history starts.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
import json
from pathlib import Path
from typing import Any, cast, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_at_time

from ..const import (
    DOMAIN,
    LOGGER,
)
from ..logic.cause import Cause
from ..logic.cost import Contract, Cost, Timeline, billing_month, cost
from ..logic.figures import (
    Figures,
    Interval,
    combined_timeline,
    current_outage,
    figures,
    last,
)
from ..logic.history_file import (
    HISTORY_MINOR_VERSION,
    HISTORY_VERSION,
    HistoryData,
    SystemInfo,
    migrate_v1,
    migrate_v2_1,
    parse_history,
    prune,
)
from ..logic.notes import OutageNote, apply as apply_note
from ..logic.outages import NoticeCounts, OutageRecord, notice_counts
from ..logic.state import MachineState, Step, SystemState, Transition

ISSUE_HISTORY_CORRUPT = "history_corrupt"
CAUSE_SAVE_DELAY = 10  # seconds: a changed cause or an alert mark is written soon
FIGURES_INTERVAL = timedelta(minutes=5)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)
OUTAGE_STATES = (SystemState.OFFLINE, SystemState.RECOVERING)


def history_key(entry_id: str) -> str:
    """The Store key of a provider's history."""
    return f"{DOMAIN}.{entry_id}.history"


class _HistoryStore(Store[dict[str, Any]]):
    """The Store, with the migration from earlier layouts."""

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> dict[str, Any]:
        if old_major_version == 1:
            return cast("dict[str, Any]", migrate_v2_1(migrate_v1(old_data)))
        if old_major_version == HISTORY_VERSION and old_minor_version < 2:
            return cast("dict[str, Any]", migrate_v2_1(old_data))
        if old_major_version == HISTORY_VERSION and isinstance(old_data, dict):
            return old_data  # a newer minor version: same layout
        raise ValueError(f"cannot migrate a version {old_major_version} history")


def inspect_file(path: Path) -> str | None:
    """Why the history file cannot be loaded, or None (fine, or no file).

    Runs in the executor before the Store reads the file, so that a bad file is
    set aside by Provider Watch (with its own repair issue) whatever is wrong.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        return f"unreadable ({err.strerror or err})"
    try:
        data = json.loads(raw)
    except ValueError as err:  # includes UnicodeDecodeError
        return f"not valid JSON ({err})"
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        return "not a Provider Watch history"
    version = data.get("version")
    if not isinstance(version, int) or not 1 <= version <= HISTORY_VERSION:
        return f"unsupported version {version!r}"
    return None


def move_aside(path: Path, stamp: str) -> Path | None:
    """Rename a bad file aside; None when there is no file or it cannot be moved."""
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    if not path.exists() or target.exists():
        return None
    try:
        path.rename(target)
    except OSError as err:
        LOGGER.error("Could not move %s aside: %s", path, err)
        return None
    return target


def write_copy(path: Path, stamp: str, data: object) -> Path:
    """Keep a copy of loaded data that had unreadable records."""
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    return target


@dataclass(frozen=True, kw_only=True)
class SystemFigures:
    """The figures a system's sensors show."""

    day: Figures
    week: Figures
    month: Figures
    current_outage: float  # seconds, 0 when online


@dataclass(frozen=True, kw_only=True)
class ProviderFigures:
    """The figures of every system of a provider, and of the provider as a whole."""

    systems: Mapping[str, SystemFigures]
    month: Figures  # the provider: down while any of its systems is down
    # this billing month (the local calendar month): downtime against the fee,
    # and whether the provider told the owner about its outages
    contract: Contract = field(default_factory=Contract)
    billing: Cost | None = None
    notices: NoticeCounts = field(default_factory=NoticeCounts)


class OutageHistory:
    """Every outage of a provider's systems, persisted in a Store."""

    def __init__[R](self, hass: HomeAssistant, entry: ConfigEntry[R]) -> None:
        """Create the (empty) history; async_load reads the file."""
        self.hass = hass
        self._entry_id = entry.entry_id
        self._title = entry.title
        self._store = _HistoryStore(
            hass,
            HISTORY_VERSION,
            history_key(entry.entry_id),
            minor_version=HISTORY_MINOR_VERSION,
        )
        self._data = HistoryData()
        self._open: dict[str, OutageRecord] = {}
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
        return self._data.outages

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
            stamp = _stamp()
            copy = await self.hass.async_add_executor_job(
                write_copy, self.path, stamp, raw
            )
            self._raise_issue(f"{dropped} unreadable entries", copy)
        self._data = data
        self._data.outages = prune(data.outages, dt_util.utcnow())
        for record in self._data.outages:  # oldest first
            if record.open:
                if (earlier := self._open.get(record.system_id)) is not None:
                    # two open outages of one system: the first ended when the
                    # second began
                    self._close(earlier, record.start)
                self._open[record.system_id] = record

    async def _async_set_aside(self, problem: str) -> None:
        moved = await self.hass.async_add_executor_job(move_aside, self.path, _stamp())
        if moved is None and await self.hass.async_add_executor_job(self.path.exists):
            # It could not be moved: keep the history in memory only, never
            # overwrite the file.
            self.writable = False
            self._store.make_read_only()
        self._raise_issue(problem, moved)

    def _raise_issue(self, problem: str, moved: Path | None) -> None:
        LOGGER.error(
            "The outage history of %s could not be read (%s); it was kept as %s "
            "and a new history was started",
            self._title,
            problem,
            moved or self.path,
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"{ISSUE_HISTORY_CORRUPT}_{self._entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_HISTORY_CORRUPT,
            translation_placeholders={
                "provider": self._title,
                "error": problem,
                "path": str(moved or self.path),
            },
        )

    def open_outage(self, system_id: str) -> OutageRecord | None:
        """The outage of a system that is going on, if any."""
        return self._open.get(system_id)

    def latest(self, count: int) -> list[OutageRecord]:
        """The newest outages, newest first."""
        return sorted(self._data.outages, key=lambda r: r.start, reverse=True)[:count]

    def between(
        self, start: datetime, end: datetime, system_ids: Iterable[str] | None = None
    ) -> list[OutageRecord]:
        """Outages that overlap [start, end), oldest first."""
        wanted = None if system_ids is None else set(system_ids)
        return [
            r
            for r in self._data.outages
            if r.start < end
            and (r.end is None or r.end > start)
            and (wanted is None or r.system_id in wanted)
        ]

    def intervals(self, system_id: str) -> list[Interval]:
        """A system's outages on the time line."""
        return [r.interval for r in self._data.outages if r.system_id == system_id]

    def find(self, outage_id: str) -> OutageRecord | None:
        """An outage by its id."""
        return next((r for r in self._data.outages if r.id == outage_id), None)

    def added(self, system_id: str) -> datetime | None:
        """When a system was first monitored."""
        info = self._data.systems.get(system_id)
        return info.added if info else None

    def figures(
        self,
        system_ids: Iterable[str],
        now: datetime,
        *,
        contract: Contract | None = None,
        zone: tzinfo = UTC,
    ) -> ProviderFigures:
        """The sensors' figures at `now` (the billing month is local to `zone`)."""
        system_ids = list(system_ids)
        contract = contract or Contract()
        systems: dict[str, SystemFigures] = {}
        timelines: list[tuple[datetime | None, list[Interval]]] = []
        for system_id in system_ids:
            intervals = self.intervals(system_id)
            added = self.added(system_id)
            timelines.append((added, intervals))
            systems[system_id] = SystemFigures(
                day=figures(intervals, last(DAY, now), added=added, now=now),
                week=figures(intervals, last(WEEK, now), added=added, now=now),
                month=figures(intervals, last(MONTH, now), added=added, now=now),
                current_outage=current_outage(intervals, now),
            )
        month = billing_month(now, zone)
        billing = cost(
            [Timeline(added=a, intervals=i) for a, i in timelines],
            month,
            fee=contract.monthly_fee,
            zone=zone,
            now=now,
        )
        added, intervals = combined_timeline(timelines)
        return ProviderFigures(
            systems=systems,
            month=figures(intervals, last(MONTH, now), added=added, now=now),
            contract=contract,
            billing=billing,
            notices=notice_counts(self.between(month.start, now, system_ids)),
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
            self._store.async_delay_save(self._data.to_dict, CAUSE_SAVE_DELAY)

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
        if self._track(system_id, name, kind, step, cause, now):
            await self.async_flush()
            self._changed(now=True)

    def _track(
        self,
        system_id: str,
        name: str,
        kind: str,
        step: Step,
        cause: Cause | None,
        now: datetime,
    ) -> bool:
        """Apply a step; True when the history changed and must be written now."""
        machine = step.state
        changed = self._see_system(system_id, name, machine, now)
        current = self._open.get(system_id)
        if step.transition is Transition.WENT_OFFLINE:
            start = machine.outage_start or now
            if current is not None and current.start != start:
                self._close(current, min(start, now))
                current = None
            if current is None:  # (the same outage stays in its record)
                self._open_record(system_id, name, start, cause, kind, machine, now)
            return True
        if step.transition is Transition.CAME_ONLINE:
            if current is not None:
                self._close(current, now)
            elif step.outage_start is not None:  # the history lost the open record
                self._data.outages.append(
                    self._record(system_id, name, step.outage_start, cause)
                )
                self._close(self._data.outages[-1], now)
            return True
        if machine.state in OUTAGE_STATES and current is None:
            # offline since before a history existed (or was set aside): the
            # outage's start is known from the machine, how it was detected is not
            start = machine.outage_start or now
            self._data.outages.append(self._record(system_id, name, start, cause))
            self._open[system_id] = self._data.outages[-1]
            return True
        if machine.state is SystemState.ONLINE and current is not None:
            # online again while the history still had the outage open
            since = machine.since
            self._close(current, since if since and since >= current.start else now)
            return True
        if cause is not None and current is not None and current.cause != cause:
            current.cause = cause.value
            self._changed(now=False)
        return changed

    def _see_system(
        self, system_id: str, name: str, machine: MachineState, now: datetime
    ) -> bool:
        info = self._data.systems.get(system_id)
        if info is None:
            # first seen now, or when the outage it is in began
            added = min(now, machine.outage_start or now)
            self._data.systems[system_id] = SystemInfo(name=name, added=added)
            return True
        if info.name != name:
            info.name = name
            return True
        return False

    def _record(
        self, system_id: str, name: str, start: datetime, cause: Cause | None
    ) -> OutageRecord:
        return OutageRecord(
            id=ulid_at_time(start.timestamp()),
            system_id=system_id,
            system=name,
            provider=self._title,
            start=start,
            cause=cause.value if cause else None,
        )

    def _open_record(
        self,
        system_id: str,
        name: str,
        start: datetime,
        cause: Cause | None,
        kind: str,
        machine: MachineState,
        now: datetime,
    ) -> None:
        record = self._record(system_id, name, start, cause)
        record.detected_at = now
        record.detected_kind = kind
        record.detected_reason = machine.reason
        self._data.outages.append(record)
        self._open[system_id] = record

    def _close(self, record: OutageRecord, end: datetime) -> None:
        record.end = max(end, record.start)
        self._open.pop(record.system_id, None)

    @callback
    def async_update_cause(self, system_id: str, cause: Cause | None) -> None:
        """The cause of an open outage was re-judged."""
        current = self._open.get(system_id)
        if cause is not None and current is not None and current.cause != cause:
            current.cause = cause.value
            self._changed(now=False)

    async def async_retain(self, system_ids: set[str], now: datetime) -> None:
        """Close the open outages of systems that were removed (records stay)."""
        closed = False
        for system_id, record in list(self._open.items()):
            if system_id not in system_ids:
                self._close(record, now)
                closed = True
        if closed:
            await self.async_flush()
            self._changed(now=True)

    @callback
    def note(self, note: OutageNote) -> int:
        """The one way in for what alerts, phones and self-heal note on outages.

        Returns how many outages the note changed (see logic/notes.py).
        """
        changed = apply_note(note, self._data.outages, self._open)
        if changed:
            self._changed(now=False)
        return changed

    async def async_flush(self) -> None:
        """Prune and write the history now."""
        self._data.outages = prune(self._data.outages, dt_util.utcnow())
        await self._store.async_save(self._data.to_dict())

    async def async_remove(self) -> None:
        """Delete the file (the provider was removed)."""
        await self._store.async_remove()


def _stamp() -> str:
    return dt_util.utcnow().strftime("%Y%m%dT%H%M%S%fZ")


class FiguresCoordinator(DataUpdateCoordinator[ProviderFigures]):
    """Recomputes the figures on every history change and every 5 minutes.

    Nothing is polled: the timer only moves the windows on (and the current
    outage's duration up).
    """

    def __init__[R](
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[R],
        history: OutageHistory,
        system_ids: Iterable[str],
        contract: Contract,
    ) -> None:
        """Compute the first figures right away.

        system_ids is read at every refresh (the provider's live dict of systems).
        """
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} figures",
            update_interval=FIGURES_INTERVAL,
        )
        self.history = history
        self.system_ids = system_ids
        self.contract = contract
        self.data = self._compute()

    def _compute(self) -> ProviderFigures:
        return self.history.figures(
            self.system_ids,
            dt_util.utcnow(),
            contract=self.contract,
            zone=dt_util.get_default_time_zone(),
        )

    @override
    async def _async_update_data(self) -> ProviderFigures:
        return self._compute()

    @callback
    def async_history_changed(self) -> None:
        """The history changed: new figures now."""
        self.async_set_updated_data(self._compute())
