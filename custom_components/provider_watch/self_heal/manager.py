"""Self-heal: power-cycle, press or run something when a system goes offline.

The Home Assistant side of core/remediation.py. When a system with a remediation
goes offline, its offline alert is held while `decide` says self-heal may still fix
it: after the wait, the target entity is used (switch: off, wait, on; button:
press; script: run), always with a Context of our own and blocking=True, and the
system is re-checked at the fast interval. If it comes back, the outage is marked
self-healed in the history, a quiet push goes out (or nothing) and the event
`provider_watch_self_heal` is fired; if it does not, or self-heal cannot run, the
held alert goes out, saying what was tried or why nothing was.

Never fight the user: a switch that is off, and was not turned off by us, is left
alone; a switch a person changes while we keep it off is not turned back on.
"""

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HassJob,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..alerting.messages import quiet_payload, self_heal_did, self_heal_line
from ..alerting.phones import resolve_phone
from ..const import (
    DOMAIN,
    EVENT_SELF_HEAL,
    LOGGER,
    SIGNAL_MAINTENANCE,
)
from ..logic.cause import Cause
from ..logic.notes import SelfHealed
from ..logic.self_heal import (
    TARGET_PROBLEMS,
    TOLD_REASONS,
    Action,
    HealNotify,
    HealSettings,
    HealSummary,
    Reason,
    Situation,
    Verdict,
    attempts_on_day,
    decide,
)
from ..logic.state import Step, Transition
from ..logic.text import format_duration
from ..monitoring.coordinator import ProviderRuntimeData, SystemCoordinator
from ..protocols import AlertingForSelfHeal

STORAGE_KEY = f"{DOMAIN}.self_heal"
STORAGE_VERSION = 1
ISSUE_TARGET = "self_heal_target"
SIGNAL_SELF_HEAL = f"{DOMAIN}_self_heal_enabled"
MAX_CONTEXTS = 200  # the contexts of our own service calls that are remembered
KEEP_ATTEMPTS = timedelta(days=2)  # attempt times kept for the daily cap
CAUSES_NO_PLUG_FIXES = (Cause.PROVIDER_CLOUD, Cause.AUTH)
# what the bus event says happened
RESULT_HEALED = "healed"
RESULT_NOT_HEALED = "not_healed"
RESULT_SKIPPED = "skipped"


def issue_id(system_id: str) -> str:
    """The repair issue of a system whose target entity is missing or unavailable."""
    return f"{ISSUE_TARGET}_{system_id}"


def _hhmm(moment: datetime) -> str:
    return dt_util.as_local(moment).strftime("%H:%M")


