"""Entities: a system seen through entities of the provider's own integration.

Not polled: the watcher judges the entities whenever one of them changes or
reports, and pushes a verdict to its system when it differs from the last.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import probatio as vol

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.const import ATTR_DEVICE_CLASS
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    EventStateReportedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_state_report_event,
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
    DOMAIN,
    LOGGER,
    SystemKind,
)
from ..logic.entities import Observation, judge
from ..sources import ProbeResult
from .base import Kind, PushTarget, TimedWatcher
from .form import GRACE, duration_errors


@dataclass(frozen=True, kw_only=True, slots=True)
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
    """Watches the provider integration's entities for one system.

    An entity renamed in Home Assistant (its entity id changed) is followed: the
    new id is watched and stored in the system's settings.
    """

    def __init__(
        self, hass: HomeAssistant, target: PushTarget, check: EntitiesCheck
    ) -> None:
        """Prepare; nothing is watched until async_start."""
        super().__init__(hass, target)
        self._check = check
        self._ids: tuple[str, ...] = check.entity_ids  # the entities watched now
        self._unsub_states: CALLBACK_TYPE | None = None
        # since when each absent entity has been seen missing (its grace time starts
        # then, also for one removed later), and the names of the entities seen
        self._missing_since: dict[str, datetime] = {}
        self._names: dict[str, str] = {}
        self._last: tuple[bool | None, str | None] | None = None

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Start listening; returns the function that stops it."""
        self._set_ids(self._ids, force=True)
        unsubs = [
            self._hass.bus.async_listen(
                er.EVENT_ENTITY_REGISTRY_UPDATED,
                self._async_on_registry,
                self._registry_concerns,
            ),
            *self._more_listeners(),
        ]
        self._hass.async_create_task(self._async_evaluate(), eager_start=True)

        @callback
        def stop() -> None:
            for unsub in unsubs:
                unsub()
            if self._unsub_states is not None:
                self._unsub_states()
                self._unsub_states = None
            self._cancel_timer()

        return stop

    def _more_listeners(self) -> list[CALLBACK_TYPE]:
        """What else a watcher of this kind listens to."""
        return []

    @callback
    def _set_ids(self, ids: tuple[str, ...], *, force: bool = False) -> None:
        """Watch these entities (their state changes) from now on."""
        if ids == self._ids and not force:
            return
        self._ids = ids
        if self._unsub_states is not None:
            self._unsub_states()
        # keyed by entity id: another entity's change or report costs nothing here
        changed = async_track_state_change_event(self._hass, ids, self._async_on_event)
        reported = async_track_state_report_event(self._hass, ids, self._async_on_event)

        @callback
        def unsub() -> None:
            changed()
            reported()

        self._unsub_states = unsub

    @callback
    def _registry_concerns(self, data: er.EventEntityRegistryUpdatedData) -> bool:
        """A watched entity renamed (its entity id changed)."""
        return data["action"] == "update" and data.get("old_entity_id") in self._ids

    @callback
    def _async_on_registry(
        self, event: Event[er.EventEntityRegistryUpdatedData]
    ) -> None:
        data = event.data
        if data["action"] != "update" or (old := data.get("old_entity_id")) is None:
            return
        new = data["entity_id"]
        LOGGER.info(
            "%s: the watched entity %s is now %s",
            self._target.subentry.title,
            old,
            new,
        )
        self._set_ids(tuple(new if i == old else i for i in self._ids))
        if old in self._names:
            self._names[new] = self._names.pop(old)
        self._missing_since.pop(old, None)
        self._store_ids()
        self._hass.async_create_task(self._async_evaluate(), eager_start=True)

    def _store_ids(self) -> None:
        """Keep the new entity ids in the system's settings."""
        system_id = self._target.subentry.subentry_id
        for entry in self._hass.config_entries.async_entries(DOMAIN):
            if (subentry := entry.subentries.get(system_id)) is not None:
                self._hass.config_entries.async_update_subentry(
                    entry,
                    subentry,
                    data={**subentry.data, CONF_ENTITIES: list(self._ids)},
                )
                return

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

    def _not_judged(self) -> str | None:
        """Why a failure is no outage now (the owner turned the integration off)."""
        if entries_stopped(self._hass, entity_entries(self._hass, self._ids)):
            return "its integration was turned off"
        return None

    async def _async_evaluate(self, _now: datetime | None = None) -> None:
        now = dt_util.utcnow()
        verdict = judge(
            [self._observe(entity_id, now) for entity_id in self._ids],
            now,
            grace=self._check.grace,
            max_silence=self._check.max_silence,
            require_all=self._check.require_all,
        )
        self._cancel_timer()
        # only looked up when it matters (a failure, or nothing to watch)
        why_not = self._not_judged() if not verdict.online or not self._ids else None
        if why_not is None and verdict.next_check is not None:
            self._unsub_timer = async_track_point_in_utc_time(
                self._hass, self._async_evaluate, verdict.next_check
            )
        last = (None, why_not) if why_not else (verdict.online, verdict.reason)
        if last == self._last:
            return
        self._last = last
        if why_not:
            result = ProbeResult.unknown(why_not)
        elif verdict.online:
            result = ProbeResult.up(None)
        else:
            result = ProbeResult.down(
                verdict.reason or "", failed_since=verdict.failed_since
            )
        await self._target.async_push(result)


def entity_entries(hass: HomeAssistant, entity_ids: Iterable[str]) -> set[str]:
    """The config entries (of other integrations) the entities belong to."""
    registry = er.async_get(hass)
    return {
        entity.config_entry_id
        for entity_id in entity_ids
        if (entity := registry.async_get(entity_id)) is not None
        and entity.config_entry_id is not None
        and entity.platform != DOMAIN
    }


def entries_stopped(hass: HomeAssistant, entry_ids: Iterable[str]) -> bool:
    """The owner turned off every one of these config entries (disabled them)."""
    entries = [hass.config_entries.async_get_entry(entry_id) for entry_id in entry_ids]
    return bool(entries) and all(
        entry is not None and entry.disabled_by is not None for entry in entries
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
    integration_entries=lambda hass, data: entity_entries(
        hass, data.get(CONF_ENTITIES) or ()
    ),
)
