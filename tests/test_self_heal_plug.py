"""Self-heal per plug: systems that share a target, and a plug that must come on.

Two systems behind one smart plug (a router that powers both, say) share its
power-cycle, its re-check window and its daily cap. A plug that refuses turn_on is
asked again for a while, and a plug Provider Watch left off is turned on at the next
start. The plugs are real template switches (backed by input_booleans); the one
that refuses turn_on does so as often as its counter says.
"""

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.const import DOMAIN
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
from testkit.simulated import LOCALHOST, SimulatedDevice

from . import alerting
from .alerting import FakePhone, local_hhmm, notes, wait_for
from .helpers import (
    http_system,
    provider_entry,
    settle,
    setup_entry,
    setup_internet,
    state,
)
from .test_self_heal import (
    HEALED,
    PLUG,
    Scene,
    heal_manager,
    heal_settings,
    home,
    scene,
)

gateway = alerting.gateway
app_client = alerting.app_client
android = alerting.android
_fixtures = (home, scene)

PANEL = "system_alarm_panel"
LOCK = "system_door_lock"
LOCK_HEALED = "Door lock was fixed by self-heal"


@pytest.fixture
async def lock_device(socket_enabled: None) -> AsyncGenerator[SimulatedDevice]:
    """The door lock: a second device, behind the same plug as the panel."""
    async with SimulatedDevice() as simulated:
        yield simulated


def plug_powers(
    hass: HomeAssistant, *devices: SimulatedDevice, comes_back: bool = True
) -> list[datetime]:
    """The plug powers the devices: off stops them, on starts them (comes_back).

    Returns when the plug went off.
    """
    offs: list[datetime] = []

    @callback
    def on_change(event: Event[Any]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None or old is None or old.state == new.state:
            return
        if new.state == STATE_OFF:
            offs.append(dt_util.utcnow())
            for device in devices:
                hass.async_create_task(device.stop())
        elif new.state == STATE_ON and comes_back:
            for device in devices:
                if not device.running:
                    hass.async_create_task(device.start())

    async_track_state_change_event(hass, [PLUG], on_change)
    return offs


def two_systems_entry(
    scene: Scene, lock: SimulatedDevice, phones: list[FakePhone], **heal: Any
) -> MockConfigEntry:
    """The panel (120 s wait) and the door lock (150 s wait), both on the hub plug."""
    return provider_entry(
        {
            PANEL: http_system(scene.device.url, **heal_settings(**heal)),
            LOCK: http_system(lock.url, **heal_settings(**heal | {"heal_delay": 150})),
        },
        options={"phones": [p.device_id for p in phones]},
    )


async def two_systems(
    scene: Scene, lock: SimulatedDevice, phones: list[FakePhone], **heal: Any
) -> MockConfigEntry:
    """The internet check, and the panel and the door lock set up."""
    await setup_internet(scene.hass, f"{LOCALHOST}:{scene.upstream.port}")
    return await setup_entry(scene.hass, two_systems_entry(scene, lock, phones, **heal))


def offline(entry: MockConfigEntry, system_id: str) -> bool:
    return bool(entry.runtime_data.systems[system_id].data.offline)


def tried(entry: MockConfigEntry, system_id: str) -> Any:
    """What self-heal noted on the system's latest outage."""
    records = [
        r for r in entry.runtime_data.history.latest(10) if r.system_id == system_id
    ]
    return records[0].self_heal


async def both_down(
    scene: Scene, entry: MockConfigEntry, lock: SimulatedDevice
) -> None:
    await scene.device.stop()
    await lock.stop()
    await scene.wait_for(lambda: offline(entry, PANEL) and offline(entry, LOCK))


# --- item 6: the limits are the plug's --------------------------------------------


async def test_two_systems_behind_one_plug_share_one_power_cycle(
    hass: HomeAssistant,
    scene: Scene,
    home: None,
    lock_device: SimulatedDevice,
    android: FakePhone,
) -> None:
    offs = plug_powers(hass, scene.device, lock_device)
    entry = await two_systems(scene, lock_device, [android])
    await both_down(scene, entry, lock_device)
    manager = heal_manager(hass)
    assert manager.holds(PANEL)
    assert manager.holds(LOCK)

    await scene.wait_for(
        lambda: not offline(entry, PANEL) and not offline(entry, LOCK), limit=900
    )
    await scene.advance(*[60] * 10)
    # one power-cycle, not one per system 30 s apart
    assert len(offs) == 1
    assert sorted(android.titles) == sorted([HEALED, LOCK_HEALED])
    assert notes(hass) == {}
    # both outages note it, and the plug's cap counted it once
    for system_id in (PANEL, LOCK):
        mark = tried(entry, system_id)
        assert mark.healed is True
        assert [t["at"] for t in mark.tried] == [offs[0].isoformat()]
    assert manager.attempts_today(PLUG, dt_util.utcnow()) == 1


async def test_the_second_system_is_held_while_the_cycle_is_rechecked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    scene: Scene,
    home: None,
    lock_device: SimulatedDevice,
    android: FakePhone,
) -> None:
    freezer.move_to(dt_util.start_of_local_day() + timedelta(hours=9))
    offs = plug_powers(hass, scene.device, lock_device, comes_back=False)
    entry = await two_systems(scene, lock_device, [android], heal_daily_max=1)
    await both_down(scene, entry, lock_device)
    since = heal_manager(hass).systems[PANEL].offline_since
    assert since is not None

    # the panel's cycle at 120 s; the door lock's alert is held through its window
    await scene.wait_for(lambda: bool(offs), step=1)
    await scene.advance(*[10] * 29)  # to 410 s: within the cycle's window
    assert heal_manager(hass).holds(LOCK)
    assert len(offs) == 1
    await wait_for(hass, freezer, lambda: len(android.pushes) >= 2, step=5, limit=200)
    assert sorted(android.titles) == ["Alarm panel is offline", "Door lock is offline"]
    line = f"Power-cycled Hub plug at {local_hhmm(offs[0])}, still offline."
    assert all(push["message"].endswith(line) for push in android.pushes)
    assert len(offs) == 1
    assert state(hass, PLUG) == STATE_ON
    for system_id in (PANEL, LOCK):
        mark = tried(entry, system_id)
        assert (mark.healed, mark.reason) == (False, "still_offline")
        assert [t["at"] for t in mark.tried] == [offs[0].isoformat()]


