"""Discovery: the provider's integration already installed is offered to be watched.

The provider's integration is the test-only, cloud-connected pw_test_provider.
"""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.provider_watch.const import DOMAIN
from custom_components.provider_watch.discovery import discovery_unique_id
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_INTEGRATION_DISCOVERY,
    ConfigEntryState,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    discovery_flow,
    entity_registry as er,
)
from homeassistant.setup import async_setup_component
from testkit.simulated import LOCALHOST, SimulatedDevice

from .helpers import (
    provider_entries,
    provider_entry,
    settle,
    setup_entry,
    setup_internet,
    state,
)
from .provider_integration import (
    BACK,
    FRONT,
    RING,
    device_id,
    device_system,
    setup_ring,
)


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """The integration checks the ICMP mode once at setup (a local socket)."""


def offers(hass: HomeAssistant) -> list[dict[str, Any]]:
    """The discovered flows of Provider Watch in progress (as the REST API lists)."""
    return [
        dict(flow)
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY
    ]


async def test_installed_integration_is_offered_and_confirmed(
    hass: HomeAssistant, internet: SimulatedDevice
) -> None:
    # Provider Watch runs already (the internet check): Ring is offered once added
    ring = await setup_ring(hass)
    (offer,) = offers(hass)
    assert offer["context"]["title_placeholders"] == {"name": RING, "count": "2"}
    assert offer["context"]["unique_id"] == discovery_unique_id(ring.entry_id)
    assert offer["step_id"] == "integration_confirm"

    result = await hass.config_entries.flow.async_configure(
        offer["flow_id"], {"name": "Ring", "devices": [device_id(hass, ring)]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    (provider,) = provider_entries(hass)
    assert provider.title == "Ring"
    assert provider.unique_id == discovery_unique_id(ring.entry_id)
    (system,) = provider.subentries.values()
    assert system.title == FRONT
    assert system.data["kind"] == "device"
    assert provider.state is ConfigEntryState.LOADED
    assert state(hass, "sensor.front_door_status") == "online"

    # offered again (another scan, another start): never a second time
    discovery_flow.async_create_flow(
        hass,
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"entry_id": ring.entry_id},
    )
    await settle(hass)
    assert not offers(hass)


async def test_offered_at_start_with_all_devices_chosen(
    hass: HomeAssistant, device: SimulatedDevice
) -> None:
    ring = await setup_ring(hass)
    # Provider Watch set up once Home Assistant runs: it looks at every entry
    await setup_internet(hass, f"{LOCALHOST}:{device.port}")
    (offer,) = offers(hass)
    form = await hass.config_entries.flow.async_configure(offer["flow_id"])
    schema = form["data_schema"].schema
    defaults = {
        str(key): key.description["suggested_value"]
        for key in schema
        if key.description
    }
    assert defaults["name"] == RING
    assert sorted(defaults["devices"]) == sorted(
        device_id(hass, ring, name) for name in (FRONT, BACK)
    )
    result = await hass.config_entries.flow.async_configure(
        offer["flow_id"], {"name": "Ring", "devices": defaults["devices"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (provider,) = provider_entries(hass)
    assert sorted(s.title for s in provider.subentries.values()) == [BACK, FRONT]


async def test_confirm_asks_for_a_free_name_and_a_device(
    hass: HomeAssistant, internet: SimulatedDevice
) -> None:
    await setup_entry(hass, provider_entry({}, title="Ring"))
    ring = await setup_ring(hass)
    (offer,) = offers(hass)
    result = await hass.config_entries.flow.async_configure(
        offer["flow_id"], {"name": "ring", "devices": []}
    )
    assert result["errors"] == {"name": "name_exists", "devices": "no_devices"}
    result = await hass.config_entries.flow.async_configure(
        offer["flow_id"], {"name": "", "devices": [device_id(hass, ring)]}
    )
    assert result["errors"] == {"name": "invalid_name"}


async def test_ignored_is_never_offered_again(
    hass: HomeAssistant, internet: SimulatedDevice
) -> None:
    ring = await setup_ring(hass)
    (offer,) = offers(hass)
    await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_IGNORE},
        data={"unique_id": offer["context"]["unique_id"], "title": RING},
    )
    await settle(hass)
    assert not offers(hass)
    discovery_flow.async_create_flow(
        hass,
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"entry_id": ring.entry_id},
    )
    await settle(hass)
    assert not offers(hass)


async def test_devices_watched_already_are_not_offered(
    hass: HomeAssistant, device: SimulatedDevice
) -> None:
    ring = await setup_ring(hass, devices=[FRONT])
    await setup_entry(
        hass,
        provider_entry({"system_door": device_system(device_id(hass, ring))}),
    )
    await setup_internet(hass, f"{LOCALHOST}:{device.port}")
    assert not offers(hass)


async def test_local_integrations_are_not_offered(
    hass: HomeAssistant,
    device: SimulatedDevice,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    # Hue's manifest says local_push: not the provider's cloud
    hue = MockConfigEntry(domain="hue", title="Hue", state=ConfigEntryState.LOADED)
    hue.add_to_hass(hass)
    lamp = device_registry.async_get_or_create(
        config_entry_id=hue.entry_id, identifiers={("hue", "lamp")}, name="Lamp"
    )
    entity_registry.async_get_or_create(
        "light", "hue", "lamp", config_entry=hue, device_id=lamp.id
    )
    await setup_internet(hass, f"{LOCALHOST}:{device.port}")
    assert not offers(hass)
    hue.mock_state(hass, ConfigEntryState.NOT_LOADED)  # (nothing to unload)


async def test_offer_for_an_entry_gone_meanwhile_aborts(
    hass: HomeAssistant, internet: SimulatedDevice
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"entry_id": "gone"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "integration_gone"


async def test_first_provider_from_an_offer_brings_the_internet_check(
    hass: HomeAssistant, device: SimulatedDevice
) -> None:
    ring = await setup_ring(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"entry_id": ring.entry_id},
    )
    assert result["step_id"] == "integration_confirm"
    placeholders = result["description_placeholders"]
    assert {"integration": RING, "count": "2"}.items() <= placeholders.items()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Ring", "devices": [device_id(hass, ring)]}
    )
    assert result["step_id"] == "internet"  # no internet check yet: its targets
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"targets": [f"{LOCALHOST}:{device.port}"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    (provider,) = provider_entries(hass)
    assert [s.title for s in provider.subentries.values()] == [FRONT]
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2
    assert state(hass, "sensor.front_door_status") == "online"


async def test_the_offer_is_listed_where_the_frontend_reads_discovered(
    hass: HomeAssistant, internet: SimulatedDevice, hass_ws_client: Any
) -> None:
    assert await async_setup_component(hass, "config", {})
    ring = await setup_ring(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "config_entries/flow/progress"})
    answer = await client.receive_json()
    assert answer["success"]
    (offer,) = answer["result"]
    assert offer["handler"] == DOMAIN
    assert offer["context"]["unique_id"] == discovery_unique_id(ring.entry_id)
    assert offer["context"]["title_placeholders"] == {"name": RING, "count": "2"}
