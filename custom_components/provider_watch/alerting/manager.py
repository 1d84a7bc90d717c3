"""Phone alerts: the alert policy's decisions, sent through the Companion app.

One manager for the whole integration (an internet outage spans providers). It
watches every system's state and cause, runs the pure policy (core/policy.py) when
something changes or a repeat is due, and sends what it decides.
"""

import asyncio
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.const import EVENT_SERVICE_REGISTERED, EVENT_SERVICE_REMOVED
from homeassistant.core import CALLBACK_TYPE, CoreState, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from ..const import (
    DOMAIN,
    LOGGER,
    SIGNAL_MAINTENANCE,
)
from ..logic.cause import Cause
from ..logic.notes import (
    Acknowledged,
    AlertSent,
    Answered,
    Asked,
    OutageNote,
    PushFailed,
)
from ..logic.policy import (
    FLAP_WINDOW,
    INTERNET_KEY,
    AlertNotice,
    NoticeKind,
    Offline,
    Record,
    Settings,
    acknowledge,
    is_flapping,
    plan,
    snooze,
)
from ..logic.state import SystemState
from ..logic.summary import Heard, Held
from ..monitoring.coordinator import (
    ProviderEntry,
    ProviderRuntimeData,
    SystemCoordinator,
)
from ..protocols import SelfHealForAlerting
from .delivery import Delivery
from .messages import (
    ACTION_ACK,
    ACTION_NOT_TOLD,
    ACTION_SNOOZE,
    ACTION_TOLD,
    SNOOZE_MINUTES,
    AlertContext,
    alert_subject,
    clear_payload,
    payload,
    title_and_message,
)
from .phones import Phone, async_check_phones, resolve_phone

EVENT_NOTIFICATION_ACTION = "mobile_app_notification_action"
STORAGE_VERSION = 1
RETRY_HELD = timedelta(minutes=1)
# not checked yet since set up: neither down nor back as far as alerts go
UNCONFIRMED = frozenset({SystemState.UNKNOWN, SystemState.PENDING})


def _settle_time(system: SystemCoordinator) -> timedelta:
    """How long a system that is back takes to be seen back.

    Its next check, then the successful checks that confirm it (each may take its
    timeout).
    """
    timing = system.timing
    confirm = timing.retry_interval + timing.timeout
    return timedelta(
        seconds=timing.poll_interval
        + timing.thresholds.successes_before_online * confirm
    )


def _record_cause(record: Record) -> Cause | None:
    """The root cause an internet / provider-cloud alert stands for."""
    if record.key == INTERNET_KEY:
        return Cause.INTERNET
    if record.is_parent:
        return Cause.PROVIDER_CLOUD
    return None


@callback
def _is_notify_service(event_data: Mapping[str, Any]) -> bool:
    return event_data.get("domain") == "notify"


def _record_to_dict(record: Record) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "key": record.key,
        "alert_id": record.alert_id,
        "opened": iso(record.opened),
        "systems": sorted(record.systems),
        "providers": sorted(record.providers),
        "sent": iso(record.sent),
        "last_sent": iso(record.last_sent),
        "repeats": record.repeats,
        "escalated": iso(record.escalated),
        "acked": iso(record.acked),
        "acked_by": record.acked_by,
        "snoozed_until": iso(record.snoozed_until),
    }


def _record_from_dict(data: Mapping[str, Any]) -> Record | None:
    def when(key: str) -> datetime | None:
        value = data.get(key)
        return dt_util.parse_datetime(value) if isinstance(value, str) else None

    opened = when("opened")
    if not isinstance(data.get("key"), str) or opened is None:
        return None
    return Record(
        key=data["key"],
        alert_id=str(data.get("alert_id") or ""),
        opened=opened,
        systems=frozenset(str(s) for s in data.get("systems") or ()),
        providers=frozenset(str(p) for p in data.get("providers") or ()),
        sent=when("sent"),
        last_sent=when("last_sent"),
        repeats=int(data.get("repeats") or 0),
        escalated=when("escalated"),
        acked=when("acked"),
        acked_by=data.get("acked_by"),
        snoozed_until=when("snoozed_until"),
    )