async def test_the_daily_cap_counts_per_plug(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    scene: Scene,
    home: None,
    lock_device: SimulatedDevice,
    android: FakePhone,
) -> None:
    freezer.move_to(dt_util.start_of_local_day() + timedelta(hours=9))
    offs = plug_powers(hass, scene.device)  # the plug powers only the panel now
    entry = await two_systems(scene, lock_device, [android], heal_daily_max=1)
    await scene.device.stop()
    await scene.wait_for(lambda: offline(entry, PANEL))
    await scene.wait_for(lambda: not offline(entry, PANEL), limit=900)
    assert len(offs) == 1
    # later that day the door lock fails: the plug had its cycle for today
    await scene.advance(*[60] * 30)
    await lock_device.stop()
    await scene.wait_for(lambda: offline(entry, LOCK))
    assert android.titles == [HEALED, "Door lock is offline"]
    assert android.pushes[1]["message"].endswith(
        "Self-heal skipped: the most attempts for a day were made already."
    )
    assert len(offs) == 1
    assert heal_manager(hass).attempts_today(LOCK, dt_util.utcnow()) == 1


async def test_stored_attempts_per_system_move_to_their_plug(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    scene: Scene,
    home: None,
    lock_device: SimulatedDevice,
    android: FakePhone,
) -> None:
    """Version 1 counted attempts per system: on load they count for the plug."""
    freezer.move_to(dt_util.start_of_local_day() + timedelta(hours=9))
    earlier = dt_util.utcnow() - timedelta(hours=1)
    hass_storage[f"{DOMAIN}.self_heal"] = {
        "version": 1,
        "key": f"{DOMAIN}.self_heal",
        "data": {
            "attempts": {
                PANEL: [earlier.isoformat()],
                LOCK: [(earlier + timedelta(seconds=30)).isoformat()],
                "system_gone": [earlier.isoformat()],
            }
        },
    }
    # Home Assistant starts with the provider's entry already there
    two_systems_entry(scene, lock_device, [android]).add_to_hass(hass)
    await setup_internet(hass, f"{LOCALHOST}:{scene.upstream.port}")
    await settle(hass)
    manager = heal_manager(hass)
    now = dt_util.utcnow()
    assert manager.attempts_today(PLUG, now) == 2
    assert manager.attempts_today(PANEL, now) == 2
    saved = hass_storage[f"{DOMAIN}.self_heal"]
    assert saved["version"] == 2
    assert set(saved["data"]["attempts"]) == {PLUG}
