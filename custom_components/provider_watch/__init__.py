"""Provider Watch: know when a system your provider is paid to monitor goes offline."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .const import DOMAIN, SUBENTRY_SYSTEM
from .devices import async_register_entry_device
from .discovery import async_setup_discovery
from .history.report_service import async_setup_report_service
from .history.store import OutageHistory
from .hub import DATA_ALERTS, DATA_SELF_HEAL, async_setup_hub
from .logic.state import Step
from .monitoring.auth import async_forget
from .monitoring.integration import (
    SIGNAL_INTEGRATIONS_CHANGED,
    async_setup_integration_watch,
)
from .monitoring.internet import (
    DATA_INTERNET,
    SIGNAL_INTERNET_CHANGED,
    InternetCoordinator,
)
from .monitoring.outbound import async_create_outbound
from .monitoring.provider_status import StatusPageCoordinator
from .monitoring.state_store import SystemStateStore
from .runtime import (
    InternetEntry,
    InternetRuntimeData,
    ProviderEntry,
    ProviderRuntimeData,
    ProviderWatchConfigEntry,
    is_internet_entry,
    is_provider_entry,
)
from .services import async_setup_services
from .settings import InternetSettings
from .sources.icmp import icmp_privilege
from .systems import (
    DATA_ICMP_PRIVILEGED,
    WatcherStart,
    async_sync_systems,
    build_system,
    first_probe,
    provider_state,
    start_watcher,
    stop_systems,
)

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
]
INTERNET_PLATFORMS = [Platform.BINARY_SENSOR, Platform.SENSOR, Platform.SWITCH]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """ICMP mode, the alert and self-heal managers, the service actions, once."""
    hass.data[DATA_ICMP_PRIVILEGED] = await icmp_privilege()
    await async_setup_hub(hass)
    async_setup_services(hass)
    async_setup_report_service(hass)
    async_setup_integration_watch(hass)
    async_setup_discovery(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> bool:
    """Set up a provider, or the internet check."""
    await async_register_entry_device(hass, entry)  # (systems' devices link to it)
    if is_internet_entry(entry):
        entry.runtime_data = _internet_runtime(hass, entry)
        await _async_start_internet(hass, entry)
        return True
    if is_provider_entry(entry):
        runtime, starts = await _async_build_provider(hass, entry)
        entry.runtime_data = runtime
        await _async_start_provider(hass, entry, starts)
    return True


def _internet_runtime(hass: HomeAssistant, entry: InternetEntry) -> InternetRuntimeData:
    settings = InternetSettings.from_entry(entry.data, entry.options)
    check = InternetCoordinator(hass, entry, settings.targets)
    hass.data[DATA_INTERNET] = check
    return InternetRuntimeData(
        check=check,
        outbound=async_create_outbound(hass, entry, check, settings.outbound),
    )


async def _async_start_internet(hass: HomeAssistant, entry: InternetEntry) -> None:
    runtime = entry.runtime_data
    await hass.config_entries.async_forward_entry_setups(entry, INTERNET_PLATFORMS)
    if runtime.outbound is not None:
        entry.async_on_unload(runtime.outbound.async_start())
    entry.async_create_background_task(
        hass, runtime.check.async_refresh(), f"{DOMAIN} first internet check"
    )
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))


async def _async_build_provider(
    hass: HomeAssistant, entry: ProviderEntry
) -> tuple[ProviderRuntimeData, dict[str, WatcherStart | None]]:
    """The provider's systems, their saved states and its outage history."""
    store = SystemStateStore(hass, entry.entry_id)
    await store.async_load()
    history = OutageHistory(hass, entry)
    await history.async_load()
    runtime = ProviderRuntimeData(hass, entry, store, history)
    entry.async_on_unload(runtime.scheduler.async_start())
    if page := runtime.settings.status_page:
        runtime.status_page = StatusPageCoordinator(
            hass, entry, page, runtime.settings.status_components
        )
    else:
        _remove_status_page_entities(hass, entry)
    # Listen before the systems are read: a system added while this set-up runs is
    # set up right after it (the listener waits for the set-up to finish).
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    runtime.built_from = provider_state(entry)
    starts = {
        subentry.subentry_id: build_system(hass, entry, runtime, subentry)[1]
        for subentry in entry.get_subentries_of_type(SUBENTRY_SYSTEM)
    }
    store.retain(set(runtime.systems))
    now = dt_util.utcnow()
    await history.async_retain(set(runtime.systems), now)
    # a new system is added to the history; a restored outage is matched up
    await history.async_track_restored(
        (
            (
                system.system_id,
                system.subentry.title,
                system.kind.value,
                Step(state=system.machine),
            )
            for system in runtime.systems.values()
        ),
        now,
    )
    runtime.figures.async_history_changed()  # now with every system
    entry.async_on_unload(
        history.async_add_listener(runtime.figures.async_history_changed)
    )
    return runtime, starts


