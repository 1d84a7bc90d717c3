"""Heartbeat: a system (or its cloud) that calls home to a webhook.

Not polled: each call is a beat, good or reporting a failure (the explicit signal
of sources/heartbeat.py: `status=<keyword>` and the like); a beat that does not come
within period + grace means "offline". Anyone with the URL can call it, so the beats
go through logic/beats.py's filter: one verdict per minimum spacing at most, and a
failure report counts once it is confirmed.
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import secrets
from typing import Any

from aiohttp import hdrs, web
import probatio as vol

from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
)
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.selector import BooleanSelector
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_FAIL_KEYWORD,
    CONF_GRACE,
    CONF_LOCAL_ONLY,
    CONF_PERIOD,
    CONF_WEBHOOK_ID,
    DEFAULT_HEARTBEAT_GRACE,
    DEFAULT_HEARTBEAT_PERIOD,
    DOMAIN,
    LOGGER,
    MIN_POLL_INTERVAL,
    SystemKind,
)
from ..logic.beats import BeatFilter, Decision, Verdict, min_spacing
from ..logic.text import format_duration
from ..logic.validation import is_whole
from ..sources import ProbeResult
from ..sources.heartbeat import failure_reported
from ..sources.web import read_capped
from .base import Kind, PushTarget, TimedWatcher
from .form import GRACE, MAX_GRACE, TEXT, duration_errors, seconds

MAX_HEARTBEAT_BODY = 64 * 1024
FAILURE_REASON = "the heartbeat reported a failure"


@dataclass(frozen=True, kw_only=True, slots=True)
class HeartbeatCheck:
    """The webhook, how often it is called, and what a failure report says."""

    webhook_id: str
    period: timedelta
    grace: timedelta
    local_only: bool
    fail_keyword: str | None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> HeartbeatCheck:
        """Read a heartbeat system's settings."""
        return cls(
            webhook_id=data[CONF_WEBHOOK_ID],
            period=timedelta(seconds=data[CONF_PERIOD]),
            grace=timedelta(seconds=data[CONF_GRACE]),
            local_only=bool(data.get(CONF_LOCAL_ONLY, True)),
            fail_keyword=data.get(CONF_FAIL_KEYWORD) or None,
        )


