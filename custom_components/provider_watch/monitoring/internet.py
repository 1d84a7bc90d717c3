"""The internet check: one for all providers, "down" only when every target fails.

It answers "is my internet down?" so that an outage can be blamed on the right party.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..addresses import is_valid_host, is_valid_url
from ..const import DOMAIN, LOGGER
from ..logic.state import MachineState, SystemState, Thresholds, advance
from ..sources import ProbeResult
from ..sources.http import StatusCodes, probe_http
from ..sources.tcp import probe_tcp

ENTRY_TYPE_INTERNET = "internet"
# Two public DNS resolvers over TCP 53 and one HTTPS URL. Tests, scripts and the demo
# configuration always replace these with 127.0.0.1 targets.
DEFAULT_TARGETS = ("1.1.1.1:53", "9.9.9.9:53", "https://www.google.com/generate_204")
INTERNET_INTERVAL = timedelta(seconds=30)
INTERNET_RETRY = timedelta(seconds=5)
INTERNET_TIMEOUT = 5.0
INTERNET_THRESHOLDS = Thresholds(failures_before_offline=2, successes_before_online=1)
ANY_HTTP_ANSWER = StatusCodes(((100, 599),))

SIGNAL_INTERNET_CHANGED = f"{DOMAIN}_internet_changed"
DATA_INTERNET: HassKey[InternetCoordinator] = HassKey(f"{DOMAIN}_internet")


def is_valid_target(target: str) -> bool:
    """A `host:port` (TCP connect) or an http(s) URL (any HTTP answer counts)."""
    target = target.strip()
    if target.startswith(("http://", "https://")):
        return is_valid_url(target)
    host, sep, port = target.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    return (
        bool(sep) and port.isdigit() and 0 < int(port) < 65536 and is_valid_host(host)
    )


async def probe_target(hass: HomeAssistant, target: str, timeout: float) -> ProbeResult:
    """Probe one internet target."""
    if target.startswith(("http://", "https://")):
        return await probe_http(
            async_get_clientsession(hass),
            target,
            timeout=timeout,
            expected=ANY_HTTP_ANSWER,
        )
    host, _, port = target.rpartition(":")
    return await probe_tcp(host.removeprefix("[").removesuffix("]"), int(port), timeout)


@dataclass(frozen=True, kw_only=True, slots=True)
class InternetSnapshot:
    """The internet check's state."""

    machine: MachineState
    reachable: tuple[str, ...] = ()  # targets that answered the last check

    @property
    def up(self) -> bool | None:
        """True up, False down, None before the first verdict.

        A first check that fails leaves the machine suspect while no target has
        ever answered: that is no verdict yet, not "up".
        """
        state = self.machine.state
        if state is SystemState.UNKNOWN or (
            state is SystemState.PENDING and self.machine.last_online is None
        ):
            return None
        return state not in (SystemState.OFFLINE, SystemState.RECOVERING)


class InternetCoordinator(DataUpdateCoordinator[InternetSnapshot]):
    """Polls the internet targets."""

    def __init__[R](
        self, hass: HomeAssistant, entry: ConfigEntry[R], targets: Sequence[str]
    ) -> None:
        """Create the check for the given targets."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name="Internet check",
            update_interval=INTERNET_INTERVAL,
            always_update=False,
        )
        self.targets = tuple(targets)
        self.data = InternetSnapshot(machine=MachineState())

    @override
    async def _async_update_data(self) -> InternetSnapshot:
        results = await asyncio.gather(
            *(
                probe_target(self.hass, target, INTERNET_TIMEOUT)
                for target in self.targets
            )
        )
        reachable = tuple(
            target
            for target, result in zip(self.targets, results, strict=True)
            if result.outcome is result.outcome.UP
        )
        outcome = (
            ProbeResult.up(None)
            if reachable
            else ProbeResult.down("no target answered")
        )
        before = self.data.up
        step = advance(
            self.data.machine,
            outcome.outcome,
            dt_util.utcnow(),
            INTERNET_THRESHOLDS,
            outcome.reason,
        )
        snapshot = InternetSnapshot(machine=step.state, reachable=reachable)
        self.update_interval = (
            INTERNET_RETRY if step.state.is_suspect else INTERNET_INTERVAL
        )
        if snapshot.up != before:
            if snapshot.up is False:
                LOGGER.warning("Internet check: no target answered, internet is down")
            elif before is False:
                LOGGER.info("Internet check: internet is back")
            self.data = snapshot
            async_dispatcher_send(self.hass, SIGNAL_INTERNET_CHANGED)
        return snapshot


def internet_up(hass: HomeAssistant) -> bool | None:
    """The internet check's verdict, or None when there is none (yet)."""
    coordinator = hass.data.get(DATA_INTERNET)
    return coordinator.data.up if coordinator else None


def request_internet_check(hass: HomeAssistant) -> None:
    """A system just failed: re-check the internet now (debounced) for its cause."""
    if (coordinator := hass.data.get(DATA_INTERNET)) is not None:
        hass.async_create_task(coordinator.async_request_refresh(), eager_start=True)
