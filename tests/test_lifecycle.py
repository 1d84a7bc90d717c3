"""Restarts, unload, reload, removal, and every system kind wired end to end."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.provider_watch.const import (
    CONF_HOST,
    CONF_KIND,
    CONF_PORT,
    EVENT_SYSTEM_OFFLINE,
    EVENT_SYSTEM_ONLINE,
)
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from testkit.simulated import LOCALHOST, BlackHole, SimulatedDevice, free_port

from .helpers import (
    SYSTEM_ID,
    advance,
    http_system,
    provider_entry,
    settle,
    setup_entry,
    setup_http_provider,
)

CONNECTIVITY = "binary_sensor.alarm_panel_connectivity"
STATUS = "sensor.alarm_panel_status"


def storage_key(entry_id: str) -> str:
    return f"provider_watch.{entry_id}.state"


async def take_offline(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, device: SimulatedDevice
) -> None:
    await device.stop()
    await advance(hass, freezer, 30, 5, 5)
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF


async def test_outage_is_saved_the_moment_it_is_declared(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await setup_http_provider(hass, device.url)
    first_failure = dt_util.utcnow() + timedelta(seconds=30)
    await take_offline(hass, freezer, device)
    saved = hass_storage[storage_key(entry.entry_id)]["data"]["systems"][SYSTEM_ID]
    assert saved["state"] == "offline"
    assert saved["outage_start"] == first_failure.isoformat()


async def test_restart_in_the_middle_of_an_outage(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant starts with an outage on file: no second alert, start kept."""
    start = dt_util.utcnow() - timedelta(hours=2)
    entry = provider_entry({SYSTEM_ID: http_system(device.url)})
    hass_storage[storage_key(entry.entry_id)] = {
        "version": 1,
        "key": storage_key(entry.entry_id),
        "data": {
            "systems": {
                SYSTEM_ID: {
                    "state": "offline",
                    "since": (start + timedelta(seconds=10)).isoformat(),
                    "failures": 3,
                    "successes": 0,
                    "outage_start": start.isoformat(),
                    "last_online": (start - timedelta(seconds=30)).isoformat(),
                    "reason": "connection refused",
                }
            }
        },
    }
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await device.stop()
    await setup_entry(hass, entry)
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    assert hass.states.get(STATUS).state == "offline"
    await advance(hass, freezer, 30, 30, 30, 30, 30)
    assert offline == []
    await device.start()
    await advance(hass, freezer, 30, 5)
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    assert len(online) == 1
    assert online[0].data["since"] == start.isoformat()
    assert online[0].data["duration"] == 2 * 3600 + 6 * 30 + 5


async def test_unload_saves_and_reload_resumes(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    entry = await setup_http_provider(hass, device.url)
    await take_offline(hass, freezer, device)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(CONNECTIVITY).state == STATE_UNAVAILABLE
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    await advance(hass, freezer, 30)
    assert len(offline) == 1


async def test_remove_deletes_saved_state(
    hass: HomeAssistant, hass_storage: dict[str, Any], device: SimulatedDevice
) -> None:
    entry = await setup_http_provider(hass, device.url)
    await hass.config_entries.async_unload(entry.entry_id)
    assert storage_key(entry.entry_id) in hass_storage
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert storage_key(entry.entry_id) not in hass_storage
    assert hass.states.get(CONNECTIVITY) is None


async def test_adding_and_removing_a_system_reloads(
    hass: HomeAssistant,
    device: SimulatedDevice,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_entry(hass, provider_entry({}))
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=http_system(device.url),  # type: ignore[arg-type]
            subentry_type="system",
            title="Leak sensor",
            unique_id=None,
        ),
    )
    await settle(hass)
    assert hass.states.get("binary_sensor.leak_sensor_connectivity").state == STATE_ON
    (subentry_id,) = entry.subentries
    hass.config_entries.async_remove_subentry(entry, subentry_id)
    await settle(hass)
    assert hass.states.get("binary_sensor.leak_sensor_connectivity") is None
    # only the provider's own device (its buttons) is left
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert [d.config_subentry_id for d in devices] == [None]


async def test_tcp_and_icmp_systems(
    hass: HomeAssistant, device: SimulatedDevice, black_hole: BlackHole
) -> None:
    tcp = {CONF_KIND: "tcp", CONF_HOST: LOCALHOST, CONF_PORT: device.port}
    closed = {CONF_KIND: "tcp", CONF_HOST: LOCALHOST, CONF_PORT: free_port()}
    ping = {CONF_KIND: "icmp", CONF_HOST: LOCALHOST}
    hung = {
        CONF_KIND: "tcp",
        CONF_HOST: LOCALHOST,
        CONF_PORT: black_hole.port,
        "timeout": 1,
    }
    await setup_entry(
        hass,
        provider_entry(
            {
                "system_router": tcp,
                "system_hub": closed,
                "system_modem": ping,
                "system_gate": hung,
            }
        ),
    )
    assert hass.states.get("binary_sensor.router_connectivity").state == STATE_ON
    assert hass.states.get("sensor.hub_status").state == "pending"
    assert hass.states.get("sensor.gate_status").state == "pending"
    assert hass.states.get("sensor.modem_status").state in ("online", "unknown")
