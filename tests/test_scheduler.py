"""A provider's checks on one scheduler: due together, quiet when nothing changed."""

from freezegun.api import FrozenDateTimeFactory

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from testkit.simulated import SimulatedDevice

from .helpers import advance, http_system, provider_entry, setup_entry, state

SYSTEMS = 20  # more than one batch of checks started at once (scheduler.CHUNK)


async def test_a_providers_systems_are_checked_together(
    hass: HomeAssistant, device: SimulatedDevice, freezer: FrozenDateTimeFactory
) -> None:
    """Every system is checked once per interval, each on time, in one tick."""
    entry = await setup_entry(
        hass,
        provider_entry(
            {f"system_panel_{i}": http_system(device.url) for i in range(SYSTEMS)}
        ),
    )
    assert device.requests == SYSTEMS  # the first checks
    scheduler = entry.runtime_data.scheduler
    # eight systems to a timer (scheduler.CHUNK), all in the same second
    assert len(scheduler._timers) == 3
    assert len({int(tick) for tick in scheduler._timers}) == 1
    await advance(hass, freezer, 30)
    assert device.requests == 2 * SYSTEMS
    await advance(hass, freezer, 30, 30)
    assert device.requests == 4 * SYSTEMS
    # the device fails: every system is pending, re-checked at the fast interval
    device.status = 503
    await advance(hass, freezer, 30)
    assert device.requests == 5 * SYSTEMS
    assert state(hass, "sensor.panel_0_status") == "pending"
    device.status = 200
    await advance(hass, freezer, 5)  # every pending one re-checked, online again
    assert state(hass, "sensor.panel_0_status") == "online"


async def test_no_check_once_home_assistant_stops(
    hass: HomeAssistant, device: SimulatedDevice, freezer: FrozenDateTimeFactory
) -> None:
    """Nothing is checked in Home Assistant's close stage (its session is closed)."""
    entry = await setup_entry(
        hass,
        provider_entry(
            {f"system_panel_{i}": http_system(device.url) for i in range(3)}
        ),
    )
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await advance(hass, freezer, 30, 30)
    assert device.requests == 3  # the first checks only
    # a check asked for now (a service, a self-heal) is not put on the timer either
    await entry.runtime_data.systems["system_panel_0"].async_refresh()
    await advance(hass, freezer, 30)
    assert device.requests == 4


async def test_last_seen_follows_every_check(
    hass: HomeAssistant,
    device: SimulatedDevice,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """A check that changes nothing else still moves "last seen" (when enabled)."""
    entry = await setup_entry(
        hass, provider_entry({"system_panel": http_system(device.url)})
    )
    last_seen = "sensor.panel_last_seen_online"
    entity_registry.async_update_entity(last_seen, disabled_by=None)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await advance(hass, freezer, 1)
    before = state(hass, last_seen)
    status_changed = hass.states.get("sensor.panel_status").last_changed
    await advance(hass, freezer, 30)
    assert state(hass, last_seen) != before
    # the status was not written again
    assert hass.states.get("sensor.panel_status").last_changed == status_changed


async def test_a_check_asked_for_moves_the_next_one(
    hass: HomeAssistant, device: SimulatedDevice, freezer: FrozenDateTimeFactory
) -> None:
    """A check asked for now replaces the one that was due: no second check then."""
    entry = await setup_entry(
        hass,
        provider_entry(
            {f"system_panel_{i}": http_system(device.url) for i in range(2)}
        ),
    )
    scheduler = entry.runtime_data.scheduler
    assert device.requests == 2
    await advance(hass, freezer, 10)  # a third of the way to the next check
    await entry.runtime_data.systems["system_panel_0"].async_refresh()
    assert device.requests == 3
    # its next check is a whole interval from now: one timer more, none fired twice
    assert len(scheduler._timers) == 2
    await advance(hass, freezer, 20)  # the other system's turn only
    assert device.requests == 4
    await advance(hass, freezer, 10)  # now the one checked in between
    assert device.requests == 5
    # and from then on each once per interval
    await advance(hass, freezer, 30)
    assert device.requests == 7
