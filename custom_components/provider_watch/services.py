"""Service actions: acknowledge, snooze, maintenance, test alert, provider notice.

Every one of them changes something, so each is for administrators (and for
automations, which run without a user), as Home Assistant's own admin services
are: `async_register_admin_service` refuses any other user with Unauthorized.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from math import ceil
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
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

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
ATTR_END_TIME = "end_time"
MAX_SNOOZE = timedelta(days=7)
MAX_MAINTENANCE = timedelta(days=7)
TEST_ALERT_INTERVAL = timedelta(seconds=30)  # per provider
DATA_TEST_ALERTS: HassKey[dict[str, datetime]] = HassKey(f"{DOMAIN}_test_alerts")
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
MAINTENANCE_SCHEMA = TARGET_SCHEMA.extend({vol.Optional(ATTR_END_TIME): cv.datetime})
TEST_ALERT_SCHEMA = vol.Schema(
    {vol.Optional(ATTR_CONFIG_ENTRY_ID): vol.All(cv.ensure_list, [cv.string])}
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


def _maintenance_end(call: ServiceCall) -> datetime | None:
    """The end time of a maintenance: in the future, at most 7 days ahead."""
    if (end := call.data.get(ATTR_END_TIME)) is None:
        return None
    end = dt_util.as_utc(end)  # a time without zone is Home Assistant's local time
    now = dt_util.utcnow()
    if end <= now:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="maintenance_end_passed"
        )
    if end - now > MAX_MAINTENANCE:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="maintenance_too_long"
        )
    return end


@callback
def async_allow_test_alert(
    hass: HomeAssistant, entries: Iterable[ProviderEntry]
) -> None:
    """One test alert per provider every 30 s (the action's and the button's).

    Raises ServiceValidationError (and sends none) when one of the providers had
    one less than 30 s ago; otherwise notes that they have one now.
    """
    sent = hass.data.setdefault(DATA_TEST_ALERTS, {})
    now = dt_util.utcnow()
    wanted = list(entries)
    for entry in wanted:
        last = sent.get(entry.entry_id)
        if last is not None and timedelta(0) <= now - last < TEST_ALERT_INTERVAL:
            wait = (last + TEST_ALERT_INTERVAL - now).total_seconds()
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="test_alert_too_soon",
                translation_placeholders={
                    "provider": entry.title,
                    "seconds": str(ceil(wait)),
                },
            )
    for entry in wanted:
        sent[entry.entry_id] = now


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
        if call.service == "start_maintenance":
            _manager(hass).async_set_maintenance(
                ids, active=True, until=_maintenance_end(call)
            )
        else:
            _manager(hass).async_set_maintenance(ids, active=False)

    async def send_test_alert(call: ServiceCall) -> ServiceResponse:
        manager = _manager(hass)
        wanted = call.data.get(ATTR_CONFIG_ENTRY_ID)
        entries = (
            [_provider(hass, entry_id) for entry_id in dict.fromkeys(wanted)]
            if wanted is not None
            else loaded_providers(hass)
        )
        async_allow_test_alert(hass, entries)
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
    for name, handler, schema, responds in (
        ("acknowledge", acknowledge, TARGET_SCHEMA, True),
        ("snooze", snooze, SNOOZE_SCHEMA, True),
        ("start_maintenance", maintenance, MAINTENANCE_SCHEMA, False),
        ("end_maintenance", maintenance, TARGET_SCHEMA, False),
        ("send_test_alert", send_test_alert, TEST_ALERT_SCHEMA, True),
        (SERVICE_RECORD_PROVIDER_NOTICE, record_provider_notice, NOTICE_SCHEMA, True),
    ):
        async_register_admin_service(
            hass, DOMAIN, name, handler, schema, **(optional if responds else {})
        )
