"""What a loaded provider entry holds: its systems and the evidence they share."""

from collections.abc import Callable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from ..const import SystemKind
from ..history.figures import FiguresCoordinator
from ..history.store import OutageHistory
from ..logic.cause import CauseEvidence
from ..logic.state import SystemState
from ..settings import ProviderSettings
from .auth import secret_field
from .coordinator import SystemCoordinator
from .integration import integration_trouble
from .internet import internet_up, request_internet_check
from .provider_status import StatusPageCoordinator
from .scheduler import ProbeScheduler
from .state_store import SystemStateStore

type ProviderEntry = ConfigEntry[ProviderRuntimeData]


class ProviderRuntimeData:
    """What a loaded provider entry holds, and the evidence its systems share."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ProviderEntry,
        store: SystemStateStore,
        history: OutageHistory,
    ) -> None:
        """Start with no systems."""
        self.hass = hass
        self.settings = ProviderSettings.from_entry(
            entry.data, entry.options, default_currency=hass.config.currency
        )
        self.store = store
        self.history = history
        self.systems: dict[str, SystemCoordinator] = {}
        # each platform's way to add a system's entities (for systems added later)
        self.entity_adders: list[Callable[[SystemCoordinator], None]] = []
        # per system, what stops with it when it is torn down alone (its watcher…)
        self.system_stops: dict[str, list[CALLBACK_TYPE]] = {}
        self.built_from: object = None  # the entry's own settings it was set up with
        self.status_page: StatusPageCoordinator | None = None
        # the uptime figures of self.systems, from the outage history
        self.figures = FiguresCoordinator(
            hass, entry, history, self.systems, self.settings.contract
        )
        self.scheduler = ProbeScheduler(hass, entry)

    @callback
    def add_system_entities(self, adder: Callable[[SystemCoordinator], None]) -> None:
        """A platform's entities: now for each system, later for each system added."""
        self.entity_adders.append(adder)
        for system in self.systems.values():
            adder(system)

    def evidence_for(self, system: SystemCoordinator) -> CauseEvidence:
        """What is known about the causes that could explain this system's outage."""
        clouds = [s for s in self.systems.values() if s.kind is SystemKind.CLOUD]
        failing = [s for s in clouds if s.data.offline and s.data.unreachable]
        return CauseEvidence(
            auth_failed=system.auth_failed,
            internet_up=internet_up(self.hass),
            status_page_problem=self.status_page is not None
            and self.status_page.has_problem,
            cloud_unreachable=system.kind is SystemKind.CLOUD
            and system.data.unreachable,
            all_cloud_systems_failing=len(clouds) >= 2
            and len(failing) == len(clouds)
            and len({s.machine.reason for s in failing}) == 1,
            integration=trouble.trouble
            if (trouble := integration_trouble(self.hass, system.integration_entries))
            else None,
        )

    def credentials_rejected(self) -> bool:
        """Whether the provider rejects the credentials of any of its systems."""
        return any(
            system.auth_failed and secret_field(system.settings.check) is not None
            for system in self.systems.values()
        )

    @callback
    def system_changed(self, changed: SystemCoordinator) -> None:
        """A system's state changed: its siblings' causes may change too."""
        machine = changed.machine
        if machine.state is SystemState.PENDING and machine.failures == 1:
            # the first failed check: have the internet's state ready for the cause
            request_internet_check(self.hass)
        if changed.kind is not SystemKind.CLOUD:
            return  # only cloud systems are evidence about their siblings' causes
        for system in self.systems.values():
            if system is not changed:
                system.async_reclassify()

    @callback
    def reclassify_all(self) -> None:
        """The shared picture (internet, status page) changed."""
        for system in self.systems.values():
            system.async_reclassify()
