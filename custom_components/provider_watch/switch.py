"""A maintenance switch per system, and the global Self-heal switch.

Maintenance: monitoring continues, alerts are held. Self-heal (one for the whole
integration, on the internet check's device): self-heal runs only while it is on.
"""

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_OFF, STATE_ON, EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .const import SIGNAL_MAINTENANCE
from .entity import SystemEntity, provider_device_info
from .hub import DATA_ALERTS, DATA_SELF_HEAL
from .monitoring.coordinator import SystemCoordinator
from .runtime import (
    InternetEntry,
    ProviderWatchConfigEntry,
    is_internet_entry,
    is_provider_entry,
)
from .self_heal.manager import SIGNAL_SELF_HEAL

PARALLEL_UPDATES = 0

MAINTENANCE = SwitchEntityDescription(
    key="maintenance",
    translation_key="maintenance",
    entity_category=EntityCategory.CONFIG,
)
SELF_HEAL = SwitchEntityDescription(
    key="self_heal",
    translation_key="self_heal",
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ProviderWatchConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a maintenance switch per system (the internet check: Self-heal)."""
    if is_internet_entry(entry):
        async_add_entities([SelfHealSwitch(entry, SELF_HEAL)])
        return
    if not is_provider_entry(entry):
        return

    @callback
    def add_system(coordinator: SystemCoordinator) -> None:
        async_add_entities(
            [MaintenanceSwitch(coordinator, MAINTENANCE)],
            config_subentry_id=coordinator.system_id,
        )

    entry.runtime_data.add_system_entities(add_system)  # also for systems added later


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


class SelfHealSwitch(SwitchEntity, RestoreEntity):
    """On while self-heal may act (for every system); restored across restarts."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: InternetEntry, description: SwitchEntityDescription
    ) -> None:
        """On the internet check's device: one switch for the whole integration."""
        self.entity_description = description
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = provider_device_info(entry)

    @property
    def is_on(self) -> bool:
        """Whether self-heal may act."""
        return self.hass.data[DATA_SELF_HEAL].enabled

    async def async_added_to_hass(self) -> None:
        """Take the state it had before the restart (default: on)."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is not None and last.state in (STATE_ON, STATE_OFF):
            self.hass.data[DATA_SELF_HEAL].async_set_enabled(
                enabled=last.state == STATE_ON
            )
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, SIGNAL_SELF_HEAL, self.async_write_ha_state
            )
        )

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Let self-heal act."""
        self.hass.data[DATA_SELF_HEAL].async_set_enabled(enabled=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """No self-heal from now on; a pending attempt stops (its alert goes out)."""
        self.hass.data[DATA_SELF_HEAL].async_set_enabled(enabled=False)
