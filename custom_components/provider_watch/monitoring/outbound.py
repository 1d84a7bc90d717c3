"""The outbound heartbeat: a dead-man's switch outside the home.

While Home Assistant runs and the internet check is up, Provider Watch calls a URL
of a service the owner already uses (Healthchecks, Uptime Kuma, any URL) every few
minutes. When the calls stop, that service tells the owner: the only way to learn
that Home Assistant or the internet is down while it is down, since anything Home
Assistant sends itself travels through that internet.

While the internet check reads down nothing is called; once it is back, the optional
fail URL is called once (so the service's log shows the outage), then the heartbeat.

The URLs are secrets (whoever has one can report "alive"): they never appear in
logs, events, notifications or diagnostics.
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, override

import aiohttp

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..addresses import is_valid_url
from ..const import (
    CONF_OUTBOUND_FAIL_URL,
    CONF_OUTBOUND_INTERVAL,
    CONF_OUTBOUND_METHOD,
    CONF_OUTBOUND_URL,
    DEFAULT_OUTBOUND_INTERVAL,
    DOMAIN,
    LOGGER,
    MAX_OUTBOUND_INTERVAL,
    OUTBOUND_METHODS,
)
from ..logic.validation import is_whole
from ..settings import OutboundSettings
from ..sources.web import failure_reason
from .internet import (
    SIGNAL_INTERNET_CHANGED,
    InternetCoordinator,
    internet_up,
)

OUTBOUND_TIMEOUT = 10.0  # seconds for one call
MAX_REDIRECTS = 10
# entity keys (unique id: <entry id>_<key>)
KEY_PROBLEM = "outbound_heartbeat"
KEY_LAST = "last_outbound_heartbeat"
PING_BODY = "Provider Watch: Home Assistant is running."


# --- settings ------------------------------------------------------------------------


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def validate_outbound(
    user_input: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The outbound heartbeat's options from the form, and the form's errors.

    Without a URL there is no heartbeat, and none of its options are kept. A fail
    URL alone is refused: it reports outages only alongside the heartbeat.
    """
    url = _text(user_input.get(CONF_OUTBOUND_URL))
    fail_url = _text(user_input.get(CONF_OUTBOUND_FAIL_URL))
    interval = user_input.get(CONF_OUTBOUND_INTERVAL, DEFAULT_OUTBOUND_INTERVAL)
    method = user_input.get(CONF_OUTBOUND_METHOD) or OUTBOUND_METHODS[0]
    errors: dict[str, str] = {}
    if (url or fail_url) and not is_valid_url(url):
        errors[CONF_OUTBOUND_URL] = "invalid_url"
    if fail_url and not is_valid_url(fail_url):
        errors[CONF_OUTBOUND_FAIL_URL] = "invalid_url"
    if url and not is_whole(interval, 1, MAX_OUTBOUND_INTERVAL):
        errors[CONF_OUTBOUND_INTERVAL] = "invalid_duration"
    if errors or not url:
        return {}, errors
    options: dict[str, Any] = {
        CONF_OUTBOUND_URL: url,
        CONF_OUTBOUND_INTERVAL: int(interval),
        CONF_OUTBOUND_METHOD: method if method in OUTBOUND_METHODS else "GET",
    }
    if fail_url:
        options[CONF_OUTBOUND_FAIL_URL] = fail_url
    return options, {}


# --- the heartbeat -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class OutboundSnapshot:
    """What the last calls did."""

    last_attempt: datetime | None = None
    last_success: datetime | None = None
    failed: bool | None = None  # None before the first call
    reason: str | None = None  # why the last call failed (never a URL)


