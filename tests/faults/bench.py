"""The test bench every fault runs on, and the checks every fault must pass.

A real Home Assistant with the internet check (a stand-in on 127.0.0.1), two phones
registered through the Companion-app API (pushes land on a fake relay), the bus
events captured and every log record collected. After a fault, `verify` checks the
five promises: no unhandled exception, the right number of offline events (none
false, none twice), one alert per outage and phone, an outage record for every
outage, and a clear log line (or repair issue) saying what happened.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.provider_watch.const import (
    CONF_AUTH_TYPE,
    CONF_COMPARISON,
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_FILTER_PATH,
    CONF_ID_KEY,
    CONF_ID_VALUE,
    CONF_KIND,
    CONF_METHOD,
    CONF_PATH,
    CONF_POLL_INTERVAL,
    CONF_QUIET_AT_NIGHT,
    CONF_RETRY_INTERVAL,
    CONF_SECOND_COMPARISON,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_TIMEOUT,
    CONF_TOKEN,
    CONF_URL,
    CONF_VERIFY_TLS,
    DOMAIN,
    EVENT_SYSTEM_OFFLINE,
    EVENT_SYSTEM_ONLINE,
)
from custom_components.provider_watch.logic.gaps import TENTH
from custom_components.provider_watch.logic.outages import OutageRecord
from custom_components.provider_watch.monitoring.coordinator import SystemCoordinator
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir

from ..alerting import FakePhone
from ..helpers import provider_entry, settle, setup_entry
from ..provider_cloud import TOKEN

PANEL = "system_alarm_panel"  # "Alarm panel": binary_sensor.alarm_panel_connectivity
PROVIDER = "Acme Alarm"
# loggers of the fault servers themselves: a client that hangs up on them is the point
SERVER_LOGGERS = ("aiohttp.server", "aiohttp.web", "aiohttp.access")
# this machine has no libturbojpeg: the camera component says so once, with a trace
NOT_OURS = (*SERVER_LOGGERS, "homeassistant.components.camera.img_util")


class Collect(logging.Handler):
    """Every log record, at every level (a handler of our own: no caplog needed)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self, level: int = logging.DEBUG) -> list[str]:
        return [self.format(r) for r in self.records if r.levelno >= level]

    def tracebacks(self, allowed: tuple[str, ...] = ()) -> list[str]:
        """Warnings and errors that carry an exception: something was not handled.

        (Debug records with a trace are how aiohttp, asyncio and HA's coordinators
        tell the details of an error they handled.)
        """
        return [
            self.format(r)
            for r in self.records
            if (
                (r.exc_info and r.levelno >= logging.WARNING)
                or "Unexpected error" in r.getMessage()
            )
            and not r.name.startswith((*NOT_OURS, *allowed))
        ]


