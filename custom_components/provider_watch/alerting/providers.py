"""The providers the alerts watch: their entries, systems, settings and phones."""

from collections.abc import Callable, Iterator

from homeassistant.core import HomeAssistant

from ..logic.notes import OutageNote
from ..logic.policy import Record
from ..monitoring.coordinator import SystemCoordinator
from ..monitoring.provider import ProviderEntry, ProviderRuntimeData
from .phones import Phone, resolve_phone


class Providers:
    """The loaded providers, by config entry id, in the order they were set up."""

    def __init__(self, hass: HomeAssistant) -> None:
        """None yet: each registers as it is set up."""
        self.hass = hass
        self._by_id: dict[str, tuple[ProviderEntry, ProviderRuntimeData]] = {}

    def add(self, entry: ProviderEntry, runtime: ProviderRuntimeData) -> None:
        """A provider is set up."""
        self._by_id[entry.entry_id] = (entry, runtime)

    def remove(self, entry_id: str) -> None:
        """A provider is unloaded."""
        self._by_id.pop(entry_id, None)

    def __bool__(self) -> bool:
        """Whether any provider is loaded."""
        return bool(self._by_id)

    def __contains__(self, entry_id: object) -> bool:
        """Whether this provider is loaded."""
        return entry_id in self._by_id

    def runtimes(self) -> Iterator[tuple[str, ProviderRuntimeData]]:
        """Each loaded provider: its entry id and runtime data."""
        for entry_id, (_, runtime) in self._by_id.items():
            yield entry_id, runtime

    def entry(self, entry_id: str) -> ProviderEntry | None:
        """A loaded provider's config entry."""
        return self._by_id[entry_id][0] if entry_id in self._by_id else None

    def runtime(self, entry_id: str) -> ProviderRuntimeData | None:
        """A loaded provider's runtime data."""
        return self._by_id[entry_id][1] if entry_id in self._by_id else None

    def has_system(self, entry_id: str, system_id: str) -> bool:
        """Whether a loaded provider has this system."""
        return entry_id in self._by_id and system_id in self._by_id[entry_id][1].systems

    def system(self, system_id: str) -> SystemCoordinator | None:
        """A system of any loaded provider, by id."""
        for _, runtime in self._by_id.values():
            if (system := runtime.systems.get(system_id)) is not None:
                return system
        return None

    def systems_of(self, record: Record) -> list[SystemCoordinator]:
        """The loaded systems an alert is about."""
        return [
            runtime.systems[s]
            for _, runtime in self._by_id.values()
            for s in sorted(record.systems)
            if s in runtime.systems
        ]

    def runtimes_of(self, record: Record) -> list[ProviderRuntimeData]:
        """The runtime data of the loaded providers of an alert (any order)."""
        return [self._by_id[p][1] for p in record.providers if p in self._by_id]

    def note(
        self,
        systems: frozenset[str],
        note_for: Callable[[frozenset[str]], OutageNote],
    ) -> None:
        """Note on each provider's outages what happened to an alert about them."""
        for _, runtime in self._by_id.values():
            if mine := systems & runtime.systems.keys():
                runtime.history.note(note_for(frozenset(mine)))

    # --- phones -------------------------------------------------------------------

    def phone_ids(self) -> Iterator[str]:
        """Every phone (device id) any loaded provider alerts, escalation included."""
        for _, runtime in self._by_id.values():
            yield from runtime.settings.phones
            yield from runtime.settings.escalation_phones

    def phones(
        self, record: Record, *, main: bool = True, escalation: bool = False
    ) -> list[Phone]:
        """The phones to alert about a record: its providers' main and/or escalation."""
        device_ids: list[str] = []
        for provider_id in sorted(record.providers):
            if provider_id in self._by_id:
                settings = self._by_id[provider_id][1].settings
                tiers = (settings.phones if main else ()) + (
                    settings.escalation_phones if escalation else ()
                )
                for device_id in tiers:
                    if device_id not in device_ids:
                        device_ids.append(device_id)
        return [p for d in device_ids if (p := resolve_phone(self.hass, d))]
