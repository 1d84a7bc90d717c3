"""The "entities" kind: a system seen through real Home Assistant states."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.provider_watch.const import (
    CONF_ENTITIES,
    CONF_GRACE,
    CONF_KIND,
    CONF_MAX_SILENCE,
    CONF_NAME,
    CONF_REQUIRE_ALL,
    EVENT_SYSTEM_OFFLINE,
    EVENT_SYSTEM_ONLINE,
    SUBENTRY_SYSTEM,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_FRIENDLY_NAME,
    EVENT_STATE_REPORTED,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, EventStateReportedData, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er

from .helpers import (
    INTERNET,
    advance,
    changes_after,
    configure,
    internet_entry,
    new_subentry,
    provider_entry,
    settle,
    setup_entry,
    start_system_flow,
    start_system_reconfigure,
    submit_system_form,
)

SYSTEM_ID = "system_alarm_hub"  # title "Alarm hub"
CONNECTIVITY = "binary_sensor.alarm_hub_connectivity"
STATUS = "sensor.alarm_hub_status"
CAUSE = "sensor.alarm_hub_outage_cause"
LAST_SEEN = "sensor.alarm_hub_last_seen_online"
EVENT_ENTITY = "event.alarm_hub_status_change"

LOCK = "lock.front_door"
LOCK_ATTRS = {ATTR_FRIENDLY_NAME: "Front door"}
HUB = "binary_sensor.hub_online"
HUB_ATTRS = {ATTR_FRIENDLY_NAME: "Hub online", ATTR_DEVICE_CLASS: "connectivity"}
SIREN = "binary_sensor.siren_active"  # an ordinary binary sensor: "off" is fine
GRACE = 300


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """The integration checks the ICMP mode once at setup (a local socket)."""


def entities_system(*entity_ids: str, **overrides: Any) -> dict[str, Any]:
    """Subentry data of an "entities" system."""
    return {
        CONF_KIND: "entities",
        CONF_ENTITIES: list(entity_ids or (LOCK, HUB)),
        CONF_REQUIRE_ALL: False,
        CONF_GRACE: GRACE,
        CONF_MAX_SILENCE: 0,
    } | overrides


def set_lock(hass: HomeAssistant, state: str, **attrs: Any) -> None:
    hass.states.async_set(LOCK, state, LOCK_ATTRS | attrs)


def set_hub(hass: HomeAssistant, state: str) -> None:
    hass.states.async_set(HUB, state, HUB_ATTRS)


def set_all_fine(hass: HomeAssistant) -> None:
    set_lock(hass, "locked")
    set_hub(hass, STATE_ON)


async def setup_system(hass: HomeAssistant, **overrides: Any) -> MockConfigEntry:
    entities = overrides.pop("entities", (LOCK, HUB))
    return await setup_entry(
        hass, provider_entry({SYSTEM_ID: entities_system(*entities, **overrides)})
    )


async def setup_all_fine(hass: HomeAssistant, **overrides: Any) -> MockConfigEntry:
    """The lock and the hub fine, then the system watching them set up."""
    set_all_fine(hass)
    return await setup_system(hass, **overrides)


def status(hass: HomeAssistant) -> str:
    return hass.states.get(STATUS).state


# --- the system's entities and the happy path -----------------------------------


async def test_all_fine_is_online(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    entry = await setup_all_fine(hass)
    ids = {
        reg.unique_id: reg.entity_id
        for reg in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if reg.config_subentry_id == SYSTEM_ID
    }
    assert ids == {
        f"{SYSTEM_ID}_connectivity": CONNECTIVITY,
        f"{SYSTEM_ID}_status": STATUS,
        f"{SYSTEM_ID}_cause": CAUSE,
        f"{SYSTEM_ID}_last_seen": LAST_SEEN,
        f"{SYSTEM_ID}_response_time": "sensor.alarm_hub_response_time",
        f"{SYSTEM_ID}_transitions": EVENT_ENTITY,
        f"{SYSTEM_ID}_maintenance": "switch.alarm_hub_maintenance",
        # the uptime figures (test_history.py)
        f"{SYSTEM_ID}_uptime_24h": "sensor.alarm_hub_uptime_24_hours",
        f"{SYSTEM_ID}_uptime_7d": "sensor.alarm_hub_uptime_7_days",
        f"{SYSTEM_ID}_uptime_30d": "sensor.alarm_hub_uptime_30_days",
        f"{SYSTEM_ID}_outages_30d": "sensor.alarm_hub_outages_30_days",
        f"{SYSTEM_ID}_downtime_30d": "sensor.alarm_hub_downtime_30_days",
        f"{SYSTEM_ID}_longest_outage_30d": "sensor.alarm_hub_longest_outage_30_days",
        f"{SYSTEM_ID}_current_outage": "sensor.alarm_hub_current_outage",
    }
    assert status(hass) == "online"
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    assert hass.states.get(CAUSE).state == "none"  # no outage, no cause
    assert hass.states.get(LAST_SEEN).state != STATE_UNKNOWN
    # watched systems are pushed, never polled
    coordinator = entry.runtime_data.systems[SYSTEM_ID]
    assert coordinator.update_interval is None


@pytest.mark.usefixtures("internet")  # the internet is up: an outage is our own
async def test_unavailable_goes_offline_after_grace_and_comes_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_all_fine(hass)
    assert status(hass) == "online"

    set_lock(hass, STATE_UNAVAILABLE)
    await settle(hass)
    assert status(hass) == "online"  # within the grace time nothing is said
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    await advance(hass, freezer, GRACE - 1)
    assert status(hass) == "online"
    assert offline == []

    await advance(hass, freezer, 1)  # the grace time is over: offline at once
    assert status(hass) == "offline"
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    assert hass.states.get(CAUSE).state == "system"  # the internet is fine
    assert len(offline) == 1
    data = offline[0].data
    assert data["kind"] == "entities"
    assert data["system"] == "Alarm hub"
    assert data["reason"] == "Front door unavailable for 5 min"
    assert data["cause"] == "system"
    event_state = hass.states.get(EVENT_ENTITY)
    assert event_state.attributes["event_type"] == "offline"
    assert event_state.attributes["reason"] == "Front door unavailable for 5 min"

    # staying unavailable is the same outage: announced once
    for _ in range(5):
        await advance(hass, freezer, 600)
    set_lock(hass, STATE_UNAVAILABLE, battery=10)  # attributes change, still down
    await settle(hass)
    assert len(offline) == 1
    assert online == []

    set_lock(hass, "locked")
    await settle(hass)
    assert status(hass) == "online"
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    assert hass.states.get(CAUSE).state == "none"
    assert len(online) == 1
    assert online[0].data["since"] == data["since"]
    # the outage is counted from the moment the lock went unavailable
    assert online[0].data["duration"] == GRACE + 5 * 600
    assert hass.states.get(EVENT_ENTITY).attributes["event_type"] == "online"
    assert len(offline) == 1


async def test_short_blip_within_grace_is_silent(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_all_fine(hass)
    set_lock(hass, STATE_UNKNOWN)
    await advance(hass, freezer, GRACE - 10)
    set_lock(hass, "unlocked")  # back before the grace time ran out
    await settle(hass)
    # the timer armed for the old grace time is gone: nothing happens when it was due
    await advance(hass, freezer, 10)
    await advance(hass, freezer, 3600)
    assert status(hass) == "online"
    assert offline == []
    assert online == []


async def test_cause_unknown_without_internet_check(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Without the internet check nobody can tell whose fault it is."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_all_fine(hass)
    set_lock(hass, STATE_UNAVAILABLE)
    await advance(hass, freezer, GRACE)
    assert status(hass) == "offline"
    assert offline[0].data["cause"] == "unknown"
    assert hass.states.get(CAUSE).state == "unknown"


async def test_cause_internet_when_internet_is_down(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_entry(hass, internet_entry())  # a closed port on 127.0.0.1
    await advance(hass, freezer, 5)  # the internet check's second failure
    assert hass.states.get(INTERNET).state == STATE_OFF
    await setup_all_fine(hass)
    set_hub(hass, STATE_OFF)
    await advance(hass, freezer, GRACE)
    assert offline[-1].data["reason"] == "Hub online disconnected for 5 min"
    assert offline[-1].data["cause"] == "internet"
    assert hass.states.get(CAUSE).state == "internet"


# --- what counts as failed --------------------------------------------------------


async def test_connectivity_sensor_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    set_all_fine(hass)
    hass.states.async_set(SIREN, STATE_ON, {ATTR_FRIENDLY_NAME: "Siren"})
    await setup_system(hass, entities=(LOCK, HUB, SIREN))

    # an ordinary binary sensor may be off for ever
    hass.states.async_set(SIREN, STATE_OFF, {ATTR_FRIENDLY_NAME: "Siren"})
    await advance(hass, freezer, 2 * GRACE)
    assert status(hass) == "online"

    set_hub(hass, STATE_OFF)
    await advance(hass, freezer, 120)
    assert status(hass) == "online"
    await advance(hass, freezer, GRACE - 120)
    assert status(hass) == "offline"
    assert [event.data["reason"] for event in offline] == [
        "Hub online disconnected for 5 min"
    ]
    set_hub(hass, STATE_ON)
    await settle(hass)
    assert status(hass) == "online"
    assert len(online) == 1


async def test_connectivity_sensor_off_at_start_counts_from_its_last_change(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A sensor already off before the watcher starts is judged by its last change."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    set_lock(hass, "locked")
    set_hub(hass, STATE_OFF)
    freezer.tick(timedelta(seconds=GRACE - 30))
    await setup_system(hass)  # e.g. Home Assistant restarted meanwhile
    assert status(hass) == "online"
    await changes_after(hass, freezer, STATUS, 30, "online", "offline")
    assert offline[0].data["reason"] == "Hub online disconnected for 5 min"


async def test_already_failed_at_start_is_offline_at_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    set_lock(hass, STATE_UNAVAILABLE)
    set_hub(hass, STATE_ON)
    freezer.tick(timedelta(hours=2))
    await setup_system(hass)
    assert status(hass) == "offline"
    assert offline[0].data["reason"] == "Front door unavailable for 2 h"


async def test_require_all(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """With require_all the system is offline only when every entity has failed."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_all_fine(hass, require_all=True)

    set_lock(hass, STATE_UNAVAILABLE)
    await advance(hass, freezer, 2 * GRACE)
    assert status(hass) == "online"  # one of two failed: still online
    assert offline == []

    set_hub(hass, STATE_OFF)
    await changes_after(hass, freezer, STATUS, GRACE, "online", "offline")
    assert [event.data["reason"] for event in offline] == [
        "Front door unavailable for 15 min; Hub online disconnected for 5 min"
    ]

    set_lock(hass, "locked")  # one is back: not every entity has failed any more
    await settle(hass)
    assert status(hass) == "online"
    assert len(online) == 1


