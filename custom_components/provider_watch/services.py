"""Service actions: acknowledge, snooze, maintenance, test alert, provider notice."""

from datetime import timedelta
from typing import Any

import probatio as vol

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util

from .alerting.manager import AlertManager
from .const import DOMAIN
from .hub import DATA_ALERTS
from .logic.notes import Answered
from .logic.outages import OutageRecord
from .runtime import ProviderEntry, loaded_provider, loaded_providers

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_DURATION = "duration"
ATTR_OUTAGE_ID = "outage_id"
ATTR_TOLD = "told"
ATTR_NOTE = "note"
MAX_SNOOZE = timedelta(days=7)
MAX_NOTE = 500
SERVICE_RECORD_PROVIDER_NOTICE = "record_provider_notice"

TARGET_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_CONFIG_ENTRY_ID): vol.All(cv.ensure_list, [cv.string]),
    }
)
SNOOZE_SCHEMA = TARGET_SCHEMA.extend(
    {vol.Required(ATTR_DURATION): cv.positive_time_period}
)
NOTICE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_OUTAGE_ID): cv.string,
        # yes / no (and true / false, on / off)
        vol.Required(ATTR_TOLD): cv.boolean,
        vol.Optional(ATTR_NOTE): vol.All(cv.string, vol.Length(max=MAX_NOTE)),
    }
)


def _manager(hass: HomeAssistant) -> AlertManager:
    manager = hass.data.get(DATA_ALERTS)
    if manager is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="not_loaded"
        )
    return manager


def _provider(hass: HomeAssistant, entry_id: str) -> ProviderEntry:
    """A loaded provider entry (not another integration's, not the internet check)."""
    if (entry := loaded_provider(hass, entry_id)) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_provider",
            translation_placeholders={"entry_id": entry_id},
        )
    return entry


def _systems(hass: HomeAssistant, call: ServiceCall) -> set[str] | None:
    """The system ids a call names (None: every system)."""
    devices = call.data.get(ATTR_DEVICE_ID, [])
    entries = call.data.get(ATTR_CONFIG_ENTRY_ID, [])
    if not devices and not entries:
        return None
    systems: set[str] = set()
    registry = dr.async_get(hass)
    for device_id in devices:
        device = registry.async_get(device_id)
        ids = [i for d, i in device.identifiers if d == DOMAIN] if device else []
        if not device or not device.config_subentry_id or not ids:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_system",
                translation_placeholders={"device_id": device_id},
            )
        systems.add(device.config_subentry_id)
    for entry_id in entries:
        systems |= set(_provider(hass, entry_id).subentries)
    return systems


def _notice_response(entry: ProviderEntry, record: OutageRecord) -> dict[str, Any]:
    return {
        "outage_id": record.id,
        "config_entry_id": entry.entry_id,
        "provider": entry.title,
        "system": record.system,
        "start": record.start.isoformat(),
        "end": record.end.isoformat() if record.end else None,
        "told": record.provider_told,
        "note": record.notice_note,
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, in async_setup)."""

    async def acknowledge(call: ServiceCall) -> ServiceResponse:
        count = _manager(hass).async_acknowledge(
            systems=_systems(hass, call), by=call.context.user_id
        )
        return {"acknowledged": count}

    async def snooze(call: ServiceCall) -> ServiceResponse:
        duration: timedelta = call.data[ATTR_DURATION]
        if duration > MAX_SNOOZE:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="snooze_too_long"
            )
        count = _manager(hass).async_snooze(duration, systems=_systems(hass, call))
        return {"snoozed": count}

    async def maintenance(call: ServiceCall) -> None:
        ids = _systems(hass, call)
        if ids is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="maintenance_needs_target"
            )
        _manager(hass).async_set_maintenance(
            ids, active=call.service == "start_maintenance"
        )

    async def send_test_alert(call: ServiceCall) -> ServiceResponse:
        manager = _manager(hass)
        wanted = call.data.get(ATTR_CONFIG_ENTRY_ID)
        entries = (
            [_provider(hass, entry_id) for entry_id in dict.fromkeys(wanted)]
            if wanted is not None
            else loaded_providers(hass)
        )
        sent = 0
        for entry in entries:
            sent += await manager.async_send_test(entry)
        return {"phones": sent}

    async def record_provider_notice(call: ServiceCall) -> ServiceResponse:
        """Whether the provider told the owner about an outage (by its id)."""
        outage_id = call.data[ATTR_OUTAGE_ID].strip()
        for entry in loaded_providers(hass):
            runtime = entry.runtime_data
            answered = runtime.history.note(
                Answered(
                    outage_id=outage_id,
                    told=call.data[ATTR_TOLD],
                    when=dt_util.utcnow(),
                    by=call.context.user_id,
                    note=call.data.get(ATTR_NOTE),
                )
            )
            if answered and (record := runtime.history.find(outage_id)) is not None:
                return _notice_response(entry, record)
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_outage",
            translation_placeholders={"outage_id": outage_id},
        )

    optional: Any = {"supports_response": SupportsResponse.OPTIONAL}
    hass.services.async_register(
        DOMAIN, "acknowledge", acknowledge, schema=TARGET_SCHEMA, **optional
    )
    hass.services.async_register(
        DOMAIN, "snooze", snooze, schema=SNOOZE_SCHEMA, **optional
    )
    for name in ("start_maintenance", "end_maintenance"):
        hass.services.async_register(DOMAIN, name, maintenance, schema=TARGET_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        "send_test_alert",
        send_test_alert,
        schema=vol.Schema(
            {vol.Optional(ATTR_CONFIG_ENTRY_ID): vol.All(cv.ensure_list, [cv.string])}
        ),
        **optional,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_RECORD_PROVIDER_NOTICE,
        record_provider_notice,
        schema=NOTICE_SCHEMA,
        **optional,
    )
