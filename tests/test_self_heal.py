"""Self-heal end to end: real entities, a real device, real phones, time travel.

The hub hangs on a smart plug: a template switch (backed by an input_boolean) whose
turning on starts the simulated device again, as a power-cycle would. A template
button and a script stand in for the other kinds of remediation.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.provider_watch.const import (
    CONF_HEAL_ATTEMPTS,
    CONF_HEAL_DAILY_MAX,
    CONF_HEAL_DELAY,
    CONF_HEAL_ENTITY,
    CONF_HEAL_NOTIFY,
    CONF_HEAL_OFF_TIME,
    CONF_HEAL_RECHECK,
    DOMAIN,
    EVENT_SELF_HEAL,
)
from custom_components.provider_watch.hub import DATA_SELF_HEAL
from custom_components.provider_watch.kinds.form import self_heal_errors
from custom_components.provider_watch.logic.policy import Record
from custom_components.provider_watch.self_heal.manager import SelfHealManager
from custom_components.provider_watch.self_heal.telling import issue_id
from custom_components.provider_watch.settings import heal_target as heal_settings_of
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from testkit.simulated import LOCALHOST, SimulatedDevice

from . import alerting
from .alerting import (
    OFFLINE,
    PANEL,
    FakePhone,
    local_hhmm,
    manager,
    notes,
    outage,
    restart,
    wait_for,
)
from .helpers import (
    advance,
    configure,
    http_system,
    new_subentry,
    provider_entry,
    section_schema,
    settle,
    setup_entry,
    setup_internet,
    start_system_flow,
    start_system_reconfigure,
    state,
    submit_system_form,
    suggested,
)

gateway = alerting.gateway
app_client = alerting.app_client
android = alerting.android
iphone = alerting.iphone

PLUG = "switch.hub_plug"
POWER = "input_boolean.hub_power"
STUBBORN = "switch.stubborn_plug"  # refuses turn_on while REFUSALS is above 0
STUBBORN_POWER = "input_boolean.stubborn_power"
REFUSALS = "counter.stubborn_refusals"
BUTTON = "button.hub_reset"
SCRIPT = "script.restart_hub"
GLOBAL = "switch.internet_connection_self_heal"
MAINTENANCE = "switch.alarm_panel_maintenance"
HEALED = "Alarm panel was fixed by self-heal"
CONNECTIVITY = "binary_sensor.alarm_panel_connectivity"


# --- the home: a plug, a button, a script ---------------------------------------------


@pytest.fixture
async def home(hass: HomeAssistant) -> None:
    """The hub's smart plug, a reset button and a restart script."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {
            "input_boolean": {
                "hub_power": {"initial": True},
                "flaky_power": {"initial": True},
                "stubborn_power": {"initial": True},
                "jammed_power": {"initial": True},
            }
        },
    )
    assert await async_setup_component(
        hass, "counter", {"counter": {"stubborn_refusals": {"initial": 0}}}
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "switch": [
                        {
                            "name": "Hub plug",
                            "state": "{{ is_state('input_boolean.hub_power', 'on') }}",
                            "turn_on": {
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": POWER},
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": POWER},
                            },
                        },
                        {  # refuses turn_on as often as its counter says
                            "name": "Stubborn plug",
                            "state": f"{{{{ is_state('{STUBBORN_POWER}', 'on') }}}}",
                            "turn_on": {
                                "if": f"{{{{ states('{REFUSALS}') | int > 0 }}}}",
                                "then": [
                                    {
                                        "action": "counter.decrement",
                                        "target": {"entity_id": REFUSALS},
                                    },
                                    {"action": "hub.nope"},
                                ],
                                "else": {
                                    "action": "input_boolean.turn_on",
                                    "target": {"entity_id": STUBBORN_POWER},
                                },
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": STUBBORN_POWER},
                            },
                        },
                        {  # refuses turn_off
                            "name": "Jammed plug",
                            "state": "{{ is_state(jammed, 'on') }}",
                            "variables": {"jammed": "input_boolean.jammed_power"},
                            "turn_on": {
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": "input_boolean.jammed_power"},
                            },
                            "turn_off": {"action": "hub.nope"},
                        },
                        {  # goes off, but never on again
                            "name": "Flaky plug",
                            "state": "{{ is_state(flaky, 'on') }}",
                            "variables": {"flaky": "input_boolean.flaky_power"},
                            "turn_on": {"action": "hub.nope"},
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": "input_boolean.flaky_power"},
                            },
                        },
                    ],
                    "button": [
                        {"name": "Hub reset", "press": {"event": "hub_reset_pressed"}},
                        # its action does not exist: the press fails
                        {"name": "Broken", "press": {"action": "hub.nope"}},
                    ],
                }
            ]
        },
    )
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "restart_hub": {
                    "alias": "Restart hub",
                    "sequence": [{"event": "hub_script_ran"}],
                }
            }
        },
    )
    await settle(hass)
    assert state(hass, PLUG) == STATE_ON


