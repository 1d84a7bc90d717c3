"""The owner's phones: registry device ids -> Companion-app notify services.

Phones are stored as device-registry ids and resolved at send time, so a phone renamed
in the app still gets its alerts; a phone removed (or without push) raises a repair
issue instead of failing silently.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.const import EVENT_SERVICE_REGISTERED, EVENT_SERVICE_REMOVED
from homeassistant.core import CALLBACK_TYPE, CoreState, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.start import async_at_started

from ..const import DOMAIN
from .mobile_app import push_target

MOBILE_APP = "mobile_app"
ISSUE_PREFIX = "phone_missing_"


@dataclass(frozen=True, kw_only=True, slots=True)
class Phone:
    """A phone that can receive alerts now."""

    device_id: str
    name: str
    service: str  # notify.<service>
    ios: bool
    # the Companion app's registration (its local push channel); a secret
    webhook_id: str = field(default="", repr=False)


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
    target = push_target(hass, device_id)
    if target is None or not hass.services.has_service("notify", target[1]):
        _raise_missing(hass, device_id, device.name_by_user or device.name or name)
        return None
    webhook_id, service = target
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_PREFIX}{device_id}")
    os_name = str(entry.data.get("os_name", "")).lower()
    return Phone(
        device_id=device_id,
        name=device.name_by_user or device.name or name,
        service=service,
        ios=os_name in ("ios", "ipados", "macos") or "apple" in os_name,
        webhook_id=webhook_id,
    )


def _raise_missing(hass: HomeAssistant, device_id: str, name: str | None) -> None:
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{ISSUE_PREFIX}{device_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="phone_missing",
        translation_placeholders={"phone": name or device_id},
    )


@callback
def async_check_phones(hass: HomeAssistant, device_ids: Iterable[str]) -> None:
    """Raise or clear the repair of each configured phone, before any alert.

    A repair for a phone no longer configured anywhere is cleared too.
    """
    wanted = set(device_ids)
    for device_id in sorted(wanted):
        resolve_phone(hass, device_id)
    for domain, issue_id in list(ir.async_get(hass).issues):
        if (
            domain == DOMAIN
            and issue_id.startswith(ISSUE_PREFIX)
            and issue_id.removeprefix(ISSUE_PREFIX) not in wanted
        ):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


@callback
def _is_notify_service(event_data: Mapping[str, Any]) -> bool:
    return event_data.get("domain") == "notify"


class PhoneRepairs:
    """Keeps the configured phones' repairs current as phones come and go."""

    def __init__(
        self, hass: HomeAssistant, device_ids: Callable[[], Iterable[str]]
    ) -> None:
        """device_ids: every phone configured now."""
        self.hass = hass
        self._device_ids = device_ids

    @callback
    def async_check(self) -> None:
        """Repairs for configured phones that cannot be alerted (once running).

        While Home Assistant starts, the phones are still being set up.
        """
        if self.hass.state is not CoreState.running:
            return
        async_check_phones(self.hass, self._device_ids())

    @callback
    def async_listen(self) -> list[CALLBACK_TYPE]:
        """Check once started, and whenever a phone is added, removed or renamed."""
        return [
            # a phone added, removed or renamed in the Companion app
            *(
                self.hass.bus.async_listen(
                    event, self._async_on_notify_change, _is_notify_service
                )
                for event in (EVENT_SERVICE_REGISTERED, EVENT_SERVICE_REMOVED)
            ),
            async_at_started(self.hass, self._async_started),
        ]

    @callback
    def _async_on_notify_change(self, _event: Event[Mapping[str, Any]]) -> None:
        self.async_check()

    @callback
    def _async_started(self, _hass: HomeAssistant) -> None:
        self.async_check()
