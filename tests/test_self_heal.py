"""Self-heal end to end: real entities, a real device, real phones, time travel.

The hub hangs on a smart plug: a template switch (backed by an input_boolean) whose
turning on starts the simulated device again, as a power-cycle would. A template
button and a script stand in for the other kinds of remediation.
"""

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
    DATA_SELF_HEAL,
    DOMAIN,
    EVENT_SELF_HEAL,
)
from custom_components.provider_watch.core.policy import Record
from custom_components.provider_watch.remediation import (
    SelfHealManager,
    heal_settings as heal_settings_of,
    issue_id,
)
from custom_components.provider_watch.subentry_flow import _self_heal_errors
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

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
from .simulated import LOCALHOST, SimulatedDevice

gateway = alerting.gateway
app_client = alerting.app_client
android = alerting.android
iphone = alerting.iphone

PLUG = "switch.hub_plug"
POWER = "input_boolean.hub_power"
BUTTON = "button.hub_reset"
SCRIPT = "script.restart_hub"
GLOBAL = "switch.internet_connection_self_heal"
MAINTENANCE = "switch.alarm_panel_maintenance"
HEALED = "Alarm panel was fixed by self-heal"


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
            }
        },
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


async def provider(
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


def heal_manager(hass: HomeAssistant) -> SelfHealManager:
    return hass.data[DATA_SELF_HEAL]


def offline_since(hass: HomeAssistant) -> datetime:
    since = heal_manager(hass).systems[PANEL].offline_since
    assert since is not None
    return since


def results(events: list[Event[Any]]) -> list[tuple[str, str | None]]:
    return [(e.data["result"], e.data["reason"]) for e in events]


async def back_online(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, limit: float = 900
) -> float:
    return await wait_for(
        hass,
        freezer,
        lambda: state(hass, "binary_sensor.alarm_panel_connectivity") == STATE_ON,
        limit=limit,
    )


def last_outage(entry: MockConfigEntry) -> Any:
    (record,) = entry.runtime_data.history.latest(1)
    return record


# --- it works -------------------------------------------------------------------------


async def test_power_cycle_heals_quietly(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    iphone: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    offs = power_comes_back(hass, device)
    entry = await provider(hass, upstream, device, [android, iphone])

    await outage(hass, freezer, device)
    since = offline_since(hass)
    assert heal_manager(hass).holds(PANEL)
    assert manager(hass).records == {}  # the alert is held
    assert notes(hass) == {}

    took = await back_online(hass, freezer)
    # the plug went off 120 s after the outage was confirmed, for 10 s
    assert offs == [since + timedelta(seconds=120)]
    assert took < 160  # back within seconds of the plug (fast re-checks)
    assert not heal_manager(hass).holds(PANEL)

    # nobody was alerted; a quiet push says what happened
    await advance(hass, freezer, *[60] * 10)
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
    assert results(events) == [("healed", None)]
    assert events[0].data["system"] == "Alarm panel"
    assert events[0].data["action"] == "power_cycle"
    assert events[0].data["entity_id"] == PLUG
    # our own calls, under our own context
    plug = hass.states.get(PLUG)
    assert plug is not None
    assert plug.state == STATE_ON
    assert heal_manager(hass).is_ours(plug.context)


async def test_no_push_when_told_to_say_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    power_comes_back(hass, device)
    await provider(hass, upstream, device, [android], heal_notify="none")
    await outage(hass, freezer, device)
    await back_online(hass, freezer)
    await advance(hass, freezer, *[60] * 10)
    assert android.pushes == []
    assert notes(hass) == {}
    assert results(events) == [("healed", None)]


async def test_a_button_pressed_twice_with_backoff(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    presses: list[datetime] = []

    @callback
    def pressed(event: Event[Any]) -> None:
        presses.append(dt_util.utcnow())
        if len(presses) == 2:  # the second press does it
            hass.async_create_task(device.start())

    hass.bus.async_listen("hub_reset_pressed", pressed)
    entry = await provider(
        hass,
        upstream,
        device,
        [android],
        entity_id=BUTTON,
        heal_delay=60,
        heal_attempts=3,
        heal_recheck=60,
    )
    await outage(hass, freezer, device)
    since = offline_since(hass)
    await wait_for(hass, freezer, lambda: len(presses) == 2, step=1, limit=400)
    # press 1 after 60 s; its 60 s window; then 2 x 60 s before press 2
    assert [p - since for p in presses] == [
        timedelta(seconds=60),
        timedelta(seconds=60 + 60 + 120),
    ]
    assert heal_manager(hass).holds(PANEL)
    await back_online(hass, freezer)
    assert android.titles == [HEALED]
    assert (
        f"Pressed Hub reset at {local_hhmm(presses[0])}, "
        in (android.pushes[0]["message"])
    )
    assert [t["action"] for t in last_outage(entry).self_heal.tried] == [
        "press",
        "press",
    ]


async def test_a_script_is_run(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    runs: list[Context] = []

    @callback
    def ran(event: Event[Any]) -> None:
        runs.append(event.context)
        hass.async_create_task(device.start())

    hass.bus.async_listen("hub_script_ran", ran)
    await provider(hass, upstream, device, [android], entity_id=SCRIPT)
    await outage(hass, freezer, device)
    await back_online(hass, freezer)
    assert len(runs) == 1
    assert heal_manager(hass).is_ours(runs[0])
    assert android.titles == [HEALED]
    assert "Ran Restart hub at " in android.pushes[0]["message"]


# --- it does not work -----------------------------------------------------------------


async def test_not_healed_the_held_alert_says_what_was_tried(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    offs = plug_offs(hass)
    entry = await provider(hass, upstream, device, [android])
    await outage(hass, freezer, device)
    since = offline_since(hass)

    # held for the wait, the 10 s off and the 300 s window: then the alert
    waited = await wait_for(hass, freezer, lambda: bool(android.pushes), step=1)
    assert waited == 430
    assert offs == [since + timedelta(seconds=120)]
    assert state(hass, PLUG) == STATE_ON  # on again after the power-cycle
    assert android.titles == [OFFLINE]
    tried = f"Power-cycled Hub plug at {local_hhmm(offs[0])}, still offline."
    assert android.pushes[0]["message"].endswith(tried)
    (note,) = notes(hass).values()
    assert note["message"].endswith(tried)
    assert results(events) == [("not_healed", "still_offline")]
    mark = last_outage(entry).self_heal
    assert (mark.healed, mark.reason, len(mark.tried)) == (False, "still_offline", 1)

    # reminders say it too; the recovery is an ordinary one
    await advance(hass, freezer, *[60] * 30)
    assert android.titles == [OFFLINE, "Alarm panel is still offline"]
    assert android.pushes[1]["message"].endswith(tried)
    await device.start()
    await back_online(hass, freezer)
    assert android.titles[-1] == "Alarm panel is back online"
    assert not last_outage(entry).self_healed


async def test_a_switch_a_person_turned_off_is_left_alone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_admin_user: Any,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    await provider(hass, upstream, device, [android])
    await hass.services.async_call(
        "switch",
        "turn_off",
        {"entity_id": PLUG},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await settle(hass)
    offs = plug_offs(hass)

    await outage(hass, freezer, device)
    # alerted at once, with the reason; the plug is not touched
    assert android.titles == [OFFLINE]
    assert android.pushes[0]["message"].endswith(
        "Self-heal skipped: Hub plug was turned off by a person."
    )
    await advance(hass, freezer, *[60] * 10)
    assert state(hass, PLUG) == STATE_OFF
    assert offs == []
    assert results(events) == [("skipped", "turned_off_by_person")]


async def test_a_switch_an_automation_turned_off_is_left_alone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await provider(hass, upstream, device, [android])
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": PLUG}, blocking=True
    )
    await outage(hass, freezer, device)
    assert android.pushes[0]["message"].endswith(
        "Self-heal skipped: Hub plug was turned off, not by Provider Watch."
    )
    await advance(hass, freezer, *[60] * 10)
    assert state(hass, PLUG) == STATE_OFF


async def test_a_person_changing_the_switch_during_the_power_cycle(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    hass_admin_user: Any,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    offs = plug_offs(hass)
    await provider(hass, upstream, device, [android])
    await outage(hass, freezer, device)
    await wait_for(hass, freezer, lambda: bool(offs), step=1)
    # 3 s into the 10 s off: a person switches it on and off again
    await advance(hass, freezer, 3)
    person = Context(user_id=hass_admin_user.id)
    for service in ("turn_on", "turn_off"):
        await hass.services.async_call(
            "switch", service, {"entity_id": PLUG}, blocking=True, context=person
        )
    await settle(hass)
    assert android.pushes == []
    await advance(hass, freezer, *[1] * 10)
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
    assert results(events) == [("not_healed", "interrupted")]
    await advance(hass, freezer, *[60] * 10)
    assert state(hass, PLUG) == STATE_OFF


async def test_daily_cap(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    freezer.move_to(dt_util.start_of_local_day() + timedelta(hours=9))
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    offs = power_comes_back(hass, device)
    await provider(hass, upstream, device, [android], heal_daily_max=1)

    await outage(hass, freezer, device)
    await back_online(hass, freezer)
    assert android.titles == [HEALED]
    assert heal_manager(hass).attempts_today(PANEL, dt_util.utcnow()) == 1

    # the second outage of the day: alerted at once
    await advance(hass, freezer, *[60] * 30)
    await outage(hass, freezer, device)
    assert android.titles == [HEALED, OFFLINE]
    assert android.pushes[1]["message"].endswith(
        "Self-heal skipped: the most attempts for a day were made already."
    )
    assert len(offs) == 1
    await device.start()
    await back_online(hass, freezer)

    # the cap holds across a restart, and a new day starts afresh
    await restart(hass)
    assert heal_manager(hass).attempts_today(PANEL, dt_util.utcnow()) == 1
    freezer.move_to(dt_util.start_of_local_day() + timedelta(days=1, hours=9))
    await advance(hass, freezer, 60)
    assert heal_manager(hass).attempts_today(PANEL, dt_util.utcnow()) == 0
    await outage(hass, freezer, device)
    await back_online(hass, freezer)
    assert len(offs) == 2
    assert results(events) == [
        ("healed", None),
        ("skipped", "daily_cap"),
        ("healed", None),
    ]


# --- when it must not run -------------------------------------------------------------


async def test_never_during_maintenance(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    offs = plug_offs(hass)
    await provider(hass, upstream, device, [android])
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": MAINTENANCE}, blocking=True
    )
    await outage(hass, freezer, device)
    await advance(hass, freezer, *[60] * 15)
    assert offs == []
    assert android.pushes == []
    assert results(events) == [("skipped", "maintenance")]
    # maintenance over, still down: alerted, with nothing about self-heal
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": MAINTENANCE}, blocking=True
    )
    await settle(hass)
    assert android.titles == [OFFLINE]
    assert "Self-heal" not in android.pushes[0]["message"]
    assert offs == []


async def test_maintenance_starting_during_the_wait_stops_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    offs = plug_offs(hass)
    await provider(hass, upstream, device, [android])
    await outage(hass, freezer, device)
    assert heal_manager(hass).holds(PANEL)
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": MAINTENANCE}, blocking=True
    )
    await settle(hass)
    assert not heal_manager(hass).holds(PANEL)
    await advance(hass, freezer, *[60] * 10)
    assert offs == []
    assert android.pushes == []


async def test_never_while_the_alert_is_snoozed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    offs = plug_offs(hass)
    entry = await provider(hass, upstream, device, [android])
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
    await outage(hass, freezer, device)
    await advance(hass, freezer, *[60] * 10)
    assert offs == []
    assert android.pushes == []  # snoozed
    assert results(events) == [("skipped", "snoozed")]


async def test_global_switch(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    offs = plug_offs(hass)
    await provider(hass, upstream, device, [android])
    assert state(hass, GLOBAL) == STATE_ON  # on by default
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": GLOBAL}, blocking=True
    )
    assert state(hass, GLOBAL) == STATE_OFF
    assert not heal_manager(hass).enabled

    # off: alerted at once, nothing said about self-heal, the plug untouched
    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]
    assert "Self-heal" not in android.pushes[0]["message"]
    await advance(hass, freezer, *[60] * 10)
    assert offs == []
    assert results(events) == [("skipped", "disabled")]
    await device.start()
    await back_online(hass, freezer)

    # restored across a restart
    await restart(hass)
    assert state(hass, GLOBAL) == STATE_OFF
    assert not heal_manager(hass).enabled

    # turned off while a remediation waits: the alert goes out then
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": GLOBAL}, blocking=True
    )
    assert heal_manager(hass).enabled
    await outage(hass, freezer, device)
    assert heal_manager(hass).holds(PANEL)
    sent = len(android.pushes)
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": GLOBAL}, blocking=True
    )
    await settle(hass)
    assert android.titles[sent:] == [OFFLINE]
    await advance(hass, freezer, *[60] * 10)
    assert offs == []


async def test_no_remediation_when_the_provider_cloud_is_the_cause(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    offs = plug_offs(hass)
    entry = await provider(hass, upstream, device, [])
    system = entry.runtime_data.systems[PANEL]
    await outage(hass, freezer, device)
    assert heal_manager(hass).holds(PANEL)
    # the provider's status page reports an incident meanwhile
    system.auth_failed = True  # (the same block as a provider-cloud cause)
    system.async_update_listeners()
    await settle(hass)
    assert not heal_manager(hass).holds(PANEL)
    assert results(events) == [("skipped", "cause")]
    await advance(hass, freezer, *[60] * 10)
    assert offs == []


async def test_a_missing_target_raises_a_repair_and_alerts(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    issue_registry: ir.IssueRegistry,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    await provider(hass, upstream, device, [android])
    await outage(hass, freezer, device)
    assert heal_manager(hass).holds(PANEL)

    # the plug disappears during the wait: alerted at once, and a repair
    hass.states.async_remove(PLUG)
    await settle(hass)
    assert android.titles == [OFFLINE]
    assert android.pushes[0]["message"].endswith(
        "Self-heal skipped: Hub plug does not exist."
    )
    issue = issue_registry.async_get_issue(DOMAIN, issue_id(PANEL))
    assert issue is not None
    assert issue.translation_key == "self_heal_target"
    assert issue.translation_placeholders == {"entity": PLUG, "system": "Alarm panel"}
    assert results(events) == [("skipped", "missing")]

    # back: the repair goes
    hass.states.async_set(PLUG, STATE_ON)
    await settle(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id(PANEL)) is None


async def test_an_unavailable_target_raises_a_repair_and_alerts(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    issue_registry: ir.IssueRegistry,
) -> None:
    hass.states.async_set("switch.garage_plug", STATE_UNAVAILABLE)
    await provider(hass, upstream, device, [android], entity_id="switch.garage_plug")
    await outage(hass, freezer, device)
    assert android.titles == [OFFLINE]
    assert android.pushes[0]["message"].endswith(
        "Self-heal skipped: garage plug is unavailable."
    )
    assert issue_registry.async_get_issue(DOMAIN, issue_id(PANEL)) is not None
    hass.states.async_set("switch.garage_plug", STATE_ON)
    await settle(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id(PANEL)) is None


async def test_back_before_the_wait_is_over_nothing_is_done(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    offs = plug_offs(hass)
    entry = await provider(hass, upstream, device, [android])
    await outage(hass, freezer, device)
    await device.start()
    await back_online(hass, freezer, limit=100)
    await advance(hass, freezer, *[60] * 10)
    assert offs == []
    assert android.pushes == []
    assert events == []
    assert last_outage(entry).self_heal is None


async def test_reload_during_the_off_wait_still_turns_the_plug_on(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    offs = plug_offs(hass)
    entry = await provider(hass, upstream, device, [android])
    await outage(hass, freezer, device)
    await wait_for(hass, freezer, lambda: bool(offs), step=1)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    await advance(hass, freezer, *[1] * 10)
    assert state(hass, PLUG) == STATE_ON
    # reloaded: the restored outage is alerted as usual
    assert android.titles == [OFFLINE]


async def test_diagnostics_show_self_heal(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    from custom_components.provider_watch.diagnostics import (  # noqa: PLC0415
        async_get_config_entry_diagnostics,
    )

    entry = await provider(hass, upstream, device, [])
    await outage(hass, freezer, device)
    data = await async_get_config_entry_diagnostics(hass, entry)
    heal = data["systems"][PANEL]["self_heal"]
    assert heal["entity_id"] == PLUG
    assert heal["pending"] is True
    assert heal["settings"]["delay"] == 120


async def test_home_assistant_stopping_during_the_off_wait_turns_the_plug_on(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    offs = plug_offs(hass)
    await provider(hass, upstream, device, [])
    await outage(hass, freezer, device)
    await wait_for(hass, freezer, lambda: bool(offs), step=1)
    assert state(hass, PLUG) == STATE_OFF
    heal_manager(hass).async_stop()  # what Home Assistant's stop event does
    await settle(hass)
    assert state(hass, PLUG) == STATE_ON


async def test_a_late_off_report_counts_as_ours(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    offs = plug_offs(hass)
    await provider(hass, upstream, device, [], heal_attempts=2)
    await outage(hass, freezer, device)
    await wait_for(hass, freezer, lambda: bool(offs), step=1)
    # the plug reports "off" again a moment later, under a context of its own
    hass.states.async_set(PLUG, STATE_OFF, {"reported": "late"}, context=Context())
    await settle(hass)
    plug = hass.states.get(PLUG)
    assert plug is not None
    assert heal_manager(hass).is_ours(plug.context)
    await advance(hass, freezer, *[1] * 10)
    assert state(hass, PLUG) == STATE_ON  # turned on as planned
    # and the second attempt is not refused as "turned off by someone"
    await wait_for(hass, freezer, lambda: len(offs) == 2, step=5)


async def test_back_during_the_power_cycle(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    offs = plug_offs(hass)
    await provider(hass, upstream, device, [android], heal_off_time=60)
    await outage(hass, freezer, device)
    await wait_for(hass, freezer, lambda: bool(offs), step=1)
    await device.start()  # (it had its own power)
    await back_online(hass, freezer, limit=55)
    assert state(hass, PLUG) == STATE_OFF  # still in the off-wait
    assert results(events) == [("healed", None)]
    await advance(hass, freezer, *[5] * 12)
    assert state(hass, PLUG) == STATE_ON  # the power-cycle is finished all the same
    assert android.titles == [HEALED]


async def test_a_target_that_refuses_the_command(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    await provider(hass, upstream, device, [android], entity_id="button.broken")
    await outage(hass, freezer, device)
    await wait_for(hass, freezer, lambda: bool(android.pushes), step=5)
    assert android.pushes[0]["message"].endswith(
        "Self-heal stopped: Broken did not accept the command."
    )
    assert results(events) == [("not_healed", "failed")]


async def test_a_registered_target_without_a_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    entity_registry: er.EntityRegistry,
) -> None:
    """Its integration is not loaded: named as the registry knows it."""
    entity_registry.async_get_or_create(
        "switch", "acme", "plug-1", suggested_object_id="garage", original_name="Garage"
    )
    await provider(
        hass,
        upstream,
        device,
        [android],
        entity_id="switch.garage",
    )
    await outage(hass, freezer, device)
    assert android.pushes[0]["message"].endswith(
        "Self-heal skipped: Garage does not exist."
    )


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
    home: None,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await provider(hass, upstream, device, [])
    before = set(entry.subentries)
    result = await start_system_flow(hass, entry, "icmp")
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
    router = new_subentry(entry, before)
    assert dict(router.data) == {
        "kind": "icmp",
        "host": LOCALHOST,
        "poll_interval": 30,
        "timeout": 5,
        "retry_interval": 3,
        "failures_before_offline": 7,
        "successes_before_online": 2,
    } | HEAL_FORM | {CONF_HEAL_ENTITY: "switch.router_plug"}
    assert all(
        type(router.data[key]) is int
        for key in HEAL_FORM
        if key.endswith(("delay", "attempts", "daily_max", "off_time", "recheck"))
    )

    # reconfigure: the section is filled in; clearing the entity removes self-heal
    result = await start_system_reconfigure(hass, entry, router.subentry_id)
    assert suggested(result, CONF_HEAL_ENTITY, "self_heal") == "switch.router_plug"
    assert suggested(result, CONF_HEAL_DELAY, "self_heal") == 90
    result = await configure(
        hass,
        result["flow_id"],
        {"name": "Router", "host": LOCALHOST, "timing": {}, "self_heal": {}},
    )
    assert result["reason"] == "reconfigure_successful"
    assert not any(
        key.startswith("heal_") for key in entry.subentries[router.subentry_id].data
    )


async def test_form_without_self_heal_keeps_none_of_its_fields(
    hass: HomeAssistant, home: None, device: SimulatedDevice, upstream: SimulatedDevice
) -> None:
    entry = await provider(hass, upstream, device, [])
    before = set(entry.subentries)
    result = await submit_system_form(
        hass,
        entry,
        "heartbeat",
        {"name": "Gate", "period": 300, "grace": 60, "self_heal": {"heal_delay": 5}},
    )
    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not any(key.startswith("heal_") for key in new_subentry(entry, before).data)


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
    home: None,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
    heal: dict[str, Any],
    errors: dict[str, str] | None,
) -> None:
    entry = await provider(hass, upstream, device, [])
    result = await start_system_flow(hass, entry, "icmp")
    form = {"name": "Router", "host": LOCALHOST, "timing": {}, "self_heal": heal}
    if errors is None:  # out of the selector's range: refused by the schema
        with pytest.raises(InvalidData):
            await configure(hass, result["flow_id"], form)
        return
    result = await configure(hass, result["flow_id"], form)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors


def test_self_heal_field_checks() -> None:
    assert _self_heal_errors({}) == {}
    assert _self_heal_errors({CONF_HEAL_ENTITY: PLUG, CONF_HEAL_NOTIFY: "loud"}) == {
        CONF_HEAL_NOTIFY: "invalid_heal_notify"
    }
    assert _self_heal_errors({CONF_HEAL_ENTITY: PLUG, CONF_HEAL_ATTEMPTS: 4}) == {
        CONF_HEAL_ATTEMPTS: "invalid_heal_number"
    }
    assert _self_heal_errors({CONF_HEAL_ENTITY: 5}) == {
        CONF_HEAL_ENTITY: "invalid_heal_entity"
    }


async def test_a_switch_that_does_not_come_back_on(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    events = async_capture_events(hass, EVENT_SELF_HEAL)
    await provider(
        hass, upstream, device, [android], entity_id="switch.flaky_plug", heal_delay=0
    )
    await outage(hass, freezer, device)
    await wait_for(hass, freezer, lambda: bool(android.pushes), step=1, limit=30)
    assert android.pushes[0]["message"].endswith(
        "Self-heal stopped: Flaky plug did not accept the command."
    )
    assert state(hass, "switch.flaky_plug") == STATE_OFF
    assert results(events) == [("not_healed", "failed")]


async def test_an_unknown_target_and_a_phone_that_is_gone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await provider(
        hass, upstream, device, [android, "no-such-phone"], entity_id="script.gone"
    )
    await outage(hass, freezer, device)
    assert android.pushes[0]["message"].endswith(
        "Self-heal skipped: script.gone does not exist."
    )


async def test_the_quiet_push_skips_a_phone_that_is_gone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: None,
    android: FakePhone,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    power_comes_back(hass, device)
    await provider(hass, upstream, device, ["no-such-phone", android])
    await outage(hass, freezer, device)
    await back_online(hass, freezer)
    await settle(hass)
    assert android.titles == [HEALED]
