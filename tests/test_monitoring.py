"""A system goes offline and comes back: entities, events, timing, restarts."""

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.provider_watch.const import (
    EVENT_SYSTEM_OFFLINE,
    EVENT_SYSTEM_ONLINE,
)
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from testkit.simulated import SimulatedDevice

from .helpers import SYSTEM_ID, advance, setup_http_provider

CONNECTIVITY = "binary_sensor.alarm_panel_connectivity"
STATUS = "sensor.alarm_panel_status"
LAST_SEEN = "sensor.alarm_panel_last_seen_online"
RESPONSE_TIME = "sensor.alarm_panel_response_time"
EVENT_ENTITY = "event.alarm_panel_status_change"


async def test_online_system_entities(
    hass: HomeAssistant,
    device: SimulatedDevice,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_http_provider(hass, device.url)
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    assert hass.states.get(STATUS).state == "online"
    assert hass.states.get(LAST_SEEN).state != STATE_UNKNOWN
    assert float(hass.states.get(RESPONSE_TIME).state) >= 0
    assert hass.states.get(EVENT_ENTITY).state == STATE_UNKNOWN
    # unique ids come from the subentry id, never from the URL
    reg = entity_registry.async_get(CONNECTIVITY)
    assert reg.unique_id == f"{SYSTEM_ID}_connectivity"
    assert reg.config_subentry_id == SYSTEM_ID
    # one device per system, owned by the system subentry
    system_device = device_registry.async_get_device_by_identifier(
        ("provider_watch", SYSTEM_ID), entry.entry_id
    )
    assert system_device is not None
    assert system_device.name == "Alarm panel"
    assert system_device.config_subentry_id == SYSTEM_ID
    assert entity_registry.async_get(RESPONSE_TIME).entity_category == "diagnostic"


@pytest.mark.entity_defaults
async def test_a_new_user_gets_the_essential_entities(
    hass: HomeAssistant, device: SimulatedDevice, entity_registry: er.EntityRegistry
) -> None:
    """Entities that change with every check, or say what others say, start off."""
    entry = await setup_http_provider(hass, device.url)
    shown = {
        e.entity_id.split(".", 1)[1].removeprefix("alarm_panel_")
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if e.disabled_by is None
    }
    hidden = {
        e.entity_id.split(".", 1)[1].removeprefix("alarm_panel_")
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if e.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    }
    assert {"connectivity", "status", "outage_cause", "uptime_30_days"} <= shown
    assert {"last_seen_online", "response_time", "uptime_24_hours"} <= hidden
    assert hass.states.get(LAST_SEEN) is None
    assert hass.states.get(STATUS).state == "online"


async def test_goes_offline_after_threshold_and_back(
    hass: HomeAssistant, device: SimulatedDevice, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_http_provider(hass, device.url)
    await device.stop()

    await advance(hass, freezer, 30)  # regular poll fails: suspect, still "on"
    assert hass.states.get(STATUS).state == "pending"
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    await advance(hass, freezer, 5)  # fast re-check 5 s later, second failure
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    await advance(hass, freezer, 5)  # third failure: offline
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    assert hass.states.get(STATUS).state == "offline"
    assert len(offline) == 1
    data = offline[0].data
    assert data["provider"] == "Acme Alarm"
    assert data["system"] == "Alarm panel"
    assert data["kind"] == "http"
    assert data["reason"] == "connection refused"
    assert data["device_id"] is not None
    event_state = hass.states.get(EVENT_ENTITY)
    assert event_state.attributes["event_type"] == "offline"
    assert event_state.attributes["reason"] == "connection refused"

    # while offline the regular interval applies again, and nothing is re-announced
    await advance(hass, freezer, 5)
    assert device.requests == 1  # only the setup probe ever reached the device
    await advance(hass, freezer, 30, 30, 30, 30)
    assert len(offline) == 1

    await device.start()
    await advance(hass, freezer, 30)  # first success: recovering, still off
    assert hass.states.get(STATUS).state == "recovering"
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    await advance(hass, freezer, 5)  # second success 5 s later: online
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    assert len(online) == 1
    assert online[0].data["since"] == data["since"]
    # first failed probe at +30 s, back at +30+5+5+5+120+30+5 s
    assert online[0].data["duration"] == 170
    assert hass.states.get(EVENT_ENTITY).attributes["event_type"] == "online"
    assert len(offline) == 1


async def test_offline_and_back_are_logged_once_each(
    hass: HomeAssistant,
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One warning when a system goes offline, one info line when it is back."""
    await setup_http_provider(hass, device.url)
    await device.stop()
    await advance(hass, freezer, 30, 5, 5)  # offline
    await advance(hass, freezer, 30, 30, 30)  # still offline: nothing more
    await device.start()
    await advance(hass, freezer, 30, 5)  # back
    lines = [
        (r.levelname, r.getMessage())
        for r in caplog.records
        if r.name.startswith("custom_components.provider_watch")
        and r.getMessage().startswith("Alarm panel (Acme Alarm)")
    ]
    assert lines == [
        (
            "WARNING",
            # (no internet check here: the cause is unknown)
            "Alarm panel (Acme Alarm) is offline: connection refused (cause: unknown)",
        ),
        ("INFO", "Alarm panel (Acme Alarm) is back online"),
    ]


async def test_blip_shorter_than_threshold_is_silent(
    hass: HomeAssistant, device: SimulatedDevice, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_http_provider(hass, device.url)
    device.status = 503
    await advance(hass, freezer, 30, 5)
    assert hass.states.get(STATUS).state == "pending"
    device.status = 200
    await advance(hass, freezer, 5)
    assert hass.states.get(STATUS).state == "online"
    assert offline == []


async def test_http_reasons(
    hass: HomeAssistant, device: SimulatedDevice, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_http_provider(
        hass, device.url, keyword="system OK", failures_before_offline=1
    )
    assert hass.states.get(STATUS).state == "online"
    device.body = "maintenance page"
    await advance(hass, freezer, 30)
    assert offline[-1].data["reason"] == "keyword not found"

    device.body = "system OK"
    await advance(hass, freezer, 30, 5)
    assert hass.states.get(STATUS).state == "online"
    device.status = 503
    await advance(hass, freezer, 30)
    assert offline[-1].data["reason"] == "HTTP 503"
