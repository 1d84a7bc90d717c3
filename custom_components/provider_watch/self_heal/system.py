"""Self-heal for one system: follow its outages, hold the alert, act, conclude.

When a system with a self-heal target goes offline, its offline alert is held while
`decide` (logic/self_heal.py) says self-heal may still fix it: after the wait, the
target entity is used (switch: off, wait, on; button: press; script: run), always
with a Context of our own and blocking=True, and the system is re-checked at the
fast interval. If it comes back, the outage is marked self-healed in the history, a
quiet push goes out (or nothing) and the event `provider_watch_self_heal` is fired
(telling.py); if it does not, or self-heal cannot run, the held alert goes out,
saying what was tried or why nothing was.

Systems that share a target share its attempts: the others that are offline join
it (noted on their outages, alerts held through its window) and make none of their own.

Never fight the user: a switch that is off, and was not turned off by us, is left
alone (power_cycle.py: nor one a person changes while we keep it off).
"""

from datetime import datetime, timedelta
from typing import Protocol

from homeassistant.const import STATE_OFF, STATE_UNAVAILABLE
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HassJob,
    callback,
)
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..logic.notes import SelfHealed
from ..logic.self_heal import (
    CAUSES_NO_PLUG_FIXES,
    TARGET_PROBLEMS,
    TOLD_REASONS,
    Action,
    HealNotify,
    HealSettings,
    HealSummary,
    Reason,
    Situation,
    Verdict,
    decide,
)
from ..logic.state import Step, Transition
from ..monitoring.coordinator import SystemCoordinator
from ..monitoring.provider import ProviderEntry, ProviderRuntimeData
from ..protocols import AlertingForSelfHeal
from .power_cycle import ManagerForPowerCycle, async_make_attempt
from .targets import SharedAttempt
from .telling import (
    RESULT_HEALED,
    RESULT_NOT_HEALED,
    RESULT_SKIPPED,
    HealTeller,
)


class ManagerForSystem(ManagerForPowerCycle, Protocol):
    """What a system's self-heal needs from the self-heal manager (manager.py)."""

    @property
    def enabled(self) -> bool:
        """The global Self-heal switch."""

    @property
    def alerts(self) -> AlertingForSelfHeal | None:
        """The alerts (maintenance, snoozes, texts, delivery)."""

    def attempts_today(self, key: str, now: datetime) -> int:
        """Attempts on a target entity (or a system's) on today's local day."""

    def begin_attempt(self, entity_id: str, started: datetime) -> SharedAttempt:
        """A system makes an attempt: every other system of its target may join."""

    def latest_attempt(self, entity_id: str) -> SharedAttempt | None:
        """The latest attempt on a target (None: none since the start)."""

    def cycling(self, entity_id: str) -> bool:
        """Whether a switch is still kept off, or still being turned on again."""

    def left_off_by_us(self, entity_id: str) -> bool:
        """Whether a switch is off because of us (even from before a restart)."""


