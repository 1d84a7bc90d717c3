"""The "device" kind, and the provider's integration as evidence of the cause.

The provider's integration is a real (test-only) custom integration with devices
and a config entry that can retry its set-up or ask for a sign-in again.
"""

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.const import DOMAIN, SUBENTRY_SYSTEM
from custom_components.provider_watch.monitoring.integration import integration_trouble
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from testkit.simulated import SimulatedDevice

from .helpers import (
    advance,
    changes_after,
    configure,
    new_subentry,
    provider_entry,
    settle,
    setup_entry,
    state,
    submit_system_form,
)
from .provider_integration import (
    BACK,
    FRONT,
    FRONT_BATTERY,
    FRONT_CONN,
    GRACE,
    TEST_DOMAIN,
    device_id,
    device_system,
    set_available,
    set_cloud,
    setup_ring,
)

SYSTEM_ID = "system_doorbell"  # title "Doorbell"
STATUS = "sensor.doorbell_status"
CAUSE = "sensor.doorbell_outage_cause"


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """The integration checks the ICMP mode once at setup (a local socket)."""


async def watch_front_door(
    hass: HomeAssistant, ring: MockConfigEntry, **overrides: object
) -> MockConfigEntry:
    return await setup_entry(
        hass,
        provider_entry(
            {SYSTEM_ID: device_system(device_id(hass, ring), **overrides)},
            title="Ring",
        ),
    )


async def test_device_entities_unavailable_is_offline_after_grace(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, internet: SimulatedDevice
) -> None:
    ring = await setup_ring(hass)
    await watch_front_door(hass, ring)
    assert state(hass, STATUS) == "online"

    await set_available(hass, FRONT, available=False)
    assert state(hass, FRONT_CONN) == STATE_UNAVAILABLE
    await changes_after(hass, freezer, STATUS, GRACE, "online", "offline")
    # the integration runs fine and the internet is up: the device itself
    assert state(hass, CAUSE) == "system"
    assert "Front door" in hass.states.get(STATUS).attributes["reason"]

    await set_available(hass, FRONT, available=True)
    assert state(hass, STATUS) == "online"


async def test_another_device_of_the_integration_is_not_watched(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, internet: SimulatedDevice
) -> None:
    ring = await setup_ring(hass)
    await watch_front_door(hass, ring)
    await set_available(hass, BACK, available=False)
    await advance(hass, freezer, GRACE + 60)
    assert state(hass, STATUS) == "online"


async def test_integration_retrying_its_setup_is_the_providers_cloud(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, internet: SimulatedDevice
) -> None:
    ring = await setup_ring(hass)
    entry = await watch_front_door(hass, ring)

    await set_cloud(hass, "retry")
    assert ring.state is ConfigEntryState.SETUP_RETRY
    assert state(hass, FRONT_CONN) == STATE_UNAVAILABLE
    await changes_after(hass, freezer, STATUS, GRACE, "online", "offline")
    assert state(hass, CAUSE) == "provider_cloud"
    # recorded in the outage history
    outage = entry.runtime_data.history.open_outage(SYSTEM_ID)
    assert outage is not None
    assert outage.cause == "provider_cloud"

    await set_cloud(hass, "ok")
    await advance(hass, freezer, 90)  # the retry sets it up
    assert ring.state is ConfigEntryState.LOADED
    assert state(hass, STATUS) == "online"


async def test_a_sign_in_waiting_is_the_cause_auth(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, internet: SimulatedDevice
) -> None:
    ring = await setup_ring(hass)
    await watch_front_door(hass, ring)
    await set_available(hass, FRONT, available=False)
    await advance(hass, freezer, GRACE)
    assert state(hass, CAUSE) == "system"

    await hass.services.async_call(TEST_DOMAIN, "start_reauth", blocking=True)
    await settle(hass)
    assert state(hass, CAUSE) == "auth"

    # the owner signs in again: the integration is fine, the device is not
    flow = next(iter(ring.async_get_active_flows(hass, {"reauth"})))
    await hass.config_entries.flow.async_configure(flow["flow_id"], {"password": "new"})
    await settle(hass)
    assert state(hass, CAUSE) == "system"


async def test_integration_failing_setup_with_rejected_credentials_is_auth(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, internet: SimulatedDevice
) -> None:
    ring = await setup_ring(hass)
    await watch_front_door(hass, ring)
    await set_cloud(hass, "auth")
    assert ring.state is ConfigEntryState.SETUP_ERROR
    await advance(hass, freezer, GRACE)
    assert state(hass, STATUS) == "offline"
    assert state(hass, CAUSE) == "auth"


async def test_integration_disabled_by_the_owner_is_no_outage(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, internet: SimulatedDevice
) -> None:
    ring = await setup_ring(hass)
    await watch_front_door(hass, ring)
    await hass.config_entries.async_set_disabled_by(
        ring.entry_id, ConfigEntryDisabler.USER
    )
    await settle(hass)
    await advance(hass, freezer, GRACE + 60)
    assert state(hass, STATUS) == "online"


async def test_entity_added_to_the_device_later_is_watched_and_removed_dropped(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    internet: SimulatedDevice,
    entity_registry: er.EntityRegistry,
) -> None:
    ring = await setup_ring(hass)
    await watch_front_door(hass, ring)
    added = entity_registry.async_get_or_create(
        "sensor",
        TEST_DOMAIN,
        "front_door_signal",
        config_entry=ring,
        device_id=device_id(hass, ring),
        suggested_object_id="front_door_signal",
    )
    await settle(hass)
    hass.states.async_set(added.entity_id, STATE_UNAVAILABLE)
    await changes_after(hass, freezer, STATUS, GRACE, "online", "offline")
    assert "front_door_signal" in hass.states.get(STATUS).attributes["reason"]

    # removed from the device: no longer watched, not "missing"
    entity_registry.async_remove(added.entity_id)
    await settle(hass)
    assert state(hass, STATUS) == "online"


