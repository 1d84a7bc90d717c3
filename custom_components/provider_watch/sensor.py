"""Status, cause, last seen, response time of each system; the provider's incident."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ProviderRuntimeData, SystemCoordinator
from .core.cause import Cause
from .core.state import SystemState
from .entity import EntryEntity, SystemEntity
from .status_page import StatusPageCoordinator

PARALLEL_UPDATES = 0  # Coordinator is used to centralize the data updates


@dataclass(frozen=True, kw_only=True)
class SystemSensorEntityDescription(SensorEntityDescription):
    """A sensor read off the system's coordinator."""

    value_fn: Callable[[SystemCoordinator], str | float | datetime | None]
    # shown even when polling fails (e.g. the cause "auth" while credentials fail)
    always_available: bool = False


NO_OUTAGE = "none"  # kept apart from the cause "unknown" (an outage nobody can explain)


def _cause(coordinator: SystemCoordinator) -> str:
    if coordinator.auth_failed:
        return Cause.AUTH.value
    cause = coordinator.data.cause
    return cause.value if cause else NO_OUTAGE


SENSORS: tuple[SystemSensorEntityDescription, ...] = (
    SystemSensorEntityDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in SystemState],
        value_fn=lambda c: c.data.machine.state.value,
    ),
    SystemSensorEntityDescription(
        key="cause",
        translation_key="cause",
        device_class=SensorDeviceClass.ENUM,
        options=[NO_OUTAGE, *(cause.value for cause in Cause)],
        value_fn=_cause,
        always_available=True,
    ),
    SystemSensorEntityDescription(
        key="last_seen",
        translation_key="last_seen",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda c: c.data.machine.last_online,
    ),
    SystemSensorEntityDescription(
        key="response_time",
        translation_key="response_time",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda c: (
            round(c.data.latency_ms, 1) if c.data.latency_ms is not None else None
        ),
    ),
)

INCIDENT = SensorEntityDescription(key="incident", translation_key="incident")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of each system, and the provider's incident sensor."""
    runtime = entry.runtime_data
    if not isinstance(runtime, ProviderRuntimeData):
        return
    if runtime.status_page is not None:
        async_add_entities([ProviderIncident(runtime.status_page, entry, INCIDENT)])
    for system_id, coordinator in runtime.systems.items():
        async_add_entities(
            [SystemSensor(coordinator, description) for description in SENSORS],
            config_subentry_id=system_id,
        )


class SystemSensor(SystemEntity, SensorEntity):
    """A sensor of a monitored system."""

    entity_description: SystemSensorEntityDescription

    @property
    def available(self) -> bool:
        """Most sensors follow the coordinator; the cause stays visible."""
        return self.entity_description.always_available or super().available

    @property
    def native_value(self) -> str | float | datetime | None:
        """The value from the coordinator."""
        return self.entity_description.value_fn(self.coordinator)


class ProviderIncident(EntryEntity[StatusPageCoordinator], SensorEntity):
    """The name of the newest open incident on the provider's status page."""

    @property
    def native_value(self) -> str | None:
        """None (unknown) when there is no incident or the page cannot be read."""
        return self.coordinator.data.incident
