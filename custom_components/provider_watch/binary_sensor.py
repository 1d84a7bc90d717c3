"""Connectivity of each monitored system."""

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ProviderWatchConfigEntry
from .core.state import SystemState
from .entity import SystemEntity

PARALLEL_UPDATES = 0  # Coordinator is used to centralize the data updates

CONNECTIVITY = BinarySensorEntityDescription(
    key="connectivity",
    translation_key="connectivity",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ProviderWatchConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connectivity sensor per system."""
    for system_id, coordinator in entry.runtime_data.systems.items():
        async_add_entities(
            [SystemConnectivity(coordinator, CONNECTIVITY)],
            config_subentry_id=system_id,
        )


class SystemConnectivity(SystemEntity, BinarySensorEntity):
    """On while the system is online; off only once the machine says offline."""

    @property
    def is_on(self) -> bool | None:
        """Online, or merely suspect, counts as connected."""
        state = self.coordinator.machine.state
        if state is SystemState.UNKNOWN:
            return None
        return state in (SystemState.ONLINE, SystemState.PENDING)
