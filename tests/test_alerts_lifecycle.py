"""Alerts across the life of entries and of Home Assistant.

Systems and providers removed during an outage, restarts (with what was stored, or
with junk), Home Assistant starting and stopping, and phones that cannot be reached.
"""

from datetime import datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.provider_watch.const import DOMAIN
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from testkit.phones import ANDROID, PushGateway
from testkit.simulated import LOCALHOST, SimulatedDevice

from . import alerting
from .alerting import (
    ALERTS_STORE,
    BACK,
    HOUR,
    LOCK,
    OFFLINE,
    PANEL,
    FakePhone,
    alert_id_of,
    clear,
    manager,
    notes,
    outage,
    restart,
    setup_provider,
)
from .helpers import (
    advance,
    http_system,
    internet_entry,
    provider_entry,
    settle,
    setup_entry,
    setup_internet,
)

gateway = alerting.gateway
app_client = alerting.app_client
second = alerting.second
android = alerting.android


# --- systems and providers removed ----------------------------------------------------


async def test_removed_system_leaves_its_alert_without_a_recovery(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_storage: dict[str, Any],
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    entry = await setup_provider(
        hass, {PANEL: device, LOCK: second}, options={"phones": [android.device_id]}
    )
    await outage(hass, freezer, device)
    alert_id = alert_id_of(android.pushes[0])

    assert hass.config_entries.async_remove_subentry(entry, PANEL)
    await settle(hass)  # the provider reloads without it
    assert android.pushes[1:] == [android.body(clear(alert_id))]  # not "back online"
    assert notes(hass) == {}
    assert hass_storage[ALERTS_STORE]["data"]["records"] == []
    await advance(hass, freezer, *[HOUR] * 3)
    assert len(android.pushes) == 2


async def test_removed_provider_takes_its_alerts_along(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_storage: dict[str, Any],
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    entry = await setup_provider(
        hass, {PANEL: device}, options={"phones": [android.device_id]}
    )
    await outage(hass, freezer, device)
    assert len(notes(hass)) == 1

    assert await hass.config_entries.async_remove(entry.entry_id)
    await settle(hass)
    assert notes(hass) == {}
    stored = hass_storage[ALERTS_STORE]["data"]
    assert stored["records"] == []
    assert stored["owners"] == {}
    await advance(hass, freezer, *[HOUR] * 3)
    assert android.titles == [OFFLINE]


# --- restarts -------------------------------------------------------------------------


async def test_outage_that_ends_while_home_assistant_is_down(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """The alert was sent before the restart; the recovery is sent after it."""
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(hass, {PANEL: device}, options={"phones": [android.device_id]})
    await outage(hass, freezer, device)
    alert_id = alert_id_of(android.pushes[0])

    await device.start()
    await restart(hass)
    assert android.titles == [OFFLINE]  # not before the system was checked again
    await alerting.wait_for(hass, freezer, lambda: len(android.pushes) > 1)
    assert android.titles == [OFFLINE, "clear_notification", BACK]
    assert android.pushes[1] == android.body(clear(alert_id))


async def test_outage_still_on_after_a_restart_is_not_alerted_twice(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(
        hass, {PANEL: device}, options={"phones": [android.device_id], "repeat": "30"}
    )
    await outage(hass, freezer, device)
    await advance(hass, freezer, 10 * 60)
    await restart(hass)
    await advance(hass, freezer, *[60] * 19)
    assert android.titles == [OFFLINE]
    await advance(hass, freezer, 60)  # the reminder keeps its schedule
    assert android.titles == [OFFLINE, "Alarm panel is still offline"]


def stored_record(system_id: str, opened: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "key": f"system:{system_id}",
        "alert_id": "a1b2c3d4e5f6",
        "opened": opened.isoformat(),
        "systems": [system_id],
        "providers": [extra.pop("provider")],
        "sent": opened.isoformat(),
        "last_sent": opened.isoformat(),
        "repeats": 0,
        "escalated": None,
        "acked": None,
        "acked_by": None,
        "snoozed_until": None,
    } | extra


@pytest.mark.parametrize("device_up", [True, False])
async def test_start_from_stored_alerts_with_junk(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_storage: dict[str, Any],
    device_up: bool,
) -> None:
    """A stored alert is taken up; junk next to it is skipped."""
    internet = internet_entry(f"{LOCALHOST}:{upstream.port}")
    provider = provider_entry(
        {PANEL: http_system(device.url)},
        options={"phones": [android.device_id], "repeat": "30"},
    )
    opened = dt_util.utcnow() - timedelta(minutes=10)
    hass_storage[ALERTS_STORE] = {
        "version": 1,
        "minor_version": 1,
        "key": ALERTS_STORE,
        "data": {
            "records": [
                "junk",
                {"key": 5, "opened": opened.isoformat()},
                {"key": "system:x", "opened": "yesterday"},
                stored_record(
                    PANEL,
                    opened,
                    provider=provider.entry_id,
                    acked=opened.isoformat(),
                    repeats="2",
                ),
            ],
            "maintenance": [],
            "owners": {PANEL: provider.entry_id},
        },
    }
    if not device_up:
        await device.stop()
    await setup_entry(hass, internet)
    await setup_entry(hass, provider)  # its first checks are done

    if device_up:  # it came back while Home Assistant was down
        assert manager(hass).records == {}
        assert android.pushes == [
            android.body(clear("a1b2c3d4e5f6")),
            android.body(
                {
                    "title": BACK,
                    "message": "Alarm panel is back online after 10 min.",
                    "data": {
                        "tag": "provider-watch-a1b2c3d4e5f6-back",
                        "group": "provider-watch-Acme Alarm",
                        "url": alerting.device_page(hass, PANEL),
                        "clickAction": alerting.device_page(hass, PANEL),
                    },
                }
            ),
        ]
    else:  # still down (once confirmed), and already acknowledged: silence
        (record,) = manager(hass).records.values()
        assert record.alert_id == "a1b2c3d4e5f6"
        assert record.repeats == 2
        await advance(hass, freezer, *[5] * 12, *[HOUR] * 3)
        assert android.pushes == []
        assert list(manager(hass).records.values()) == [record]


# --- Home Assistant starting and stopping ---------------------------------------------


async def test_phones_are_checked_once_home_assistant_has_started(
    hass: HomeAssistant,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    issue_registry: ir.IssueRegistry,
) -> None:
    """While starting, phones are still being set up: no repair before started."""
    hass.set_state(CoreState.starting)
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(
        hass, {PANEL: device}, options={"phones": [android.device_id, "not-yet"]}
    )
    assert issue_registry.async_get_issue(DOMAIN, "phone_missing_not-yet") is None

    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await settle(hass)
    assert issue_registry.async_get_issue(DOMAIN, "phone_missing_not-yet") is not None
    assert (
        issue_registry.async_get_issue(DOMAIN, f"phone_missing_{android.device_id}")
        is None
    )


async def test_no_reminders_after_home_assistant_stops(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(
        hass, {PANEL: device}, options={"phones": [android.device_id], "repeat": "30"}
    )
    await outage(hass, freezer, device)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await settle(hass)
    await advance(hass, freezer, HOUR)
    assert android.titles == [OFFLINE]


# --- phones that cannot be reached ----------------------------------------------------


async def test_phone_on_local_push_that_is_not_connected(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    app_client: TestClient,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    gateway: PushGateway,
) -> None:
    """Its push fails (logged); the other phones are alerted all the same."""
    response = await app_client.post(
        "/api/mobile_app/registrations",
        json=ANDROID
        | {
            "device_id": "phone-lan",
            "device_name": "Lan",
            "app_data": {"push_websocket_channel": True},
        },
    )
    assert response.status == 201
    await settle(hass)
    lan = alerting.phone_device(hass, {"device_name": "Lan"})
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(
        hass, {PANEL: device}, options={"phones": [lan, android.device_id]}
    )
    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]
    assert len(gateway.pushes) == 1
    assert len(notes(hass)) == 1


async def test_push_relay_refusing_is_logged_not_raised(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    gateway: PushGateway,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """The relay answers 429 (over the daily limit): the alert is still recorded."""
    gateway.status = 429
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(
        hass, {PANEL: device}, options={"phones": [android.device_id], "repeat": "30"}
    )
    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]  # it was posted (and refused)
    assert len(notes(hass)) == 1
    gateway.status = 201
    await advance(hass, freezer, 30, 30 * 60)
    # tried again 30 s later (and got through); the reminder comes as usual
    assert android.titles == [OFFLINE, OFFLINE, "Alarm panel is still offline"]


# --- stored options that do not parse -------------------------------------------------


async def test_bad_stored_quiet_hours_are_ignored(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(
        datetime(2026, 1, 15, 23, 30, tzinfo=dt_util.get_time_zone("Europe/Berlin"))
    )
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(
        hass,
        {PANEL: device},
        options={
            "phones": [android.device_id],
            "quiet_start": "late",
            "quiet_end": 7,
        },
    )
    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]