class SystemSelfHeal:
    """Self-heal for one monitored system."""

    def __init__(
        self,
        manager: ManagerForSystem,
        entry: ProviderEntry,
        runtime: ProviderRuntimeData,
        system: SystemCoordinator,
        entity_id: str,
        settings: HealSettings,
    ) -> None:
        """Idle until the system goes offline."""
        self.manager = manager
        self.hass = manager.hass
        self.runtime = runtime
        self.system = system
        self.entity_id = entity_id
        self.settings = settings
        self.pending = False  # self-heal is under way: the alert is held
        self.busy = False  # an attempt is being made right now
        self.offline_since: datetime | None = None
        self.attempts: list[datetime] = []
        self.last_done: datetime | None = None
        self.outage_id: str | None = None
        self.summary: HealSummary | None = None
        self._tell = HealTeller(
            self.hass, entry, runtime, system, entity_id, settings.action
        )
        self._run = 0  # which outage the current self-heal is for
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
        self._tell.async_check_issue()

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
            entity_name=self._tell.entity_name(),
        )
        self.async_evaluate()

    @callback
    def _async_recovered(self) -> None:
        self._cancel_timer()
        if not self.pending:
            return  # self-heal was not under way (or the alert went out already)
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
        self._tell.async_fire(RESULT_HEALED, None, len(self.attempts))
        if (
            self.settings.notify is HealNotify.QUIET
            and (alerts := self.manager.alerts) is not None
            and self.offline_since is not None
        ):
            self.hass.async_create_task(
                self._tell.async_tell_healed(
                    alerts, self.summary, self.offline_since, self.outage_id
                ),
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
            self.busy = True  # (the others of the target join; this one makes it)
            self._async_use(self.manager.begin_attempt(self.entity_id, now), make=True)
        elif decision.verdict is Verdict.JOIN and (
            attempt := self.manager.latest_attempt(self.entity_id)
        ):
            self._async_use(attempt, make=False)
        else:
            self._async_conclude(decision.reason or Reason.STILL_OFFLINE)

    def _situation(self, offline_since: datetime, now: datetime) -> Situation:
        return Situation(
            offline_since=offline_since,
            attempts=tuple(self.attempts),
            last_done=self.last_done,
            attempts_today=self.manager.attempts_today(self.entity_id, now),
            blocks=frozenset(self._blocks(now)),
            target=attempt.view
            if (attempt := self.manager.latest_attempt(self.entity_id))
            else None,
            target_busy=self.manager.cycling(self.entity_id),
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
            and not self.manager.left_off_by_us(self.entity_id)
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
    def _async_use(self, attempt: SharedAttempt, *, make: bool) -> None:
        """An attempt on the target: made for this system (make), or joined."""
        self.busy = True
        started = attempt.started
        if self.offline_since is not None:  # however long the attempt takes
            self._schedule(self.offline_since + self.settings.max_hold)
        self.attempts.append(started)
        if self.summary is not None:
            self.summary.entity_name = self._tell.entity_name()
            self.summary.attempts.append(started)
        if self.outage_id is not None:
            self.runtime.history.note(
                SelfHealed(
                    outage_id=self.outage_id,
                    tried={
                        "at": started.isoformat(),
                        "action": self.settings.action.value,
                        "entity_id": self.entity_id,
                    },
                )
            )
        run = self._run
        # registered before the attempt is made: told first how it went
        attempt.join(lambda reason, done: self._async_done(run, reason, done))
        LOGGER.info(
            "%s is offline: self-heal attempt %d, %s %s%s",
            self.system.subentry.title,
            len(self.attempts),
            self.settings.action,
            self.entity_id,
            "" if make else ", shared with another system of that target",
        )
        if make:
            self.hass.async_create_task(
                async_make_attempt(
                    self.manager, self.entity_id, self.settings, attempt
                ),
                f"{DOMAIN} self-heal {self.system_id}",
            )

    @callback
    def _async_done(self, run: int, reason: Reason | None, done: datetime) -> None:
        """An attempt finished at `done` (reason: why it failed)."""
        self.busy = False
        if self._stopped:
            return
        if run != self._run:  # a new outage began meanwhile
            self.async_evaluate()
            return
        if not self.pending:
            return  # back online (or given up) during the attempt
        self.last_done = done
        if reason is not None:
            self._async_conclude(reason)
            return
        self.hass.async_create_task(
            self.system.async_fast_recheck(
                done + timedelta(seconds=self.settings.recheck)
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
            self._tell.async_raise_issue()
        LOGGER.info(
            "Self-heal for %s stopped (%s) after %d attempt(s)",
            self.system.subentry.title,
            reason,
            len(self.attempts),
        )
        self._tell.async_fire(
            RESULT_NOT_HEALED if self.attempts else RESULT_SKIPPED,
            reason,
            len(self.attempts),
        )
        if (alerts := self.manager.alerts) is not None:
            alerts.reconsider()

    # --- the target entity ------------------------------------------------------------

    @callback
    def _async_on_target(self, event: Event[EventStateChangedData]) -> None:
        self._tell.async_check_issue()
        self.async_evaluate()  # a person turned it off, or it went away