class HeartbeatWatcher(TimedWatcher):
    """Receives a system's heartbeats on an unguessable webhook."""

    def __init__(
        self, hass: HomeAssistant, target: PushTarget, check: HeartbeatCheck
    ) -> None:
        """Prepare; the webhook is registered by async_start."""
        super().__init__(hass, target)
        self._check = check
        self._deadline = check.period + check.grace
        self._due = dt_util.utcnow() + check.period
        self._filter = BeatFilter(min_spacing(check.period))
        self._unsub_wake: CALLBACK_TYPE | None = None
        self._wake_at: datetime | None = None
        self._pushing = asyncio.Lock()  # verdicts reach the machine in order

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Register the webhook and expect the first beat within period + grace."""
        webhook_id = self._check.webhook_id
        webhook.async_register(
            self._hass,
            DOMAIN,
            f"Provider Watch heartbeat: {self._target.subentry.title}",
            webhook_id,
            self._async_handle,
            local_only=self._check.local_only,
            allowed_methods=("GET", "POST", "HEAD"),
        )
        self._arm()

        @callback
        def stop() -> None:
            webhook.async_unregister(self._hass, webhook_id)
            self._cancel_timer()
            self._cancel_wake()

        return stop

    async def _async_handle(
        self, _hass: HomeAssistant, _webhook_id: str, request: web.Request
    ) -> web.Response:
        failed = await self._async_failure_reported(request)
        self._arm()  # any beat is a sign of life
        decision = self._filter.beat(dt_util.utcnow(), failed=failed)
        if decision.new_report:
            LOGGER.debug(
                "Heartbeat for %s reported a failure; offline once confirmed",
                self._target.subentry.title,
            )
        await self._async_apply(decision)
        return web.Response(text="OK")

    async def _async_failure_reported(self, request: web.Request) -> bool:
        keyword = self._check.fail_keyword
        body: bytes | None = None
        if request.method == "POST":
            # read even without a keyword: the sender is not left hanging
            body, more = await read_capped(request.content, MAX_HEARTBEAT_BODY)
            if more:
                body = None  # larger than the limit: a beat, not read for a report
        if keyword is None:
            return False
        return failure_reported(
            method=request.method,
            query=request.query.items(),
            content_type=request.headers.get(hdrs.CONTENT_TYPE, ""),
            body=body,
            keyword=keyword,
        )

    async def _async_apply(self, decision: Decision) -> None:
        if decision.wake_at is not None:
            self._wake(decision.wake_at)
        if decision.verdict is not None:
            await self._async_push(decision.verdict)

    async def _async_push(self, verdict: Verdict) -> None:
        if not verdict.failed:
            result = ProbeResult.up(None)
        elif verdict.reported:
            result = ProbeResult.down(FAILURE_REASON, failed_since=verdict.since)
        else:
            result = ProbeResult.down(
                f"no heartbeat for {format_duration(self._deadline.total_seconds())}",
                failed_since=verdict.since,
            )
        LOGGER.debug(
            "Heartbeat for %s: %s",
            self._target.subentry.title,
            result.reason or "ok",
        )
        async with self._pushing:
            await self._target.async_push(result)

    def _arm(self) -> None:
        self._cancel_timer()
        # a beat that does not come by then is late: the outage starts there
        self._due = dt_util.utcnow() + self._check.period
        self._unsub_timer = async_call_later(
            self._hass, self._deadline, self._async_missed
        )

    async def _async_missed(self, _now: datetime) -> None:
        self._unsub_timer = None
        await self._async_push(self._filter.missed(dt_util.utcnow(), self._due))

    def _wake(self, at: datetime) -> None:
        """Count the held verdict at `at` (the spacing after the last one)."""
        if self._wake_at == at and self._unsub_wake is not None:
            return
        self._cancel_wake()
        self._wake_at = at
        self._unsub_wake = async_track_point_in_utc_time(
            self._hass, self._async_wake, at
        )

    async def _async_wake(self, _now: datetime) -> None:
        self._unsub_wake = None
        self._wake_at = None
        await self._async_apply(self._filter.due(dt_util.utcnow()))

    def _cancel_wake(self) -> None:
        if self._unsub_wake is not None:
            self._unsub_wake()
            self._unsub_wake = None
            self._wake_at = None


def build_watcher(
    hass: HomeAssistant, target: PushTarget, data: Mapping[str, Any]
) -> HeartbeatWatcher:
    """The watcher of a heartbeat system."""
    return HeartbeatWatcher(hass, target, HeartbeatCheck.from_data(data))


def heartbeat_url(hass: HomeAssistant, data: Mapping[str, Any]) -> str:
    """The full URL when Home Assistant knows its own address, else the path."""
    check = HeartbeatCheck.from_data(data)
    try:
        return webhook.async_generate_url(
            hass,
            check.webhook_id,
            allow_ip=True,
            prefer_external=not check.local_only,
        )
    except NoURLAvailableError:
        return webhook.async_generate_path(check.webhook_id)


def _errors(data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not is_whole(data.get(CONF_PERIOD), MIN_POLL_INTERVAL, MAX_GRACE):
        errors[CONF_PERIOD] = "invalid_duration"
    return errors | duration_errors(data, CONF_GRACE)


def _fill_in(data: dict[str, Any], stored: Mapping[str, Any] | None) -> None:
    """Its webhook: a new unguessable id, kept when the system is changed."""
    data[CONF_WEBHOOK_ID] = (
        stored[CONF_WEBHOOK_ID] if stored is not None else secrets.token_hex(32)
    )


KIND = Kind(
    kind=SystemKind.HEARTBEAT,
    fields={
        vol.Required(CONF_PERIOD, default=DEFAULT_HEARTBEAT_PERIOD): seconds(
            MIN_POLL_INTERVAL, MAX_GRACE
        ),
        vol.Required(CONF_GRACE, default=DEFAULT_HEARTBEAT_GRACE): GRACE,
        vol.Required(CONF_LOCAL_ONLY, default=True): BooleanSelector(),
        vol.Optional(CONF_FAIL_KEYWORD): TEXT,
    },
    validate=_errors,
    whole_numbers=(CONF_PERIOD, CONF_GRACE),
    fill_in=_fill_in,
    next_step="heartbeat_url",
    build_watcher=build_watcher,
)
