"""Sensors of each system (status, cause, last seen, response time, figures).

The provider's device gets the incident of its status page and its own figures:
the last 30 days, and this billing month (downtime against the fee, and whether
the provider told you about its outages; see logic/cost.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .entity import EntryEntity, SystemEntity, system_device_info
from .figure_sensors import (
    BILLING_SENSORS,
    FIGURE_SENSORS,
    PROVIDER_FIGURE_SENSORS,
    BillingSensorEntityDescription,
    FigureSensorEntityDescription,
    ProviderFigureSensorEntityDescription,
)
from .history.figures import FiguresCoordinator
from .logic.cause import Cause
from .logic.state import SystemState
from .monitoring.coordinator import SystemCoordinator
from .monitoring.outbound import KEY_LAST, OutboundHeartbeat
from .monitoring.provider_status import StatusPageCoordinator
from .runtime import (
    ProviderWatchConfigEntry,
    is_internet_entry,
    is_provider_entry,
)

PARALLEL_UPDATES = 0  # Coordinator is used to centralize the data updates


@dataclass(frozen=True, kw_only=True)
class SystemSensorEntityDescription(SensorEntityDescription):
    """A sensor read off the system's coordinator."""

    value_fn: Callable[[SystemCoordinator], str | float | datetime | None]
    # shown even when polling fails (e.g. the cause "auth" while credentials fail)
    always_available: bool = False
    # changes with every check (the others only when the system's state does)
    every_check: bool = False


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
        # it changes with every check: off by default (recorder, memory)
        entity_registry_enabled_default=False,
        every_check=True,
        value_fn=lambda c: c.data.machine.last_online,
    ),
    SystemSensorEntityDescription(
        key="response_time",
        translation_key="response_time",
        entity_registry_enabled_default=False,
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        every_check=True,
        value_fn=lambda c: (
            round(c.data.latency_ms, 1) if c.data.latency_ms is not None else None
        ),
    ),
)

INCIDENT = SensorEntityDescription(key="incident", translation_key="incident")
LAST_OUTBOUND_HEARTBEAT = SensorEntityDescription(
    key=KEY_LAST, translation_key=KEY_LAST, device_class=SensorDeviceClass.TIMESTAMP
)


# --- uptime figures (from the outage history) -------------------------------------


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ProviderWatchConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of each system, and the provider's incident sensor."""
    if is_internet_entry(entry):
        if (outbound := entry.runtime_data.outbound) is not None:
            async_add_entities(
                [LastOutboundHeartbeat(outbound, entry, LAST_OUTBOUND_HEARTBEAT)]
            )
        return
    if not is_provider_entry(entry):  # pragma: no cover
        return
    runtime = entry.runtime_data
    if runtime.status_page is not None:
        async_add_entities([ProviderIncident(runtime.status_page, entry, INCIDENT)])
    figures = runtime.figures
    async_add_entities(
        ProviderFigureSensor(figures, entry, description)
        for description in PROVIDER_FIGURE_SENSORS
    )
    async_add_entities(
        ProviderBillingSensor(figures, entry, description)
        for description in BILLING_SENSORS
    )

    @callback
    def add_system(coordinator: SystemCoordinator) -> None:
        async_add_entities(
            [
                *(SystemSensor(coordinator, description) for description in SENSORS),
                *(
                    SystemFigureSensor(figures, coordinator, description)
                    for description in FIGURE_SENSORS
                ),
            ],
            config_subentry_id=coordinator.system_id,
        )

    runtime.add_system_entities(add_system)  # also for systems added later


class SystemSensor(SystemEntity, SensorEntity):
    """A sensor of a monitored system."""

    entity_description: SystemSensorEntityDescription

    async def async_added_to_hass(self) -> None:
        """Last seen and response time also hear of checks changing nothing else."""
        await super().async_added_to_hass()
        if self.entity_description.every_check:
            self.async_on_remove(
                self.coordinator.async_add_check_listener(
                    self._handle_coordinator_update
                )
            )

    @property
    def available(self) -> bool:
        """Most sensors follow the coordinator; the cause stays visible."""
        return self.entity_description.always_available or super().available

    @property
    def native_value(self) -> str | float | datetime | None:
        """The value from the coordinator."""
        return self.entity_description.value_fn(self.coordinator)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """On the status: since when the system is offline, and why."""
        if self.entity_description.key != "status":
            return None
        machine = self.coordinator.machine
        start = machine.outage_start
        return {
            "since": start.isoformat() if start else None,
            "reason": machine.reason,
        }


class ProviderIncident(EntryEntity[StatusPageCoordinator], SensorEntity):
    """The name of the newest open incident on the provider's status page."""

    @property
    def native_value(self) -> str | None:
        """None (unknown) when there is no incident or the page cannot be read."""
        return self.coordinator.data.incident


class SystemFigureSensor(CoordinatorEntity[FiguresCoordinator], SensorEntity):
    """An uptime figure of a monitored system, on the system's device."""

    _attr_has_entity_name = True
    entity_description: FigureSensorEntityDescription

    def __init__(
        self,
        figures: FiguresCoordinator,
        system: SystemCoordinator,
        description: FigureSensorEntityDescription,
    ) -> None:
        """Bind the sensor to the provider's figures and the system's device."""
        super().__init__(figures)
        self.entity_description = description
        self._system_id = system.system_id
        self._attr_unique_id = f"{system.system_id}_{description.key}"
        self._attr_device_info = system_device_info(system)
        self._shown: tuple[object, bool] | None = None

    @override
    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state when this system's figures (or availability) changed.

        A change to another system's outages leaves this system's figures the very
        same object (FiguresCoordinator): nothing to write.
        """
        shown = (
            self.coordinator.data.systems.get(self._system_id),
            self.coordinator.last_update_success,
        )
        if self._shown is not None and all(
            a is b for a, b in zip(shown, self._shown, strict=True)
        ):
            return
        self._shown = shown
        super()._handle_coordinator_update()

    @property
    def native_value(self) -> float | int | None:
        """The figure, from the outage history."""
        return self.entity_description.value_fn(
            self.coordinator.data.systems[self._system_id]
        )


class ProviderFigureSensor(EntryEntity[FiguresCoordinator], SensorEntity):
    """An uptime figure of the provider as a whole, on the provider's device."""

    entity_description: ProviderFigureSensorEntityDescription

    @property
    def native_value(self) -> float | int | None:
        """The figure, from the outage history."""
        return self.entity_description.value_fn(self.coordinator.data)


class LastOutboundHeartbeat(EntryEntity[OutboundHeartbeat], SensorEntity):
    """When the outbound heartbeat last got through, on the internet check's device."""

    @property
    def native_value(self) -> datetime | None:
        """Unknown until a call succeeds."""
        return self.coordinator.data.last_success


class ProviderBillingSensor(ProviderFigureSensor):
    """A figure of the provider's billing month, on the provider's device."""

    entity_description: BillingSensorEntityDescription

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The provider's currency for money, else the description's unit."""
        if self.entity_description.in_currency:
            return self.coordinator.data.contract.currency
        return super().native_unit_of_measurement

    @property
    def last_reset(self) -> datetime | None:
        """Totals start again with each billing month."""
        billing = self.coordinator.data.billing
        if (
            self.entity_description.state_class is not SensorStateClass.TOTAL
            or billing is None
        ):
            return None
        return billing.window.start
