"""One attempt on a target entity, and the off-wait of a power-cycle.

An attempt is made once for every system its target serves (targets.SharedAttempt);
this module makes it: the service call (switch: off, wait, on; button: press;
script: run) under a Context of our own. Never fight the user: a switch a person
changes while we keep it off is not turned back on.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from homeassistant.const import STATE_OFF, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    Context,
    Event,
    EventStateChangedData,
    HassJob,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_call_later, async_track_state_change_event

from ..const import DOMAIN, LOGGER
from ..logic.self_heal import SERVICE_BY_ACTION, Action, HealSettings, Reason
from .targets import SharedAttempt


class ManagerForPowerCycle(Protocol):
    """What a power-cycle needs from the self-heal manager (manager.py)."""

    @property
    def hass(self) -> HomeAssistant:
        """Home Assistant."""

    def adopt(self, context: Context) -> None:
        """A state our own call caused, reported under another context."""

    def is_ours(self, context: Context) -> bool:
        """Whether a state change was caused by Provider Watch."""

    async def async_call(self, domain: str, service: str, entity_id: str) -> bool:
        """Call a service on the entity under a Context of ours; False if refused."""

    async def async_note_attempt(self, entity_id: str, when: datetime) -> None:
        """Count an attempt on a target (written at once: the cap holds)."""

    def start_cycle(self, cycle: PowerCycle) -> None:
        """Track a power-cycle until its switch is back on."""

    def end_cycle(self, cycle: PowerCycle) -> None:
        """A power-cycle ended."""


async def async_make_attempt(
    manager: ManagerForPowerCycle,
    entity_id: str,
    settings: HealSettings,
    attempt: SharedAttempt,
) -> None:
    """Make an attempt on the target; `attempt` is finished when it is over."""

    @callback
    def finish(reason: Reason | None) -> None:
        attempt.finish(reason, settings.recheck)

    await manager.async_note_attempt(entity_id, attempt.started)
    domain, service = SERVICE_BY_ACTION[settings.action]
    if not await manager.async_call(domain, service, entity_id):
        finish(Reason.FAILED)
        return
    if settings.action is Action.POWER_CYCLE:
        PowerCycle(manager, entity_id, settings.off_time, finish)
        return
    finish(None)


class PowerCycle:
    """The off-wait of one power-cycle: the switch goes on again after it.

    Owned by the manager, not by the provider: a reload during the wait still ends
    with the switch on. A person (or anything but us) changing the switch during
    the wait means it is left as they left it.
    """

    def __init__(
        self,
        manager: ManagerForPowerCycle,
        entity_id: str,
        off_time: float,
        done: Callable[[Reason | None], None],
    ) -> None:
        """Start the wait (the switch was just turned off)."""
        self._manager = manager
        self._hass = manager.hass
        self.entity_id = entity_id
        self.interfered = False
        self._done = done
        self._finished = False
        self._unsubs = [
            async_track_state_change_event(
                self._hass, [entity_id], self._async_on_change
            ),
            async_call_later(
                self._hass,
                off_time,
                HassJob(
                    self._async_on_timer, "self-heal off-wait", cancel_on_shutdown=True
                ),
            ),
        ]
        manager.start_cycle(self)

    @callback
    def _async_on_change(self, event: Event[EventStateChangedData]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None:
            return
        if new.state == STATE_OFF:
            # our turn_off, possibly reported later by the device
            self._manager.adopt(new.context)
            return
        if (
            old is not None
            and new.state != old.state
            and new.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
            and not self._manager.is_ours(new.context)
        ):
            LOGGER.info(
                "%s was changed during a self-heal power-cycle; left as it is",
                self.entity_id,
            )
            self.interfered = True

    @callback
    def _async_on_timer(self, _now: datetime) -> None:
        self.async_finish()

    @callback
    def async_finish(self) -> None:
        """The wait is over (or Home Assistant stops): on again, unless interfered."""
        if self._finished:
            return
        self._finished = True
        while self._unsubs:
            self._unsubs.pop()()
        self._manager.end_cycle(self)
        if self.interfered:
            self._done(Reason.INTERRUPTED)
            return
        self._hass.async_create_task(
            self._async_turn_on(), f"{DOMAIN} self-heal turn on {self.entity_id}"
        )

    async def _async_turn_on(self) -> None:
        turned_on = await self._manager.async_call("switch", "turn_on", self.entity_id)
        self._done(None if turned_on else Reason.FAILED)