async def test_device_deleted_is_a_repair_not_an_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    internet: SimulatedDevice,
    device_registry: dr.DeviceRegistry,
    issue_registry: ir.IssueRegistry,
) -> None:
    ring = await setup_ring(hass)
    entry = await watch_front_door(hass, ring)
    device_registry.async_remove_device(device_id(hass, ring))
    await settle(hass)
    issue = issue_registry.async_get_issue(DOMAIN, f"device_removed_{SYSTEM_ID}")
    assert issue is not None
    assert issue.translation_placeholders == {"system": "Doorbell"}
    await advance(hass, freezer, GRACE + 60)
    assert state(hass, STATUS) == "online"

    # the system removed: its repair goes with it
    hass.config_entries.async_remove_subentry(entry, SYSTEM_ID)
    await settle(hass)
    assert issue_registry.async_get_issue(DOMAIN, f"device_removed_{SYSTEM_ID}") is None


async def test_device_deleted_while_home_assistant_was_down(
    hass: HomeAssistant, issue_registry: ir.IssueRegistry
) -> None:
    await setup_entry(
        hass, provider_entry({SYSTEM_ID: device_system("gone")}, title="Ring")
    )
    assert issue_registry.async_get_issue(DOMAIN, f"device_removed_{SYSTEM_ID}")
    assert state(hass, STATUS) == "unknown"


async def test_flow_adds_a_device_system_and_refuses_our_own_devices(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    ring = await setup_ring(hass)
    entry = await setup_entry(hass, provider_entry({}, title="Ring"))
    before = set(entry.subentries)

    # a device of Provider Watch itself (the provider's own device) is refused
    own = dr.async_entries_for_config_entry(device_registry, entry.entry_id)[0]
    result = await submit_system_form(
        hass, entry, "device", {"name": "Doorbell", "device": own.id}
    )
    assert result["errors"] == {"device": "own_device"}
    result = await configure(
        hass, result["flow_id"], {"name": "Doorbell", "device": "no-such-device"}
    )
    assert result["errors"] == {"device": "no_device"}

    result = await configure(
        hass, result["flow_id"], {"name": "Doorbell", "device": device_id(hass, ring)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    system = new_subentry(entry, before)
    assert system.subentry_type == SUBENTRY_SYSTEM
    assert system.data["kind"] == "device"
    assert system.data["device"] == device_id(hass, ring)
    await settle(hass)
    assert state(hass, STATUS) == "online"


async def test_entities_kind_follows_a_renamed_entity(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    internet: SimulatedDevice,
    entity_registry: er.EntityRegistry,
) -> None:
    await setup_ring(hass)
    entry = await setup_entry(
        hass,
        provider_entry(
            {
                SYSTEM_ID: {
                    "kind": "entities",
                    "entities": [FRONT_BATTERY],
                    "require_all": False,
                    "grace": GRACE,
                    "max_silence": 0,
                }
            },
            title="Ring",
        ),
    )
    entity_registry.async_update_entity(
        FRONT_BATTERY, new_entity_id="sensor.doorbell_battery"
    )
    await settle(hass)
    assert entry.subentries[SYSTEM_ID].data["entities"] == ["sensor.doorbell_battery"]
    await advance(hass, freezer, GRACE + 60)
    assert state(hass, STATUS) == "online"  # not "missing"

    await set_available(hass, FRONT, available=False)
    await changes_after(hass, freezer, STATUS, GRACE, "online", "offline")


async def test_entities_of_an_integration_disabled_by_the_owner_are_no_outage(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, internet: SimulatedDevice
) -> None:
    ring = await setup_ring(hass)
    await setup_entry(
        hass,
        provider_entry(
            {
                SYSTEM_ID: {
                    "kind": "entities",
                    "entities": [FRONT_CONN],
                    "require_all": False,
                    "grace": GRACE,
                    "max_silence": 0,
                }
            },
            title="Ring",
        ),
    )
    await hass.config_entries.async_set_disabled_by(
        ring.entry_id, ConfigEntryDisabler.USER
    )
    await settle(hass)
    await advance(hass, freezer, GRACE + 60)
    assert state(hass, STATUS) == "online"


async def test_integration_removed_while_retrying_is_no_longer_the_cause(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    internet: SimulatedDevice,
    issue_registry: ir.IssueRegistry,
) -> None:
    ring = await setup_ring(hass)
    await watch_front_door(hass, ring)
    await set_cloud(hass, "retry")
    await advance(hass, freezer, GRACE)
    assert state(hass, CAUSE) == "provider_cloud"
    await hass.config_entries.async_remove(ring.entry_id)
    await settle(hass)
    assert state(hass, CAUSE) != "provider_cloud"
    assert issue_registry.async_get_issue(DOMAIN, f"device_removed_{SYSTEM_ID}")


@pytest.mark.parametrize("stopping", [False, True])
async def test_home_assistant_stopping_is_no_trouble_of_the_integration(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    internet: SimulatedDevice,
    stopping: bool,
) -> None:
    """Home Assistant unloads every integration as it stops: that is no trouble.

    An integration unloaded while Home Assistant runs is (not loaded after loaded).
    """
    ring = await setup_ring(hass)
    await watch_front_door(hass, ring)
    if stopping:
        hass.set_state(CoreState.stopping)
    await hass.config_entries.async_unload(ring.entry_id)
    await settle(hass)
    trouble = integration_trouble(hass, lambda: {ring.entry_id})
    hass.set_state(CoreState.running)
    assert (trouble is None) is stopping
