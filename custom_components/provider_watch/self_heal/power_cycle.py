"""One attempt on a target entity, and a power-cycle's switch until it is on again.

An attempt is made once for every system its target serves (targets.SharedAttempt);
this module makes it: the service call (switch: off, wait, on; button: press;
script: run) under a Context of our own.

A switch is remembered as left off by us before it is turned off; after the off-wait
it is turned on, and a switch that refuses is asked again (logic/self_heal.py
`turn_on_retry`: 5 tries over 10 minutes, each refusal logged; then a repair issue).
A switch still remembered as left off at the next start is turned on then (or as
soon as it shows up). Never fight the user: a switch a person changes while we keep
it off is left as they left it, and forgotten.
"""

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HassJob,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_call_later, async_track_state_change_event

from ..const import DOMAIN, LOGGER
from ..logic.self_heal import (
    SERVICE_BY_ACTION,
    TURN_ON_TRIES,
    Action,
    HealSettings,
    Reason,
    turn_on_retry,
)
from .targets import SharedAttempt
from .telling import async_clear_switch_off_issue, async_raise_switch_off_issue


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

    async def async_remember_off(self, entity_id: str) -> None:
        """A switch is about to be turned off by us (written before it is)."""

    async def async_forget_off(self, entity_id: str) -> None:
        """A switch we turned off is on again (or a person took it over)."""

    def start_cycle(self, cycle: PowerCycle) -> None:
        """Track a power-cycle until its switch is back on."""

    def end_cycle(self, cycle: PowerCycle) -> None:
        """A power-cycle no longer keeps its switch busy (or it ended)."""


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
    cycle = settings.action is Action.POWER_CYCLE
    if cycle:
        await manager.async_remember_off(entity_id)
    domain, service = SERVICE_BY_ACTION[settings.action]
    if not await manager.async_call(domain, service, entity_id):
        if cycle:  # on again if it went off all the same; else forgotten
            PowerCycle(manager, entity_id)
        finish(Reason.FAILED)
        return
    if cycle:
        PowerCycle(manager, entity_id, settings.off_time, finish)
        return
    finish(None)


class Phase(StrEnum):
    """Where a power-cycle is."""

    OFF_WAIT = "off_wait"  # the switch is kept off
    WAIT_ENTITY = "wait_entity"  # left off before a restart: waiting for the switch
    TURN_ON = "turn_on"  # turning it on (or waiting to ask again)
    STUCK = "stuck"  # every try refused: left off, a repair issue says so
    ENDED = "ended"


