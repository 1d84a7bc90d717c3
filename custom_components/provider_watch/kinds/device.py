"""Device: a system seen through every entity of a device of another integration.

Not polled: the entities kind's watcher, over the device's entities as they are now.
An entity added to the device later is watched from then on; one removed is
dropped. A device deleted from Home Assistant is no outage: a repair issue says so.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, override

import probatio as vol

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.selector import (
    BooleanSelector,
    DeviceSelector,
    DeviceSelectorConfig,
)

from ..const import (
    CONF_DEVICE,
    CONF_GRACE,
    CONF_MAX_SILENCE,
    CONF_REQUIRE_ALL,
    DEFAULT_GRACE,
    DOMAIN,
    LOGGER,
    SystemKind,
)
from .base import Kind, PushTarget
from .entities import EntitiesCheck, EntitiesWatcher, entries_stopped
from .form import GRACE, duration_errors


@dataclass(frozen=True, kw_only=True, slots=True)
class DeviceCheck:
    """The device to watch, and how patiently."""

    device_id: str
    entities: EntitiesCheck  # how its entities are judged (their ids: found live)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DeviceCheck:
        """Read a device system's settings."""
        device_id = data[CONF_DEVICE]
        if not isinstance(device_id, str) or not device_id:
            raise ValueError("no device")
        return cls(
            device_id=device_id,
            entities=EntitiesCheck.from_data({**data, "entities": ()}),
        )


def device_issue_id(system_id: str) -> str:
    """The repair issue of a system whose device was deleted."""
    return f"device_removed_{system_id}"


def device_entries(hass: HomeAssistant, device_id: str) -> set[str]:
    """The config entries (of other integrations) the device belongs to."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return set()
    return {
        entry_id
        for entry_id in device.config_entries
        if (entry := hass.config_entries.async_get_entry(entry_id)) is not None
        and entry.domain != DOMAIN
    }


class DeviceWatcher(EntitiesWatcher):
    """Watches every entity of one device, as they come and go."""

    def __init__(
        self, hass: HomeAssistant, target: PushTarget, check: DeviceCheck
    ) -> None:
        """Prepare; nothing is watched until async_start."""
        super().__init__(hass, target, check.entities)
        self._device_id = check.device_id

    @override
    def async_start(self) -> CALLBACK_TYPE:
        self._ids = self._device_entities()
        if dr.async_get(self._hass).async_get(self._device_id) is None:
            self._device_gone()
        else:
            ir.async_delete_issue(
                self._hass, DOMAIN, device_issue_id(self._target.subentry.subentry_id)
            )
        return super().async_start()

    def _device_entities(self) -> tuple[str, ...]:
        registry = er.async_get(self._hass)
        return tuple(
            sorted(
                entity.entity_id
                for entity in er.async_entries_for_device(registry, self._device_id)
            )
        )

    @override
    def _more_listeners(self) -> list[CALLBACK_TYPE]:
        return [
            self._hass.bus.async_listen(
                dr.EVENT_DEVICE_REGISTRY_UPDATED,
                self._async_on_device,
                self._device_removed,
            )
        ]

    @override
    @callback
    def _registry_concerns(self, data: er.EventEntityRegistryUpdatedData) -> bool:
        """One of its entities changed, or an entity was added to (moved to) it."""
        entity_id = data["entity_id"]
        if entity_id in self._ids or data.get("old_entity_id") in self._ids:
            return True
        entity = er.async_get(self._hass).async_get(entity_id)
        return entity is not None and entity.device_id == self._device_id

    @override
    @callback
    def _async_on_registry(
        self, event: Event[er.EventEntityRegistryUpdatedData]
    ) -> None:
        self._set_ids(self._device_entities())
        self._hass.async_create_task(self._async_evaluate(), eager_start=True)

    @callback
    def _device_removed(self, data: dr.EventDeviceRegistryUpdatedData) -> bool:
        return data["action"] == "remove" and data["device_id"] == self._device_id

    @callback
    def _async_on_device(self, event: Event[dr.EventDeviceRegistryUpdatedData]) -> None:
        self._device_gone()
        self._hass.async_create_task(self._async_evaluate(), eager_start=True)

    def _device_gone(self) -> None:
        system = self._target.subentry
        LOGGER.warning(
            "%s is not checked: its device was deleted from Home Assistant",
            system.title,
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            device_issue_id(system.subentry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="device_removed",
            translation_placeholders={"system": system.title},
        )

    @override
    def _not_judged(self) -> str | None:
        if dr.async_get(self._hass).async_get(self._device_id) is None:
            return "its device was deleted"
        if entries_stopped(self._hass, device_entries(self._hass, self._device_id)):
            return "its integration was turned off"
        if not self._ids:
            return "its device has no entities"
        return None


def build_watcher(
    hass: HomeAssistant, target: PushTarget, data: Mapping[str, Any]
) -> DeviceWatcher:
    """The watcher of a device system."""
    return DeviceWatcher(hass, target, DeviceCheck.from_data(data))


def _errors(data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.get(CONF_DEVICE):
        errors[CONF_DEVICE] = "no_device"
    return errors | duration_errors(data, CONF_GRACE, CONF_MAX_SILENCE)


def _hass_errors(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """A device of Provider Watch itself, or one that no longer exists, is refused."""
    device_id = data.get(CONF_DEVICE)
    if not device_id:
        return {}
    device = dr.async_get(hass).async_get(str(device_id))
    if device is None:
        return {CONF_DEVICE: "no_device"}
    if not device_entries(hass, device.id):
        return {CONF_DEVICE: "own_device"}
    return {}


def _entries(hass: HomeAssistant, data: Mapping[str, Any]) -> set[str]:
    return device_entries(hass, str(data.get(CONF_DEVICE) or ""))


KIND = Kind(
    kind=SystemKind.DEVICE,
    fields={
        vol.Required(CONF_DEVICE): DeviceSelector(DeviceSelectorConfig()),
        vol.Required(CONF_REQUIRE_ALL, default=False): BooleanSelector(),
        vol.Required(CONF_GRACE, default=DEFAULT_GRACE): GRACE,
        vol.Required(CONF_MAX_SILENCE, default=0): GRACE,
    },
    validate=_errors,
    hass_errors=_hass_errors,
    whole_numbers=(CONF_GRACE, CONF_MAX_SILENCE),
    build_watcher=build_watcher,
    integration_entries=_entries,
)
