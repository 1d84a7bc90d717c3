"""A maintenance switch per system: monitoring continues, alerts are held."""

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alerts import DATA_ALERTS, SIGNAL_MAINTENANCE
from .coordinator import ProviderRuntimeData
from .entity import SystemEntity

PARALLEL_UPDATES = 0

MAINTENANCE = SwitchEntityDescription(
    key="maintenance",
    translation_key="maintenance",
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a maintenance switch per system."""
    if not isinstance(entry.runtime_data, ProviderRuntimeData):
        return
    for system_id, coordinator in entry.runtime_data.systems.items():
        async_add_entities(
            [MaintenanceSwitch(coordinator, MAINTENANCE)], config_subentry_id=system_id
        )


class MaintenanceSwitch(SystemEntity, SwitchEntity):
    """On while the system is in maintenance (its alerts are held)."""

    @property
    def available(self) -> bool:
        """Maintenance can be set even while the system cannot be checked."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether the system (or its whole provider) is in maintenance."""
        return self.hass.data[DATA_ALERTS].in_maintenance(self.coordinator.system_id)

    async def async_added_to_hass(self) -> None:
        """Follow maintenance changes made by services or other entities."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, SIGNAL_MAINTENANCE, self.async_write_ha_state
            )
        )

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start maintenance."""
        self.hass.data[DATA_ALERTS].async_set_maintenance(
            {self.coordinator.system_id}, active=True
        )

    async def async_turn_off(self, **kwargs: Any) -> None:
        """End maintenance; a system still offline is alerted now."""
        self.hass.data[DATA_ALERTS].async_set_maintenance(
            {self.coordinator.system_id}, active=False
        )
