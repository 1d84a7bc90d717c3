"""One coordinator per monitored system: probe -> state machine -> events."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, override

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .const import (
    CONF_EXPECTED_STATUS,
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_HOST,
    CONF_KEYWORD,
    CONF_KIND,
    CONF_POLL_INTERVAL,
    CONF_PORT,
    CONF_RETRY_INTERVAL,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_TIMEOUT,
    CONF_URL,
    CONF_VERIFY_TLS,
    DEFAULT_EXPECTED_STATUS,
    DEFAULT_FAILURES_BEFORE_OFFLINE,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_RETRY_INTERVAL,
    DEFAULT_SUCCESSES_BEFORE_ONLINE,
    DEFAULT_TIMEOUT,
    DOMAIN,
    EVENT_SYSTEM_OFFLINE,
    EVENT_SYSTEM_ONLINE,
    LOGGER,
    SystemKind,
)
from .core.state import (
    MachineState,
    Step,
    Thresholds,
    Transition,
    advance,
)
from .sources import ProbeResult
from .sources.http import StatusCodes, probe_http
from .sources.icmp import probe_icmp
from .sources.tcp import probe_tcp
from .store import SystemStateStore

type Probe = Callable[[], Awaitable[ProbeResult]]
type ProviderWatchConfigEntry = ConfigEntry[ProviderRuntimeData]


@dataclass
class ProviderRuntimeData:
    """What a loaded provider entry holds."""

    store: SystemStateStore
    systems: dict[str, SystemCoordinator] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Timing:
    """How often and how patiently a system is probed."""

    poll_interval: float
    timeout: float
    retry_interval: float
    thresholds: Thresholds

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Timing:
        """Read the timing of a system subentry, with defaults."""
        return cls(
            poll_interval=data.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL),
            timeout=data.get(CONF_TIMEOUT, DEFAULT_TIMEOUT),
            retry_interval=data.get(CONF_RETRY_INTERVAL, DEFAULT_RETRY_INTERVAL),
            thresholds=Thresholds(
                failures_before_offline=data.get(
                    CONF_FAILURES_BEFORE_OFFLINE, DEFAULT_FAILURES_BEFORE_OFFLINE
                ),
                successes_before_online=data.get(
                    CONF_SUCCESSES_BEFORE_ONLINE, DEFAULT_SUCCESSES_BEFORE_ONLINE
                ),
            ),
        )


@dataclass(frozen=True, kw_only=True)
class SystemSnapshot:
    """What the entities show for one system."""

    machine: MachineState
    latency_ms: float | None = None


def build_probe(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    timeout: float,
    icmp_privileged: bool | None,
) -> Probe:
    """Turn a system subentry's settings into a probe callable."""
    kind = SystemKind(data[CONF_KIND])
    if kind is SystemKind.ICMP:
        host = data[CONF_HOST]
        return lambda: probe_icmp(host, timeout, icmp_privileged)
    if kind is SystemKind.TCP:
        host, port = data[CONF_HOST], int(data[CONF_PORT])
        return lambda: probe_tcp(host, port, timeout)
    verify_tls = bool(data.get(CONF_VERIFY_TLS, True))
    session = async_get_clientsession(hass, verify_ssl=verify_tls)
    url = data[CONF_URL]
    expected = StatusCodes.parse(
        data.get(CONF_EXPECTED_STATUS, DEFAULT_EXPECTED_STATUS)
    )
    keyword = data.get(CONF_KEYWORD) or None
    return lambda: probe_http(
        session,
        url,
        timeout=timeout,
        expected=expected,
        keyword=keyword,
        verify_tls=verify_tls,
    )


class SystemCoordinator(DataUpdateCoordinator[SystemSnapshot]):
    """Polls one monitored system and feeds its state machine."""

    config_entry: ProviderWatchConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ProviderWatchConfigEntry,
        subentry: ConfigSubentry,
        store: SystemStateStore,
        probe: Probe,
    ) -> None:
        """Create the coordinator, starting from the saved state."""
        self.subentry = subentry
        self.timing = Timing.from_data(subentry.data)
        self.kind = SystemKind(subentry.data[CONF_KIND])
        self._store = store
        self._probe = probe
        machine = store.get(subentry.subentry_id)
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} {subentry.title}",
            update_interval=self._interval_for(machine),
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
        if machine.is_suspect:
            return timedelta(seconds=self.timing.retry_interval)
        return timedelta(seconds=self.timing.poll_interval)

    @override
    async def _async_update_data(self) -> SystemSnapshot:
        result = await self._probe()
        step = advance(
            self.data.machine,
            result.outcome,
            dt_util.utcnow(),
            self.timing.thresholds,
            result.reason,
        )
        self.update_interval = self._interval_for(step.state)
        if step.transition is None:
            self._store.put(self.system_id, step.state)
        else:
            await self._store.async_put_now(self.system_id, step.state)
            self._announce(step)
        return SystemSnapshot(machine=step.state, latency_ms=result.latency_ms)

    def _announce(self, step: Step) -> None:
        """Log and fire the bus event of a transition."""
        machine = step.state
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, self.system_id), self.config_entry.entry_id
        )
        data: dict[str, Any] = {
            "provider": self.config_entry.title,
            "provider_id": self.config_entry.entry_id,
            "system": self.subentry.title,
            "system_id": self.system_id,
            "device_id": device.id if device else None,
            "kind": self.kind.value,
        }
        if step.transition is Transition.WENT_OFFLINE:
            start = machine.outage_start or machine.since
            data |= {
                "since": start.isoformat() if start else None,
                "reason": machine.reason,
            }
            LOGGER.warning(
                "%s (%s) is offline: %s",
                self.subentry.title,
                self.config_entry.title,
                machine.reason,
            )
            self.hass.bus.async_fire(EVENT_SYSTEM_OFFLINE, data)
        else:
            start = step.outage_start
            data |= {
                "since": start.isoformat() if start else None,
                "duration": step.outage_duration,
                "reason": None,
            }
            LOGGER.info(
                "%s (%s) is back online", self.subentry.title, self.config_entry.title
            )
            self.hass.bus.async_fire(EVENT_SYSTEM_ONLINE, data)
