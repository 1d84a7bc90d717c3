"""Provider Watch: know when a system your provider is paid to monitor goes offline."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, SUBENTRY_SYSTEM
from .coordinator import (
    ProviderRuntimeData,
    ProviderWatchConfigEntry,
    SystemCoordinator,
    Timing,
    build_probe,
)
from .sources.icmp import icmp_privilege
from .store import SystemStateStore

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
PLATFORMS = [Platform.BINARY_SENSOR, Platform.EVENT, Platform.SENSOR]
DATA_ICMP_PRIVILEGED: HassKey[bool | None] = HassKey(f"{DOMAIN}_icmp_privileged")


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Find out once which ICMP mode this host allows."""
    hass.data[DATA_ICMP_PRIVILEGED] = await icmp_privilege()
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> bool:
    """Set up a provider and one coordinator per monitored system."""
    store = SystemStateStore(hass, entry.entry_id)
    await store.async_load()
    runtime = ProviderRuntimeData(store=store)
    for subentry in entry.get_subentries_of_type(SUBENTRY_SYSTEM):
        probe = build_probe(
            hass,
            subentry.data,
            Timing.from_data(subentry.data).timeout,
            hass.data.get(DATA_ICMP_PRIVILEGED),
        )
        runtime.systems[subentry.subentry_id] = SystemCoordinator(
            hass, entry, subentry, store, probe
        )
    store.retain(set(runtime.systems))
    entry.runtime_data = runtime

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Probe right away, without holding up Home Assistant's start on slow systems.
    for coordinator in runtime.systems.values():
        entry.async_create_background_task(
            hass,
            coordinator.async_refresh(),
            f"{DOMAIN} first probe {coordinator.name}",
        )
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    return True


async def _async_update_listener(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> None:
    """Reload when the provider or its systems change."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> bool:
    """Unload a provider; its systems' states are written first."""
    await entry.runtime_data.store.async_flush()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> None:
    """Delete the saved states of a removed provider."""
    await SystemStateStore(hass, entry.entry_id).async_remove()
