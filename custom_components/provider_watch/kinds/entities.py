"""Entities: a system seen through entities of the provider's own integration.

Not polled: the watcher judges the entities whenever one of them changes or
reports, and pushes a verdict to its system when it differs from the last.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import probatio as vol

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
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
)
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_ENTITIES,
    CONF_GRACE,
    CONF_MAX_SILENCE,
    CONF_REQUIRE_ALL,
    DEFAULT_GRACE,
    SystemKind,
)
from ..logic.entities import Observation, judge
from ..sources import ProbeResult
from .base import Kind, PushTarget, TimedWatcher
from .form import GRACE, duration_errors


@dataclass(frozen=True, kw_only=True)
class EntitiesCheck:
    """The entities to watch, and how patiently."""

    entity_ids: tuple[str, ...]
    grace: timedelta  # unavailable this long = offline
    max_silence: timedelta | None  # not reported for this long = offline
    require_all: bool  # offline only once every one has failed (else any)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> EntitiesCheck:
        """Read an entities system's settings."""
        silence = data.get(CONF_MAX_SILENCE) or 0
        return cls(
            entity_ids=tuple(data[CONF_ENTITIES]),
            grace=timedelta(seconds=data[CONF_GRACE]),
            max_silence=timedelta(seconds=silence) if silence else None,
            require_all=bool(data.get(CONF_REQUIRE_ALL, False)),
        )


class EntitiesWatcher(TimedWatcher):
    """Watches the provider integration's entities for one system."""

    def __init__(
        self, hass: HomeAssistant, target: PushTarget, check: EntitiesCheck
    ) -> None:
        """Prepare; nothing is watched until async_start."""
        super().__init__(hass, target)
        self._check = check
        # since when each absent entity has been seen missing (its grace time starts
        # then, also for one removed later), and the names of the entities seen
        self._missing_since: dict[str, datetime] = {}
        self._names: dict[str, str] = {}
        self._last: tuple[bool, str | None] | None = None

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Start listening; returns the function that stops it."""
        unsub_changes = async_track_state_change_event(
            self._hass, self._check.entity_ids, self._async_on_event
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
        return event_data["entity_id"] in self._check.entity_ids

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
            [self._observe(entity_id, now) for entity_id in self._check.entity_ids],
            now,
            grace=self._check.grace,
            max_silence=self._check.max_silence,
            require_all=self._check.require_all,
        )
        self._cancel_timer()
        if verdict.next_check is not None:
            self._unsub_timer = async_track_point_in_utc_time(
                self._hass, self._async_evaluate, verdict.next_check
            )
        if (verdict.online, verdict.reason) == self._last:
            return
        self._last = (verdict.online, verdict.reason)
        await self._target.async_push(
            ProbeResult.up(None)
            if verdict.online
            else ProbeResult.down(
                verdict.reason or "", failed_since=verdict.failed_since
            )
        )


def build_watcher(
    hass: HomeAssistant, target: PushTarget, data: Mapping[str, Any]
) -> EntitiesWatcher:
    """The watcher of an entities system."""
    return EntitiesWatcher(hass, target, EntitiesCheck.from_data(data))


def _errors(data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.get(CONF_ENTITIES):
        errors[CONF_ENTITIES] = "no_entities"
    return errors | duration_errors(data, CONF_GRACE, CONF_MAX_SILENCE)


KIND = Kind(
    kind=SystemKind.ENTITIES,
    fields={
        vol.Required(CONF_ENTITIES): EntitySelector(
            EntitySelectorConfig(multiple=True)
        ),
        vol.Required(CONF_REQUIRE_ALL, default=False): BooleanSelector(),
        vol.Required(CONF_GRACE, default=DEFAULT_GRACE): GRACE,
        vol.Required(CONF_MAX_SILENCE, default=0): GRACE,
    },
    validate=_errors,
    whole_numbers=(CONF_GRACE, CONF_MAX_SILENCE),
    build_watcher=build_watcher,
)
