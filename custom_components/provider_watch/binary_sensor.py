"""Connectivity of each system, the provider's cloud, and the internet check."""

from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import EntryEntity, SystemEntity
from .logic.state import SystemState
from .monitoring.coordinator import SystemCoordinator
from .monitoring.internet import InternetCoordinator
from .monitoring.outbound import KEY_PROBLEM, OutboundHeartbeat
from .monitoring.provider_status import StatusPageCoordinator
from .runtime import (
    ProviderWatchConfigEntry,
    is_internet_entry,
    is_provider_entry,
)

PARALLEL_UPDATES = 0  # Coordinator is used to centralize the data updates

CONNECTIVITY = BinarySensorEntityDescription(
    key="connectivity",
    translation_key="connectivity",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)
PROVIDER_CLOUD = BinarySensorEntityDescription(
    key="provider_cloud",
    translation_key="provider_cloud",
    device_class=BinarySensorDeviceClass.PROBLEM,
)
INTERNET = BinarySensorEntityDescription(
    key="internet",
    translation_key="internet",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)
OUTBOUND_HEARTBEAT = BinarySensorEntityDescription(
    key=KEY_PROBLEM,
    translation_key=KEY_PROBLEM,
    device_class=BinarySensorDeviceClass.PROBLEM,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ProviderWatchConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connectivity sensor per system, and the provider/internet sensors."""
    if is_internet_entry(entry):
        internet = entry.runtime_data
        async_add_entities([InternetConnectivity(internet.check, entry, INTERNET)])
        if internet.outbound is not None:
            async_add_entities(
                [OutboundProblem(internet.outbound, entry, OUTBOUND_HEARTBEAT)]
            )
        return
    if not is_provider_entry(entry):  # pragma: no cover
        return
    runtime = entry.runtime_data
    if runtime.status_page is not None:
        async_add_entities(
            [ProviderCloudProblem(runtime.status_page, entry, PROVIDER_CLOUD)]
        )

    @callback
    def add_system(coordinator: SystemCoordinator) -> None:
        async_add_entities(
            [SystemConnectivity(coordinator, CONNECTIVITY)],
            config_subentry_id=coordinator.system_id,
        )

    runtime.add_system_entities(add_system)  # also for systems added later


class SystemConnectivity(SystemEntity, BinarySensorEntity):
    """On while the system is online; off only once the machine says offline."""

    @property
    def is_on(self) -> bool | None:
        """Online, or merely suspect, counts as connected."""
        state = self.coordinator.machine.state
        if state is SystemState.UNKNOWN:
            return None
        return state in (SystemState.ONLINE, SystemState.PENDING)


class ProviderCloudProblem(EntryEntity[StatusPageCoordinator], BinarySensorEntity):
    """On while the provider's status page reports a component you care about down."""

    @property
    def is_on(self) -> bool | None:
        """Unknown (not "fine") while the page cannot be read."""
        if self.coordinator.data.report is None:
            return None
        return self.coordinator.has_problem

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Which components are down, and maintenance in progress."""
        data = self.coordinator.data
        return {
            "components_down": [c.name for c in data.problems],
            "maintenance": [m.name for m in data.maintenances],
        }


class InternetConnectivity(EntryEntity[InternetCoordinator], BinarySensorEntity):
    """On while at least one internet target answers."""

    @property
    def is_on(self) -> bool | None:
        """Down only when every target fails (and the machine confirms it)."""
        return self.coordinator.data.up


class OutboundProblem(EntryEntity[OutboundHeartbeat], BinarySensorEntity):
    """On while the last call of the outbound heartbeat failed."""

    @property
    def is_on(self) -> bool | None:
        """Unknown before the first call."""
        return self.coordinator.data.failed

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Why the last call failed (never the URL); None once it works."""
        return {"reason": self.coordinator.data.reason}
