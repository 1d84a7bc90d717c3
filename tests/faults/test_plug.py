"""Fault catalogue: the smart plug self-heal power-cycles (issue 15, items 6 and 7).

Each case runs on the bench (bench.py) with a real plug: a template switch backed by
an input_boolean, whose turning off cuts the power of the faulty device (a router,
say: every system behind it goes down) and whose turning on starts it again. Each
case breaks something and ends with `bench.verify`: no unhandled exception, no false
or repeated offline, one first push per outage and phone (a quiet "fixed by
self-heal" push counts), an outage record for every outage, and a clear log line.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Any

import pytest

from custom_components.provider_watch.const import (
    CONF_HEAL_ATTEMPTS,
    CONF_HEAL_DAILY_MAX,
    CONF_HEAL_DELAY,
    CONF_HEAL_ENTITY,
    CONF_HEAL_NOTIFY,
    CONF_HEAL_OFF_TIME,
    CONF_HEAL_RECHECK,
    DOMAIN,
)
from custom_components.provider_watch.hub import DATA_SELF_HEAL
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from ..alerting import restart
from ..helpers import settle
from .bench import PANEL, Bench, http_data
from .servers import FaultyDevice
from .test_catalogue import START

PLUG = "switch.router_plug"
POWER = "input_boolean.router_power"
REFUSALS = "counter.router_plug_refusals"  # turn_on refused while it is above 0
LOCK = "system_door_lock"
STORE = f"{DOMAIN}.self_heal"
REFUSED = "Self-heal stopped: Router plug did not accept the command."


@dataclass(frozen=True, kw_only=True)
class PlugKit:
    """The faulty device (the router behind the plug) and the plug's power-offs."""

    device: FaultyDevice
    offs: list[datetime]


type Run = Callable[[Bench, PlugKit], Awaitable[None]]
CASES: dict[str, Run] = {}


def fault(name: str) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        CASES[name] = run
        return run

    return register


async def plug(hass: HomeAssistant) -> None:
    """The router's plug: a template switch backed by an input_boolean.

    Its turn_on fails (a service that does not exist) while REFUSALS is above 0.
    """
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"router_power": {"initial": True}}}
    )
    assert await async_setup_component(
        hass, "counter", {"counter": {"router_plug_refusals": {"initial": 0}}}
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "switch": [
                        {
                            "name": "Router plug",
                            "state": f"{{{{ is_state('{POWER}', 'on') }}}}",
                            "turn_on": {
                                "if": f"{{{{ states('{REFUSALS}') | int > 0 }}}}",
                                "then": [
                                    {
                                        "action": "counter.decrement",
                                        "target": {"entity_id": REFUSALS},
                                    },
                                    {"action": "router.not_answering"},
                                ],
                                "else": {
                                    "action": "input_boolean.turn_on",
                                    "target": {"entity_id": POWER},
                                },
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": POWER},
                            },
                        }
                    ]
                }
            ]
        },
    )
    await settle(hass)


