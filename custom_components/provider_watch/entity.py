"""Base entity: one device per monitored system."""

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import SystemCoordinator


def system_device_info(coordinator: SystemCoordinator) -> DeviceInfo:
    """The device that represents a monitored system."""
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.system_id)},
        name=coordinator.subentry.title,
        manufacturer=coordinator.config_entry.title,
        model=coordinator.kind.name,
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
