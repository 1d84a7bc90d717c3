"""The integration-wide objects: alerting and self-heal, created and wired once."""

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from .alerting.manager import AlertManager
from .const import DOMAIN
from .self_heal.manager import SelfHealManager

DATA_ALERTS: HassKey[AlertManager] = HassKey(f"{DOMAIN}_alerts")
DATA_SELF_HEAL: HassKey[SelfHealManager] = HassKey(f"{DOMAIN}_self_heal")


async def async_setup_hub(hass: HomeAssistant) -> None:
    """Start the alert and self-heal managers and let each see the other."""
    if (old_alerts := hass.data.get(DATA_ALERTS)) is not None:
        old_alerts.async_stop()  # set up again (tests restart the integration)
    if (old_heal := hass.data.get(DATA_SELF_HEAL)) is not None:
        old_heal.async_stop()
    alerts = AlertManager(hass)
    self_heal = SelfHealManager(hass)
    alerts.self_heal = self_heal
    self_heal.alerts = alerts
    await alerts.async_start()
    await self_heal.async_start()
    hass.data[DATA_ALERTS] = alerts
    hass.data[DATA_SELF_HEAL] = self_heal
    hass.bus.async_listen_once(
        EVENT_HOMEASSISTANT_STOP, callback(lambda _event: alerts.async_stop())
    )
    hass.bus.async_listen_once(
        # in the event loop: a switch kept off by a power-cycle is turned on
        EVENT_HOMEASSISTANT_STOP,
        callback(lambda _event: self_heal.async_stop()),
    )
