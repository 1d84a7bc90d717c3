"""Self-heal for the whole integration: the global switch, the daily caps, our contexts.

Each system's self-heal (system.py) decides and acts for that system; this manager
holds what they share: the global Self-heal switch, what is kept per target entity
(targets.py: the attempts for the daily cap, stored so the cap holds across
restarts, and the latest attempt, which every system the target serves shares), the
Contexts of our own service calls, and the power-cycles under way (power_cycle.py),
which outlive a reload.
"""

from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.util import dt as dt_util

from ..alerting.messages import self_heal_line
from ..const import DOMAIN, LOGGER, SIGNAL_MAINTENANCE
from ..monitoring.coordinator import SystemCoordinator
from ..monitoring.provider import ProviderEntry, ProviderRuntimeData
from ..protocols import AlertingForSelfHeal
from .power_cycle import PowerCycle
from .system import SystemSelfHeal
from .targets import SharedAttempt, Targets
from .telling import async_clear_issue, diagnostics, hhmm

SIGNAL_SELF_HEAL = f"{DOMAIN}_self_heal_enabled"
MAX_CONTEXTS = 200  # the contexts of our own service calls that are remembered


class SelfHealManager:
    """Self-heal for every provider: the global switch, the daily caps, our contexts."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing runs until async_start."""
        self.hass = hass
        self.enabled = True  # the global Self-heal switch (restored by the entity)
        self.systems: dict[str, SystemSelfHeal] = {}
        self.targets = Targets(hass)  # per target entity: the cap, the latest attempt
        self._contexts: deque[str] = deque(maxlen=MAX_CONTEXTS)
        self._cycles: set[PowerCycle] = set()
        self._unsubs: list[CALLBACK_TYPE] = []
        # set by hub.py: the alerts (maintenance, snoozes, texts, delivery)
        self.alerts: AlertingForSelfHeal | None = None

    async def async_start(self) -> None:
        """Read what is kept per target; finish the power-cycles a restart cut short."""
        await self.targets.async_load()
        for entity_id in list(self.targets.left_off):
            PowerCycle(self, entity_id)  # on if it is off; else forgotten
        self._unsubs.append(
            async_dispatcher_connect(
                self.hass, SIGNAL_MAINTENANCE, self.async_reevaluate
            )
        )

    @callback
    def async_stop(self) -> None:
        """Home Assistant stops: timers end; a switch kept off is turned on now."""
        while self._unsubs:
            self._unsubs.pop()()
        for heal in list(self.systems.values()):
            heal.async_stop()
        for cycle in list(self._cycles):
            cycle.async_stop()

    @callback
    def register(
        self, entry: ProviderEntry, runtime: ProviderRuntimeData
    ) -> CALLBACK_TYPE:
        """Self-heal for a provider's systems that have a target; returns the undo."""
        mine: list[SystemSelfHeal] = []
        for system in runtime.systems.values():
            target = system.settings.heal
            if target is None:
                async_clear_issue(self.hass, system.system_id)
                continue
            heal = SystemSelfHeal(self, entry, runtime, system, *target)
            self.systems[system.system_id] = heal
            heal.async_start()
            mine.append(heal)

        @callback
        def unregister() -> None:
            for heal in mine:
                heal.async_stop()
                if self.systems.get(heal.system_id) is heal:
                    del self.systems[heal.system_id]

        return unregister

    @callback
    def add_system(
        self,
        entry: ProviderEntry,
        runtime: ProviderRuntimeData,
        system: SystemCoordinator,
    ) -> CALLBACK_TYPE:
        """A system added to (or set up again in) a registered provider; the undo."""
        if (old := self.systems.pop(system.system_id, None)) is not None:
            old.async_stop()
        target = system.settings.heal
        if target is None:
            async_clear_issue(self.hass, system.system_id)
            return lambda: None
        heal = SystemSelfHeal(self, entry, runtime, system, *target)
        self.systems[system.system_id] = heal
        heal.async_start()

        @callback
        def stop() -> None:
            heal.async_stop()
            if self.systems.get(heal.system_id) is heal:
                del self.systems[heal.system_id]

        return stop

    @callback
    def remove_system(self, system_id: str) -> None:
        """A system removed from its provider: its self-heal stops, its repair goes."""
        if (heal := self.systems.pop(system_id, None)) is not None:
            heal.async_stop()
        async_clear_issue(self.hass, system_id)

    # --- the global switch ------------------------------------------------------------

    @callback
    def async_set_enabled(self, *, enabled: bool) -> None:
        """Turn self-heal on or off for every system."""
        if enabled == self.enabled:
            return
        self.enabled = enabled
        LOGGER.info("Self-heal turned %s", "on" if enabled else "off")
        async_dispatcher_send(self.hass, SIGNAL_SELF_HEAL)
        self.async_reevaluate()

    @callback
    def async_reevaluate(self) -> None:
        """Something every system's self-heal depends on changed."""
        for heal in list(self.systems.values()):
            heal.async_evaluate()

    # --- what the alerts ask ----------------------------------------------------------

    def holds(self, system_id: str) -> bool:
        """Whether a system's offline alert is held for a pending self-heal."""
        heal = self.systems.get(system_id)
        return heal is not None and heal.pending

    def tried_text(self, system_ids: Iterable[str], texts: Callable[..., str]) -> str:
        """What self-heal tried for these systems' outages, for the offline alert."""
        lines = []
        for system_id in system_ids:
            heal = self.systems.get(system_id)
            summary = heal.summary if heal is not None else None
            if (
                summary is not None
                and summary.reason is not None
                and (line := self_heal_line(summary, texts, hhmm))
            ):
                lines.append(line)
        return " ".join(lines)

    # --- our contexts, and the daily cap ----------------------------------------------

    def new_context(self) -> Context:
        """A Context for one of our service calls (remembered as ours)."""
        context = Context()
        self._contexts.append(context.id)
        return context

    async def async_call(self, domain: str, service: str, entity_id: str) -> bool:
        """Call a service on the entity under a Context of ours; False if refused."""
        try:
            await self.hass.services.async_call(
                domain,
                service,
                {"entity_id": entity_id},
                blocking=True,
                context=self.new_context(),
            )
        except HomeAssistantError as err:
            LOGGER.warning(
                "Self-heal: %s.%s on %s was refused: %s",
                domain,
                service,
                entity_id,
                err,
            )
            return False
        return True

    def adopt(self, context: Context) -> None:
        """A state our own call caused, reported under another context."""
        if not self.is_ours(context):
            self._contexts.append(context.id)

    def is_ours(self, context: Context) -> bool:
        """Whether a state change was caused by Provider Watch."""
        return context.id in self._contexts or (
            context.parent_id is not None and context.parent_id in self._contexts
        )

    def _target_of(self, key: str) -> str:
        """A target entity, given itself or a system that uses it."""
        heal = self.systems.get(key)
        return heal.entity_id if heal is not None else key

    def attempts_today(self, key: str, now: datetime) -> int:
        """Attempts on a target entity (or a system's) on today's local day."""
        return self.targets.attempts_today(self._target_of(key), now)

    async def async_note_attempt(self, entity_id: str, when: datetime) -> None:
        """Count an attempt on a target (written at once: the cap holds)."""
        await self.targets.async_note_attempt(entity_id, when)

    # --- the target's attempt, shared by its systems ----------------------------------

    @callback
    def begin_attempt(self, entity_id: str, started: datetime) -> SharedAttempt:
        """A system makes an attempt: every other system of its target may join."""
        attempt = self.targets.begin(entity_id, started)
        self._async_reevaluate_target(entity_id)
        return attempt

    def latest_attempt(self, entity_id: str) -> SharedAttempt | None:
        """The latest attempt on a target (None: none since the start)."""
        return self.targets.latest(entity_id)

    def cycling(self, entity_id: str) -> bool:
        """Whether a switch is still kept off, or still being turned on again."""
        return any(c.entity_id == entity_id and c.busy for c in self._cycles)

    @callback
    def _async_reevaluate_target(self, entity_id: str) -> None:
        for heal in list(self.systems.values()):
            if heal.entity_id == entity_id:
                heal.async_evaluate()

    # --- switches we turned off ------------------------------------------------------

    async def async_remember_off(self, entity_id: str) -> None:
        """A switch is about to be turned off by us (written before it is)."""
        await self.targets.async_remember_off(entity_id)

    async def async_forget_off(self, entity_id: str) -> None:
        """A switch we turned off is on again (or a person took it over)."""
        await self.targets.async_forget_off(entity_id)

    def left_off_by_us(self, entity_id: str) -> bool:
        """Whether a switch is off because of us (even from before a restart)."""
        return entity_id in self.targets.left_off

    # --- power-cycles that are under way ----------------------------------------------

    def start_cycle(self, cycle: PowerCycle) -> None:
        """Track a power-cycle until its switch is back on (or it gives up)."""
        self._cycles.add(cycle)

    def end_cycle(self, cycle: PowerCycle) -> None:
        """A power-cycle no longer keeps its switch busy: its systems may act."""
        if cycle.ended:
            self._cycles.discard(cycle)
        self._async_reevaluate_target(cycle.entity_id)

    def diagnostics(self, system_id: str) -> dict[str, Any] | None:
        """A system's self-heal, for diagnostics (None: it has none)."""
        heal = self.systems.get(system_id)
        if heal is None:
            return None
        return diagnostics(
            heal,
            enabled=self.enabled,
            attempts_today=self.attempts_today(heal.entity_id, dt_util.utcnow()),
        )