class OutboundHeartbeat(DataUpdateCoordinator[OutboundSnapshot]):
    """Calls the dead-man service's URL on its own timer (not the coordinator's).

    The coordinator only carries the state to the entities: a timer of its own keeps
    calling even when those entities are disabled.
    """

    def __init__[R](
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[R],
        internet: InternetCoordinator,
        settings: OutboundSettings,
    ) -> None:
        """A heartbeat with the given settings, following the internet check."""
        super().__init__(hass, LOGGER, config_entry=entry, name="Outbound heartbeat")
        self.settings = settings
        self.data = OutboundSnapshot()
        self._internet = internet
        # tasks that end with the internet entry
        self._background = entry.async_create_background_task
        self._down_since: datetime | None = None  # the internet outage not reported
        self._lock = asyncio.Lock()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Call now and then every interval; follow the internet check."""
        stops = (
            async_track_time_interval(
                self.hass,
                self._async_due,
                self.settings.interval,
                name=f"{DOMAIN} outbound heartbeat",
                cancel_on_shutdown=True,
            ),
            async_dispatcher_connect(
                self.hass, SIGNAL_INTERNET_CHANGED, self._internet_changed
            ),
        )
        self._call_soon("first outbound heartbeat")

        @callback
        def stop() -> None:
            for unsubscribe in stops:
                unsubscribe()

        return stop

    def as_dict(self) -> dict[str, Any]:
        """For diagnostics (no URL)."""
        data = self.data
        return {
            "interval_minutes": self.settings.interval.total_seconds() / 60,
            "method": self.settings.method,
            "fail_url_set": self.settings.fail_url is not None,
            "last_attempt": _iso(data.last_attempt),
            "last_success": _iso(data.last_success),
            "failed": data.failed,
            "reason": data.reason,
            "internet_down_since": _iso(self._down_since),
        }

    async def _async_due(self, _now: datetime) -> None:
        await self.async_refresh()

    @callback
    def _internet_changed(self) -> None:
        up = internet_up(self.hass)
        if up is False:
            self._note_down()
        elif up and self._down_since is not None:
            self._call_soon("outbound heartbeat, internet back")

    def _call_soon(self, name: str) -> None:
        self._background(self.hass, self.async_refresh(), f"{DOMAIN} {name}")

    def _note_down(self) -> None:
        if self._down_since is None:
            machine = self._internet.data.machine
            self._down_since = machine.outage_start or dt_util.utcnow()

    @override
    async def _async_update_data(self) -> OutboundSnapshot:
        """A heartbeat: due, asked for, or the internet is back; none while down."""
        if self._lock.locked():  # never two calls at once
            return self.data
        async with self._lock:
            if internet_up(self.hass) is False:
                self._note_down()
                LOGGER.debug("Outbound heartbeat skipped: the internet check is down")
                return self.data
            if (since := self._down_since) is not None:
                self._down_since = None
                await self._async_report_outage(since)
            return await self._async_ping()

    async def _async_ping(self) -> OutboundSnapshot:
        reason = await self._async_call(self.settings.url, PING_BODY)
        now = dt_util.utcnow()
        before = self.data
        if reason is None:
            if before.failed:
                LOGGER.info("Outbound heartbeat works again")
            return OutboundSnapshot(last_attempt=now, last_success=now, failed=False)
        if before.failed:  # logged once until it works again
            LOGGER.debug("Outbound heartbeat still failing: %s", reason)
        else:
            LOGGER.warning("Outbound heartbeat failed: %s", reason)
        return replace(before, last_attempt=now, failed=True, reason=reason)

    async def _async_report_outage(self, since: datetime) -> None:
        """The internet is back: call the fail URL once, with the outage window."""
        if self.settings.fail_url is None:
            return
        until = dt_util.utcnow()
        minutes = round((until - since).total_seconds() / 60)
        body = (
            f"Provider Watch: the internet was down from {since.isoformat()} "
            f"to {until.isoformat()} ({minutes} min)."
        )
        if (reason := await self._async_call(self.settings.fail_url, body)) is None:
            LOGGER.info("Outbound heartbeat: the internet outage was reported")
        else:
            LOGGER.warning(
                "Outbound heartbeat: reporting the internet outage failed: %s", reason
            )

    async def _async_call(self, url: str, body: str) -> str | None:
        """Call a URL: None when it answered below 400, else why (never the URL)."""
        method = self.settings.method
        session = async_get_clientsession(self.hass)
        try:
            async with (
                asyncio.timeout(OUTBOUND_TIMEOUT),
                session.request(
                    method,
                    url,
                    data=body if method == "POST" else None,
                    allow_redirects=True,
                    max_redirects=MAX_REDIRECTS,
                ) as response,
            ):
                status = response.status
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as err:
            return self.settings.hide(failure_reason(err, OUTBOUND_TIMEOUT))
        return None if status < 400 else f"HTTP {status}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# --- set-up --------------------------------------------------------------------------


@callback
def async_create_outbound[R](
    hass: HomeAssistant,
    entry: ConfigEntry[R],
    internet: InternetCoordinator,
    settings: OutboundSettings | None,
) -> OutboundHeartbeat | None:
    """The internet entry's heartbeat; None (and its entities removed) without a URL."""
    if settings is None:
        async_remove_outbound_entities(hass, entry)
        return None
    return OutboundHeartbeat(hass, entry, internet, settings)


@callback
def async_remove_outbound_entities[R](
    hass: HomeAssistant, entry: ConfigEntry[R]
) -> None:
    """The URL was cleared in the options: the heartbeat's entities go with it."""
    registry = er.async_get(hass)
    for platform, key in (("binary_sensor", KEY_PROBLEM), ("sensor", KEY_LAST)):
        if entity_id := registry.async_get_entity_id(
            platform, DOMAIN, f"{entry.entry_id}_{key}"
        ):
            registry.async_remove(entity_id)
