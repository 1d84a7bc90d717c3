"""Device triggers: 'went offline' and 'came back online' for each system."""

import probatio as vol

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, EVENT_SYSTEM_OFFLINE, EVENT_SYSTEM_ONLINE

TRIGGER_EVENTS = {
    "went_offline": EVENT_SYSTEM_OFFLINE,
    "came_online": EVENT_SYSTEM_ONLINE,
}

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {vol.Required(CONF_TYPE): vol.In(TRIGGER_EVENTS)}
)


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, str]]:
    """Offer both triggers for a monitored-system device.

    A system's device belongs to its subentry; the provider's device and the
    internet check's do not, and never go offline as a system does.
    """
    device = dr.async_get(hass).async_get(device_id)
    if (
        device is None
        or device.config_subentry_id is None
        or not any(domain == DOMAIN for domain, _ in device.identifiers)
    ):
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type in TRIGGER_EVENTS
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the system's offline or online bus event."""
    return await event_trigger.async_attach_trigger(
        hass,
        event_trigger.TRIGGER_SCHEMA(
            {
                CONF_PLATFORM: CONF_EVENT,
                event_trigger.CONF_EVENT_TYPE: TRIGGER_EVENTS[config[CONF_TYPE]],
                CONF_EVENT_DATA: {CONF_DEVICE_ID: config[CONF_DEVICE_ID]},
            }
        ),
        action,
        trigger_info,
        platform_type="device",
    )