class SelfHealManager:
    """Self-heal for every provider: the global switch, the daily caps, our contexts."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing runs until async_start."""
        self.hass = hass
        self.enabled = True  # the global Self-heal switch (restored by the entity)
        self.systems: dict[str, SystemSelfHeal] = {}
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, STORAGE_KEY)
        self._attempts: dict[str, list[datetime]] = {}  # per system, for the cap
        self._contexts: deque[str] = deque(maxlen=MAX_CONTEXTS)
        self._cycles: set[PowerCycle] = set()
        self._unsubs: list[CALLBACK_TYPE] = []
        # set by hub.py: the alerts (maintenance, snoozes, texts, delivery)
        self.alerts: AlertingForSelfHeal | None = None

    async def async_start(self) -> None:
        """Read the recent attempts; follow maintenance."""
        data = await self._store.async_load()
        attempts = data.get("attempts") if isinstance(data, Mapping) else None
        if isinstance(attempts, Mapping):
            for system_id, times in attempts.items():
                parsed = [
                    moment
                    for raw in (times if isinstance(times, list) else [])
                    if isinstance(raw, str)
                    and (moment := dt_util.parse_datetime(raw)) is not None
                    and moment.tzinfo is not None
                ]
                if parsed:
                    self._attempts[str(system_id)] = parsed
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
            cycle.async_finish()

    @callback
    def register(
        self, entry: ConfigEntry[Any], runtime: ProviderRuntimeData
    ) -> CALLBACK_TYPE:
        """Self-heal for a provider's systems that have a target; returns the undo."""
        mine: list[SystemSelfHeal] = []
        for system in runtime.systems.values():
            target = system.settings.heal
            if target is None:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id(system.system_id))
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
        """Something every remediation depends on changed."""
        for heal in list(self.systems.values()):
            heal.async_evaluate()

    # --- what the alerts ask ----------------------------------------------------------

    def holds(self, system_id: str) -> bool:
        """Whether a system's offline alert is held for a pending remediation."""
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
                and (line := self_heal_line(summary, texts, _hhmm))
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

    def attempts_today(self, system_id: str, now: datetime) -> int:
        """Attempts for a system on today's local calendar day."""
        return attempts_on_day(
            self._attempts.get(system_id, ()), now, dt_util.get_default_time_zone()
        )

    async def async_note_attempt(self, system_id: str, when: datetime) -> None:
        """Count an attempt (written at once: the cap holds across restarts)."""
        cutoff = when - KEEP_ATTEMPTS
        self._attempts = {
            sid: kept
            for sid, times in self._attempts.items()
            if (kept := [t for t in times if t >= cutoff])
        }
        self._attempts.setdefault(system_id, []).append(when)
        await self._store.async_save(
            {
                "attempts": {
                    sid: [t.isoformat() for t in times]
                    for sid, times in self._attempts.items()
                }
            }
        )

    # --- power-cycles that are under way ----------------------------------------------

    def start_cycle(self, cycle: PowerCycle) -> None:
        """Track a power-cycle until its switch is back on."""
        self._cycles.add(cycle)

    def end_cycle(self, cycle: PowerCycle) -> None:
        """A power-cycle ended."""
        self._cycles.discard(cycle)

    def diagnostics(self, system_id: str) -> dict[str, Any] | None:
        """A system's self-heal, for diagnostics (None: it has none)."""
        heal = self.systems.get(system_id)
        return heal.as_dict() if heal is not None else None


