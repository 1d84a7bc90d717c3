"""Event-driven sources: watched HA entities and the heartbeat webhook.

They are not polled: they push verdicts into their system's coordinator.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

from aiohttp import hdrs, web

from homeassistant.components import webhook
from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.const import ATTR_DEVICE_CLASS, EVENT_STATE_REPORTED
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    EventStateReportedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_ENTITIES,
    CONF_FAIL_KEYWORD,
    CONF_GRACE,
    CONF_LOCAL_ONLY,
    CONF_MAX_SILENCE,
    CONF_PERIOD,
    CONF_REQUIRE_ALL,
    CONF_WEBHOOK_ID,
    DOMAIN,
    LOGGER,
)
from ..logic.entities import Observation, judge
from ..logic.text import format_duration
from ..monitoring.coordinator import SystemCoordinator
from ..sources import ProbeResult
from ..sources.web import read_capped

MAX_HEARTBEAT_BODY = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


class _Watcher:
    """What both event-driven sources share: their system, and one timer."""

    def __init__(self, hass: HomeAssistant, coordinator: SystemCoordinator) -> None:
        self._hass = hass
        self._coordinator = coordinator
        self._unsub_timer: CALLBACK_TYPE | None = None

    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None


class EntitiesWatcher(_Watcher):
    """Watches the provider integration's entities for one system."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: SystemCoordinator,
        data: Mapping[str, Any],
    ) -> None:
        """Prepare; nothing is watched until async_start."""
        super().__init__(hass, coordinator)
        self._entity_ids: list[str] = list(data[CONF_ENTITIES])
        self._grace = timedelta(seconds=data[CONF_GRACE])
        silence = data.get(CONF_MAX_SILENCE) or 0
        self._max_silence = timedelta(seconds=silence) if silence else None
        self._require_all = bool(data.get(CONF_REQUIRE_ALL, False))
        # since when each absent entity has been seen missing (its grace time starts
        # then, also for one removed later), and the names of the entities seen
        self._missing_since: dict[str, datetime] = {}
        self._names: dict[str, str] = {}
        self._last: tuple[bool, str | None] | None = None

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Start listening; returns the function that stops it."""
        unsub_changes = async_track_state_change_event(
            self._hass, self._entity_ids, self._async_on_event
        )
        unsub_reports = self._hass.bus.async_listen(
            EVENT_STATE_REPORTED, self._async_on_event, self._is_watched
        )
        self._hass.async_create_task(self._async_evaluate(), eager_start=True)

        @callback
        def stop() -> None:
            unsub_changes()
            unsub_reports()
            self._cancel_timer()

        return stop

    @callback
    def _is_watched(self, event_data: EventStateReportedData) -> bool:
        return event_data["entity_id"] in self._entity_ids

    @callback
    def _async_on_event(
        self,
        _event: Event[EventStateChangedData] | Event[EventStateReportedData],
    ) -> None:
        self._hass.async_create_task(self._async_evaluate(), eager_start=True)

    def _observe(self, entity_id: str, now: datetime) -> Observation:
        state = self._hass.states.get(entity_id)
        if state is None:
            since = self._missing_since.setdefault(entity_id, now)
            return Observation(
                name=self._names.get(entity_id, entity_id),
                state=None,
                last_changed=since,
                last_reported=since,
            )
        self._missing_since.pop(entity_id, None)
        name = self._names[entity_id] = str(
            state.attributes.get("friendly_name") or entity_id
        )
        return Observation(
            name=name,
            state=state.state,
            last_changed=state.last_changed,
            last_reported=state.last_reported,
            connectivity=state.domain == "binary_sensor"
            and state.attributes.get(ATTR_DEVICE_CLASS)
            == BinarySensorDeviceClass.CONNECTIVITY,
        )

    async def _async_evaluate(self, _now: datetime | None = None) -> None:
        now = dt_util.utcnow()
        verdict = judge(
            [self._observe(entity_id, now) for entity_id in self._entity_ids],
            now,
            grace=self._grace,
            max_silence=self._max_silence,
            require_all=self._require_all,
        )
        self._cancel_timer()
        if verdict.next_check is not None:
            self._unsub_timer = async_track_point_in_utc_time(
                self._hass, self._async_evaluate, verdict.next_check
            )
        if (verdict.online, verdict.reason) == self._last:
            return
        self._last = (verdict.online, verdict.reason)
        await self._coordinator.async_push(
            ProbeResult.up(None)
            if verdict.online
            else ProbeResult.down(
                verdict.reason or "", failed_since=verdict.failed_since
            )
        )


class HeartbeatWatcher(_Watcher):
    """Receives a system's heartbeats on an unguessable webhook."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: SystemCoordinator,
        data: Mapping[str, Any],
    ) -> None:
        """Prepare; the webhook is registered by async_start."""
        super().__init__(hass, coordinator)
        self._webhook_id: str = data[CONF_WEBHOOK_ID]
        self._period = timedelta(seconds=data[CONF_PERIOD])
        self._deadline = self._period + timedelta(seconds=data[CONF_GRACE])
        self._due = dt_util.utcnow() + self._period
        self._local_only = bool(data.get(CONF_LOCAL_ONLY, True))
        self._fail_keyword: str | None = data.get(CONF_FAIL_KEYWORD) or None
        self._unsub_timer: CALLBACK_TYPE | None = None

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Register the webhook and expect the first beat within period + grace."""
        webhook.async_register(
            self._hass,
            DOMAIN,
            f"Provider Watch heartbeat: {self._coordinator.subentry.title}",
            self._webhook_id,
            self._async_handle,
            local_only=self._local_only,
            allowed_methods=("GET", "POST", "HEAD"),
        )
        self._arm()

        @callback
        def stop() -> None:
            webhook.async_unregister(self._hass, self._webhook_id)
            self._cancel_timer()

        return stop

    async def _async_handle(
        self, _hass: HomeAssistant, _webhook_id: str, request: web.Request
    ) -> web.Response:
        body = b""
        if request.method == "POST":
            body, _more = await read_capped(request.content, MAX_HEARTBEAT_BODY)
        text = body.decode("utf-8", errors="replace")
        if request.headers.get(hdrs.CONTENT_TYPE, "").startswith(FORM_TYPE):
            text += " " + unquote_plus(text)  # status=not+ok reads "not ok" too
        text += " " + request.query_string  # already decoded
        failed = self._fail_keyword is not None and self._fail_keyword in text
        self._arm()
        await self._coordinator.async_push(
            ProbeResult.down("the heartbeat reported a failure")
            if failed
            else ProbeResult.up(None)
        )
        LOGGER.debug(
            "Heartbeat for %s: %s",
            self._coordinator.subentry.title,
            "failure" if failed else "ok",
        )
        return web.Response(text="OK")

    def _arm(self) -> None:
        self._cancel_timer()
        # a beat that does not come by then is late: the outage starts there
        self._due = dt_util.utcnow() + self._period
        self._unsub_timer = async_call_later(
            self._hass, self._deadline, self._async_missed
        )

    async def _async_missed(self, _now: datetime) -> None:
        self._unsub_timer = None
        await self._coordinator.async_push(
            ProbeResult.down(
                f"no heartbeat for {format_duration(self._deadline.total_seconds())}",
                failed_since=self._due,
            )
        )