async def _async_start_provider(
    hass: HomeAssistant,
    entry: ProviderEntry,
    starts: dict[str, WatcherStart | None],
) -> None:
    """Entities first, then the watchers, the first probes and the managers."""
    runtime = entry.runtime_data
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(stop_systems(runtime))
    for system_id, start in starts.items():
        start_watcher(runtime, system_id, start)
    for signal in (SIGNAL_INTERNET_CHANGED, SIGNAL_INTEGRATIONS_CHANGED):
        entry.async_on_unload(
            async_dispatcher_connect(hass, signal, runtime.reclassify_all)
        )
    # Probe right away, without holding up Home Assistant's start on slow systems.
    for coordinator in runtime.systems.values():
        first_probe(hass, entry, coordinator)
    if runtime.status_page is not None:
        status_page = runtime.status_page
        entry.async_on_unload(status_page.async_add_listener(runtime.reclassify_all))
        entry.async_create_background_task(
            hass, status_page.async_refresh(), f"{DOMAIN} first status page read"
        )
    entry.async_on_unload(hass.data[DATA_ALERTS].register(entry, runtime))
    entry.async_on_unload(hass.data[DATA_SELF_HEAL].register(entry, runtime))


def _remove_status_page_entities(hass: HomeAssistant, entry: ProviderEntry) -> None:
    """The status page was cleared in the options: its entities go with it."""
    registry = er.async_get(hass)
    for key, platform in (("provider_cloud", "binary_sensor"), ("incident", "sensor")):
        if entity_id := registry.async_get_entity_id(
            platform, DOMAIN, f"{entry.entry_id}_{key}"
        ):
            registry.async_remove(entity_id)


async def _async_update_listener(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> None:
    """A system added, changed or removed is set up or torn down alone.

    A change of the provider's own settings, or of the internet check, reloads it.
    """
    if is_provider_entry(entry) and await async_sync_systems(hass, entry):
        return
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> bool:
    """Unload a provider (its systems' states are written first) or the check."""
    if is_internet_entry(entry):
        unloaded = await hass.config_entries.async_unload_platforms(
            entry, INTERNET_PLATFORMS
        )
        if unloaded and hass.data.get(DATA_INTERNET) is entry.runtime_data.check:
            hass.data.pop(DATA_INTERNET)
            # without a check, outages can no longer be blamed on the internet
            async_dispatcher_send(hass, SIGNAL_INTERNET_CHANGED)
        return unloaded
    if is_provider_entry(entry):
        await entry.runtime_data.store.async_flush()
        await entry.runtime_data.history.async_flush()
        async_forget(hass, entry.runtime_data.systems)
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> None:
    """Delete the saved states of a removed provider."""
    if not is_internet_entry(entry):
        await SystemStateStore(hass, entry.entry_id).async_remove()
        await OutageHistory(hass, entry).async_remove()
