"""The devices: a provider (or the internet check), and its monitored systems.

A provider's device is registered when its entry is set up, before its entities, so
that each system's device can name it as `via_device_id` (the device page then says
"Connected via Acme Alarm"). A device's model says what it is, in Home Assistant's
language: Home Assistant translates a device's name (`translation_key`) but not its
model, so the model words are read from the `device` table of translations/<lang>.json
(`device.<key>.name`, loaded here once per set-up) and stored as the model. The raw
kind ("http") is the `model_id`, the same in every language. A changed language
shows in the models after a restart.
"""

from yarl import URL

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.translation import (
    async_get_cached_translations,
    async_get_translations,
)

from .addresses import is_valid_url
from .const import CONF_ENTRY_TYPE, CONF_SUPPORT_URL, CONF_URL, DOMAIN, SystemKind
from .monitoring.coordinator import SystemCoordinator
from .monitoring.internet import ENTRY_TYPE_INTERNET

# the `device` table's keys of the two entry devices (the systems' are their kinds)
MODEL_PROVIDER = "provider"
MODEL_INTERNET = "internet"


async def async_register_entry_device[R](
    hass: HomeAssistant, entry: ConfigEntry[R]
) -> dr.DeviceEntry:
    """Load the model words and register the entry's own device, up to date."""
    await async_get_translations(hass, hass.config.language, "device", [DOMAIN])
    internet = entry.data.get(CONF_ENTRY_TYPE) == ENTRY_TYPE_INTERNET
    support = entry.data.get(CONF_SUPPORT_URL)
    info = provider_device_info(entry)
    info["model"] = model_name(hass, MODEL_INTERNET if internet else MODEL_PROVIDER)
    info["configuration_url"] = web_page(support) if isinstance(support, str) else None
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **info
    )


def provider_device_info[R](entry: ConfigEntry[R]) -> DeviceInfo:
    """The provider itself (its cloud and status page), not tied to a subentry.

    (Also the internet check's device.) Its model and web page are set when the
    entry is set up: async_register_entry_device.
    """
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        entry_type=DeviceEntryType.SERVICE,
    )


def system_device_info(coordinator: SystemCoordinator) -> DeviceInfo:
    """The device that represents a monitored system, connected via its provider.

    One object, kept on the coordinator, for all of the system's entities.
    """
    if coordinator.device_info is not None:
        return coordinator.device_info
    hass, entry = coordinator.hass, coordinator.config_entry
    info = DeviceInfo(
        identifiers={(DOMAIN, coordinator.system_id)},
        name=coordinator.subentry.title,
        manufacturer=entry.title,
        model=model_name(hass, coordinator.kind),
        model_id=coordinator.kind.value,
        configuration_url=None,
    )
    url = coordinator.subentry.data.get(CONF_URL)
    if coordinator.kind is SystemKind.HTTP and isinstance(url, str):
        info["configuration_url"] = web_page(url, origin=True)
    provider = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    if provider is not None:
        info["via_device_id"] = provider.id
    coordinator.device_info = info
    return info


@callback
def model_name(hass: HomeAssistant, key: str) -> str:
    """A device model in Home Assistant's language (English when not translated)."""
    words = async_get_cached_translations(hass, hass.config.language, "device", DOMAIN)
    return words.get(f"component.{DOMAIN}.device.{key}.name", key)


def web_page(url: str, *, origin: bool = False) -> str | None:
    """A web address the device page may link to ("Visit"), or None.

    origin: only scheme, host and port. A monitored page's path, query or user
    info may hold a token; the device's own web interface is at its origin.
    """
    if not is_valid_url(url):
        return None
    parsed = URL(url.strip())
    return str(parsed.origin()) if origin else str(parsed.with_user(None))