@contextmanager
def collect_logs() -> Iterator[Collect]:
    """Collect every record (DEBUG for Provider Watch and HA) while the bench runs."""
    handler = Collect()
    root = logging.getLogger()
    ours = logging.getLogger("custom_components.provider_watch")
    levels = (root.level, ours.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    ours.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        ours.setLevel(levels[1])


def http_data(url: str, **overrides: Any) -> dict[str, Any]:
    """An HTTP system: three failures to go offline, two successes to come back."""
    return {
        CONF_KIND: "http",
        CONF_URL: url,
        "expected_status": "200-299",
        CONF_VERIFY_TLS: True,
        CONF_POLL_INTERVAL: 30,
        CONF_TIMEOUT: 2,
        CONF_RETRY_INTERVAL: 5,
        CONF_FAILURES_BEFORE_OFFLINE: 3,
        CONF_SUCCESSES_BEFORE_ONLINE: 2,
    } | overrides


def cloud_data(url: str, **overrides: Any) -> dict[str, Any]:
    """Device 41 of the provider's list, bearer token, online when "online" is."""
    return {
        CONF_KIND: "cloud",
        CONF_URL: url,
        CONF_METHOD: "GET",
        CONF_VERIFY_TLS: True,
        CONF_AUTH_TYPE: "bearer",
        CONF_TOKEN: TOKEN,
        CONF_FILTER_PATH: "$.devices",
        CONF_ID_KEY: "id",
        CONF_ID_VALUE: "41",
        CONF_PATH: "$.online",
        CONF_COMPARISON: "truthy",
        CONF_QUIET_AT_NIGHT: False,
        CONF_SECOND_COMPARISON: "truthy",
        CONF_POLL_INTERVAL: 30,
        CONF_TIMEOUT: 2,
        CONF_RETRY_INTERVAL: 5,
        CONF_FAILURES_BEFORE_OFFLINE: 3,
        CONF_SUCCESSES_BEFORE_ONLINE: 2,
    } | overrides


@dataclass(kw_only=True)
class Bench:
    """Home Assistant, phones, the internet stand-in, events and logs."""

    hass: HomeAssistant
    storage: dict[str, Any]
    phones: tuple[FakePhone, FakePhone]
    logs: Collect
    freezer: FrozenDateTimeFactory | None = None
    entry: MockConfigEntry | None = None
    offline: list[Event[dict[str, Any]]] = field(default_factory=list)
    online: list[Event[dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.offline = async_capture_events(self.hass, EVENT_SYSTEM_OFFLINE)
        self.online = async_capture_events(self.hass, EVENT_SYSTEM_ONLINE)

    # --- setting up ----------------------------------------------------------------

    def provider_entry(
        self, systems: dict[str, dict[str, Any]], **options: Any
    ) -> MockConfigEntry:
        """The provider "Acme Alarm" alerting both phones (default reminders)."""
        phones = [phone.device_id for phone in self.phones]
        return provider_entry(
            systems, title=PROVIDER, options={"phones": phones} | options
        )

    async def provider(
        self, systems: dict[str, dict[str, Any]], **options: Any
    ) -> MockConfigEntry:
        """Set the provider up and let its first checks finish."""
        self.entry = await setup_entry(
            self.hass, self.provider_entry(systems, **options)
        )
        return self.entry

    # --- time ----------------------------------------------------------------------

    @property
    def clock(self) -> FrozenDateTimeFactory:
        assert self.freezer is not None, "this fault runs on the real clock"
        return self.freezer

    async def advance(self, *steps: float) -> None:
        """Move the frozen clock step by step, letting every due check run."""
        for seconds in steps:
            self.clock.tick(timedelta(seconds=seconds))
            async_fire_time_changed(self.hass)
            await settle(self.hass)

    async def until(self, done: Any, *, step: float = 5, limit: float = 900) -> None:
        """Move the clock in steps until done() is true."""
        waited = 0.0
        while not done():
            assert waited < limit, f"not done within {limit} s"
            await self.advance(step)
            waited += step

    async def check_now(self, system_id: str = PANEL) -> None:
        """Real clock: the system's next check, now (its own timeout may pass)."""
        await self.system(system_id).async_refresh()
        await settle(self.hass)

    # --- what is seen --------------------------------------------------------------

    def system(self, system_id: str = PANEL) -> SystemCoordinator:
        assert self.entry is not None
        return self.entry.runtime_data.systems[system_id]

    def shown(self, name: str = "alarm_panel") -> tuple[str, str, str]:
        """Connectivity, status and outage cause as the user sees them."""
        return (
            self._state(f"binary_sensor.{name}_connectivity"),
            self._state(f"sensor.{name}_status"),
            self._state(f"sensor.{name}_outage_cause"),
        )

    def _state(self, entity_id: str) -> str:
        state = self.hass.states.get(entity_id)
        assert state is not None, entity_id
        return state.state

    def last_reason(self, system_id: str = PANEL) -> str | None:
        """The reason of the last check, as diagnostics list it."""
        probes = self.system(system_id).probes
        return probes[-1].reason if probes else None

    def first_alerts(self, phone: FakePhone) -> list[dict[str, Any]]:
        """A phone's alerts that open an outage.

        Not reminders, clears, recoveries, nor a summary that replaces an alert the
        phone has heard of already (it comes quietly, with that alert's tag).
        """
        return [
            push
            for push in phone.pushes
            if push.get("message") != "clear_notification"
            and not str(push.get("title", "")).endswith(
                ("is still offline", "is back online", "nobody has acknowledged")
            )
            and not (
                str(push.get("title", "")).startswith("While your internet was down")
                and (
                    push["data"].get("alert_once")
                    or push["data"].get("push") == {"interruption-level": "passive"}
                )
            )
        ]

    def records(self) -> list[dict[str, Any]]:
        """The outage history as written to (mocked) disk."""
        assert self.entry is not None
        saved = self.storage.get(f"{DOMAIN}.{self.entry.entry_id}.history")
        return list(saved["data"]["outages"]) if saved else []

    def saved_machine(self, system_id: str = PANEL) -> dict[str, Any] | None:
        """The machine state as written to (mocked) disk."""
        assert self.entry is not None
        saved = self.storage.get(f"{DOMAIN}.{self.entry.entry_id}.state")
        return saved["data"]["systems"].get(system_id) if saved else None

    def issues(self) -> dict[str, ir.IssueEntry]:
        return {
            issue_id: issue
            for (domain, issue_id), issue in ir.async_get(self.hass).issues.items()
            if domain in (DOMAIN, "homeassistant")
        }

    def logged(self, text: str, level: int = logging.DEBUG) -> bool:
        return any(text in line for line in self.logs.lines(level))

    # --- the five promises ---------------------------------------------------------

    def verify(
        self,
        *,
        offline: int,
        online: int = 0,
        alerts: int | tuple[int, int] | None = None,
        log: str | None = None,
        log_level: int = logging.DEBUG,
        records: bool = True,
        allowed: tuple[str, ...] = (),
    ) -> None:
        """What every fault must leave behind.

        offline/online: the bus events expected (no false or repeated offline);
        alerts: first alerts per phone, or for each phone (default: one per
        offline event); log: a text some log record (at log_level or above) must
        contain; records: check the outage history against the events; allowed:
        loggers whose traces are expected (Home Assistant's own, on a bad file).
        """
        tracebacks = self.logs.tracebacks(allowed)
        assert tracebacks == [], tracebacks
        assert len(self.offline) == offline, [e.data for e in self.offline]
        assert len(self.online) == online, [e.data for e in self.online]
        expected = offline if alerts is None else alerts
        per_phone = expected if isinstance(expected, tuple) else (expected, expected)
        for phone, count in zip(self.phones, per_phone, strict=True):
            firsts = self.first_alerts(phone)
            assert len(firsts) == count, [p.get("title") for p in firsts]
            tags = [push["data"]["tag"] for push in firsts]
            assert len(set(tags)) == len(tags), tags  # never the same alert twice
        if records:
            self._verify_records(offline, online)
        if log is not None:
            assert self.logged(log, log_level), (log, self.logs.lines(logging.INFO))

    def _verify_records(self, offline: int, online: int) -> None:
        """Every announced outage has its record, closed exactly when announced so."""
        if self.entry is None:
            return
        records = self.records()
        # a flapping outage is one record: each drop is one of its times offline
        starts = [
            interval.start
            for record in records
            if (read := OutageRecord.from_dict(record)) is not None
            for interval in read.intervals
        ]
        for event in self.offline:
            since = datetime.fromisoformat(event.data["since"])
            assert any(abs(since - start) < TENTH for start in starts), (
                event.data,
                records,
            )
        still_open = [record for record in records if record["end"] is None]
        assert len(still_open) == offline - online, records
        if offline > online:
            machine = self.saved_machine(self.offline[-1].data["system_id"])
            assert machine is not None
            assert machine["state"] in ("offline", "recovering")
            assert machine["outage_start"] == self.offline[-1].data["since"]