async def test_any_is_the_default(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Data without require_all (older subentries): any failed entity is enough."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    set_all_fine(hass)
    data = entities_system()
    del data[CONF_REQUIRE_ALL]
    del data[CONF_MAX_SILENCE]
    await setup_entry(hass, provider_entry({SYSTEM_ID: data}))
    set_hub(hass, STATE_UNAVAILABLE)
    await advance(hass, freezer, GRACE)
    assert status(hass) == "offline"
    assert offline[0].data["reason"] == "Hub online unavailable for 5 min"


async def test_max_silence(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """An entity that stops reporting (the same state written) fails after a while."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    reports: list[Event[EventStateReportedData]] = []

    @callback
    def lock_only(data: EventStateReportedData) -> bool:
        return data["entity_id"] == LOCK

    @callback
    def record(event: Event[EventStateReportedData]) -> None:
        reports.append(event)

    hass.bus.async_listen(EVENT_STATE_REPORTED, record, lock_only)
    set_lock(hass, "locked")
    await setup_system(hass, entities=(LOCK,), max_silence=600)
    changed = hass.states.get(LOCK).last_changed

    # the integration keeps writing the same state: each write is a report
    for _ in range(6):
        await advance(hass, freezer, 500)
        set_lock(hass, "locked")
        await settle(hass)
        assert status(hass) == "online"
    assert len(reports) == 6
    lock = hass.states.get(LOCK)
    assert lock.last_changed == changed  # unchanged state, last_reported moves
    assert lock.last_reported == changed + timedelta(seconds=3000)

    # then it falls silent: offline exactly max_silence after the last report
    await changes_after(hass, freezer, STATUS, 600, "online", "offline")
    assert [event.data["reason"] for event in offline] == [
        "Front door has not reported for 10 min"
    ]

    set_lock(hass, "locked")  # one report brings it back
    await settle(hass)
    assert status(hass) == "online"
    assert len(online) == 1


async def test_max_silence_attribute_update_counts_as_report(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A write with new attributes is a state change, and a report too."""
    set_lock(hass, "locked", battery=90)
    await setup_system(hass, entities=(LOCK,), max_silence=600)
    await advance(hass, freezer, 590)
    set_lock(hass, "locked", battery=89)  # state_changed, not state_reported
    await advance(hass, freezer, 590)
    assert status(hass) == "online"
    await advance(hass, freezer, 10)
    assert status(hass) == "offline"


async def test_max_silence_zero_means_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_all_fine(hass, max_silence=0)
    await advance(hass, freezer, 86_400)
    assert status(hass) == "online"
    assert entry.runtime_data.systems[SYSTEM_ID].data.machine.state == "online"


async def test_reports_of_other_entities_are_ignored(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Only the watched entities' reports count as signs of life."""
    hass.states.async_set("sensor.other", "1")
    set_lock(hass, "locked")
    await setup_system(hass, entities=(LOCK,), max_silence=600)
    for _ in range(3):
        await advance(hass, freezer, 300)
        hass.states.async_set("sensor.other", "1")
    await settle(hass)
    assert status(hass) == "offline"


async def test_entity_that_does_not_exist(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_system(hass, entities=("lock.does_not_exist",))
    # its integration may still be starting: it gets the grace time too
    assert status(hass) == "online"
    await changes_after(hass, freezer, STATUS, GRACE, "online", "offline")
    assert offline[0].data["reason"] == "lock.does_not_exist missing for 5 min"

    hass.states.async_set("lock.does_not_exist", "locked")  # it appears
    await settle(hass)
    assert status(hass) == "online"
    assert len(online) == 1


async def test_entity_removed_later_gets_the_grace_time(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """An entity that disappears (its integration reloads...) gets the grace time."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_all_fine(hass)
    await advance(hass, freezer, 3600)

    hass.states.async_remove(LOCK)
    await settle(hass)
    assert status(hass) == "online"
    await advance(hass, freezer, GRACE - 1)
    assert status(hass) == "online"
    set_lock(hass, "locked")  # back within the grace time: never offline
    await settle(hass)
    await advance(hass, freezer, GRACE)
    assert offline == []

    hass.states.async_remove(LOCK)
    await advance(hass, freezer, GRACE)
    assert status(hass) == "offline"
    # named as it was last seen
    assert offline[0].data["reason"] == "Front door missing for 5 min"


@pytest.mark.parametrize("grace", [1, 60, GRACE, 3600])
async def test_detection_latency_equals_grace(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, grace: int
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_all_fine(hass, grace=grace)
    set_lock(hass, STATE_UNAVAILABLE)
    await settle(hass)
    went_down = hass.states.get(LOCK).last_changed
    await advance(hass, freezer, grace - 1)
    assert status(hass) == "online"
    assert offline == []
    await advance(hass, freezer, 1)
    assert status(hass) == "offline"
    assert len(offline) == 1
    assert offline[0].time_fired - went_down == timedelta(seconds=grace)


async def test_grace_zero_is_offline_at_once(hass: HomeAssistant) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_all_fine(hass, grace=0)
    set_lock(hass, STATE_UNAVAILABLE)
    await settle(hass)
    assert status(hass) == "offline"
    assert offline[0].data["reason"] == "Front door unavailable for 0 s"


async def test_unload_stops_watching(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    entry = await setup_all_fine(hass, max_silence=600)
    set_lock(hass, STATE_UNAVAILABLE)  # a grace timer is armed
    await settle(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    assert entry.state is ConfigEntryState.NOT_LOADED
    set_hub(hass, STATE_OFF)
    set_lock(hass, STATE_UNAVAILABLE)
    await advance(hass, freezer, 3600)
    assert offline == []


async def test_restart_keeps_the_outage(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A reload while offline neither re-announces the outage nor forgets it."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    entry = await setup_all_fine(hass)
    set_lock(hass, STATE_UNAVAILABLE)
    await advance(hass, freezer, GRACE)
    assert len(offline) == 1

    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert status(hass) == "offline"
    assert len(offline) == 1
    await advance(hass, freezer, 60)
    set_lock(hass, "locked")
    await settle(hass)
    assert status(hass) == "online"
    assert len(online) == 1
    assert online[0].data["duration"] == GRACE + 60


# --- the subentry flow -------------------------------------------------------------


@pytest.fixture
async def provider(hass: HomeAssistant) -> MockConfigEntry:
    """A loaded provider with one watched-entities system "Alarm hub"."""
    return await setup_all_fine(hass)


async def test_flow_creates_entities_system(
    hass: HomeAssistant, provider: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    before = set(provider.subentries)
    result = await submit_system_form(
        hass,
        provider,
        "entities",
        {
            CONF_NAME: " Door lock ",
            CONF_ENTITIES: [LOCK],
            CONF_REQUIRE_ALL: True,
            CONF_GRACE: 120.0,
            CONF_MAX_SILENCE: 3600.0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Door lock"
    subentry = new_subentry(provider, before)
    subentry_id = subentry.subentry_id
    assert subentry.subentry_type == SUBENTRY_SYSTEM
    assert dict(subentry.data) == {
        CONF_KIND: "entities",
        CONF_ENTITIES: [LOCK],
        CONF_REQUIRE_ALL: True,
        CONF_GRACE: 120,
        CONF_MAX_SILENCE: 3600,
    }
    assert type(subentry.data[CONF_GRACE]) is int
    assert type(subentry.data[CONF_MAX_SILENCE]) is int

    # the provider was reloaded and watches the new system right away
    assert provider.state is ConfigEntryState.LOADED
    coordinator = provider.runtime_data.systems[subentry_id]
    assert coordinator.data.machine.state == "online"
    set_lock(hass, STATE_UNAVAILABLE)
    await advance(hass, freezer, 120)
    assert coordinator.data.machine.state == "offline"
    assert coordinator.data.machine.reason == "Front door unavailable for 2 min"


async def test_flow_defaults(hass: HomeAssistant, provider: MockConfigEntry) -> None:
    before = set(provider.subentries)
    result = await submit_system_form(
        hass, provider, "entities", {CONF_NAME: "Door lock", CONF_ENTITIES: [LOCK, HUB]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(new_subentry(provider, before).data) == {
        CONF_KIND: "entities",
        CONF_ENTITIES: [LOCK, HUB],
        CONF_REQUIRE_ALL: False,
        CONF_GRACE: 300,
        CONF_MAX_SILENCE: 0,
    }


async def test_flow_no_entities(hass: HomeAssistant, provider: MockConfigEntry) -> None:
    """The selector lets an empty list through; the form then asks for one."""
    before = set(provider.subentries)
    result = await submit_system_form(
        hass, provider, "entities", {CONF_NAME: "Door lock", CONF_ENTITIES: []}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "entities"
    assert result["errors"] == {CONF_ENTITIES: "no_entities"}

    # fixed on the same form
    result = await configure(
        hass, result["flow_id"], {CONF_NAME: "Door lock", CONF_ENTITIES: [LOCK]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    new_subentry(provider, before)  # exactly one


@pytest.mark.parametrize(
    "user_input",
    [
        {CONF_NAME: "Door lock"},  # the entities field is required
        {CONF_NAME: "Door lock", CONF_ENTITIES: LOCK},  # not a list
        {CONF_NAME: "Door lock", CONF_ENTITIES: ["not an entity id"]},
        {CONF_NAME: "Door lock", CONF_ENTITIES: [LOCK], CONF_GRACE: -1},
        {CONF_NAME: "Door lock", CONF_ENTITIES: [LOCK], CONF_GRACE: 8 * 86_400},
    ],
)
async def test_flow_schema_rejects(
    hass: HomeAssistant, provider: MockConfigEntry, user_input: dict[str, Any]
) -> None:
    result = await start_system_flow(hass, provider, "entities")
    with pytest.raises(InvalidData):
        await configure(hass, result["flow_id"], user_input)


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({CONF_GRACE: 10.5}, {CONF_GRACE: "invalid_duration"}),
        ({CONF_MAX_SILENCE: 0.5}, {CONF_MAX_SILENCE: "invalid_duration"}),
        ({CONF_NAME: "   "}, {CONF_NAME: "invalid_name"}),
        ({CONF_NAME: "alarm HUB"}, {CONF_NAME: "name_exists"}),
    ],
)
async def test_flow_errors(
    hass: HomeAssistant,
    provider: MockConfigEntry,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    result = await submit_system_form(
        hass,
        provider,
        "entities",
        {CONF_NAME: "Door lock", CONF_ENTITIES: [LOCK]} | user_input,
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors


async def test_flow_reconfigure(
    hass: HomeAssistant, provider: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    result = await start_system_reconfigure(hass, provider, SYSTEM_ID)
    result = await configure(
        hass,
        result["flow_id"],
        {
            CONF_NAME: "Alarm hub",
            CONF_ENTITIES: [HUB],
            CONF_REQUIRE_ALL: False,
            CONF_GRACE: 60,
            CONF_MAX_SILENCE: 0,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(provider.subentries[SYSTEM_ID].data) == {
        CONF_KIND: "entities",
        CONF_ENTITIES: [HUB],
        CONF_REQUIRE_ALL: False,
        CONF_GRACE: 60,
        CONF_MAX_SILENCE: 0,
    }
    # the reloaded watcher follows the new settings: the lock no longer matters
    set_lock(hass, STATE_UNAVAILABLE)
    await advance(hass, freezer, GRACE)
    assert status(hass) == "online"
    set_hub(hass, STATE_OFF)
    await advance(hass, freezer, 60)
    assert status(hass) == "offline"