class PowerCycle:
    """The off-wait of one power-cycle: the switch goes on again after it.

    Owned by the manager, not by the provider: a reload during the wait still ends
    with the switch on. A person (or anything but us) changing the switch during
    the wait means it is left as they left it.
    """

    def __init__(
        self,
        manager: SelfHealManager,
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


class SystemSelfHeal:
    """Self-heal for one monitored system."""

    def __init__(
        self,
        manager: SelfHealManager,
        entry: ConfigEntry[Any],
        runtime: ProviderRuntimeData,
        system: SystemCoordinator,
        entity_id: str,
        settings: HealSettings,
    ) -> None:
        """Idle until the system goes offline."""
        self.manager = manager
        self.hass = manager.hass
        self.entry = entry
        self.runtime = runtime
        self.system = system
        self.entity_id = entity_id
        self.settings = settings
        self.pending = False  # a remediation is under way: the alert is held
        self.busy = False  # an attempt is being made right now
        self.offline_since: datetime | None = None
        self.attempts: list[datetime] = []
        self.last_done: datetime | None = None
        self.outage_id: str | None = None
        self.summary: HealSummary | None = None
        self._run = 0  # which outage the current remediation is for
        self._stopped = False
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._unsubs: list[CALLBACK_TYPE] = []

    @property
    def system_id(self) -> str:
        """The system's id."""
        return self.system.system_id

    @callback
    def async_start(self) -> None:
        """Follow the system's transitions and state, and the target entity."""
        self._unsubs = [
            self.system.async_add_transition_listener(self._async_on_step),
            # a new cause (the provider's cloud), the system's state
            self.system.async_add_listener(self.async_evaluate),
            async_track_state_change_event(
                self.hass, [self.entity_id], self._async_on_target
            ),
        ]
        self._async_check_issue()

    @callback
    def async_stop(self) -> None:
        """Unloaded: stop listening (a power-cycle under way still finishes)."""
        self._stopped = True
        self.pending = False
        self._cancel_timer()
        while self._unsubs:
            self._unsubs.pop()()

    # --- what happens to the system ---------------------------------------------------

    @callback
    def _async_on_step(self, step: Step) -> None:
        if step.transition is Transition.WENT_OFFLINE:
            self._async_begin()
        elif step.transition is Transition.CAME_ONLINE:
            self._async_recovered()

    @callback
    def _async_begin(self) -> None:
        self._run += 1
        self._cancel_timer()
        self.pending = True
        self.offline_since = dt_util.utcnow()
        self.attempts = []
        self.last_done = None
        record = self.runtime.history.open_outage(self.system_id)
        self.outage_id = record.id if record is not None else None
        self.summary = HealSummary(
            action=self.settings.action,
            entity_id=self.entity_id,
            entity_name=self._entity_name(),
        )
        self.async_evaluate()

    @callback
    def _async_recovered(self) -> None:
        self._cancel_timer()
        if not self.pending:
            return  # no remediation under way (or the alert went out already)
        self.pending = False
        if not self.attempts or self.summary is None:
            return  # back before self-heal did anything
        self.summary.healed = True
        if self.outage_id is not None:
            self.runtime.history.note(SelfHealed(outage_id=self.outage_id, healed=True))
        LOGGER.info(
            "%s is back online after self-heal (%s %s)",
            self.system.subentry.title,
            self.settings.action,
            self.entity_id,
        )
        self._fire(RESULT_HEALED, None)
        if self.settings.notify is HealNotify.QUIET:
            self.hass.async_create_task(
                self._async_tell_healed(self.summary),
                f"{DOMAIN} self-heal push {self.system_id}",
            )

    # --- deciding ---------------------------------------------------------------------

    @callback
    def async_evaluate(self) -> None:
        """Ask the core what to do now, and do it."""
        if not self.pending or self.offline_since is None:
            return
        now = dt_util.utcnow()
        if self.busy:
            if now >= self.offline_since + self.settings.max_hold:
                # an attempt that does not end: the alert is not held for it
                self._async_conclude(Reason.STILL_OFFLINE)
            return
        decision = decide(self.settings, self._situation(self.offline_since, now), now)
        if decision.verdict is Verdict.WAIT and decision.at is not None:
            self._schedule(decision.at)
        elif decision.verdict is Verdict.ACT:
            self._async_act()
        else:
            self._async_conclude(decision.reason or Reason.STILL_OFFLINE)

    def _situation(self, offline_since: datetime, now: datetime) -> Situation:
        return Situation(
            offline_since=offline_since,
            attempts=tuple(self.attempts),
            last_done=self.last_done,
            attempts_today=self.manager.attempts_today(self.system_id, now),
            blocks=frozenset(self._blocks(now)),
        )

    def _blocks(self, now: datetime) -> set[Reason]:
        """What stands in the way of self-heal right now."""
        blocks: set[Reason] = set()
        if not self.manager.enabled:
            blocks.add(Reason.DISABLED)
        alerts = self.manager.alerts
        page = self.runtime.status_page
        if (alerts is not None and alerts.in_maintenance(self.system_id)) or (
            page is not None and bool(page.data.maintenances)
        ):
            blocks.add(Reason.MAINTENANCE)
        if alerts is not None and alerts.is_snoozed(self.system_id, now):
            blocks.add(Reason.SNOOZED)
        if self.system.auth_failed or self.system.data.cause in CAUSES_NO_PLUG_FIXES:
            blocks.add(Reason.CAUSE)
        state = self.hass.states.get(self.entity_id)
        if state is None:
            blocks.add(Reason.MISSING)
        elif state.state == STATE_UNAVAILABLE:
            blocks.add(Reason.UNAVAILABLE)
        elif (
            self.settings.action is Action.POWER_CYCLE
            and state.state == STATE_OFF
            and not self.manager.is_ours(state.context)
        ):
            # turned off by a person or another automation: never turned on by us
            blocks.add(
                Reason.TURNED_OFF_BY_PERSON
                if state.context.user_id
                else Reason.TURNED_OFF
            )
        return blocks

    def _schedule(self, when: datetime) -> None:
        self._cancel_timer()
        self._unsub_timer = async_track_point_in_utc_time(
            self.hass,
            HassJob(self._async_on_timer, "self-heal", cancel_on_shutdown=True),
            when,
        )

    @callback
    def _async_on_timer(self, _now: datetime) -> None:
        self._unsub_timer = None
        self.async_evaluate()

    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    # --- acting -----------------------------------------------------------------------

    @callback
    def _async_act(self) -> None:
        self.busy = True
        now = dt_util.utcnow()
        if self.offline_since is not None:  # however long the attempt takes
            self._schedule(self.offline_since + self.settings.max_hold)
        self.attempts.append(now)
        if self.summary is not None:
            self.summary.entity_name = self._entity_name()
            self.summary.attempts.append(now)
        if self.outage_id is not None:
            self.runtime.history.note(
                SelfHealed(
                    outage_id=self.outage_id,
                    tried={
                        "at": now.isoformat(),
                        "action": self.settings.action.value,
                        "entity_id": self.entity_id,
                    },
                )
            )
        LOGGER.info(
            "%s is offline: self-heal attempt %d, %s %s",
            self.system.subentry.title,
            len(self.attempts),
            self.settings.action,
            self.entity_id,
        )
        self.hass.async_create_task(
            self._async_attempt(self._run, now),
            f"{DOMAIN} self-heal {self.system_id}",
        )

    async def _async_attempt(self, run: int, now: datetime) -> None:
        await self.manager.async_note_attempt(self.system_id, now)
        domain, service = {
            Action.POWER_CYCLE: ("switch", "turn_off"),
            Action.PRESS: ("button", "press"),
            Action.RUN: ("script", "turn_on"),
        }[self.settings.action]
        if not await self.manager.async_call(domain, service, self.entity_id):
            self._async_done(run, Reason.FAILED)
            return
        if self.settings.action is Action.POWER_CYCLE:
            PowerCycle(
                self.manager,
                self.entity_id,
                self.settings.off_time,
                lambda reason: self._async_done(run, reason),
            )
            return
        self._async_done(run, None)

    @callback
    def _async_done(self, run: int, reason: Reason | None) -> None:
        """An attempt finished (reason: why it failed)."""
        self.busy = False
        if self._stopped:
            return
        if run != self._run:  # a new outage began meanwhile
            self.async_evaluate()
            return
        if not self.pending:
            return  # back online (or given up) during the attempt
        now = dt_util.utcnow()
        self.last_done = now
        if reason is not None:
            self._async_conclude(reason)
            return
        self.hass.async_create_task(
            self.system.async_fast_recheck(
                now + timedelta(seconds=self.settings.recheck)
            ),
            f"{DOMAIN} self-heal re-check {self.system_id}",
        )
        self.async_evaluate()

    # --- giving up --------------------------------------------------------------------

    @callback
    def _async_conclude(self, reason: Reason) -> None:
        """Self-heal stops for this outage: the held alert goes out now."""
        self._cancel_timer()
        self.pending = False
        if self.summary is not None:
            self.summary.reason = reason
        if self.outage_id is not None and (self.attempts or reason in TOLD_REASONS):
            self.runtime.history.note(
                SelfHealed(outage_id=self.outage_id, healed=False, reason=reason.value)
            )
        if reason in TARGET_PROBLEMS:
            self._async_raise_issue()
        LOGGER.info(
            "Self-heal for %s stopped (%s) after %d attempt(s)",
            self.system.subentry.title,
            reason,
            len(self.attempts),
        )
        self._fire(RESULT_NOT_HEALED if self.attempts else RESULT_SKIPPED, reason)
        if (alerts := self.manager.alerts) is not None:
            alerts.reconsider()

    # --- the target entity ------------------------------------------------------------

    @callback
    def _async_on_target(self, event: Event[EventStateChangedData]) -> None:
        self._async_check_issue()
        self.async_evaluate()  # a person turned it off, or it went away

    @callback
    def _async_check_issue(self) -> None:
        """The target entity is back: its repair issue goes."""
        state = self.hass.states.get(self.entity_id)
        if state is not None and state.state != STATE_UNAVAILABLE:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id(self.system_id))

    def _async_raise_issue(self) -> None:
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(self.system_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_TARGET,
            translation_placeholders={
                "entity": self.entity_id,
                "system": self.system.subentry.title,
            },
        )

    def _entity_name(self) -> str:
        state = self.hass.states.get(self.entity_id)
        if state is not None:
            return state.name
        entry = er.async_get(self.hass).async_get(self.entity_id)
        if entry is not None and (name := entry.name or entry.original_name):
            return name
        return self.entity_id

    # --- telling ----------------------------------------------------------------------

    def _device_id(self) -> str | None:
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, self.system_id), self.entry.entry_id
        )
        return device.id if device is not None else None

    def _fire(self, result: str, reason: Reason | None) -> None:
        self.hass.bus.async_fire(
            EVENT_SELF_HEAL,
            {
                "provider": self.entry.title,
                "provider_id": self.entry.entry_id,
                "system": self.system.subentry.title,
                "system_id": self.system_id,
                "device_id": self._device_id(),
                "action": self.settings.action.value,
                "entity_id": self.entity_id,
                "result": result,
                "reason": reason.value if reason is not None else None,
                "attempts": len(self.attempts),
            },
        )

    async def _async_tell_healed(self, summary: HealSummary) -> None:
        """The quiet push: the system is back, and what did it."""
        alerts = self.manager.alerts
        if alerts is None or self.offline_since is None:
            return
        texts = alerts.text
        system = self.system.subentry.title
        back = self.system.machine.last_online or dt_util.utcnow()
        outage = self.runtime.history.find(self.outage_id or "")
        since = outage.start if outage is not None else self.offline_since
        title = texts("self_heal_healed_title", system=system)
        message = texts(
            "self_heal_healed_message",
            system=system,
            since=_hhmm(since),
            did=self_heal_did(summary, texts, _hhmm),
            duration=format_duration((back - since).total_seconds()),
        )
        device_id = self._device_id()
        for device in self.runtime.settings.phones:
            phone = resolve_phone(self.hass, device)
            if phone is None:
                continue
            data = quiet_payload(
                title,
                message,
                phone,
                tag=f"provider-watch-heal-{self.system_id}",
                group=f"provider-watch-{self.entry.title}",
                channel=texts("self_heal_channel"),
                device_path=f"/config/devices/device/{device_id}"
                if device_id
                else None,
            )
            # retried like any alert if the relay refuses it
            await alerts.async_deliver(phone, data)

    def as_dict(self) -> dict[str, Any]:
        """For diagnostics."""
        summary = self.summary
        return {
            "entity_id": self.entity_id,
            "action": self.settings.action.value,
            "settings": {
                "off_time": self.settings.off_time,
                "delay": self.settings.delay,
                "attempts": self.settings.attempts,
                "daily_max": self.settings.daily_max,
                "recheck": self.settings.recheck,
                "notify": self.settings.notify.value,
            },
            "enabled": self.manager.enabled,
            "pending": self.pending,
            "busy": self.busy,
            "offline_since": self.offline_since.isoformat()
            if self.offline_since
            else None,
            "attempts": [a.isoformat() for a in self.attempts],
            "attempts_today": self.manager.attempts_today(
                self.system_id, dt_util.utcnow()
            ),
            "last": None
            if summary is None
            else {
                "healed": summary.healed,
                "reason": summary.reason.value if summary.reason else None,
                "attempts": [a.isoformat() for a in summary.attempts],
            },
        }
