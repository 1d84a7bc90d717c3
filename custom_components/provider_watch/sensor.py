"""Status, last seen online and response time of each monitored system."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ProviderWatchConfigEntry, SystemSnapshot
from .core.state import SystemState
from .entity import SystemEntity

PARALLEL_UPDATES = 0  # Coordinator is used to centralize the data updates


@dataclass(frozen=True, kw_only=True)
class SystemSensorEntityDescription(SensorEntityDescription):
    """A sensor read off the system's snapshot."""

    value_fn: Callable[[SystemSnapshot], str | float | datetime | None]


SENSORS: tuple[SystemSensorEntityDescription, ...] = (
    SystemSensorEntityDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in SystemState],
        value_fn=lambda snapshot: snapshot.machine.state.value,
    ),
    SystemSensorEntityDescription(
        key="last_seen",
        translation_key="last_seen",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda snapshot: snapshot.machine.last_online,
    ),
    SystemSensorEntityDescription(
        key="response_time",
        translation_key="response_time",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda snapshot: (
            round(snapshot.latency_ms, 1) if snapshot.latency_ms is not None else None
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ProviderWatchConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of each system."""
    for system_id, coordinator in entry.runtime_data.systems.items():
        async_add_entities(
            [SystemSensor(coordinator, description) for description in SENSORS],
            config_subentry_id=system_id,
        )


class SystemSensor(SystemEntity, SensorEntity):
    """A sensor of a monitored system."""

    entity_description: SystemSensorEntityDescription

    @property
    def native_value(self) -> str | float | datetime | None:
        """The value from the latest snapshot."""
        return self.entity_description.value_fn(self.coordinator.data)
