"""What self-heal tells the world: the repair issue, the bus event, the quiet push.

And what diagnostics show of a system's self-heal. The decisions are made in
system.py; this module only says what happened.
"""

from datetime import datetime
from typing import Any, Protocol

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util

from ..alerting.messages import quiet_payload, self_heal_did
from ..alerting.phones import resolve_phone
from ..const import DOMAIN, EVENT_SELF_HEAL
from ..logic.self_heal import Action, HealSettings, HealSummary, Reason
from ..logic.text import format_duration
from ..monitoring.coordinator import SystemCoordinator
from ..monitoring.provider import ProviderEntry, ProviderRuntimeData
from ..protocols import AlertingForSelfHeal

ISSUE_TARGET = "self_heal_target"
ISSUE_SWITCH_OFF = "self_heal_switch_off"
# what the bus event says happened
RESULT_HEALED = "healed"
RESULT_NOT_HEALED = "not_healed"
RESULT_SKIPPED = "skipped"


def issue_id(system_id: str) -> str:
    """The repair issue of a system whose target entity is missing or unavailable."""
    return f"{ISSUE_TARGET}_{system_id}"


@callback
def async_clear_issue(hass: HomeAssistant, system_id: str) -> None:
    """A system's target entity is fine again (or it has none): no repair issue."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(system_id))


def switch_off_issue_id(entity_id: str) -> str:
    """The repair issue of a switch that would not turn on after a power-cycle."""
    return f"{ISSUE_SWITCH_OFF}_{entity_id}"


@callback
def async_raise_switch_off_issue(
    hass: HomeAssistant, entity_id: str, tries: int
) -> None:
    """A switch we turned off refused every turn_on: a repair issue says so."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        switch_off_issue_id(entity_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=ISSUE_SWITCH_OFF,
        translation_placeholders={"entity": entity_id, "tries": str(tries)},
    )


@callback
def async_clear_switch_off_issue(hass: HomeAssistant, entity_id: str) -> None:
    """The switch is on again: its repair issue goes."""
    ir.async_delete_issue(hass, DOMAIN, switch_off_issue_id(entity_id))


def hhmm(moment: datetime) -> str:
    """A time of day, as the texts show it."""
    return dt_util.as_local(moment).strftime("%H:%M")


class HealTeller:
    """What one system's self-heal tells: its repair issue, events and pushes."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ProviderEntry,
        runtime: ProviderRuntimeData,
        system: SystemCoordinator,
        entity_id: str,
        action: Action,
    ) -> None:
        """For the system `system`, whose self-heal uses `entity_id`."""
        self._hass = hass
        self._entry = entry
        self._runtime = runtime
        self._system = system
        self._entity_id = entity_id
        self._action = action

    def entity_name(self) -> str:
        """The target entity's name, as the texts show it."""
        state = self._hass.states.get(self._entity_id)
        if state is not None:
            return state.name
        entry = er.async_get(self._hass).async_get(self._entity_id)
        if entry is not None and (name := entry.name or entry.original_name):
            return name
        return self._entity_id

    # --- the repair issue -------------------------------------------------------------

    @callback
    def async_check_issue(self) -> None:
        """The target entity is back: its repair issue goes."""
        state = self._hass.states.get(self._entity_id)
        if state is not None and state.state != STATE_UNAVAILABLE:
            async_clear_issue(self._hass, self._system.system_id)

    @callback
    def async_raise_issue(self) -> None:
        """The target entity is missing or unavailable: a repair issue says so."""
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id(self._system.system_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_TARGET,
            translation_placeholders={
                "entity": self._entity_id,
                "system": self._system.subentry.title,
            },
        )

    # --- the bus event and the quiet push ---------------------------------------------

    def _device_id(self) -> str | None:
        device = dr.async_get(self._hass).async_get_device_by_identifier(
            (DOMAIN, self._system.system_id), self._entry.entry_id
        )
        return device.id if device is not None else None

    @callback
    def async_fire(self, result: str, reason: Reason | None, attempts: int) -> None:
        """The event `provider_watch_self_heal`: what self-heal did, and how it went."""
        self._hass.bus.async_fire(
            EVENT_SELF_HEAL,
            {
                "provider": self._entry.title,
                "provider_id": self._entry.entry_id,
                "system": self._system.subentry.title,
                "system_id": self._system.system_id,
                "device_id": self._device_id(),
                "action": self._action.value,
                "entity_id": self._entity_id,
                "result": result,
                "reason": reason.value if reason is not None else None,
                "attempts": attempts,
            },
        )

    async def async_tell_healed(
        self,
        alerts: AlertingForSelfHeal,
        summary: HealSummary,
        offline_since: datetime,
        outage_id: str | None,
    ) -> None:
        """The quiet push: the system is back, and what did it."""
        texts = alerts.text
        system = self._system.subentry.title
        back = self._system.machine.last_online or dt_util.utcnow()
        outage = self._runtime.history.find(outage_id or "")
        since = outage.start if outage is not None else offline_since
        title = texts("self_heal_healed_title", system=system)
        message = texts(
            "self_heal_healed_message",
            system=system,
            since=hhmm(since),
            did=self_heal_did(summary, texts, hhmm),
            duration=format_duration((back - since).total_seconds()),
        )
        device_id = self._device_id()
        for device in self._runtime.settings.phones:
            phone = resolve_phone(self._hass, device)
            if phone is None:
                continue
            data = quiet_payload(
                title,
                message,
                phone,
                tag=f"provider-watch-heal-{self._system.system_id}",
                group=f"provider-watch-{self._entry.title}",
                channel=texts("self_heal_channel"),
                device_path=f"/config/devices/device/{device_id}"
                if device_id
                else None,
            )
            # retried like any alert if the relay refuses it
            await alerts.async_deliver(phone, data)


class HealState(Protocol):
    """What diagnostics show of a system's self-heal (SystemSelfHeal has it)."""

    @property
    def entity_id(self) -> str:
        """The target entity."""

    @property
    def settings(self) -> HealSettings:
        """The system's self-heal settings."""

    @property
    def pending(self) -> bool:
        """Self-heal is under way: the alert is held."""

    @property
    def busy(self) -> bool:
        """An attempt is being made right now."""

    @property
    def offline_since(self) -> datetime | None:
        """When the current outage was confirmed."""

    @property
    def attempts(self) -> list[datetime]:
        """When each attempt of the current outage began."""

    @property
    def summary(self) -> HealSummary | None:
        """What self-heal did about the latest outage."""


def diagnostics(
    heal: HealState, *, enabled: bool, attempts_today: int
) -> dict[str, Any]:
    """A system's self-heal, for diagnostics."""
    summary = heal.summary
    settings = heal.settings
    return {
        "entity_id": heal.entity_id,
        "action": settings.action.value,
        "settings": {
            "off_time": settings.off_time,
            "delay": settings.delay,
            "attempts": settings.attempts,
            "daily_max": settings.daily_max,
            "recheck": settings.recheck,
            "notify": settings.notify.value,
        },
        "enabled": enabled,
        "pending": heal.pending,
        "busy": heal.busy,
        "offline_since": heal.offline_since.isoformat() if heal.offline_since else None,
        "attempts": [a.isoformat() for a in heal.attempts],
        "attempts_today": attempts_today,
        "last": None
        if summary is None
        else {
            "healed": summary.healed,
            "reason": summary.reason.value if summary.reason else None,
            "attempts": [a.isoformat() for a in summary.attempts],
        },
    }