class AlertManager:
    """Decides and sends phone alerts for every provider."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing runs until async_start."""
        self.hass = hass
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.alerts"
        )
        self.records: dict[str, Record] = {}
        self.maintenance: set[str] = set()  # system ids (or provider entry ids)
        self._providers: dict[str, tuple[ConfigEntry[Any], ProviderRuntimeData]] = {}
        self._owner: dict[str, str] = {}  # system id -> provider entry id
        self._seen: dict[str, tuple[bool, Cause | None, bool]] = {}
        self._transitions: dict[str, list[datetime]] = defaultdict(list)
        # when each system's current (or last) outage began: a recovery reports
        # the whole outage, and the machine forgets its start once back online
        self._starts: dict[str, datetime] = {}
        # systems of an internet / provider-cloud alert whose cause changed while
        # they are still down: since when (they stay in that alert for a grace time)
        self._leaving: dict[str, datetime] = {}
        self._lock = asyncio.Lock()
        self._texts: dict[str, str] = {}
        self._saved: dict[str, Any] | None = None
        self._pending = False
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._unsubs: list[CALLBACK_TYPE] = []
        # set by hub.py: what self-heal is doing (it may hold an offline alert)
        self.self_heal: SelfHealForAlerting | None = None
        self.delivery = Delivery(hass, self.text, self.schedule, self._on_push_failure)

    def _load(self, data: object) -> None:
        """Read saved alerts; anything malformed is dropped with a warning."""
        if data is None:
            return
        if not isinstance(data, Mapping):
            LOGGER.warning("Saved alerts could not be read; starting without them")
            return
        records = data.get("records")
        for raw in records if isinstance(records, list) else []:
            try:
                record = _record_from_dict(raw) if isinstance(raw, Mapping) else None
            except TypeError, ValueError:
                record = None
            if record is None:
                LOGGER.warning("A saved alert could not be read and was dropped")
                continue
            self.records[record.key] = record
        maintenance = data.get("maintenance")
        if isinstance(maintenance, list):
            self.maintenance = {str(m) for m in maintenance}
        owners = data.get("owners")
        if isinstance(owners, Mapping):
            self._owner = {str(k): str(v) for k, v in owners.items()}
        self.delivery.load(data.get("delivery"))

    async def async_start(self) -> None:
        """Load saved alerts and listen for taps on the phones."""
        self._load(await self._store.async_load())
        self._texts = await async_get_translations(
            self.hass, self.hass.config.language, "exceptions", [DOMAIN]
        )
        self._unsubs = [
            self.hass.bus.async_listen(
                EVENT_NOTIFICATION_ACTION, self._async_on_action
            ),
            # a phone added, removed or renamed in the Companion app
            *(
                self.hass.bus.async_listen(
                    event, self._async_on_notify_change, _is_notify_service
                )
                for event in (EVENT_SERVICE_REGISTERED, EVENT_SERVICE_REMOVED)
            ),
            async_at_started(self.hass, self._async_started),
            async_dispatcher_connect(
                self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._async_on_entry_change
            ),
        ]
        self.delivery.async_start()

    @callback
    def async_stop(self) -> None:
        """Stop timers and listeners (Home Assistant stops)."""
        self.delivery.async_stop()
        while self._unsubs:
            self._unsubs.pop()()
        if self._unsub_timer:
            self._unsub_timer()
            self._unsub_timer = None

    # --- providers -------------------------------------------------------------

    @callback
    def register(
        self, entry: ConfigEntry[Any], runtime: ProviderRuntimeData
    ) -> CALLBACK_TYPE:
        """Watch a provider's systems; returns the function that stops it."""
        self._providers[entry.entry_id] = (entry, runtime)
        unsubs = []
        for system in runtime.systems.values():
            self._owner[system.system_id] = entry.entry_id
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
            self._providers.pop(entry.entry_id, None)
            if not self._providers:
                self._reschedule(None)

        return unregister

    # --- phones ----------------------------------------------------------------

    @callback
    def async_check_phones(self) -> None:
        """Repairs for configured phones that cannot be alerted (once running).

        While Home Assistant starts, the phones are still being set up.
        """
        if self.hass.state is not CoreState.running:
            return
        async_check_phones(
            self.hass,
            (
                device_id
                for _, runtime in self._providers.values()
                for device_id in (
                    *runtime.settings.phones,
                    *runtime.settings.escalation_phones,
                )
            ),
        )

    @callback
    def _async_on_notify_change(self, _event: Event[Mapping[str, Any]]) -> None:
        self.async_check_phones()

    @callback
    def _async_started(self, _hass: HomeAssistant) -> None:
        self.async_check_phones()

    @callback
    def _async_on_entry_change(
        self, change: ConfigEntryChange, entry: ConfigEntry[Any]
    ) -> None:
        if change is ConfigEntryChange.REMOVED and entry.domain == DOMAIN:
            self.schedule()  # its alerts go with it

    def _listener(self, system: SystemCoordinator) -> CALLBACK_TYPE:
        @callback
        def on_update() -> None:
            self._on_system_update(system)

        return on_update

    @callback
    def _on_system_update(self, system: SystemCoordinator) -> None:
        seen = (
            system.data.offline,
            system.data.cause,
            system.machine.state in UNCONFIRMED,
        )
        if seen[0] and (start := system.machine.outage_start) is not None:
            self._starts[system.system_id] = start
        before = self._seen.get(system.system_id)
        if seen == before:
            return
        self._seen[system.system_id] = seen
        if seen[0] and (before is None or not before[0]):
            self._transitions[system.system_id].append(dt_util.utcnow())
        self.schedule()

    @callback
    def schedule(self) -> None:
        """Run the policy soon (once, however many changes came in)."""
        if self._pending:
            return
        self._pending = True
        self.hass.async_create_task(self.async_evaluate(), eager_start=False)

    # --- the policy ------------------------------------------------------------

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
        for entry_id, (_, runtime) in self._providers.items():
            settings[entry_id] = runtime.settings.alerts
            held = entry_id in self.maintenance or (
                runtime.status_page is not None
                and bool(runtime.status_page.data.maintenances)
            )
            for system_id, system in runtime.systems.items():
                if not system.data.offline:
                    self._leaving.pop(system_id, None)
                if held or system_id in self.maintenance:
                    continue
                if self.self_heal is not None and self.self_heal.holds(system_id):
                    # self-heal is trying: the owner hears only if it fails
                    continue
                if system.machine.state in UNCONFIRMED or (
                    system.data.offline and system.data.cause is None
                ):
                    # not checked yet (or restored as offline, not judged yet):
                    # its alerts stay as they are until it is
                    continue
                visible.add(system_id)
                if system.data.offline:
                    outage, until = self._offline(entry_id, system, now)
                    offline.append(outage)
                    if until is not None and (wake is None or until < wake):
                        wake = until
        in_records = {s for r in self.records.values() for s in r.systems}
        entries = self.hass.config_entries
        gone = {
            s
            for s in in_records
            if (owner := self._owner.get(s)) is not None
            and (
                # its provider was removed, or no longer has it
                entries.async_get_entry(owner) is None
                or (
                    owner in self._providers
                    and s not in self._providers[owner][1].systems
                )
            )
        }
        self._owner = {
            s: owner
            for s, owner in self._owner.items()
            if entries.async_get_entry(owner) is not None
        }
        result = plan(
            self.records,
            offline,
            settings,
            now,
            dt_util.as_local(now).time(),
            unseen=frozenset(in_records - visible - gone),
            gone=frozenset(gone),
        )
        self.records = result.records
        await self._async_save()
        for notice in result.notices:
            await self._async_send(notice)
        summary_at = await self._async_summary(now)
        if summary_at is not None and (wake is None or summary_at < wake):
            wake = summary_at
        if wake is not None and (result.next_check is None or wake < result.next_check):
            result.next_check = wake
        if result.next_check is not None and result.next_check <= now:
            # A pass never needs another pass right away: a wake-up that is already
            # due (a reminder held by quiet hours) would spin, so look again soon.
            result.next_check = now + RETRY_HELD
        self._reschedule(result.next_check)

    def _offline(
        self, entry_id: str, system: SystemCoordinator, now: datetime
    ) -> tuple[Offline, datetime | None]:
        """The outage as the policy sees it; and when to look again, if needed."""
        transitions = self._transitions[system.system_id]
        transitions[:] = [t for t in transitions if now - t <= FLAP_WINDOW]
        cause = system.data.cause
        until: datetime | None = None
        parent = self._parent_cause(system.system_id)
        if parent is not None and cause is not parent:
            # Its internet / cloud alert is over, or it was re-judged without a new
            # check (e.g. the internet just came back): it stays in that alert
            # until it has had the time to be seen back online. Only a system that
            # is still down then gets an alert of its own.
            left = self._leaving.setdefault(system.system_id, now)
            if now < (end := left + _settle_time(system)):
                cause, until = parent, end
        else:
            self._leaving.pop(system.system_id, None)
        return Offline(
            system_id=system.system_id,
            provider_id=entry_id,
            # auth and undetermined outages are the system's until known better
            cause=cause
            if cause in (Cause.INTERNET, Cause.PROVIDER_CLOUD)
            else Cause.SYSTEM,
            since=system.machine.outage_start or now,
            flapping=is_flapping(transitions, now),
        ), until

    def _parent_cause(self, system_id: str) -> Cause | None:
        """The cause of the internet / provider-cloud alert a system is in, if any."""
        for record in self.records.values():
            if record.is_parent and system_id in record.systems:
                return _record_cause(record)
        return None

    def _reschedule(self, when: datetime | None) -> None:
        if self._unsub_timer:
            self._unsub_timer()
            self._unsub_timer = None
        if when is not None:
            self._unsub_timer = async_track_point_in_utc_time(
                self.hass, self.async_evaluate, when
            )

    async def _async_save(self) -> None:
        """Write the alerts down, when they changed (a pass often changes nothing)."""
        data = {
            "records": [_record_to_dict(r) for r in self.records.values()],
            "maintenance": sorted(self.maintenance),
            "owners": dict(self._owner),
            "delivery": self.delivery.as_dict(),
        }
        if data != self._saved:
            await self._store.async_save(data)
            self._saved = data

    # --- sending ---------------------------------------------------------------

    def text(self, key: str, **placeholders: str) -> str:
        """A translated message template, filled in."""
        template = self._texts.get(f"component.{DOMAIN}.exceptions.{key}.message", key)
        try:
            return template.format(**placeholders)
        except KeyError, IndexError, ValueError:
            return template

    def _context(self, record: Record) -> AlertContext:
        systems = self._systems(record)
        provider_entries = [
            self._providers[p][0]
            for p in sorted(record.providers)
            if p in self._providers
        ]
        entry = provider_entries[0] if len(provider_entries) == 1 else None
        contacts = (
            self._providers[entry.entry_id][1].settings.contacts if entry else None
        )
        starts = [
            start
            for s in systems
            if (start := s.machine.outage_start or self._starts.get(s.system_id))
        ]
        since = min(starts) if starts else record.opened
        end = dt_util.utcnow()
        device_path = None
        if len(systems) == 1:
            device = dr.async_get(self.hass).async_get_device_by_identifier(
                (DOMAIN, systems[0].system_id), systems[0].config_entry.entry_id
            )
            device_path = f"/config/devices/device/{device.id}" if device else None
        cause = _record_cause(record) or next(
            (s.data.cause for s in systems if s.data.cause), Cause.SYSTEM
        )
        return AlertContext(
            systems=[s.subentry.title for s in systems] or [record.key],
            provider=entry.title if entry else "",
            since_text=dt_util.as_local(since).strftime("%H:%M"),
            duration=(end - since).total_seconds(),
            cause=cause,
            status_page=entry is not None and self._page_reports_nothing(entry),
            support_phone=contacts.support_phone if contacts else None,
            support_url=contacts.support_url if contacts else None,
            device_path=device_path,
            flaps=len(self._transitions.get(next(iter(record.systems), ""), [])),
            since=since,
            tried=self.self_heal.tried_text([s.system_id for s in systems], self.text)
            if self.self_heal is not None
            else "",
        )

    def _page_reports_nothing(self, entry: ConfigEntry[Any]) -> bool:
        """The provider's status page was read and lists no open incident."""
        if entry.entry_id not in self._providers:
            return False
        runtime = self._providers[entry.entry_id][1]
        if not runtime.settings.status_page:
            return False
        page = runtime.status_page
        report = page.data.report if page is not None else None
        return report is not None and not report.incidents

    def _phones(
        self, record: Record, *, main: bool = True, escalation: bool = False
    ) -> list[Phone]:
        device_ids: list[str] = []
        for provider_id in sorted(record.providers):
            if provider_id in self._providers:
                settings = self._providers[provider_id][1].settings
                tiers = (settings.phones if main else ()) + (
                    settings.escalation_phones if escalation else ()
                )
                for device_id in tiers:
                    if device_id not in device_ids:
                        device_ids.append(device_id)
        return [p for d in device_ids if (p := resolve_phone(self.hass, d))]

    async def _async_send(self, notice: AlertNotice) -> None:
        record = notice.record
        ctx = self._context(record)
        note_id = f"{DOMAIN}_{record.alert_id}"
        if notice.escalation:
            phones = self._phones(record, main=False, escalation=True)
        elif (
            notice.kind in (NoticeKind.RECOVERY, NoticeKind.CLEAR) and record.escalated
        ):
            # the escalation tier was alerted too: it hears the end of it as well
            phones = self._phones(record, escalation=True)
        else:
            phones = self._phones(record)
        critical = any(
            self._providers[p][1].settings.alerts.critical
            for p in record.providers
            if p in self._providers
        )
        if notice.kind in (NoticeKind.RECOVERY, NoticeKind.CLEAR):
            persistent_notification.async_dismiss(self.hass, note_id)
            for phone in phones:
                await self.delivery.async_send(
                    phone, clear_payload(record), self._held(notice, ctx)
                )
            if notice.kind is NoticeKind.CLEAR:
                return
        else:
            title, message = title_and_message(notice, ctx, self.text)
            persistent_notification.async_create(
                self.hass, message, title=title, notification_id=note_id
            )
            if notice.kind in (NoticeKind.OFFLINE, NoticeKind.DIGEST) and phones:
                when = dt_util.utcnow()
                self._note(
                    record.systems, lambda mine: AlertSent(systems=mine, when=when)
                )
        if notice.kind is NoticeKind.RECOVERY and phones:
            ctx = replace(ctx, ask_notice=self._ask_provider_notice(record))
        for phone in phones:
            await self.delivery.async_send(
                phone,
                payload(notice, ctx, phone, self.text, critical=critical),
                self._held(notice, ctx),
            )
        LOGGER.debug(
            "Sent %s alert %s to %d phone(s)", notice.kind, record.key, len(phones)
        )

    def _held(self, notice: AlertNotice, ctx: AlertContext) -> Held:
        """What a phone would miss of this notice if it could not be sent now."""
        record = notice.record
        back = notice.kind in (NoticeKind.RECOVERY, NoticeKind.CLEAR)
        return Held(
            alert_id=record.alert_id,
            heard=Heard.BACK if back else Heard.OFFLINE,
            subject=alert_subject(record, ctx, self.text),
            since=ctx.since or record.opened,
            at=dt_util.utcnow(),
            tag=f"provider-watch-{record.alert_id}",
            systems=tuple(
                (system.system_id, system.subentry.title)
                for system in self._systems(record)
            ),
        )

    def _systems(self, record: Record) -> list[SystemCoordinator]:
        return [
            runtime.systems[s]
            for _, runtime in self._providers.values()
            for s in sorted(record.systems)
            if s in runtime.systems
        ]

    async def _async_summary(self, now: datetime) -> datetime | None:
        """Send the summary of held-back alerts when due; else when it will be."""
        due = self._summary_due(now)
        if due is not None and due <= now:
            await self.delivery.async_flush(self._status)
            return None
        return due

    def _summary_due(self, now: datetime) -> datetime | None:
        """When the summary of held-back alerts can go out (None: nothing held).

        Once the internet is back, each system still offline gets the time to be
        seen back (its next check and confirmations), so that the summary says how
        things really are rather than "still offline" for a system that only
        looked down because the internet was.
        """
        if not self.delivery.pending:
            return None
        back = self.delivery.up_since or now
        due = back
        for system_id in self.delivery.held_systems():
            for _, runtime in self._providers.values():
                system = runtime.systems.get(system_id)
                if system is not None and system.data.offline:
                    due = max(due, back + _settle_time(system))
        return due

    def _status(self, system_id: str) -> tuple[bool, datetime | None]:
        """Whether a system is offline now, and since when (for the summary)."""
        for _, runtime in self._providers.values():
            if (system := runtime.systems.get(system_id)) is not None:
                return system.data.offline, (
                    system.machine.outage_start or self._starts.get(system_id)
                )
        return False, self._starts.get(system_id)

    @callback
    def _on_push_failure(
        self, alert_id: str, phone: str, error: str, final: bool
    ) -> None:
        """A push the relay refused: noted on the outages of its alert."""
        record = next(
            (r for r in self.records.values() if r.alert_id == alert_id), None
        )
        if record is None:
            return
        now = dt_util.utcnow()
        self._note(
            record.systems,
            lambda mine: PushFailed(
                systems=mine, when=now, phone=phone, error=error, final=final
            ),
        )

    async def async_send_test(self, entry: ProviderEntry) -> int:
        """A test notification to every phone of a provider; returns how many."""
        phones = [
            p
            for d in entry.runtime_data.settings.all_phones
            if (p := resolve_phone(self.hass, d))
        ]
        for phone in phones:
            await self.delivery.async_send(
                phone,
                {
                    "title": self.text("alert_test_title", provider=entry.title),
                    "message": self.text("alert_test_message", provider=entry.title),
                    "data": {"tag": f"provider-watch-test-{entry.entry_id}"},
                },
            )
        return len(phones)

    def _ask_provider_notice(self, record: Record) -> bool:
        """Whether the recovery asks "did the provider tell you?".

        Asked for the outages of one provider's systems (an internet outage is not
        the provider's to tell); the outages asked about are marked in its history,
        where the answer goes.
        """
        runtimes = [
            self._providers[p][1] for p in record.providers if p in self._providers
        ]
        if record.key == INTERNET_KEY or len(record.providers) != 1 or not runtimes:
            return False
        return bool(
            runtimes[0].history.note(
                Asked(
                    systems=record.systems,
                    alert_id=record.alert_id,
                    since=record.opened,
                    when=dt_util.utcnow(),
                )
            )
        )

    # --- acknowledge, snooze, maintenance ----------------------------------------

    @callback
    def _async_on_action(self, event: Event[Mapping[str, Any]]) -> None:
        action = str(event.data.get("action", ""))
        for prefix, told in ((ACTION_TOLD, True), (ACTION_NOT_TOLD, False)):
            if action.startswith(prefix):
                self.async_answer_notice(
                    action.removeprefix(prefix), told, by=event.context.user_id
                )
        for prefix in (ACTION_ACK, ACTION_SNOOZE):
            if action.startswith(prefix):
                alert_id = action.removeprefix(prefix)
                user = event.context.user_id
                if prefix == ACTION_ACK:
                    self.async_acknowledge(alert_ids={alert_id}, by=user)
                else:
                    self.async_snooze(
                        timedelta(minutes=SNOOZE_MINUTES), alert_ids={alert_id}
                    )

    @callback
    def async_answer_notice(self, alert_id: str, told: bool, *, by: str | None) -> int:
        """The answer to a recovery's "did the provider tell you?"; how many outages.

        The outages stay answerable after the alert is gone (the history keeps the
        alert ids that asked about them); a later answer replaces an earlier one.
        """
        now = dt_util.utcnow()
        answered = sum(
            runtime.history.note(
                Answered(alert_id=alert_id, told=told, when=now, by=by)
            )
            for _, runtime in self._providers.values()
        )
        if not answered:
            LOGGER.debug("No outage was asked about by alert %s", alert_id)
        return answered

    def _matching(
        self, alert_ids: set[str] | None, systems: set[str] | None
    ) -> list[Record]:
        return [
            r
            for r in self.records.values()
            if (alert_ids is None or r.alert_id in alert_ids)
            and (systems is None or r.systems & systems)
        ]

    @callback
    def async_acknowledge(
        self,
        *,
        alert_ids: set[str] | None = None,
        systems: set[str] | None = None,
        by: str | None = None,
    ) -> int:
        """Acknowledge open alerts; returns how many."""
        now = dt_util.utcnow()
        matched = self._matching(alert_ids, systems)
        for record in matched:
            self.records[record.key] = acknowledge(record, now, by)
            self._note(
                record.systems,
                lambda mine: Acknowledged(systems=mine, when=now, by=by),
            )
        self.schedule()
        return len(matched)

    def _note(
        self,
        systems: frozenset[str],
        note_for: Callable[[frozenset[str]], OutageNote],
    ) -> None:
        """Note on each provider's outages what happened to an alert about them."""
        for _, runtime in self._providers.values():
            if mine := systems & runtime.systems.keys():
                runtime.history.note(note_for(frozenset(mine)))

    @callback
    def async_snooze(
        self,
        duration: timedelta,
        *,
        alert_ids: set[str] | None = None,
        systems: set[str] | None = None,
    ) -> int:
        """Mute open alerts for a while; returns how many."""
        until = dt_util.utcnow() + duration
        matched = self._matching(alert_ids, systems)
        for record in matched:
            self.records[record.key] = snooze(record, until)
        self.schedule()
        return len(matched)

    @callback
    def async_set_maintenance(self, ids: set[str], *, active: bool) -> None:
        """Start or end maintenance for systems or whole providers."""
        if active:
            self.maintenance |= ids
        else:
            self.maintenance -= ids
        async_dispatcher_send(self.hass, SIGNAL_MAINTENANCE)
        self.schedule()

    def in_maintenance(self, system_id: str) -> bool:
        """Whether alerts for a system are held for maintenance."""
        return (
            system_id in self.maintenance
            or self._owner.get(system_id) in self.maintenance
        )

    # --- what self-heal asks ---------------------------------------------------------

    def is_snoozed(self, system_id: str, now: datetime) -> bool:
        """Whether an open alert of this system is snoozed at `now`."""
        return any(
            system_id in record.systems
            and record.snoozed_until is not None
            and record.snoozed_until > now
            for record in self.records.values()
        )

    @callback
    def reconsider(self) -> None:
        """Self-heal's verdict changed: run the policy again soon."""
        self.schedule()

    async def async_deliver(self, phone: Phone, data: dict[str, Any]) -> None:
        """Send a push, retried like any alert if the relay refuses it."""
        await self.delivery.async_send(phone, data)
