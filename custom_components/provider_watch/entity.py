"""Base entities: a device per monitored system, per provider, for the internet."""

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import (
    CoordinatorEntity,
    DataUpdateCoordinator,
)

from .const import DOMAIN
from .monitoring.coordinator import SystemCoordinator


def system_device_info(coordinator: SystemCoordinator) -> DeviceInfo:
    """The device that represents a monitored system (one object for its entities)."""
    if coordinator.device_info is None:
        coordinator.device_info = DeviceInfo(
            identifiers={(DOMAIN, coordinator.system_id)},
            name=coordinator.subentry.title,
            manufacturer=coordinator.config_entry.title,
            model=coordinator.kind.name,
        )
    return coordinator.device_info


def provider_device_info[R](entry: ConfigEntry[R]) -> DeviceInfo:
    """The provider itself (its cloud and status page), not tied to a subentry."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        entry_type=DeviceEntryType.SERVICE,
    )


class SystemEntity(CoordinatorEntity[SystemCoordinator]):
    """An entity of a monitored system."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: SystemCoordinator, description: EntityDescription
    ) -> None:
        """Bind the entity to its system's coordinator and device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.system_id}_{description.key}"
        self._attr_device_info = system_device_info(coordinator)
        self._shown: tuple[Any, ...] | None = None

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what the entity shows changed.

        A system is checked every few seconds and nearly every check changes
        nothing: skipping those writes saves the state machine, the recorder and
        the event bus a write per entity per check.
        """
        shown = (self.available, self.state, self.extra_state_attributes)
        if shown != self._shown:
            self._shown = shown
            self.async_write_ha_state()


class EntryEntity[CoordinatorT: DataUpdateCoordinator[Any]](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of a whole entry (provider-level or the internet check)."""

    _attr_has_entity_name = True

    def __init__[R](
        self,
        coordinator: CoordinatorT,
        entry: ConfigEntry[R],
        description: EntityDescription,
    ) -> None:
        """Bind the entity to the entry's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = provider_device_info(entry)
