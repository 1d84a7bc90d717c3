"""One coordinator per monitored system: source -> state machine -> cause -> events."""

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol, override

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import (
    DOMAIN,
    LOGGER,
)
from ..history.store import OutageHistory
from ..logic.cause import Cause, CauseEvidence, classify
from ..logic.state import (
    MachineState,
    Outcome,
    Step,
    advance,
)
from ..settings import SystemSettings
from ..sources import Probe, ProbeResult
from .announce import Teller, announce
from .auth import (
    async_credentials_accepted,
    async_credentials_rejected,
    auth_failed_error,
    retry_interval,
)
from .scheduler import ProbeScheduler
from .snapshot import ProbeLog, SystemSnapshot, quiet_snapshot
from .state_store import SystemStateStore

PROBE_LOG_SIZE = 20  # the last probe results kept per system (for diagnostics)


class Provider(Protocol):
    """What a system needs of its provider (monitoring/provider.py)."""

    scheduler: ProbeScheduler
    history: OutageHistory

    def credentials_rejected(self) -> bool:
        """Whether the provider rejects the credentials of any of its systems."""

    def evidence_for(self, system: SystemCoordinator) -> CauseEvidence:
        """What is known about the causes of this system's outage."""

    def system_changed(self, changed: SystemCoordinator) -> None:
        """A system's state changed: its siblings' causes may change too."""


class SystemCoordinator(DataUpdateCoordinator[SystemSnapshot]):
    """Feeds one monitored system's state machine, polled or pushed."""

    config_entry: ConfigEntry[Any]

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        subentry: ConfigSubentry,
        store: SystemStateStore,
        probe: Probe | None,
        provider: Provider,
    ) -> None:
        """Create the coordinator, starting from the saved state."""
        self.subentry = subentry
        self.settings = SystemSettings.from_subentry(subentry.title, subentry.data)
        self.timing = self.settings.timing
        self.kind = self.settings.kind
        self._poll_interval = timedelta(seconds=self.timing.poll_interval)
        self._retry_interval = timedelta(seconds=self.timing.retry_interval)
        self.auth_failed = False
        self.auth_told = False  # the owner was told this time (a reauth, a repair)
        self.retired = False  # torn down alone: a check under way changes nothing
        # the entries of other integrations it is seen through (evidence of its cause)
        self.integration_entries: Callable[[], set[str]] | None = None
        self._checking: asyncio.Task[Any] | None = None  # the check under way
        self._store = store
        self._probe = probe
        self._provider = provider
        # the last PROBE_LOG_SIZE checks (a list: an empty deque alone is 0.7 KiB)
        self.probes: list[ProbeLog] = []
        # re-check at the fast interval until then (after a self-heal attempt)
        self.fast_until: datetime | None = None
        self._transition_listeners: list[Callable[[Step], None]] = []
        # entities that show what every check changes (last seen, response time)
        self._check_listeners: list[CALLBACK_TYPE] = []
        self._told = False  # every listener has heard of the state once
        self._result: ProbeResult | None = None  # a check's, handed to the refresh
        self.check_name = f"{DOMAIN} check {entry.title} {subentry.title}"
        self.slot = provider.scheduler.new_slot()  # where in the second it is checked
        self.device_info: DeviceInfo | None = None  # shared by its entities
        # made once: the refresh's way to cancel the next check
        self._cancel_check: CALLBACK_TYPE = self._cancel_scheduled_check
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
            return self._retry_interval
        return self._poll_interval

    @override
    @callback
    def _schedule_refresh(self) -> None:
        """The next check, on the provider's scheduler (due seconds, slots of eight)."""
        if self._update_interval_seconds is None or self.retired:
            return
        if self.config_entry.pref_disable_polling:
            return
        self._async_unsub_refresh()
        delay = self._update_interval_seconds
        if self._retry_after is not None:
            delay, self._retry_after = self._retry_after, None
        self._provider.scheduler.schedule(self, delay)
        self._unsub_refresh = self._cancel_check

    @callback
    def _cancel_scheduled_check(self) -> None:
        """The next check is not run when it was due."""
        self._provider.scheduler.cancel(self)

    def scheduled_check(self) -> Coroutine[Any, Any, None]:
        """A check the scheduler runs (as the coordinator's own timer would).

        A system that was told of its state, checked fine last time and has no check
        under way takes the quick path; anything else the coordinator's own refresh.
        """
        if (
            self._told
            and self._probe is not None
            and self._checking is None
            and self.last_update_success
            and not self.auth_failed
        ):
            return self._async_quick_check(self._probe)
        return self._handle_refresh_interval()

    async def _async_quick_check(self, probe: Probe) -> None:
        """Check; when nothing but "last seen" moved, settle it here and now.

        The steady state of most checks: no lock, no refresh bookkeeping, no
        comparison of snapshots, no listener but those that show every check.
        Anything else goes on to the coordinator's refresh with this result.
        """
        self._unsub_refresh = None
        if self._shutdown_requested or self.hass.is_stopping:
            return
        self._checking = asyncio.current_task()
        try:
            result = await probe()
        except Exception:  # noqa: BLE001  # pragma: no cover - probes return failures
            result = None  # (a bug's: the refresh checks again and reports it)
        finally:
            self._checking = None
        if self.retired:
            return
        if result is None or not self._settle_quietly(result):
            self._result = result
            await self._handle_refresh_interval()
            self._result = None
            return
        if self._listeners and not self.hass.is_stopping:
            self._schedule_refresh()
        for listener in list(self._check_listeners):
            listener()

    def _step(self, result: ProbeResult, now: datetime) -> Step:
        """Where a probe's result moves the state machine (pure; nothing changes)."""
        return advance(
            self.data.machine,
            result.outcome,
            now,
            self.timing.thresholds,
            result.reason,
            result.failed_since,
        )

    def _settle_quietly(self, result: ProbeResult) -> bool:
        """Take a result that moves nothing but "last seen"; False if it moves more."""
        now = dt_util.utcnow()
        step = self._step(result, now)
        quiet = quiet_snapshot(self.data, result, step)
        if quiet is None:
            return False
        self._log_probe(result, now)
        self._store.remember(self.system_id, step.state)
        self.data = quiet
        interval = self._interval_for(step.state)
        if interval != self.update_interval:  # a Retry-After or a fast re-check ended
            self.update_interval = interval
        return True

    @override
    @callback
    def async_update_listeners(self) -> None:
        """Tell the entities and the alerts (from then on checks may be quick)."""
        self._told = True
        super().async_update_listeners()

    @callback
    def async_add_check_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Also call `listener` after checks that changed nothing else."""
        return _listen(self._check_listeners, listener)

    @override
    async def _async_update_data(self) -> SystemSnapshot:
        if self._probe is None:  # pushed systems are never polled
            return self.data
        result, self._result = self._result, None  # the quick path's, if any
        if result is None:
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
        snapshot = await self._async_apply(result)
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
        return _listen(self._transition_listeners, listener)

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
        probes = self.probes
        if len(probes) >= PROBE_LOG_SIZE:
            del probes[0]
        probes.append(
            ProbeLog(
                time=now,
                outcome=outcome or result.outcome.value,
                latency_ms=result.latency_ms,
                reason=result.reason,
            )
        )

    async def _async_apply(self, result: ProbeResult) -> SystemSnapshot:
        now = dt_util.utcnow()
        self._log_probe(result, now)
        step = self._step(result, now)
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


def _listen[T](listeners: list[T], listener: T) -> CALLBACK_TYPE:
    """Add `listener`; returns its removal."""
    listeners.append(listener)
    return callback(lambda: listeners.remove(listener))