def powers(hass: HomeAssistant, device: FaultyDevice) -> list[datetime]:
    """The plug powers the device: off stops it, on starts it; when it went off."""
    offs: list[datetime] = []

    @callback
    def on_change(event: Event[Any]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None or old is None or old.state == new.state:
            return
        if new.state == STATE_OFF:
            offs.append(dt_util.utcnow())
            hass.async_create_task(device.stop())
        elif new.state == STATE_ON and not device.running:
            hass.async_create_task(device.start())

    async_track_state_change_event(hass, [PLUG], on_change)
    return offs


def heal(delay: int, **overrides: Any) -> dict[str, Any]:
    """Self-heal with the router plug: `delay` s wait, one attempt, 300 s window."""
    return {
        CONF_HEAL_ENTITY: PLUG,
        CONF_HEAL_DELAY: delay,
        CONF_HEAL_ATTEMPTS: 1,
        CONF_HEAL_DAILY_MAX: 3,
        CONF_HEAL_OFF_TIME: 10,
        CONF_HEAL_RECHECK: 300,
        CONF_HEAL_NOTIFY: "quiet",
    } | overrides


def offline(b: Bench, *system_ids: str) -> bool:
    return all(b.system(system_id).data.offline for system_id in system_ids)


def online(b: Bench, *system_ids: str) -> bool:
    return not any(b.system(system_id).data.offline for system_id in system_ids)


# --- item 6: the limits are the plug's ----------------------------------------------


@fault("two_systems_behind_one_plug")
async def two_systems_behind_one_plug(b: Bench, k: PlugKit) -> None:
    """The router hangs: the panel and the door lock behind it both go offline.

    One power-cycle (not one per system, 30 s apart); both outages note it, both
    systems come back, each with its quiet push; the plug's cap counted it once.
    """
    b.clock.move_to(START)
    await b.provider(
        {
            PANEL: http_data(f"{k.device.base}/panel", **heal(120)),
            LOCK: http_data(f"{k.device.base}/lock", **heal(150)),
        }
    )
    await k.device.stop()
    await b.until(lambda: offline(b, PANEL, LOCK))
    await b.until(lambda: online(b, PANEL, LOCK), limit=900)
    await b.advance(*[60] * 5)
    assert len(k.offs) == 1
    for record in b.records():
        assert record["self_heal"]["healed"] is True
        assert [t["at"] for t in record["self_heal"]["tried"]] == [
            k.offs[0].isoformat()
        ]
    assert b.hass.states.get(PLUG).state == STATE_ON
    b.verify(
        offline=2,
        online=2,
        alerts=2,  # the quiet "was fixed by self-heal" push of each system
        log=f"Door lock is offline: self-heal attempt 1, power_cycle {PLUG}, shared",
    )


# --- item 7: the plug must come on again ------------------------------------------


async def refuse(hass: HomeAssistant, times: int) -> None:
    """The plug refuses the next `times` turn_on calls."""
    await hass.services.async_call(
        "counter", "set_value", {"entity_id": REFUSALS, "value": times}, blocking=True
    )


def left_off(b: Bench) -> dict[str, str]:
    """The switches the self-heal store remembers as left off by Provider Watch."""
    return dict(b.storage[STORE]["data"].get("off", {}))


@fault("plug_refuses_turn_on_three_times")
async def plug_refuses_turn_on_three_times(b: Bench, k: PlugKit) -> None:
    """The plug goes off, then refuses turn_on three times: asked again until on.

    The held alert goes out at the first refusal (it says so); the plug is on at
    the fourth try, 40 + 80 + 160 s later, and the system is back.
    """
    b.clock.move_to(START)
    await refuse(b.hass, 3)
    await b.provider({PANEL: http_data(k.device.url, **heal(0))})
    await k.device.stop()
    await b.until(lambda: bool(k.offs), step=1)
    await b.until(lambda: bool(b.phones[0].pushes), step=1, limit=30)
    assert b.phones[0].pushes[0]["message"].endswith(REFUSED)
    await b.until(lambda: b.hass.states.get(PLUG).state == STATE_ON, limit=600)
    assert dt_util.utcnow() - k.offs[0] == timedelta(seconds=10 + 40 + 80 + 160)
    await b.until(lambda: online(b, PANEL))
    assert left_off(b) == {}
    assert not b.issues()
    b.verify(offline=1, online=1, log=f"{PLUG} did not turn on (try 3 of 5)")


@fault("plug_never_turns_on_again")
async def plug_never_turns_on_again(b: Bench, k: PlugKit) -> None:
    """Every turn_on refused: five tries over ten minutes, then a repair issue."""
    b.clock.move_to(START)
    await refuse(b.hass, 99)
    await b.provider({PANEL: http_data(k.device.url, **heal(0))})
    await k.device.stop()
    await b.until(lambda: bool(k.offs), step=1)
    await b.until(lambda: bool(b.issues()), step=10, limit=700)
    assert dt_util.utcnow() - k.offs[0] <= timedelta(seconds=10 + 600 + 10)
    assert list(b.issues()) == [f"self_heal_switch_off_{PLUG}"]
    assert left_off(b) == {PLUG: k.offs[0].isoformat()}  # the next start tries again
    assert b.hass.states.get(PLUG).state == STATE_OFF
    await b.advance(*[60] * 10)  # not asked again
    assert b.hass.states.get(REFUSALS).state == "94"
    b.verify(
        offline=1,
        log=f"{PLUG} did not turn on after 5 tries and is left off",
        log_level=logging.ERROR,
    )
    # the owner turns it on by hand: the issue goes, the plug is ours no more
    await refuse(b.hass, 0)
    await b.hass.services.async_call(
        "switch", "turn_on", {"entity_id": PLUG}, blocking=True
    )
    await settle(b.hass)
    assert not b.issues()
    assert left_off(b) == {}


@fault("restart_mid_power_cycle")
async def restart_mid_power_cycle(b: Bench, k: PlugKit) -> None:
    """Home Assistant stops in the off-wait, the plug refusing its last turn_on.

    The switch was remembered before it was turned off; the next start turns it on
    (the router, and the system behind it, come back).
    """
    b.clock.move_to(START)
    await b.provider({PANEL: http_data(k.device.url, **heal(120))})
    await k.device.stop()
    await b.until(lambda: bool(k.offs), step=1)
    assert left_off(b) == {PLUG: k.offs[0].isoformat()}
    await refuse(b.hass, 1)
    b.hass.data[DATA_SELF_HEAL].async_stop()  # what Home Assistant's stop does
    await settle(b.hass)
    assert b.hass.states.get(PLUG).state == STATE_OFF
    await restart(b.hass)
    assert b.hass.states.get(PLUG).state == STATE_ON
    await b.until(lambda: online(b, PANEL))
    assert left_off(b) == {}
    b.verify(offline=1, online=1, log=f"{PLUG} was left off by us: turned on")


@fault("killed_mid_power_cycle")
async def killed_mid_power_cycle(b: Bench, k: PlugKit) -> None:
    """Killed in the off-wait (no stop at all): the saved store turns it on.

    What was on disk: the plug remembered as left off by us (and its attempt); the
    plug off. At the start it is turned on, the router comes back: no false alert.
    """
    b.clock.move_to(START)
    await b.provider({PANEL: http_data(k.device.url, **heal(120))})
    b.storage[STORE] = {
        "version": 2,
        "key": STORE,
        "data": {
            "attempts": {PLUG: [START.isoformat()]},
            "off": {PLUG: START.isoformat()},
        },
    }
    await b.hass.services.async_call(
        "input_boolean", "turn_off", {"entity_id": POWER}, blocking=True
    )
    await settle(b.hass)  # the router has no power
    assert not k.device.running
    await restart(b.hass)
    assert b.hass.states.get(PLUG).state == STATE_ON
    assert left_off(b) == {}
    await b.advance(*[30] * 10)
    assert online(b, PANEL)
    assert b.hass.data[DATA_SELF_HEAL].attempts_today(PLUG, START) == 1
    b.verify(offline=0, log=f"{PLUG} was left off by us: turned on")


# --- the test -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "run", [pytest.param(run, id=name) for name, run in CASES.items()]
)
async def test_plug_fault(
    run: Run,
    request: pytest.FixtureRequest,
    make_bench: Callable[..., Awaitable[Bench]],
    faulty_device: FaultyDevice,
    hass: HomeAssistant,
) -> None:
    bench = await make_bench(request.getfixturevalue("freezer"))
    await plug(hass)
    kit = PlugKit(device=faulty_device, offs=powers(hass, faulty_device))
    await run(bench, kit)
