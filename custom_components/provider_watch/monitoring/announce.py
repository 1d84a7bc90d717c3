"""A system's transition, told: the log line and the bus event automations use."""

from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..const import (
    DOMAIN,
    EVENT_SYSTEM_OFFLINE,
    EVENT_SYSTEM_ONLINE,
    LOGGER,
)
from ..logic.cause import Cause
from ..logic.state import Step, Transition


@dataclass(frozen=True, slots=True)
class Teller:
    """Who a system is, as its events say it (the coordinator is one)."""

    hass: HomeAssistant
    config_entry: ConfigEntry[Any]
    system_id: str
    title: str
    kind: str


def announce(system: Teller, step: Step, cause: Cause | None) -> None:
    """Log and fire the bus event of a transition."""
    machine = step.state
    device = dr.async_get(system.hass).async_get_device_by_identifier(
        (DOMAIN, system.system_id), system.config_entry.entry_id
    )
    data: dict[str, Any] = {
        "provider": system.config_entry.title,
        "provider_id": system.config_entry.entry_id,
        "system": system.title,
        "system_id": system.system_id,
        "device_id": device.id if device else None,
        "kind": system.kind,
    }
    if step.transition is Transition.WENT_OFFLINE:
        start = machine.outage_start or machine.since
        data |= {
            "since": start.isoformat() if start else None,
            "reason": machine.reason,
            "cause": cause.value if cause else None,
        }
        LOGGER.warning(
            "%s (%s) is offline: %s (cause: %s)",
            system.title,
            system.config_entry.title,
            machine.reason,
            cause,
        )
        system.hass.bus.async_fire(EVENT_SYSTEM_OFFLINE, data)
    else:
        start = step.outage_start
        data |= {
            "since": start.isoformat() if start else None,
            "duration": step.outage_duration,
            "reason": None,
        }
        LOGGER.info("%s (%s) is back online", system.title, system.config_entry.title)
        system.hass.bus.async_fire(EVENT_SYSTEM_ONLINE, data)
