"""One coordinator per monitored system: source -> state machine -> cause -> events."""

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, override

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import (
    DOMAIN,
    LOGGER,
    SystemKind,
)
from ..history.figures import FiguresCoordinator
from ..history.store import OutageHistory
from ..logic.cause import Cause, CauseEvidence, classify
from ..logic.state import (
    MachineState,
    Outcome,
    Step,
    SystemState,
    advance,
)
from ..settings import ProviderSettings, SystemSettings
from ..sources import Probe, ProbeResult
from .announce import Teller, announce
from .auth import (
    async_credentials_accepted,
    async_credentials_rejected,
    auth_failed_error,
    retry_interval,
    secret_field,
)
from .integration import integration_trouble
from .internet import internet_up, request_internet_check
from .provider_status import StatusPageCoordinator
from .scheduler import ProbeScheduler
from .snapshot import ProbeLog, SystemSnapshot, only_seen
from .state_store import SystemStateStore

type ProviderEntry = ConfigEntry[ProviderRuntimeData]

PROBE_LOG_SIZE = 20  # the last probe results kept per system (for diagnostics)


class SystemCoordinator(DataUpdateCoordinator[SystemSnapshot]):
    """Feeds one monitored system's state machine, polled or pushed."""

    config_entry: ProviderEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ProviderEntry,
        subentry: ConfigSubentry,
        store: SystemStateStore,
        probe: Probe | None,
        provider: ProviderRuntimeData,
    ) -> None:
        """Create the coordinator, starting from the saved state."""
        self.subentry = subentry
        self.settings = SystemSettings.from_subentry(subentry.title, subentry.data)
        self.timing = self.settings.timing
        self.kind = self.settings.kind
        self.auth_failed = False
        self.auth_told = False  # the owner was told this time (a reauth, a repair)
        self.retired = False  # torn down alone: a check under way changes nothing
        # the entries of other integrations it is seen through (evidence of its cause)
        self.integration_entries: Callable[[], set[str]] | None = None
        self._checking: asyncio.Task[Any] | None = None  # the check under way
        self._store = store
        self._probe = probe
        self._provider = provider
        self.probes: deque[ProbeLog] = deque(maxlen=PROBE_LOG_SIZE)
        # re-check at the fast interval until then (after a self-heal attempt)
        self.fast_until: datetime | None = None
        self._transition_listeners: list[Callable[[Step], None]] = []
        # entities that show what every check changes (last seen, response time)
        self._check_listeners: list[CALLBACK_TYPE] = []
        # the data of the last check, when it changed nothing anything else shows
        self._quiet: SystemSnapshot | None = None
        self._told = False  # every listener has heard of the state once
        self.check_name = f"{DOMAIN} check {entry.title} {subentry.title}"
        self.device_info: DeviceInfo | None = None  # shared by its entities
        machine = store.get(subentry.subentry_id)
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} {subentry.title}",
            update_interval=self._interval_for(machine) if probe else None,
            always_update=False,
        )
        self.data = SystemSnapshot(machine=machine)

    @property
    def system_id(self) -> str:
        """The stable id of the system (its subentry id)."""
        return self.subentry.subentry_id

    @property
    def machine(self) -> MachineState:
        """The current state machine state."""
        return self.data.machine

    def _interval_for(self, machine: MachineState) -> timedelta:
        if machine.is_suspect or (
            self.fast_until is not None and dt_util.utcnow() < self.fast_until
        ):
            return timedelta(seconds=self.timing.retry_interval)
        return timedelta(seconds=self.timing.poll_interval)

    @override
    @callback
    def _schedule_refresh(self) -> None:
        """The next check, on the provider's scheduler (one timer per due second)."""
        if self._update_interval_seconds is None or self.retired:
            return
        if self.config_entry.pref_disable_polling:
            return
        self._async_unsub_refresh()
        delay = self._update_interval_seconds
        if self._retry_after is not None:
            delay, self._retry_after = self._retry_after, None
        self._unsub_refresh = self._provider.scheduler.schedule(self, delay)

    def scheduled_check(self) -> Coroutine[Any, Any, None]:
        """A check the scheduler runs (as the coordinator's own timer would)."""
        return self._handle_refresh_interval()

    @override
    @callback
    def async_update_listeners(self) -> None:
        """Tell the entities and the alerts, unless the check changed nothing.

        A check whose outcome moves neither the state machine nor anything shown
        (the system was and is online; only "last seen" and the response time
        moved) reaches only the entities that show those two.
        """
        quiet, self._quiet = self._quiet, None
        if quiet is not None and quiet is self.data:
            for listener in list(self._check_listeners):
                listener()
            return
        self._told = True
        super().async_update_listeners()

    @callback
    def async_add_check_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Also call `listener` after checks that changed nothing else."""
        self._check_listeners.append(listener)

        @callback
        def remove() -> None:
            self._check_listeners.remove(listener)

        return remove

    @override
    async def _async_update_data(self) -> SystemSnapshot:
        self._quiet = None
        if self._probe is None:  # pushed systems are never polled
            return self.data
        # (a check after failed credentials is never quiet: entities come back)
        # (nor the first: the alerts hear of a restored outage)
        may_be_quiet = self._told and self.last_update_success and not self.auth_failed
        self._checking = asyncio.current_task()
        try:
            result = await self._probe()
        finally:
            self._checking = None
        if self.retired:
            return self.data
        if result.auth_failed:
            self._log_probe(result, dt_util.utcnow(), "auth_failed")
            self._credentials_rejected()
            raise auth_failed_error(self.subentry.title)
        if self.auth_failed:
            self.auth_failed = self.auth_told = False
            async_credentials_accepted(
                self.hass,
                self.config_entry,
                self.system_id,
                others_rejected=self._provider.credentials_rejected(),
            )
        if result.outcome is Outcome.UNKNOWN:
            LOGGER.debug("%s could not be judged: %s", self.name, result.reason)
        snapshot = await self._async_apply(result, may_be_quiet=may_be_quiet)
        interval = self._interval_for(snapshot.machine)
        if result.retry_after:
            interval = max(interval, timedelta(seconds=result.retry_after))
        self.update_interval = interval
        return snapshot

    def _credentials_rejected(self) -> None:
        """Checked again slowly; the owner is told at the first rejection only."""
        self.auth_failed = True
        if not self.auth_told:
            self.auth_told = True
            async_credentials_rejected(
                self.hass,
                self.config_entry,
                self.system_id,
                self.subentry.title,
                self.settings.check,
            )
        self.update_interval = retry_interval(self.timing.poll_interval)
        self.async_update_listeners()  # the cause sensor shows "auth" now

    async def async_push(self, result: ProbeResult) -> None:
        """Feed a verdict from an event-driven source (heartbeat, watched entities)."""
        if self.retired:
            return
        snapshot = await self._async_apply(result)
        self.data = snapshot
        self.async_update_listeners()

    async def async_retire(self) -> None:
        """The system is removed, or set up again with new settings: no more checks."""
        self.retired = True
        if self._checking is not None:
            self._checking.cancel()  # a check under way (it may hang) is given up
        await self.async_shutdown()

    @callback
    def async_add_transition_listener(
        self, listener: Callable[[Step], None]
    ) -> CALLBACK_TYPE:
        """Call `listener` with each step that went offline or came back online.

        Before the entities and the alerts hear of it (self-heal may hold the alert).
        """
        self._transition_listeners.append(listener)

        @callback
        def remove() -> None:
            self._transition_listeners.remove(listener)

        return remove

    async def async_fast_recheck(self, until: datetime) -> None:
        """Check at the fast re-check interval until `until`, starting now.

        Used after a self-heal attempt, so that a system that comes back is seen back
        within seconds. Pushed systems are never polled: nothing to do.
        """
        self.fast_until = until
        if self._probe is None:
            return
        self.update_interval = self._interval_for(self.machine)
        await self.async_request_refresh()

    def _log_probe(
        self, result: ProbeResult, now: datetime, outcome: str | None = None
    ) -> None:
        self.probes.append(
            ProbeLog(
                time=now,
                outcome=outcome or result.outcome.value,
                latency_ms=result.latency_ms,
                reason=result.reason,
            )
        )

    async def _async_apply(
        self, result: ProbeResult, *, may_be_quiet: bool = False
    ) -> SystemSnapshot:
        now = dt_util.utcnow()
        self._log_probe(result, now)
        before = self.data
        step = advance(
            before.machine,
            result.outcome,
            now,
            self.timing.thresholds,
            result.reason,
            result.failed_since,
        )
        unknown = result.outcome is Outcome.UNKNOWN
        if (
            may_be_quiet
            and step.transition is None
            and only_seen(before.machine, step.state)
            and (unknown or result.unreachable == before.unreachable)
        ):
            # Nothing the cause, the history, the alerts or most entities look at
            # moved: remember it (written with the next save) and tell only the
            # entities that show every check.
            self._store.remember(self.system_id, step.state)
            self._quiet = replace(
                before, machine=step.state, latency_ms=result.latency_ms
            )
            return self._quiet
        snapshot = SystemSnapshot(
            machine=step.state,
            latency_ms=result.latency_ms,
            unreachable=result.unreachable
            if result.outcome is not result.outcome.UNKNOWN
            else self.data.unreachable,
        )
        # the cause is judged with this system's new state already visible
        self.data = snapshot
        snapshot = replace(snapshot, cause=self._cause_for(snapshot))
        if step.transition is None:
            self._store.put(self.system_id, step.state)
        else:
            await self._store.async_put_now(self.system_id, step.state)
        await self.async_track_history(step, snapshot.cause, now)
        if step.transition is not None:
            announce(
                Teller(
                    self.hass,
                    self.config_entry,
                    self.system_id,
                    self.subentry.title,
                    self.kind.value,
                ),
                step,
                snapshot.cause,
            )
        self.data = snapshot
        if step.transition is not None:
            # before any listener (the alert manager) sees the new state
            for listener in list(self._transition_listeners):
                listener(step)
        self._provider.system_changed(self)
        return snapshot

    async def async_track_history(
        self, step: Step, cause: Cause | None, now: datetime
    ) -> None:
        """Record a step (or, at setup, the restored state) in the outage history."""
        await self._provider.history.async_track(
            system_id=self.system_id,
            name=self.subentry.title,
            kind=self.kind.value,
            step=step,
            cause=cause,
            now=now,
        )

    def _cause_for(self, snapshot: SystemSnapshot) -> Cause | None:
        if not snapshot.offline:
            return None
        return classify(self._provider.evidence_for(self))

    @callback
    def async_reclassify(self) -> None:
        """Re-judge the cause when the picture changes (internet, status page…)."""
        cause = self._cause_for(self.data)
        if cause != self.data.cause:
            # Set directly: async_set_updated_data would push the next poll back.
            self.data = replace(self.data, cause=cause)
            self._provider.history.async_update_cause(self.system_id, cause)
            self.async_update_listeners()


class ProviderRuntimeData:
    """What a loaded provider entry holds, and the evidence its systems share."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ProviderEntry,
        store: SystemStateStore,
        history: OutageHistory,
    ) -> None:
        """Start with no systems."""
        self.hass = hass
        self.settings = ProviderSettings.from_entry(
            entry.data, entry.options, default_currency=hass.config.currency
        )
        self.store = store
        self.history = history
        self.systems: dict[str, SystemCoordinator] = {}
        # each platform's way to add a system's entities (for systems added later)
        self.entity_adders: list[Callable[[SystemCoordinator], None]] = []
        # per system, what stops with it when it is torn down alone (its watcher…)
        self.system_stops: dict[str, list[CALLBACK_TYPE]] = {}
        self.built_from: object = None  # the entry's own settings it was set up with
        self.status_page: StatusPageCoordinator | None = None
        # the uptime figures of self.systems, from the outage history
        self.figures = FiguresCoordinator(
            hass, entry, history, self.systems, self.settings.contract
        )
        self.scheduler = ProbeScheduler(hass, entry)

    @callback
    def add_system_entities(self, adder: Callable[[SystemCoordinator], None]) -> None:
        """A platform's entities: now for each system, later for each system added."""
        self.entity_adders.append(adder)
        for system in self.systems.values():
            adder(system)

    def evidence_for(self, system: SystemCoordinator) -> CauseEvidence:
        """What is known about the causes that could explain this system's outage."""
        clouds = [s for s in self.systems.values() if s.kind is SystemKind.CLOUD]
        failing = [s for s in clouds if s.data.offline and s.data.unreachable]
        return CauseEvidence(
            auth_failed=system.auth_failed,
            internet_up=internet_up(self.hass),
            status_page_problem=self.status_page is not None
            and self.status_page.has_problem,
            cloud_unreachable=system.kind is SystemKind.CLOUD
            and system.data.unreachable,
            all_cloud_systems_failing=len(clouds) >= 2
            and len(failing) == len(clouds)
            and len({s.machine.reason for s in failing}) == 1,
            integration=trouble.trouble
            if (trouble := integration_trouble(self.hass, system.integration_entries))
            else None,
        )

    def credentials_rejected(self) -> bool:
        """Whether the provider rejects the credentials of any of its systems."""
        return any(
            system.auth_failed and secret_field(system.settings.check) is not None
            for system in self.systems.values()
        )

    @callback
    def system_changed(self, changed: SystemCoordinator) -> None:
        """A system's state changed: its siblings' causes may change too."""
        machine = changed.machine
        if machine.state is SystemState.PENDING and machine.failures == 1:
            # the first failed check: have the internet's state ready for the cause
            request_internet_check(self.hass)
        if changed.kind is not SystemKind.CLOUD:
            return  # only cloud systems are evidence about their siblings' causes
        for system in self.systems.values():
            if system is not changed:
                system.async_reclassify()

    @callback
    def reclassify_all(self) -> None:
        """The shared picture (internet, status page) changed."""
        for system in self.systems.values():
            system.async_reclassify()