class PowerCycle:
    """A switch we turned off, until it is on again.

    Owned by the manager, not by the provider: a reload during the wait still ends
    with the switch on. A person (or anything but us) changing the switch during
    the off-wait means it is left as they left it. Without an off-wait, the switch
    was left off by us earlier (before a restart): it is turned on if it is off.
    """

    def __init__(
        self,
        manager: ManagerForPowerCycle,
        entity_id: str,
        off_time: float | None = None,
        done: Callable[[Reason | None], None] | None = None,
    ) -> None:
        """Start the off-wait (the switch was just turned off), or finish the cycle."""
        self._manager = manager
        self._hass = manager.hass
        self.entity_id = entity_id
        self.interfered = False
        self.phase = Phase.OFF_WAIT
        self._done = done
        self._failed = 0  # turn_on refusals
        self._calling = False  # a turn_on call is under way
        self._stopping = False
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._unsub_state = async_track_state_change_event(
            self._hass, [entity_id], self._async_on_change
        )
        manager.start_cycle(self)
        if off_time is None:
            self._async_finish_if_off()
        else:
            self._later(off_time, self._async_on_timer)

    @property
    def busy(self) -> bool:
        """Still keeping the switch off or turning it on (no new attempt on it)."""
        return self.phase not in (Phase.STUCK, Phase.ENDED)

    @property
    def ended(self) -> bool:
        """On again, taken over by a person, or Home Assistant stopped."""
        return self.phase is Phase.ENDED

    def _later(self, seconds: float, action: Callable[[datetime], None]) -> None:
        self._cancel_timer()
        self._unsub_timer = async_call_later(
            self._hass,
            seconds,
            HassJob(action, "self-heal power-cycle", cancel_on_shutdown=True),
        )

    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    def _tell(self, reason: Reason | None) -> None:
        """The attempt's outcome, told once (a later success does not change it)."""
        done, self._done = self._done, None
        if done is not None:
            done(reason)

    # --- what happens to the switch ---------------------------------------------------

    @callback
    def _async_on_change(self, event: Event[EventStateChangedData]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None:
            return
        if new.state == STATE_OFF:
            # our turn_off, possibly reported later by the device
            self._manager.adopt(new.context)
            if self.phase is Phase.WAIT_ENTITY:
                self._async_finish_if_off()  # it showed up, off: on now
            return
        if new.state == STATE_ON and self.phase is not Phase.OFF_WAIT:
            # on again: our call, a person, the plug itself
            self._tell(None)
            self._async_end(turned_on=True)
            return
        if (
            self.phase is Phase.OFF_WAIT
            and old is not None
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
        self._unsub_timer = None
        if self.interfered:
            self._tell(Reason.INTERRUPTED)
            self._async_end(turned_on=False)
            return
        self._async_turn_on()

    @callback
    def _async_finish_if_off(self) -> None:
        """Left off by us before: on if it is off, forgotten if it is on."""
        state = self._hass.states.get(self.entity_id)
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            self.phase = Phase.WAIT_ENTITY  # not there yet: once it shows up
        elif state.state == STATE_OFF:
            LOGGER.info("Self-heal: %s was left off by us: turned on", self.entity_id)
            self._async_turn_on()
        else:
            self._async_end(turned_on=True)

    # --- turning it on ----------------------------------------------------------------

    @callback
    def _async_turn_on(self, _now: datetime | None = None) -> None:
        self._unsub_timer = None
        self.phase = Phase.TURN_ON
        if not self._calling:
            self._hass.async_create_task(
                self._async_call_turn_on(),
                f"{DOMAIN} self-heal turn on {self.entity_id}",
            )

    async def _async_call_turn_on(self) -> None:
        self._calling = True
        try:
            turned_on = await self._manager.async_call(
                "switch", "turn_on", self.entity_id
            )
        finally:
            self._calling = False
        if self.phase is Phase.ENDED:
            return  # on meanwhile (or stopped)
        if turned_on:
            self._tell(None)
            self._async_end(turned_on=True)
            return
        self._failed += 1
        self._tell(Reason.FAILED)
        wait = None if self._stopping else turn_on_retry(self._failed)
        if wait is not None:
            LOGGER.warning(
                "Self-heal: %s did not turn on (try %d of %d); asking again in %d s",
                self.entity_id,
                self._failed,
                TURN_ON_TRIES,
                wait,
            )
            self._later(wait, self._async_turn_on)
            return
        if self._stopping:
            self._async_quit()  # still remembered: turned on at the next start
            return
        LOGGER.error(
            "Self-heal: %s did not turn on after %d tries and is left off",
            self.entity_id,
            self._failed,
        )
        async_raise_switch_off_issue(self._hass, self.entity_id, self._failed)
        self.phase = Phase.STUCK  # still remembered; on if anything turns it on
        self._manager.end_cycle(self)

    @callback
    def _async_end(self, *, turned_on: bool) -> None:
        """On again (turned_on), or left as a person left it: forgotten."""
        if self.phase is Phase.ENDED:
            return
        self._async_quit()
        if turned_on:
            async_clear_switch_off_issue(self._hass, self.entity_id)
        self._hass.async_create_task(
            self._manager.async_forget_off(self.entity_id),
            f"{DOMAIN} self-heal forget {self.entity_id}",
        )

    @callback
    def _async_quit(self) -> None:
        """Nothing more to do or to follow (the switch may still be remembered)."""
        self.phase = Phase.ENDED
        self._cancel_timer()
        self._unsub_state()
        self._manager.end_cycle(self)

    # --- Home Assistant stops ------------------------------------------------------

    @callback
    def async_stop(self) -> None:
        """Home Assistant stops: one last try to turn the switch on, no retries."""
        if self._stopping or self.phase is Phase.ENDED:
            return
        self._stopping = True
        self._cancel_timer()
        if self.phase is Phase.OFF_WAIT and self.interfered:
            self._tell(Reason.INTERRUPTED)
            self._async_end(turned_on=False)
        elif self.phase in (Phase.OFF_WAIT, Phase.TURN_ON):
            self._async_turn_on()  # left remembered if it fails: the next start
        else:
            self._async_quit()  # still remembered: the next start
