"""When alerts are held: maintenance, quiet hours, and a flapping system's digest."""

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.provider_watch.const import DOMAIN
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from testkit.simulated import SimulatedDevice

from . import alerting
from .alerting import (
    BACK,
    HOUR,
    LOCK,
    MINUTE,
    OFFLINE,
    PANEL,
    FakePhone,
    alert_id_of,
    alerting_provider,
    clear,
    device_page,
    notes,
    outage,
    recovery,
    system_device,
)
from .helpers import advance, jump, settle, state
from .statuspage_server import API, DASHBOARD, StatusPageServer

gateway = alerting.gateway
app_client = alerting.app_client
second = alerting.second
android = alerting.android

SWITCH = "switch.alarm_panel_maintenance"
LOCK_SWITCH = "switch.door_lock_maintenance"


# --- maintenance ----------------------------------------------------------------------


async def switch(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    await hass.services.async_call(
        "switch",
        "turn_on" if on else "turn_off",
        {"entity_id": entity_id},
        blocking=True,
    )
    await settle(hass)


async def test_maintenance_switch_holds_alerts_until_it_ends(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_provider(hass, upstream, {PANEL: device}, phones=[android.device_id])
    assert state(hass, SWITCH) == STATE_OFF
    await switch(hass, SWITCH, on=True)
    assert state(hass, SWITCH) == STATE_ON

    await outage(hass, freezer, device)
    await advance(hass, freezer, *[10 * MINUTE] * 12)
    assert android.pushes == []
    assert notes(hass) == {}

    # maintenance over, the system still down: alerted now
    await switch(hass, SWITCH, on=False)
    assert state(hass, SWITCH) == STATE_OFF
    assert android.titles == [OFFLINE]
    assert "(2 h)" in android.pushes[0]["message"]
    assert len(notes(hass)) == 1


async def test_outage_entirely_inside_maintenance_is_never_told(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_provider(hass, upstream, {PANEL: device}, phones=[android.device_id])
    await switch(hass, SWITCH, on=True)
    await outage(hass, freezer, device)
    await advance(hass, freezer, 30 * MINUTE)
    await recovery(hass, freezer, device)
    await switch(hass, SWITCH, on=False)
    await advance(hass, freezer, *[30 * MINUTE] * 6)
    assert android.pushes == []  # no alert, and no recovery of an untold outage
    assert notes(hass) == {}


async def test_maintenance_services_for_a_system_and_a_provider(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    second: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    entry_id = await alerting_provider(
        hass, upstream, {PANEL: device, LOCK: second}, phones=[android.device_id]
    )
    panel = system_device(hass, PANEL)

    await hass.services.async_call(
        DOMAIN, "start_maintenance", {"device_id": panel}, blocking=True
    )
    await settle(hass)
    assert (state(hass, SWITCH), state(hass, LOCK_SWITCH)) == (STATE_ON, STATE_OFF)
    await hass.services.async_call(
        DOMAIN, "start_maintenance", {"config_entry_id": entry_id}, blocking=True
    )
    await settle(hass)
    assert (state(hass, SWITCH), state(hass, LOCK_SWITCH)) == (STATE_ON, STATE_ON)

    await outage(hass, freezer, device, second)
    await advance(hass, freezer, HOUR)
    assert android.pushes == []

    # the panel's maintenance ends: it is alerted, the lock still is not
    await hass.services.async_call(
        DOMAIN, "end_maintenance", {"device_id": [panel]}, blocking=True
    )
    await settle(hass)
    assert (state(hass, SWITCH), state(hass, LOCK_SWITCH)) == (STATE_OFF, STATE_ON)
    assert android.titles == [OFFLINE]

    # the whole provider's maintenance ends: the lock is alerted too
    await hass.services.async_call(
        DOMAIN,
        "end_maintenance",
        {"config_entry_id": entry_id, "device_id": panel},
        blocking=True,
    )
    await settle(hass)
    assert state(hass, LOCK_SWITCH) == STATE_OFF
    assert android.titles == [OFFLINE, "Door lock is offline"]


async def test_open_alert_during_maintenance_recovers_when_it_ends(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    """Alerted, then put in maintenance: silent (no reminders) until it ends."""
    await alerting_provider(
        hass, upstream, {PANEL: device}, phones=[android.device_id], repeat="30"
    )
    await outage(hass, freezer, device)
    alert_id = alert_id_of(android.pushes[0])
    await switch(hass, SWITCH, on=True)
    await advance(hass, freezer, *[30 * MINUTE] * 4)
    await recovery(hass, freezer, device)
    assert android.titles == [OFFLINE]

    await switch(hass, SWITCH, on=False)
    assert android.titles == [OFFLINE, "clear_notification", BACK]
    assert android.pushes[1] == android.body(clear(alert_id))
    assert notes(hass) == {}


async def test_maintenance_survives_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_storage: dict[str, Any],
) -> None:
    await alerting_provider(hass, upstream, {PANEL: device}, phones=[android.device_id])
    await switch(hass, SWITCH, on=True)
    assert hass_storage[alerting.ALERTS_STORE]["data"]["maintenance"] == [PANEL]

    await alerting.restart(hass)
    assert state(hass, SWITCH) == STATE_ON
    await outage(hass, freezer, device)
    await advance(hass, freezer, HOUR)
    assert android.pushes == []


async def test_status_page_maintenance_in_progress_holds_alerts(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    page: StatusPageServer,
) -> None:
    page.add_maintenance("Firmware rollout", "in_progress", [API])
    await alerting_provider(
        hass,
        upstream,
        {PANEL: device},
        phones=[android.device_id],
        status_page=page.base,
        status_components=[API],
    )
    await outage(hass, freezer, device)
    await advance(hass, freezer, *[10 * MINUTE] * 3)
    assert android.pushes == []
    assert state(hass, SWITCH) == STATE_OFF  # the page's, not the user's maintenance

    # the provider completes its maintenance; the system is still down
    page.maintenances.clear()
    for _ in range(11):
        await advance(hass, freezer, 30)
    assert android.titles == [OFFLINE]


@pytest.mark.parametrize(
    ("status", "component", "window"),
    [
        pytest.param(
            "scheduled", API, (timedelta(hours=2), timedelta(hours=3)), id="later"
        ),
        pytest.param(
            "in_progress",
            DASHBOARD,
            (timedelta(hours=-1), timedelta(hours=1)),
            id="unpicked-component",
        ),
    ],
)
async def test_status_page_maintenance_that_does_not_hold(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    page: StatusPageServer,
    status: str,
    component: str,
    window: tuple[timedelta, timedelta],
) -> None:
    page.add_maintenance("Planned work", status, [component], window)
    await alerting_provider(
        hass,
        upstream,
        {PANEL: device},
        phones=[android.device_id],
        status_page=page.base,
        status_components=[API],
    )
    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]


# --- quiet hours ----------------------------------------------------------------------


async def at_night(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> datetime:
    """Berlin, 22:30 on a winter night; returns that moment."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    night = datetime(2026, 1, 15, 22, 30, tzinfo=dt_util.get_time_zone("Europe/Berlin"))
    freezer.move_to(night)
    return night


QUIET = {"quiet_start": "22:00:00", "quiet_end": "07:00:00"}


async def quiet_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    **options: Any,
) -> datetime:
    """At night, with quiet hours, the panel goes offline; when the night began."""
    night = await at_night(hass, freezer)
    await alerting_provider(
        hass, upstream, {PANEL: device}, phones=[android.device_id], **QUIET, **options
    )
    await outage(hass, freezer, device)
    return night


async def until_first_push(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, phone: FakePhone, end: datetime
) -> datetime:
    """Move on a minute at a time until the phone gets a push; when it did."""
    before = len(phone.pushes)
    while len(phone.pushes) == before:
        assert dt_util.utcnow() < end, "no push"
        await advance(hass, freezer, MINUTE)
    return dt_util.as_local(dt_util.utcnow())


async def test_quiet_hours_hold_the_alert_until_they_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    night = await quiet_outage(hass, freezer, android, device, upstream)
    await jump(hass, freezer, night.replace(hour=6, minute=59) + timedelta(days=1))
    assert android.pushes == []
    assert notes(hass) == {}

    morning = night.replace(hour=7, minute=0) + timedelta(days=1)
    sent = await until_first_push(
        hass, freezer, android, morning + timedelta(minutes=10)
    )
    assert morning <= sent <= morning + timedelta(minutes=5)
    (push,) = android.pushes
    assert push["title"] == OFFLINE
    assert push["message"].startswith("Offline since 22:30 (8 h ")
    assert push["data"]["url"] == device_page(hass, PANEL)


async def test_quiet_hours_hold_reminders_and_send_one_when_they_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    night = await at_night(hass, freezer)
    freezer.move_to(night.replace(hour=21, minute=0))
    await alerting_provider(
        hass,
        upstream,
        {PANEL: device},
        phones=[android.device_id],
        repeat="30",
        **QUIET,
    )
    await outage(hass, freezer, device)
    await jump(hass, freezer, night.replace(hour=21, minute=59))
    assert android.titles == [OFFLINE, "Alarm panel is still offline"]  # 21:30
    for _ in range(9 * 6):
        await advance(hass, freezer, 10 * MINUTE)  # through the night, to 06:59
    assert dt_util.as_local(dt_util.utcnow()).hour == 6
    assert len(android.pushes) == 2
    await until_first_push(
        hass, freezer, android, night.replace(hour=7, minute=10) + timedelta(days=1)
    )
    assert android.titles[2:] == ["Alarm panel is still offline"]


@pytest.mark.parametrize(
    ("ignores_quiet", "held"),
    [
        pytest.param({}, False, id="critical-rings-by-default"),
        pytest.param({"critical_ignores_quiet": True}, False, id="critical-rings"),
        pytest.param({"critical_ignores_quiet": False}, True, id="critical-waits"),
    ],
)
async def test_critical_alerts_and_quiet_hours(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    ignores_quiet: dict[str, bool],
    held: bool,
) -> None:
    await quiet_outage(
        hass, freezer, android, device, upstream, critical=True, **ignores_quiet
    )
    if held:
        assert android.pushes == []
    else:
        (push,) = android.pushes
        assert push["data"]["channel"] == "alarm_stream"


async def test_outage_over_within_quiet_hours_is_never_told(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    night = await quiet_outage(hass, freezer, android, device, upstream)
    await advance(hass, freezer, *[30 * MINUTE] * 4)
    await recovery(hass, freezer, device)
    await jump(hass, freezer, night.replace(hour=9, minute=0) + timedelta(days=1))
    assert android.pushes == []
    assert notes(hass) == {}


# --- flapping -------------------------------------------------------------------------


async def test_flapping_system_gets_a_digest_not_a_pair_per_flap(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_provider(hass, upstream, {PANEL: device}, phones=[android.device_id])
    pair = [OFFLINE, "clear_notification", BACK]
    for _ in range(2):
        await outage(hass, freezer, device)
        await recovery(hass, freezer, device)
    assert android.titles == pair * 2

    # the third drop within 2 h: a digest (no buttons), then silence while it flaps
    await outage(hass, freezer, device)
    digest = android.pushes[-1]
    alert_id = digest["data"]["tag"].removeprefix("provider-watch-")
    assert digest == android.body(
        {
            "title": "Alarm panel keeps dropping offline",
            "message": (
                "Alarm panel went offline 3 times in the last 2 h. "
                "Alerts for it are summarised until it settles."
            ),
            "data": {
                "tag": f"provider-watch-{alert_id}",
                "group": "provider-watch-Acme Alarm",
                "url": device_page(hass, PANEL),
                "clickAction": device_page(hass, PANEL),
            },
        }
    )
    assert [n["title"] for n in notes(hass).values()] == [digest["title"]]
    for _ in range(3):
        await recovery(hass, freezer, device)
        await outage(hass, freezer, device)
    await recovery(hass, freezer, device)
    assert len(android.pushes) == 7  # six drops: 7 pushes, not 18

    # settled for an hour after the digest: it is cleared without a sound
    await advance(hass, freezer, *[5 * MINUTE] * 12)
    assert android.titles == [*pair, *pair, digest["title"], "clear_notification"]
    assert android.pushes[-1] == android.body(clear(alert_id))
    assert notes(hass) == {}

    # long after (the drops are older than 2 h): an outage is alerted as usual
    await advance(hass, freezer, *[30 * MINUTE] * 4)
    await outage(hass, freezer, device)
    assert android.titles[-1] == OFFLINE


async def test_flapping_system_still_down_after_an_hour_gets_a_new_digest(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await alerting_provider(hass, upstream, {PANEL: device}, phones=[android.device_id])
    for _ in range(3):
        await outage(hass, freezer, device)
        await recovery(hass, freezer, device)
    await outage(hass, freezer, device)  # the 4th drop, while the digest rests
    assert android.titles[-1] == "Alarm panel keeps dropping offline"
    count = len(android.pushes)

    await advance(hass, freezer, *[5 * MINUTE] * 13)
    assert len(android.pushes) == count + 1
    assert android.pushes[-1]["message"].startswith(
        "Alarm panel went offline 4 times in the last 2 h."
    )
