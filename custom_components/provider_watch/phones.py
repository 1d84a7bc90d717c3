"""The owner's phones: registry device ids -> Companion-app notify services.

Phones are stored as device-registry ids and resolved at send time, so a phone renamed
in the app still gets its alerts; a phone removed (or without push) raises a repair
issue instead of failing silently.
"""

from dataclasses import dataclass

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import slugify

from .const import DOMAIN

MOBILE_APP = "mobile_app"


@dataclass(frozen=True, kw_only=True)
class Phone:
    """A phone that can receive alerts now."""

    device_id: str
    name: str
    service: str  # notify.<service>
    ios: bool


def resolve_phone(hass: HomeAssistant, device_id: str) -> Phone | None:
    """The phone's notify service, or None (and a repair issue) when it has none."""
    device = dr.async_get(hass).async_get(device_id)
    entry = (
        hass.config_entries.async_get_entry(device.config_entry_id)
        if device is not None and device.config_entry_id
        else None
    )
    if device is None or entry is None or entry.domain != MOBILE_APP:
        _raise_missing(hass, device_id, device.name if device else device_id)
        return None
    name = entry.data.get("device_name") or entry.title
    service = slugify(f"{MOBILE_APP}_{name}")
    if not hass.services.has_service("notify", service):
        _raise_missing(hass, device_id, device.name_by_user or device.name or name)
        return None
    ir.async_delete_issue(hass, DOMAIN, f"phone_missing_{device_id}")
    os_name = str(entry.data.get("os_name", "")).lower()
    return Phone(
        device_id=device_id,
        name=device.name_by_user or device.name or name,
        service=service,
        ios=os_name in ("ios", "ipados", "macos") or "apple" in os_name,
    )


def _raise_missing(hass: HomeAssistant, device_id: str, name: str | None) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"phone_missing_{device_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="phone_missing",
        translation_placeholders={"phone": name or device_id},
    )
