"""A provider's own integration, for tests only: cloud-connected, with devices.

Its devices (named in the entry's data) each have a connectivity binary sensor and a
battery sensor. Services let a test (or the e2e run over REST) do what a real
provider's cloud does to it:

- `pw_test_provider.set_available` (available: bool, device: optional name): the
  devices' entities go unavailable or come back;
- `pw_test_provider.set_cloud` (mode: ok | retry | auth): the next set-up of every
  entry succeeds, cannot reach the cloud (setup retry) or has its credentials
  rejected (reauth); the entries are reloaded at once;
- `pw_test_provider.start_reauth`: a running entry asks for a sign-in again.
"""

from dataclasses import dataclass, field

import voluptuous as vol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.typing import ConfigType

DOMAIN = "pw_test_provider"
PLATFORMS = [Platform.BINARY_SENSOR, Platform.SENSOR]
SIGNAL_AVAILABILITY = f"{DOMAIN}_availability"
DEFAULT_DEVICES = ["Front door", "Back yard"]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


@dataclass
class Cloud:
    """What the provider's (pretend) cloud does now."""

    mode: str = "ok"
    unavailable: set[str] = field(default_factory=set)  # device names
    all_unavailable: bool = False

    def available(self, device: str) -> bool:
        return not self.all_unavailable and device not in self.unavailable


def cloud(hass: HomeAssistant) -> Cloud:
    return hass.data.setdefault(DOMAIN, Cloud())


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    state = cloud(hass)

    async def set_available(call: ServiceCall) -> None:
        available = call.data["available"]
        if (device := call.data.get("device")) is None:
            state.all_unavailable = not available
            state.unavailable.clear()
        elif available:
            state.unavailable.discard(device)
        else:
            state.unavailable.add(device)
        async_dispatcher_send(hass, SIGNAL_AVAILABILITY)

    async def set_cloud(call: ServiceCall) -> None:
        state.mode = call.data["mode"]
        for entry in hass.config_entries.async_entries(DOMAIN):
            hass.config_entries.async_schedule_reload(entry.entry_id)

    async def start_reauth(call: ServiceCall) -> None:
        for entry in hass.config_entries.async_entries(DOMAIN):
            entry.async_start_reauth(hass)

    hass.services.async_register(
        DOMAIN,
        "set_available",
        set_available,
        vol.Schema({vol.Required("available"): bool, vol.Optional("device"): str}),
    )
    hass.services.async_register(
        DOMAIN,
        "set_cloud",
        set_cloud,
        vol.Schema({vol.Required("mode"): vol.In(["ok", "retry", "auth"])}),
    )
    hass.services.async_register(DOMAIN, "start_reauth", start_reauth)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    mode = cloud(hass).mode
    if mode == "retry":
        raise ConfigEntryNotReady("cannot reach the cloud")
    if mode == "auth":
        raise ConfigEntryAuthFailed("credentials rejected")
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
