"""Device triggers: the automation editor offers 'went offline' / 'came back online'."""

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_get_device_automations

from custom_components.provider_watch.const import DOMAIN
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from testkit.simulated import SimulatedDevice

from .helpers import SYSTEM_ID, advance, provider_entry, setup_http_provider


async def test_triggers_offered_and_fired(
    hass: HomeAssistant,
    device: SimulatedDevice,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
    service_calls: list[ServiceCall],
) -> None:
    entry = await setup_http_provider(hass, device.url)
    system_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, SYSTEM_ID), entry.entry_id
    )
    assert system_device is not None
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, system_device.id
    )
    ours = sorted(t["type"] for t in triggers if t["domain"] == DOMAIN)
    assert ours == ["came_online", "went_offline"]

    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "triggers": {
                        "platform": "device",
                        "domain": DOMAIN,
                        "device_id": system_device.id,
                        "type": trigger_type,
                    },
                    "actions": {
                        "action": "test.automation",
                        "data": {"what": trigger_type},
                    },
                }
                for trigger_type in ("went_offline", "came_online")
            ]
        },
    )
    await device.stop()
    await advance(hass, freezer, 30, 5, 5)
    assert [call.data["what"] for call in service_calls] == ["went_offline"]
    await device.start()
    await advance(hass, freezer, 30, 5)
    assert [call.data["what"] for call in service_calls] == [
        "went_offline",
        "came_online",
    ]


async def test_no_triggers_for_other_devices(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    other = provider_entry({})
    other.add_to_hass(hass)
    foreign = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other_domain", "x")}
    )
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, foreign.id
    )
    assert [t for t in triggers if t["domain"] == DOMAIN] == []


async def test_no_triggers_for_the_provider_device(
    hass: HomeAssistant, device: SimulatedDevice, device_registry: dr.DeviceRegistry
) -> None:
    """A provider does not go offline as a system does: its device offers none."""
    entry = await setup_http_provider(hass, device.url)
    provider = device_registry.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert provider is not None
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, provider.id
    )
    assert [t for t in triggers if t["domain"] == DOMAIN] == []
