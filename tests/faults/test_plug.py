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
from datetime import datetime
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
)
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from ..helpers import settle
from .bench import PANEL, Bench, http_data
from .servers import FaultyDevice
from .test_catalogue import START

PLUG = "switch.router_plug"
POWER = "input_boolean.router_power"
LOCK = "system_door_lock"


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
    """The router's plug: a template switch backed by an input_boolean."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"router_power": {"initial": True}}}
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
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": POWER},
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
