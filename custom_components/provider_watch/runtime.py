"""The two kinds of config entry this domain has, told apart in one place.

A provider's entry holds its monitored systems (ProviderRuntimeData); the one
internet-check entry holds the internet check and its outbound heartbeat.
"""

from dataclasses import dataclass
from typing import TypeGuard

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant

from .const import CONF_ENTRY_TYPE, DOMAIN
from .monitoring.internet import ENTRY_TYPE_INTERNET, InternetCoordinator
from .monitoring.outbound import OutboundHeartbeat
from .monitoring.provider import ProviderEntry, ProviderRuntimeData


@dataclass(kw_only=True, slots=True)
class InternetRuntimeData:
    """What the loaded internet-check entry holds."""

    check: InternetCoordinator
    outbound: OutboundHeartbeat | None = None  # set up when a URL is set


type ProviderWatchConfigEntry = ConfigEntry[ProviderRuntimeData | InternetRuntimeData]
type InternetEntry = ConfigEntry[InternetRuntimeData]

__all__ = [
    "InternetEntry",
    "InternetRuntimeData",
    "ProviderEntry",
    "ProviderRuntimeData",
    "ProviderWatchConfigEntry",
    "is_internet_entry",
    "is_provider_entry",
    "loaded_provider",
    "loaded_providers",
]


def is_internet_entry(entry: ProviderWatchConfigEntry) -> TypeGuard[InternetEntry]:
    """The integration-wide internet check has an entry of its own."""
    return bool(entry.data.get(CONF_ENTRY_TYPE) == ENTRY_TYPE_INTERNET)


def is_provider_entry(entry: ProviderWatchConfigEntry) -> TypeGuard[ProviderEntry]:
    """Every other entry is a provider with its monitored systems."""
    return not is_internet_entry(entry)


def loaded_provider(hass: HomeAssistant, entry_id: str) -> ProviderEntry | None:
    """A loaded provider entry (not another integration's, not the internet check)."""
    entry: ProviderWatchConfigEntry | None = hass.config_entries.async_get_entry(
        entry_id
    )
    if (
        entry is None
        or entry.domain != DOMAIN
        or entry.state is not ConfigEntryState.LOADED
        or not is_provider_entry(entry)
    ):
        return None
    return entry


def loaded_providers(hass: HomeAssistant) -> list[ProviderEntry]:
    """Every loaded provider entry."""
    entries: list[ProviderWatchConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    return [entry for entry in entries if is_provider_entry(entry)]
