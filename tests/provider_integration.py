"""The test-only provider integration (tests/testing_config/custom_components/
pw_test_provider): its entry, its devices, and what its pretend cloud does.
"""

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.const import (
    CONF_DEVICE,
    CONF_GRACE,
    CONF_KIND,
    CONF_MAX_SILENCE,
    CONF_REQUIRE_ALL,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .helpers import settle

TEST_DOMAIN = "pw_test_provider"
RING = "Ring"
FRONT = "Front door"
BACK = "Back yard"
FRONT_CONN = "binary_sensor.front_door_connectivity"
FRONT_BATTERY = "sensor.front_door_battery"
BACK_CONN = "binary_sensor.back_yard_connectivity"
GRACE = 300


async def setup_ring(
    hass: HomeAssistant, devices: list[str] | None = None, title: str = RING
) -> MockConfigEntry:
    """The provider's own integration, set up, with its devices."""
    entry = MockConfigEntry(
        domain=TEST_DOMAIN, title=title, data={"devices": devices or [FRONT, BACK]}
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert entry.state is ConfigEntryState.LOADED
    return entry


def device_id(hass: HomeAssistant, entry: MockConfigEntry, name: str = FRONT) -> str:
    """The device registry id of one of its devices."""
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
        if device.name == name:
            return device.id
    raise AssertionError(f"no device {name}")


def device_system(device: str, **overrides: Any) -> dict[str, Any]:
    """Subentry data of a "device" system."""
    return {
        CONF_KIND: "device",
        CONF_DEVICE: device,
        CONF_REQUIRE_ALL: False,
        CONF_GRACE: GRACE,
        CONF_MAX_SILENCE: 0,
    } | overrides


async def set_available(
    hass: HomeAssistant, device: str | None = None, *, available: bool
) -> None:
    """The devices' entities go unavailable, or come back."""
    data: dict[str, Any] = {"available": available}
    if device is not None:
        data["device"] = device
    await hass.services.async_call(TEST_DOMAIN, "set_available", data, blocking=True)
    await settle(hass)


async def set_cloud(hass: HomeAssistant, mode: str) -> None:
    """The next set-up: ok, retry (cloud unreachable) or auth (rejected); reloads."""
    await hass.services.async_call(
        TEST_DOMAIN, "set_cloud", {"mode": mode}, blocking=True
    )
    await settle(hass)
