"""Provider Watch: know when a system your provider is paid to monitor goes offline."""

from collections.abc import Callable

from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER, SUBENTRY_SYSTEM
from .history.report_service import async_setup_report_service
from .history.store import OutageHistory
from .hub import DATA_ALERTS, DATA_SELF_HEAL, async_setup_hub
from .kinds import (
    UNUSABLE_SETTINGS,
    async_clear_unusable,
    async_report_unusable,
    kind_of,
)
from .kinds.base import SystemRef
from .logic.state import Step
from .monitoring.coordinator import SystemCoordinator
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
from .settings import InternetSettings, SystemSettings, unusable_numbers
from .sources.icmp import icmp_privilege

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
]
INTERNET_PLATFORMS = [Platform.BINARY_SENSOR, Platform.SENSOR, Platform.SWITCH]
DATA_ICMP_PRIVILEGED: HassKey[bool | None] = HassKey(f"{DOMAIN}_icmp_privileged")


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """ICMP mode, the alert and self-heal managers, the service actions, once."""
    hass.data[DATA_ICMP_PRIVILEGED] = await icmp_privilege()
    await async_setup_hub(hass)
    async_setup_services(hass)
    async_setup_report_service(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> bool:
    """Set up a provider, or the internet check."""
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
) -> tuple[ProviderRuntimeData, list[Callable[[], CALLBACK_TYPE]]]:
    """The provider's systems, their saved states and its outage history."""
    store = SystemStateStore(hass, entry.entry_id)
    await store.async_load()
    history = OutageHistory(hass, entry)
    await history.async_load()
    runtime = ProviderRuntimeData(hass, entry, store, history)
    if page := runtime.settings.status_page:
        runtime.status_page = StatusPageCoordinator(
            hass, entry, page, runtime.settings.status_components
        )
    else:
        _remove_status_page_entities(hass, entry)
    starts: list[Callable[[], CALLBACK_TYPE]] = []
    for subentry in entry.get_subentries_of_type(SUBENTRY_SYSTEM):
        settings = SystemSettings.from_subentry(subentry.title, subentry.data)
        spec = kind_of(settings.kind)
        system = SystemRef(subentry.subentry_id, subentry.title, entry.title)
        if bad := unusable_numbers(subentry.data):
            LOGGER.warning(
                "%s (%s): the stored %s cannot be used; the defaults are used",
                system.name,
                system.provider,
                ", ".join(bad),
            )
        # a stored value its kind cannot use stops this system only
        unusable: Exception | None = None
        probe = None
        if spec.build_probe is not None:
            try:
                probe = spec.build_probe(
                    hass,
                    settings.check,
                    settings.timing.timeout,
                    hass.data.get(DATA_ICMP_PRIVILEGED),
                    system,
                )
            except UNUSABLE_SETTINGS as err:
                unusable = err
        coordinator = SystemCoordinator(hass, entry, subentry, store, probe, runtime)
        if spec.build_watcher is not None:
            try:
                watcher = spec.build_watcher(hass, coordinator, settings.check)
            except UNUSABLE_SETTINGS as err:
                unusable = err
            else:
                starts.append(watcher.async_start)  # started once entities exist
        if unusable is not None:
            async_report_unusable(hass, system, unusable)
        else:
            async_clear_unusable(hass, system.system_id)
        runtime.systems[subentry.subentry_id] = coordinator
    store.retain(set(runtime.systems))
    now = dt_util.utcnow()
    await history.async_retain(set(runtime.systems), now)
    for coordinator in runtime.systems.values():
        # a new system is added to the history; a restored outage is matched up
        await coordinator.async_track_history(
            Step(state=coordinator.machine), None, now
        )
    runtime.figures.async_history_changed()  # now with every system
    entry.async_on_unload(
        history.async_add_listener(runtime.figures.async_history_changed)
    )
    return runtime, starts


async def _async_start_provider(
    hass: HomeAssistant,
    entry: ProviderEntry,
    starts: list[Callable[[], CALLBACK_TYPE]],
) -> None:
    """Entities first, then the watchers, the first probes and the managers."""
    runtime = entry.runtime_data
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    for start in starts:
        entry.async_on_unload(start())
    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_INTERNET_CHANGED, runtime.reclassify_all)
    )
    # Probe right away, without holding up Home Assistant's start on slow systems.
    polled = [c for c in runtime.systems.values() if kind_of(c.kind).polled]
    for coordinator in polled:
        entry.async_create_background_task(
            hass,
            coordinator.async_refresh(),
            f"{DOMAIN} first probe {coordinator.name}",
        )
    if runtime.status_page is not None:
        status_page = runtime.status_page
        entry.async_on_unload(status_page.async_add_listener(runtime.reclassify_all))
        entry.async_create_background_task(
            hass, status_page.async_refresh(), f"{DOMAIN} first status page read"
        )
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
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
    """Reload when a provider, its systems or the internet check change."""
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
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> None:
    """Delete the saved states of a removed provider."""
    if not is_internet_entry(entry):
        await SystemStateStore(hass, entry.entry_id).async_remove()
        await OutageHistory(hass, entry).async_remove()
