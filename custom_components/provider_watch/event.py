"""An event entity per system: 'offline' and 'online' transitions."""

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EVENT_SYSTEM_OFFLINE, EVENT_SYSTEM_ONLINE
from .entity import SystemEntity
from .logic.state import Transition
from .monitoring.coordinator import SystemCoordinator
from .runtime import (
    ProviderWatchConfigEntry,
    is_provider_entry,
)

PARALLEL_UPDATES = 0

TRANSITIONS = EventEntityDescription(
    key="transitions",
    translation_key="transitions",
    event_types=[transition.value for transition in Transition],
)
_EVENT_TYPES = {
    EVENT_SYSTEM_OFFLINE: Transition.WENT_OFFLINE,
    EVENT_SYSTEM_ONLINE: Transition.CAME_ONLINE,
}
_ATTRIBUTES = ("since", "duration", "reason", "cause")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ProviderWatchConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the transition event entity of each system."""
    if not is_provider_entry(entry):
        return

    @callback
    def add_system(coordinator: SystemCoordinator) -> None:
        async_add_entities(
            [SystemTransitionEvent(coordinator, TRANSITIONS)],
            config_subentry_id=coordinator.system_id,
        )

    entry.runtime_data.add_system_entities(add_system)  # also for systems added later


class SystemTransitionEvent(SystemEntity, EventEntity):
    """Fires when the system goes offline or comes back online."""

    async def async_added_to_hass(self) -> None:
        """Listen for this system's bus events."""
        await super().async_added_to_hass()
        for event_type in _EVENT_TYPES:
            self.async_on_remove(
                self.hass.bus.async_listen(
                    event_type, self._handle_transition, self._is_mine
                )
            )

    @callback
    def _is_mine(self, event_data: dict[str, Any]) -> bool:
        return event_data.get("system_id") == self.coordinator.system_id

    @callback
    def _handle_transition(self, event: Event[dict[str, Any]]) -> None:
        self._trigger_event(
            _EVENT_TYPES[str(event.event_type)].value,
            {key: event.data[key] for key in _ATTRIBUTES if key in event.data},
        )
        self.async_write_ha_state()