def power_comes_back(hass: HomeAssistant, device: SimulatedDevice) -> list[datetime]:
    """The device starts when the plug is turned on; returns when it went off."""
    offs: list[datetime] = []

    @callback
    def on_change(event: Event[Any]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None or old is None or old.state == new.state:
            return
        if new.state == STATE_OFF:
            offs.append(dt_util.utcnow())
        elif new.state == STATE_ON and not device.running:
            hass.async_create_task(device.start())

    async_track_state_change_event(hass, [PLUG], on_change)
    return offs


def plug_offs(hass: HomeAssistant) -> list[datetime]:
    """When the plug was turned off (the device does not come back)."""
    offs: list[datetime] = []

    @callback
    def on_change(event: Event[Any]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if (
            new is not None
            and old is not None
            and new.state != old.state
            and new.state == STATE_OFF
        ):
            offs.append(dt_util.utcnow())

    async_track_state_change_event(hass, [PLUG], on_change)
    return offs


def device_starts_on(
    hass: HomeAssistant, device: SimulatedDevice, event_type: str, *, nth: int = 1
) -> list[tuple[datetime, Context]]:
    """When an event (a button's press, a script's run) was fired, and its context.

    The nth one starts the device again.
    """
    fired: list[tuple[datetime, Context]] = []

    @callback
    def on_event(event: Event[Any]) -> None:
        fired.append((dt_util.utcnow(), event.context))
        if len(fired) == nth:
            hass.async_create_task(device.start())

    hass.bus.async_listen(event_type, on_event)
    return fired


def heal_settings(entity_id: str = PLUG, **overrides: Any) -> dict[str, Any]:
    return {
        CONF_HEAL_ENTITY: entity_id,
        CONF_HEAL_DELAY: 120,
        CONF_HEAL_ATTEMPTS: 1,
        CONF_HEAL_DAILY_MAX: 3,
        CONF_HEAL_OFF_TIME: 10,
        CONF_HEAL_RECHECK: 300,
        CONF_HEAL_NOTIFY: "quiet",
    } | overrides


async def panel_provider(
    hass: HomeAssistant,
    upstream: SimulatedDevice,
    device: SimulatedDevice,
    phones: list[FakePhone | str],
    **heal: Any,
) -> MockConfigEntry:
    """The internet check and Acme Alarm, whose panel self-heals."""
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    return await setup_entry(
        hass,
        provider_entry(
            {PANEL: http_system(device.url, **heal_settings(**heal))},
            options={
                "phones": [p if isinstance(p, str) else p.device_id for p in phones]
            },
        ),
    )


@dataclass(frozen=True)
class Scene:
    """What the time-travel tests act on: Home Assistant, its clock, the panel (a
    simulated device) and "the internet"; the self-heal events fired since set-up.
    """

    hass: HomeAssistant
    freezer: FrozenDateTimeFactory
    device: SimulatedDevice
    upstream: SimulatedDevice
    events: list[Event[Any]]

    async def provider(
        self, phones: list[FakePhone | str], **heal: Any
    ) -> MockConfigEntry:
        """Acme Alarm alerting these phones; its panel self-heals (`heal_settings`)."""
        return await panel_provider(
            self.hass, self.upstream, self.device, phones, **heal
        )

    async def outage(self) -> None:
        """The panel goes down; wait until it is offline."""
        await outage(self.hass, self.freezer, self.device)

    async def advance(self, *steps: float) -> None:
        await advance(self.hass, self.freezer, *steps)

    async def wait_for(
        self, done: Callable[[], bool], *, step: float = 5, limit: float = 600
    ) -> float:
        return await wait_for(self.hass, self.freezer, done, step=step, limit=limit)

    async def back_online(self, limit: float = 900) -> float:
        """Wait until the panel reads online; the seconds it took."""
        return await self.wait_for(
            lambda: state(self.hass, CONNECTIVITY) == STATE_ON, limit=limit
        )

    async def panel_down(
        self, phones: list[FakePhone | str], **heal: Any
    ) -> tuple[MockConfigEntry, list[datetime]]:
        """Acme Alarm set up and the panel down (self-heal waits).

        The entry, and when the plug is turned off (the device does not come back).
        """
        offs = plug_offs(self.hass)
        entry = await self.provider(phones, **heal)
        await self.outage()
        return entry, offs

    async def plug_turned_off(
        self, phones: list[FakePhone | str], **heal: Any
    ) -> tuple[MockConfigEntry, list[datetime]]:
        """`panel_down`, then wait until self-heal turns the plug off."""
        entry, offs = await self.panel_down(phones, **heal)
        await self.wait_for(lambda: bool(offs), step=1)
        return entry, offs

    def results(self) -> list[tuple[str, str | None]]:
        """The self-heal events so far: (result, reason)."""
        return [(e.data["result"], e.data["reason"]) for e in self.events]


@pytest.fixture
async def scene(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> Scene:
    """The panel and the internet up; self-heal events captured from here on."""
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    return Scene(hass, freezer, device, upstream, events)


@pytest.fixture
async def heal_entry(
    hass: HomeAssistant, home: None, device: SimulatedDevice, upstream: SimulatedDevice
) -> MockConfigEntry:
    """Acme Alarm with a self-healing panel and no phones (for the form tests)."""
    return await panel_provider(hass, upstream, device, [])


async def switch(
    hass: HomeAssistant, entity_id: str, service: str, context: Context | None = None
) -> None:
    """Call switch.turn_on / switch.turn_off for an entity and wait for it."""
    await hass.services.async_call(
        "switch", service, {"entity_id": entity_id}, blocking=True, context=context
    )


def heal_manager(hass: HomeAssistant) -> SelfHealManager:
    return hass.data[DATA_SELF_HEAL]


def offline_since(hass: HomeAssistant) -> datetime:
    since = heal_manager(hass).systems[PANEL].offline_since
    assert since is not None
    return since


def repair(hass: HomeAssistant) -> ir.IssueEntry | None:
    """The repair self-heal raised for the panel's target, if there is one."""
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id(PANEL))


def last_outage(entry: MockConfigEntry) -> Any:
    (record,) = entry.runtime_data.history.latest(1)
    return record


# --- it works -------------------------------------------------------------------------


async def test_power_cycle_heals_quietly(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone, iphone: FakePhone
) -> None:
    offs = power_comes_back(hass, scene.device)
    entry = await scene.provider([android, iphone])

    await scene.outage()
    since = offline_since(hass)
    assert heal_manager(hass).holds(PANEL)
    assert manager(hass).records == {}  # the alert is held
    assert notes(hass) == {}

    took = await scene.back_online()
    # the plug went off 120 s after the outage was confirmed, for 10 s
    assert offs == [since + timedelta(seconds=120)]
    assert took < 160  # back within seconds of the plug (fast re-checks)
    assert not heal_manager(hass).holds(PANEL)

    # nobody was alerted; a quiet push says what happened
    await scene.advance(*[60] * 10)
    assert manager(hass).records == {}
    assert notes(hass) == {}
    assert android.titles == iphone.titles == [HEALED]
    outage_start = last_outage(entry).start
    message = (
        f"Alarm panel went offline at {local_hhmm(outage_start)}. Power-cycled Hub "
        f"plug at {local_hhmm(offs[0])}; it was back online after "
    )
    assert android.pushes[0]["message"].startswith(message)
    assert android.pushes[0]["message"].endswith(". Nothing to do.")
    data = android.pushes[0]["data"]
    assert data["importance"] == "low"
    assert data["channel"] == "Self-heal"
    assert data["tag"] == f"provider-watch-heal-{PANEL}"
    assert "actions" not in data
    assert iphone.pushes[0]["data"]["push"] == {"interruption-level": "passive"}
    assert "importance" not in iphone.pushes[0]["data"]

    # the outage is closed as self-healed, with what was tried
    record = last_outage(entry)
    assert record.end is not None
    assert record.self_healed
    assert record.alert_sent is None
    assert record.to_dict()["self_heal"] == {
        "healed": True,
        "reason": None,
        "tried": [
            {
                "at": offs[0].isoformat(),
                "action": "power_cycle",
                "entity_id": PLUG,
            }
        ],
    }
    assert scene.results() == [("healed", None)]
    assert scene.events[0].data["system"] == "Alarm panel"
    assert scene.events[0].data["action"] == "power_cycle"
    assert scene.events[0].data["entity_id"] == PLUG
    # our own calls, under our own context
    plug = hass.states.get(PLUG)
    assert plug is not None
    assert plug.state == STATE_ON
    assert heal_manager(hass).is_ours(plug.context)


async def test_no_push_when_told_to_say_nothing(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    power_comes_back(hass, scene.device)
    await scene.provider([android], heal_notify="none")
    await scene.outage()
    await scene.back_online()
    await scene.advance(*[60] * 10)
    assert android.pushes == []
    assert notes(hass) == {}
    assert scene.results() == [("healed", None)]


async def test_a_button_pressed_twice_with_backoff(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    # the second press does it
    presses = device_starts_on(hass, scene.device, "hub_reset_pressed", nth=2)
    entry = await scene.provider(
        [android], entity_id=BUTTON, heal_delay=60, heal_attempts=3, heal_recheck=60
    )
    await scene.outage()
    since = offline_since(hass)
    await scene.wait_for(lambda: len(presses) == 2, step=1, limit=400)
    # press 1 after 60 s; its 60 s window; then 2 x 60 s before press 2
    assert [at - since for at, _ in presses] == [
        timedelta(seconds=60),
        timedelta(seconds=60 + 60 + 120),
    ]
    assert heal_manager(hass).holds(PANEL)
    await scene.back_online()
    assert android.titles == [HEALED]
    assert (
        f"Pressed Hub reset at {local_hhmm(presses[0][0])}, "
        in (android.pushes[0]["message"])
    )
    assert [t["action"] for t in last_outage(entry).self_heal.tried] == [
        "press",
        "press",
    ]


async def test_a_script_is_run(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    runs = device_starts_on(hass, scene.device, "hub_script_ran")
    await scene.provider([android], entity_id=SCRIPT)
    await scene.outage()
    await scene.back_online()
    assert len(runs) == 1
    assert heal_manager(hass).is_ours(runs[0][1])
    assert android.titles == [HEALED]
    assert "Ran Restart hub at " in android.pushes[0]["message"]


# --- it does not work -----------------------------------------------------------------


async def test_not_healed_the_held_alert_says_what_was_tried(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    entry, offs = await scene.panel_down([android])
    since = offline_since(hass)

    # held for the wait, the 10 s off and the 300 s window: then the alert
    waited = await scene.wait_for(lambda: bool(android.pushes), step=1)
    assert waited == 430
    assert offs == [since + timedelta(seconds=120)]
    assert state(hass, PLUG) == STATE_ON  # on again after the power-cycle
    assert android.titles == [OFFLINE]
    tried = f"Power-cycled Hub plug at {local_hhmm(offs[0])}, still offline."
    assert android.pushes[0]["message"].endswith(tried)
    (note,) = notes(hass).values()
    assert note["message"].endswith(tried)
    assert scene.results() == [("not_healed", "still_offline")]
    mark = last_outage(entry).self_heal
    assert (mark.healed, mark.reason, len(mark.tried)) == (False, "still_offline", 1)

    # reminders say it too; the recovery is an ordinary one
    await scene.advance(*[60] * 30)
    assert android.titles == [OFFLINE, "Alarm panel is still offline"]
    assert android.pushes[1]["message"].endswith(tried)
    await scene.device.start()
    await scene.back_online()
    assert android.titles[-1] == "Alarm panel is back online"
    assert not last_outage(entry).self_healed


@pytest.mark.parametrize(
    ("by_person", "how", "reason"),
    [
        (True, "turned off by a person", "turned_off_by_person"),
        (False, "turned off, not by Provider Watch", "turned_off"),
    ],
    ids=["person", "automation"],
)
async def test_a_switch_turned_off_by_someone_else_is_left_alone(
    hass: HomeAssistant,
    scene: Scene,
    home: None,
    android: FakePhone,
    hass_admin_user: Any,
    by_person: bool,
    how: str,
    reason: str,
) -> None:
    await scene.provider([android])
    context = Context(user_id=hass_admin_user.id) if by_person else None
    await switch(hass, PLUG, "turn_off", context)
    await settle(hass)
    offs = plug_offs(hass)

    await scene.outage()
    # alerted at once, with the reason; the plug is not touched
    assert android.titles == [OFFLINE]
    assert android.pushes[0]["message"].endswith(
        f"Self-heal skipped: Hub plug was {how}."
    )
    await scene.advance(*[60] * 10)
    assert state(hass, PLUG) == STATE_OFF
    assert offs == []
    assert scene.results() == [("skipped", reason)]


async def test_a_person_changing_the_switch_during_the_power_cycle(
    hass: HomeAssistant,
    scene: Scene,
    home: None,
    android: FakePhone,
    hass_admin_user: Any,
) -> None:
    _, offs = await scene.plug_turned_off([android])
    # 3 s into the 10 s off: a person switches it on and off again
    await scene.advance(3)
    person = Context(user_id=hass_admin_user.id)
    for service in ("turn_on", "turn_off"):
        await switch(hass, PLUG, service, person)
    await settle(hass)
    assert android.pushes == []
    await scene.advance(*[1] * 10)
    # not turned back on; the held alert goes out at once, saying why
    assert state(hass, PLUG) == STATE_OFF
    plug = hass.states.get(PLUG)
    assert plug is not None
    assert plug.context.id == person.id
    assert android.titles == [OFFLINE]
    assert android.pushes[0]["message"].endswith(
        f"Power-cycled Hub plug at {local_hhmm(offs[0])}, still offline. Self-heal "
        "stopped: Hub plug was switched by someone else during the power-cycle and "
        "was left as it was."
    )
    assert scene.results() == [("not_healed", "interrupted")]
    await scene.advance(*[60] * 10)
    assert state(hass, PLUG) == STATE_OFF


async def test_daily_cap(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    scene: Scene,
    home: None,
    android: FakePhone,
) -> None:
    freezer.move_to(dt_util.start_of_local_day() + timedelta(hours=9))
    offs = power_comes_back(hass, scene.device)
    await scene.provider([android], heal_daily_max=1)

    await scene.outage()
    await scene.back_online()
    assert android.titles == [HEALED]
    assert heal_manager(hass).attempts_today(PANEL, dt_util.utcnow()) == 1

    # the second outage of the day: alerted at once
    await scene.advance(*[60] * 30)
    await scene.outage()
    assert android.titles == [HEALED, OFFLINE]
    assert android.pushes[1]["message"].endswith(
        "Self-heal skipped: the most attempts for a day were made already."
    )
    assert len(offs) == 1
    await scene.device.start()
    await scene.back_online()

    # the cap holds across a restart, and a new day starts afresh
    await restart(hass)
    assert heal_manager(hass).attempts_today(PANEL, dt_util.utcnow()) == 1
    freezer.move_to(dt_util.start_of_local_day() + timedelta(days=1, hours=9))
    await scene.advance(60)
    assert heal_manager(hass).attempts_today(PANEL, dt_util.utcnow()) == 0
    await scene.outage()
    await scene.back_online()
    assert len(offs) == 2
    assert scene.results() == [
        ("healed", None),
        ("skipped", "daily_cap"),
        ("healed", None),
    ]


# --- when it must not run -------------------------------------------------------------


async def test_never_during_maintenance(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    offs = plug_offs(hass)
    await scene.provider([android])
    await switch(hass, MAINTENANCE, "turn_on")
    await scene.outage()
    await scene.advance(*[60] * 15)
    assert offs == []
    assert android.pushes == []
    assert scene.results() == [("skipped", "maintenance")]
    # maintenance over, still down: alerted, with nothing about self-heal
    await switch(hass, MAINTENANCE, "turn_off")
    await settle(hass)
    assert android.titles == [OFFLINE]
    assert "Self-heal" not in android.pushes[0]["message"]
    assert offs == []


async def test_maintenance_starting_during_the_wait_stops_it(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    _, offs = await scene.panel_down([android])
    assert heal_manager(hass).holds(PANEL)
    await switch(hass, MAINTENANCE, "turn_on")
    await settle(hass)
    assert not heal_manager(hass).holds(PANEL)
    await scene.advance(*[60] * 10)
    assert offs == []
    assert android.pushes == []


async def test_never_while_the_alert_is_snoozed(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    offs = plug_offs(hass)
    entry = await scene.provider([android])
    # the system's alert is open and snoozed (a flapping system's digest, say)
    now = dt_util.utcnow()
    manager(hass).records["system:snoozed"] = Record(
        key="system:snoozed",
        alert_id="abc",
        opened=now,
        systems=frozenset({PANEL}),
        providers=frozenset({entry.entry_id}),
        sent=now,
        last_sent=now,
        snoozed_until=now + timedelta(hours=2),
    )
    await scene.outage()
    await scene.advance(*[60] * 10)
    assert offs == []
    assert android.pushes == []  # snoozed
    assert scene.results() == [("skipped", "snoozed")]


async def test_global_switch(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    offs = plug_offs(hass)
    await scene.provider([android])
    assert state(hass, GLOBAL) == STATE_ON  # on by default
    await switch(hass, GLOBAL, "turn_off")
    assert state(hass, GLOBAL) == STATE_OFF
    assert not heal_manager(hass).enabled

    # off: alerted at once, nothing said about self-heal, the plug untouched
    await scene.outage()
    assert android.titles == [OFFLINE]
    assert "Self-heal" not in android.pushes[0]["message"]
    await scene.advance(*[60] * 10)
    assert offs == []
    assert scene.results() == [("skipped", "disabled")]
    await scene.device.start()
    await scene.back_online()

    # restored across a restart
    await restart(hass)
    assert state(hass, GLOBAL) == STATE_OFF
    assert not heal_manager(hass).enabled

    # turned off while a remediation waits: the alert goes out then
    await switch(hass, GLOBAL, "turn_on")
    assert heal_manager(hass).enabled
    await scene.outage()
    assert heal_manager(hass).holds(PANEL)
    sent = len(android.pushes)
    await switch(hass, GLOBAL, "turn_off")
    await settle(hass)
    assert android.titles[sent:] == [OFFLINE]
    await scene.advance(*[60] * 10)
    assert offs == []


async def test_no_remediation_when_the_provider_cloud_is_the_cause(
    hass: HomeAssistant, scene: Scene, home: None
) -> None:
    entry, offs = await scene.panel_down([])
    system = entry.runtime_data.systems[PANEL]
    assert heal_manager(hass).holds(PANEL)
    # the provider's status page reports an incident meanwhile
    system.auth_failed = True  # (the same block as a provider-cloud cause)
    system.async_update_listeners()
    await settle(hass)
    assert not heal_manager(hass).holds(PANEL)
    assert scene.results() == [("skipped", "cause")]
    await scene.advance(*[60] * 10)
    assert offs == []


async def test_a_missing_target_raises_a_repair_and_alerts(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    await scene.provider([android])
    await scene.outage()
    assert heal_manager(hass).holds(PANEL)

    # the plug disappears during the wait: alerted at once, and a repair
    hass.states.async_remove(PLUG)
    await settle(hass)
    assert android.titles == [OFFLINE]
    assert android.pushes[0]["message"].endswith(
        "Self-heal skipped: Hub plug does not exist."
    )
    issue = repair(hass)
    assert issue is not None
    assert issue.translation_key == "self_heal_target"
    assert issue.translation_placeholders == {"entity": PLUG, "system": "Alarm panel"}
    assert scene.results() == [("skipped", "missing")]

    # back: the repair goes
    hass.states.async_set(PLUG, STATE_ON)
    await settle(hass)
    assert repair(hass) is None


async def test_an_unavailable_target_raises_a_repair_and_alerts(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    hass.states.async_set("switch.garage_plug", STATE_UNAVAILABLE)
    await scene.provider([android], entity_id="switch.garage_plug")
    await scene.outage()
    assert android.titles == [OFFLINE]
    assert android.pushes[0]["message"].endswith(
        "Self-heal skipped: garage plug is unavailable."
    )
    assert repair(hass) is not None
    hass.states.async_set("switch.garage_plug", STATE_ON)
    await settle(hass)
    assert repair(hass) is None


async def test_back_before_the_wait_is_over_nothing_is_done(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    entry, offs = await scene.panel_down([android])
    await scene.device.start()
    await scene.back_online(limit=100)
    await scene.advance(*[60] * 10)
    assert offs == []
    assert android.pushes == []
    assert scene.events == []
    assert last_outage(entry).self_heal is None


async def test_reload_during_the_off_wait_still_turns_the_plug_on(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    entry, _ = await scene.plug_turned_off([android])
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    await scene.advance(*[1] * 10)
    assert state(hass, PLUG) == STATE_ON
    # reloaded: the restored outage is alerted as usual
    assert android.titles == [OFFLINE]


async def test_diagnostics_show_self_heal(
    hass: HomeAssistant, scene: Scene, home: None
) -> None:
    from custom_components.provider_watch.diagnostics import (  # noqa: PLC0415
        async_get_config_entry_diagnostics,
    )

    entry = await scene.provider([])
    await scene.outage()
    data = await async_get_config_entry_diagnostics(hass, entry)
    heal = data["systems"][PANEL]["self_heal"]
    assert heal["entity_id"] == PLUG
    assert heal["pending"] is True
    assert heal["settings"]["delay"] == 120


async def test_home_assistant_stopping_during_the_off_wait_turns_the_plug_on(
    hass: HomeAssistant, scene: Scene, home: None
) -> None:
    await scene.plug_turned_off([])
    assert state(hass, PLUG) == STATE_OFF
    heal_manager(hass).async_stop()  # what Home Assistant's stop event does
    await settle(hass)
    assert state(hass, PLUG) == STATE_ON


async def test_a_late_off_report_counts_as_ours(
    hass: HomeAssistant, scene: Scene, home: None
) -> None:
    _, offs = await scene.plug_turned_off([], heal_attempts=2)
    # the plug reports "off" again a moment later, under a context of its own
    hass.states.async_set(PLUG, STATE_OFF, {"reported": "late"}, context=Context())
    await settle(hass)
    plug = hass.states.get(PLUG)
    assert plug is not None
    assert heal_manager(hass).is_ours(plug.context)
    await scene.advance(*[1] * 10)
    assert state(hass, PLUG) == STATE_ON  # turned on as planned
    # and the second attempt is not refused as "turned off by someone"
    await scene.wait_for(lambda: len(offs) == 2, step=5)


async def test_back_during_the_power_cycle(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    await scene.plug_turned_off([android], heal_off_time=60)
    await scene.device.start()  # (it had its own power)
    await scene.back_online(limit=55)
    assert state(hass, PLUG) == STATE_OFF  # still in the off-wait
    assert scene.results() == [("healed", None)]
    await scene.advance(*[5] * 12)
    assert state(hass, PLUG) == STATE_ON  # the power-cycle is finished all the same
    assert android.titles == [HEALED]


@pytest.mark.parametrize(
    ("entity_id", "name", "heal", "within"),
    [
        ("button.broken", "Broken", {}, 600),
        # goes off, but never on again; acted on at once
        ("switch.flaky_plug", "Flaky plug", {"heal_delay": 0}, 30),
    ],
    ids=["button", "switch"],
)
async def test_a_target_that_refuses_the_command(
    hass: HomeAssistant,
    scene: Scene,
    home: None,
    android: FakePhone,
    entity_id: str,
    name: str,
    heal: dict[str, Any],
    within: float,
) -> None:
    await scene.provider([android], entity_id=entity_id, **heal)
    await scene.outage()
    await scene.wait_for(lambda: bool(android.pushes), step=1, limit=within)
    assert android.pushes[0]["message"].endswith(
        f"Self-heal stopped: {name} did not accept the command."
    )
    assert scene.results() == [("not_healed", "failed")]
    if entity_id.startswith("switch."):
        assert state(hass, entity_id) == STATE_OFF  # left as the failure left it


async def test_a_registered_target_without_a_state(
    scene: Scene, android: FakePhone, entity_registry: er.EntityRegistry
) -> None:
    """Its integration is not loaded: named as the registry knows it."""
    entity_registry.async_get_or_create(
        "switch", "acme", "plug-1", suggested_object_id="garage", original_name="Garage"
    )
    await scene.provider([android], entity_id="switch.garage")
    await scene.outage()
    assert android.pushes[0]["message"].endswith(
        "Self-heal skipped: Garage does not exist."
    )


async def test_an_unknown_target_and_a_phone_that_is_gone(
    scene: Scene, android: FakePhone
) -> None:
    await scene.provider([android, "no-such-phone"], entity_id="script.gone")
    await scene.outage()
    assert android.pushes[0]["message"].endswith(
        "Self-heal skipped: script.gone does not exist."
    )


async def test_the_quiet_push_skips_a_phone_that_is_gone(
    hass: HomeAssistant, scene: Scene, home: None, android: FakePhone
) -> None:
    power_comes_back(hass, scene.device)
    await scene.provider(["no-such-phone", android])
    await scene.outage()
    await scene.back_online()
    await settle(hass)
    assert android.titles == [HEALED]


async def test_stored_settings_are_read_with_defaults() -> None:
    plug, settings = heal_settings_of(heal_settings())
    assert plug == PLUG
    assert (settings.delay, settings.attempts, settings.recheck) == (120, 1, 300)
    assert heal_settings_of({}) is None
    assert heal_settings_of({CONF_HEAL_ENTITY: "light.kitchen"}) is None
    assert heal_settings_of({CONF_HEAL_ENTITY: "not an entity"}) is None
    # bad stored values: the defaults
    _, odd = heal_settings_of(
        {
            CONF_HEAL_ENTITY: BUTTON,
            CONF_HEAL_DELAY: "soon",
            CONF_HEAL_ATTEMPTS: True,
            CONF_HEAL_RECHECK: 30,
        }
    )
    assert (odd.action, odd.delay, odd.attempts, odd.recheck) == ("press", 120, 1, 30)
    _, broken = heal_settings_of({CONF_HEAL_ENTITY: SCRIPT, CONF_HEAL_ATTEMPTS: 9})
    assert broken.attempts == 1
    _, unknown = heal_settings_of({CONF_HEAL_ENTITY: PLUG, CONF_HEAL_NOTIFY: "loud"})
    assert unknown.notify == "quiet"


# --- the form -------------------------------------------------------------------------


HEAL_FORM = {
    CONF_HEAL_ENTITY: PLUG,
    CONF_HEAL_DELAY: 90,
    CONF_HEAL_ATTEMPTS: 2,
    CONF_HEAL_DAILY_MAX: 4,
    CONF_HEAL_OFF_TIME: 15,
    CONF_HEAL_RECHECK: 240,
    CONF_HEAL_NOTIFY: "none",
}


async def test_form_adds_and_changes_self_heal(
    hass: HomeAssistant,
    heal_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    before = set(heal_entry.subentries)
    result = await start_system_flow(hass, heal_entry, "icmp")
    heal_section = section_schema(result["data_schema"], "self_heal")
    assert {str(key) for key in heal_section} == set(HEAL_FORM)

    # the entity selector may send a registry id
    registered = entity_registry.async_get_or_create(
        "switch", "acme", "plug-2", suggested_object_id="router_plug"
    )
    result = await configure(
        hass,
        result["flow_id"],
        {
            "name": "Router",
            "host": LOCALHOST,
            "timing": {},
            "self_heal": HEAL_FORM | {CONF_HEAL_ENTITY: registered.id},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    router = new_subentry(heal_entry, before)
    assert dict(router.data) == {
        "kind": "icmp",
        "host": LOCALHOST,
        "successes_before_online": 2,  # (timing left empty follows the defaults)
    } | HEAL_FORM | {CONF_HEAL_ENTITY: "switch.router_plug"}
    assert all(
        type(router.data[key]) is int
        for key in HEAL_FORM
        if key.endswith(("delay", "attempts", "daily_max", "off_time", "recheck"))
    )

    # reconfigure: the section is filled in; clearing the entity removes self-heal
    result = await start_system_reconfigure(hass, heal_entry, router.subentry_id)
    assert suggested(result, CONF_HEAL_ENTITY, "self_heal") == "switch.router_plug"
    assert suggested(result, CONF_HEAL_DELAY, "self_heal") == 90
    result = await configure(
        hass,
        result["flow_id"],
        {"name": "Router", "host": LOCALHOST, "timing": {}, "self_heal": {}},
    )
    assert result["reason"] == "reconfigure_successful"
    assert not any(
        key.startswith("heal_")
        for key in heal_entry.subentries[router.subentry_id].data
    )


async def test_form_without_self_heal_keeps_none_of_its_fields(
    hass: HomeAssistant, heal_entry: MockConfigEntry
) -> None:
    before = set(heal_entry.subentries)
    result = await submit_system_form(
        hass,
        heal_entry,
        "heartbeat",
        {"name": "Gate", "period": 300, "grace": 60, "self_heal": {"heal_delay": 5}},
    )
    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not any(
        key.startswith("heal_") for key in new_subentry(heal_entry, before).data
    )


@pytest.mark.parametrize(
    ("heal", "errors"),
    [
        (
            {CONF_HEAL_ENTITY: "light.kitchen"},
            {CONF_HEAL_ENTITY: "invalid_heal_entity"},
        ),
        (
            {CONF_HEAL_ENTITY: "0123456789abcdef0123456789abcdef"},
            {CONF_HEAL_ENTITY: "invalid_heal_entity"},
        ),
        (
            {CONF_HEAL_ENTITY: PLUG, CONF_HEAL_DELAY: 1.5},
            {CONF_HEAL_DELAY: "invalid_heal_number"},
        ),
        (
            {CONF_HEAL_ENTITY: PLUG, CONF_HEAL_RECHECK: 10},
            None,
        ),
    ],
)
async def test_form_errors(
    hass: HomeAssistant,
    heal_entry: MockConfigEntry,
    heal: dict[str, Any],
    errors: dict[str, str] | None,
) -> None:
    result = await start_system_flow(hass, heal_entry, "icmp")
    form = {"name": "Router", "host": LOCALHOST, "timing": {}, "self_heal": heal}
    if errors is None:  # out of the selector's range: refused by the schema
        with pytest.raises(InvalidData):
            await configure(hass, result["flow_id"], form)
        return
    result = await configure(hass, result["flow_id"], form)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors


def test_self_heal_field_checks() -> None:
    assert self_heal_errors({}) == {}
    assert self_heal_errors({CONF_HEAL_ENTITY: PLUG, CONF_HEAL_NOTIFY: "loud"}) == {
        CONF_HEAL_NOTIFY: "invalid_heal_notify"
    }
    assert self_heal_errors({CONF_HEAL_ENTITY: PLUG, CONF_HEAL_ATTEMPTS: 4}) == {
        CONF_HEAL_ATTEMPTS: "invalid_heal_number"
    }
    assert self_heal_errors({CONF_HEAL_ENTITY: 5}) == {
        CONF_HEAL_ENTITY: "invalid_heal_entity"
    }
