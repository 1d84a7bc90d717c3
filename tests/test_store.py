"""A damaged state file never stops monitoring."""

from typing import Any

import pytest

from homeassistant.core import HomeAssistant
from testkit.simulated import SimulatedDevice

from .helpers import SYSTEM_ID, http_system, provider_entry, setup_entry


@pytest.mark.parametrize(
    "data",
    [
        {"systems": "not a mapping"},
        {"systems": {SYSTEM_ID: ["not", "a", "mapping"]}},
        {"systems": {SYSTEM_ID: {"state": "offline"}}},  # an outage without a start
        "garbage",
    ],
)
async def test_bad_saved_state_starts_fresh(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    data: Any,
) -> None:
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    key = f"provider_watch.{entry.entry_id}.state"
    hass_storage[key] = {"version": 1, "key": key, "data": data}
    await setup_entry(hass, entry)
    assert hass.states.get("sensor.alarm_panel_status").state == "online"
