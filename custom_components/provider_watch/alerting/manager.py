"""Phone alerts: the alert policy's decisions, sent through the Companion app.

One manager for the whole integration (an internet outage spans providers). It
watches every system's state and cause, runs the pure policy (logic/policy.py) when
something changes or a repeat is due, and sends what it decides. Its parts:

- records.py: the open alerts, maintenance and whose systems they are (saved);
- tracker.py: what it remembers of each system between passes;
- providers.py: the providers it watches, their systems and phones;
- phones.py: phones as registry devices, and their repairs;
- sending.py: a notice's words and phones, and the summary of held-back alerts;
- delivery.py: getting a push to a phone (held back while offline, retried), with
  what it must know of HA's mobile_app internals in mobile_app.py;
- actions.py: acknowledge, snooze, answers and maintenance, from phones and actions.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..logic.notes import PushFailed
from ..logic.policy import Offline, Record, Settings, plan
from ..monitoring.coordinator import SystemCoordinator
from ..monitoring.provider import ProviderEntry, ProviderRuntimeData
from ..protocols import SelfHealForAlerting
from .actions import AlertActions
from .delivery import Delivery
from .phones import Phone, PhoneRepairs
from .providers import Providers
from .records import AlertRecords
from .sending import AlertSender
from .tracker import SystemTracker, unconfirmed

RETRY_HELD = timedelta(minutes=1)


class AlertManager:
    """Decides and sends phone alerts for every provider."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing runs until async_start."""
        self.hass = hass
        self._book = AlertRecords(hass)
        self._providers = Providers(hass)
        self._tracker = SystemTracker()
        self._lock = asyncio.Lock()
        self._texts: dict[str, str] = {}
        self._pending = False
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._unsubs: list[CALLBACK_TYPE] = []
        self.delivery = Delivery(hass, self.text, self.schedule, self._on_push_failure)
        self._sender = AlertSender(
            hass, self._providers, self._tracker, self.delivery, self.text
        )
        self._actions = AlertActions(hass, self._book, self._providers, self.schedule)
        self._phones = PhoneRepairs(hass, self._providers.phone_ids)

    @property
    def records(self) -> dict[str, Record]:
        """The open alerts, by key."""
        return self._book.records

    @property
    def maintenance(self) -> set[str]:
        """The systems (or provider entry ids) in maintenance."""
        return self._book.maintenance

    @property
    def self_heal(self) -> SelfHealForAlerting | None:
        """What self-heal is doing (it may hold an offline alert); set by hub.py."""
        return self._sender.self_heal

    @self_heal.setter
    def self_heal(self, self_heal: SelfHealForAlerting | None) -> None:
        self._sender.self_heal = self_heal

    async def async_start(self) -> None:
        """Load saved alerts and listen for taps on the phones."""
        self.delivery.load(await self._book.async_load())
        self._forget_removed()  # a store written before a system was removed
        self._texts = await async_get_translations(
            self.hass, self.hass.config.language, "exceptions", [DOMAIN]
        )
        self._unsubs = [
            self._actions.async_listen(),
            *self._phones.async_listen(),
            async_dispatcher_connect(
                self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._async_on_entry_change
            ),
        ]
        self.delivery.async_start()
        self._actions.async_end_due_maintenance()

    @callback
    def async_stop(self) -> None:
        """Stop timers and listeners (Home Assistant stops)."""
        self.delivery.async_stop()
        self._actions.async_stop()
        while self._unsubs:
            self._unsubs.pop()()
        if self._unsub_timer:
            self._unsub_timer()
            self._unsub_timer = None

    def text(self, key: str, **placeholders: str) -> str:
        """A translated message template, filled in."""
        template = self._texts.get(f"component.{DOMAIN}.exceptions.{key}.message", key)
        try:
            return template.format(**placeholders)
        except KeyError, IndexError, ValueError:
            return template

    # --- providers ----------------------------------------------------------------

    @callback
    def register(
        self, entry: ProviderEntry, runtime: ProviderRuntimeData
    ) -> CALLBACK_TYPE:
        """Watch a provider's systems; returns the function that stops it."""
        self._providers.add(entry, runtime)
        unsubs = []
        for system in runtime.systems.values():
            self._book.set_owner(system.system_id, entry.entry_id)
            unsubs.append(system.async_add_listener(self._listener(system)))
            self._on_system_update(system)
        if runtime.status_page is not None:
            # the provider's own maintenance starts or ends with the page
            unsubs.append(runtime.status_page.async_add_listener(self.schedule))
        self.schedule()
        self.async_check_phones()

        @callback
        def unregister() -> None:
            for unsub in unsubs:
                unsub()
            self._providers.remove(entry.entry_id)
            if not self._providers:
                self._reschedule(None)

        return unregister

    @callback
    def watch_system(
        self, entry: ConfigEntry[Any], system: SystemCoordinator
    ) -> CALLBACK_TYPE:
        """A system added to a registered provider: watch it too; returns the undo.

        A system removed from it needs only a `schedule()`: the pass finds it gone.
        """
        self._book.set_owner(system.system_id, entry.entry_id)
        unsub = system.async_add_listener(self._listener(system))
        self._on_system_update(system)
        self.schedule()
        return unsub

    @callback
    def async_check_phones(self) -> None:
        """Repairs for configured phones that cannot be alerted (once running)."""
        self._phones.async_check()

    @callback
    def _async_on_entry_change[R](
        self, change: ConfigEntryChange, entry: ConfigEntry[R]
    ) -> None:
        if change is ConfigEntryChange.REMOVED and entry.domain == DOMAIN:
            self.schedule()  # its alerts go with it

    def _listener(self, system: SystemCoordinator) -> CALLBACK_TYPE:
        """What a system's update calls."""
        return _SystemListener(self._on_system_update, system)

    @callback
    def _on_system_update(self, system: SystemCoordinator) -> None:
        if self._tracker.observe(system, dt_util.utcnow()):
            self.schedule()

    @callback
    def schedule(self) -> None:
        """Run the policy soon (once, however many changes came in)."""
        if self._pending:
            return
        self._pending = True
        self.hass.async_create_task(self.async_evaluate(), eager_start=False)

    # --- the policy ---------------------------------------------------------------

    async def async_evaluate(self, _now: datetime | None = None) -> None:
        """Run the policy and send what it decides (one pass at a time)."""
        async with self._lock:
            await self._async_evaluate()

    async def _async_evaluate(self) -> None:
        self._pending = False
        now = dt_util.utcnow()
        offline: list[Offline] = []
        visible: set[str] = set()
        settings: dict[str, Settings] = {}
        wake: datetime | None = None
        for entry_id, runtime in self._providers.runtimes():
            settings[entry_id] = runtime.settings.alerts
            held = entry_id in self._book.maintenance or (
                runtime.status_page is not None
                and bool(runtime.status_page.data.maintenances)
            )
            for system_id, system in runtime.systems.items():
                if not system.data.offline:
                    self._tracker.online(system_id)
                if held or system_id in self._book.maintenance:
                    continue
                if self.self_heal is not None and self.self_heal.holds(system_id):
                    # self-heal is trying: the owner hears only if it fails
                    continue
                if unconfirmed(system) or (
                    system.data.offline and system.data.cause is None
                ):
                    # not checked yet (or restored as offline, not judged yet):
                    # its alerts stay as they are until it is
                    continue
                visible.add(system_id)
                if system.data.offline:
                    outage, until = self._tracker.offline(
                        entry_id, system, now, self._book.parent_cause(system_id)
                    )
                    offline.append(outage)
                    if until is not None and (wake is None or until < wake):
                        wake = until
        in_records = self._book.systems()
        entries = self.hass.config_entries
        gone = {
            s
            for s in in_records
            if (owner := self._book.owner(s)) is not None
            and (
                # its provider was removed, or no longer has it
                entries.async_get_entry(owner) is None
                or (
                    owner in self._providers
                    and not self._providers.has_system(owner, s)
                )
            )
        }
        result = plan(
            self._book.records,
            offline,
            settings,
            now,
            dt_util.as_local(now).time(),
            unseen=frozenset(in_records - visible - gone),
            gone=frozenset(gone),
        )
        self._book.records = result.records
        self._forget_removed()
        await self._book.async_save(self.delivery.as_dict())
        for notice in result.notices:
            await self._sender.async_send(notice)
        summary_at = await self._sender.async_summary(now, self._book.records)
        await self.delivery.async_clear_summaries(
            {record.alert_id for record in self._book.records.values()}
        )
        if summary_at is not None and (wake is None or summary_at < wake):
            wake = summary_at
        if wake is not None and (result.next_check is None or wake < result.next_check):
            result.next_check = wake
        if result.next_check is not None and result.next_check <= now:
            # A pass never needs another pass right away: a wake-up that is already
            # due (a reminder held by quiet hours) would spin, so look again soon.
            result.next_check = now + RETRY_HELD
        self._reschedule(result.next_check)

    def _forget_removed(self) -> None:
        """Forget what is kept of systems and providers that no longer exist."""
        entries = self.hass.config_entries.async_entries(DOMAIN)
        systems = {system_id for entry in entries for system_id in entry.subentries}
        self._book.prune(systems, {entry.entry_id for entry in entries})
        self._tracker.keep(systems)

    def _reschedule(self, when: datetime | None) -> None:
        if self._unsub_timer:
            self._unsub_timer()
            self._unsub_timer = None
        if when is not None:
            self._unsub_timer = async_track_point_in_utc_time(
                self.hass, self.async_evaluate, when
            )

    @callback
    def _on_push_failure(
        self, alert_id: str, phone: str, error: str, final: bool
    ) -> None:
        """A push the relay refused: noted on the outages of its alert."""
        if (record := self._book.by_alert_id(alert_id)) is None:
            return
        now = dt_util.utcnow()
        self._providers.note(
            record.systems,
            lambda mine: PushFailed(
                systems=mine, when=now, phone=phone, error=error, final=final
            ),
        )

    # --- what the owner does (actions.py) -----------------------------------------

    async def async_send_test(self, entry: ProviderEntry) -> int:
        """A test notification to every phone of a provider; returns how many."""
        return await self._sender.async_send_test(entry)

    @callback
    def async_answer_notice(self, alert_id: str, told: bool, *, by: str | None) -> int:
        """The answer to a recovery's "did the provider tell you?"; how many outages."""
        return self._actions.async_answer_notice(alert_id, told, by=by)

    @callback
    def async_acknowledge(
        self,
        *,
        alert_ids: set[str] | None = None,
        systems: set[str] | None = None,
        by: str | None = None,
    ) -> int:
        """Acknowledge open alerts; returns how many."""
        return self._actions.async_acknowledge(
            alert_ids=alert_ids, systems=systems, by=by
        )

    @callback
    def async_snooze(
        self,
        duration: timedelta,
        *,
        alert_ids: set[str] | None = None,
        systems: set[str] | None = None,
    ) -> int:
        """Mute open alerts for a while; returns how many."""
        return self._actions.async_snooze(
            duration, alert_ids=alert_ids, systems=systems
        )

    @callback
    def async_set_maintenance(
        self, ids: set[str], *, active: bool, until: datetime | None = None
    ) -> None:
        """Start (until a time, or until ended) or end maintenance."""
        self._actions.async_set_maintenance(ids, active=active, until=until)

    # --- what self-heal asks (protocols.AlertingForSelfHeal) ----------------------

    def in_maintenance(self, system_id: str) -> bool:
        """Whether alerts for a system are held for maintenance."""
        return self._book.in_maintenance(system_id)

    def is_snoozed(self, system_id: str, now: datetime) -> bool:
        """Whether an open alert of this system is snoozed at `now`."""
        return self._book.is_snoozed(system_id, now)

    @callback
    def reconsider(self) -> None:
        """Self-heal's verdict changed: run the policy again soon."""
        self.schedule()

    async def async_deliver(self, phone: Phone, data: dict[str, Any]) -> None:
        """Send a push, retried like any alert if the relay refuses it."""
        await self.delivery.async_send(phone, data)


class _SystemListener:
    """Calls `on_update(system)` (two slots: smaller than a closure or a partial)."""

    __slots__ = ("_on_update", "_system")

    def __init__(
        self,
        on_update: Callable[[SystemCoordinator], None],
        system: SystemCoordinator,
    ) -> None:
        """Remember whom to tell of which system."""
        self._on_update = on_update
        self._system = system

    def __call__(self) -> None:
        """The system was updated."""
        self._on_update(self._system)
