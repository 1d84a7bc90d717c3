"""Sending what the policy decided: its words, to which phones, and the summary.

Each notice becomes a persistent notification and a push to the phones of its
providers (through Delivery, which holds it back while the internet is down); the
summary of what was held back goes out once the systems had the time to be seen back.
"""

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..logic.cause import Cause
from ..logic.notes import AlertSent, Asked
from ..logic.policy import INTERNET_KEY, AlertNotice, NoticeKind, Record
from ..logic.summary import Heard, Held
from ..monitoring.integration import integration_trouble
from ..monitoring.provider import ProviderEntry
from ..protocols import SelfHealForAlerting
from .delivery import Delivery
from .messages import (
    AlertContext,
    Texts,
    alert_subject,
    alert_tag,
    clear_payload,
    payload,
    title_and_message,
)
from .phones import Phone, resolve_phone
from .providers import Providers
from .records import record_cause
from .tracker import SystemTracker, settle_time

_ENDS = (NoticeKind.RECOVERY, NoticeKind.CLEAR)


class AlertSender:
    """Turns the policy's notices into notifications and pushes."""

    def __init__(
        self,
        hass: HomeAssistant,
        providers: Providers,
        tracker: SystemTracker,
        delivery: Delivery,
        texts: Texts,
    ) -> None:
        """The parts of the alert manager a notice is made of."""
        self.hass = hass
        self._providers = providers
        self._tracker = tracker
        self._delivery = delivery
        self._text = texts
        # what self-heal tried goes into the offline alert
        self.self_heal: SelfHealForAlerting | None = None

    async def async_send(self, notice: AlertNotice) -> None:
        """Send a notice: its persistent notification and its pushes."""
        record = notice.record
        ctx = self._context(record)
        note_id = f"{DOMAIN}_{record.alert_id}"
        phones = self._phones(notice)
        critical = any(
            runtime.settings.alerts.critical
            for runtime in self._providers.runtimes_of(record)
        )
        if notice.kind in _ENDS:
            persistent_notification.async_dismiss(self.hass, note_id)
            for phone in phones:
                await self._delivery.async_send(
                    phone, clear_payload(record), self._held(notice, ctx)
                )
            if notice.kind is NoticeKind.CLEAR:
                return
        else:
            title, message = title_and_message(notice, ctx, self._text)
            persistent_notification.async_create(
                self.hass, message, title=title, notification_id=note_id
            )
            if notice.kind in (NoticeKind.OFFLINE, NoticeKind.DIGEST) and phones:
                when = dt_util.utcnow()
                self._providers.note(
                    record.systems, lambda mine: AlertSent(systems=mine, when=when)
                )
        if notice.kind is NoticeKind.RECOVERY and phones:
            ctx = replace(ctx, ask_notice=self._ask_provider_notice(record))
        for phone in phones if notice.phones else ():
            await self._delivery.async_send(
                phone,
                payload(notice, ctx, phone, self._text, critical=critical),
                self._held(notice, ctx),
                update=notice.kind is NoticeKind.UPDATE,
            )
        LOGGER.debug(
            "Sent %s alert %s to %d phone(s)", notice.kind, record.key, len(phones)
        )

    def _phones(self, notice: AlertNotice) -> list[Phone]:
        if notice.escalation:
            return self._providers.phones(notice.record, main=False, escalation=True)
        if notice.kind in (*_ENDS, NoticeKind.UPDATE) and notice.record.escalated:
            # the escalation tier was alerted too: it hears the rest of it as well
            return self._providers.phones(notice.record, escalation=True)
        return self._providers.phones(notice.record)

    def _context(self, record: Record) -> AlertContext:
        # the first to go offline first ("X and 3 more" names the first)
        systems = sorted(
            self._providers.systems_of(record),
            key=lambda s: (
                self._tracker.outage_start(s.system_id, s) or record.opened,
                s.subentry.title,
            ),
        )
        provider_entries = [
            entry
            for p in sorted(record.providers)
            if (entry := self._providers.entry(p)) is not None
        ]
        entry = provider_entries[0] if len(provider_entries) == 1 else None
        runtime = self._providers.runtime(entry.entry_id) if entry else None
        contacts = runtime.settings.contacts if runtime else None
        starts = [
            start
            for s in systems
            if (start := self._tracker.outage_start(s.system_id, s))
        ]
        since = min(starts) if starts else record.opened
        end = dt_util.utcnow()
        device_path = None
        if len(systems) == 1:
            device = dr.async_get(self.hass).async_get_device_by_identifier(
                (DOMAIN, systems[0].system_id), systems[0].config_entry.entry_id
            )
            device_path = f"/config/devices/device/{device.id}" if device else None
        cause = record_cause(record) or next(
            (s.data.cause for s in systems if s.data.cause), Cause.SYSTEM
        )
        trouble = next(
            (
                t
                for s in systems
                if (t := integration_trouble(self.hass, s.integration_entries))
            ),
            None,
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
            flaps=self._tracker.flaps(next(iter(record.systems), "")),
            since=since,
            tried=self.self_heal.tried_text([s.system_id for s in systems], self._text)
            if self.self_heal is not None
            else "",
            integration=trouble,
            integration_since=dt_util.as_local(trouble.since).strftime("%H:%M")
            if trouble
            else "",
        )

    def _page_reports_nothing(self, entry: ProviderEntry) -> bool:
        """The provider's status page was read and lists no open incident."""
        runtime = self._providers.runtime(entry.entry_id)
        if runtime is None or not runtime.settings.status_page:
            return False
        page = runtime.status_page
        report = page.data.report if page is not None else None
        return report is not None and not report.incidents

    def _held(self, notice: AlertNotice, ctx: AlertContext) -> Held:
        """What a phone would miss of this notice if it could not be sent now."""
        record = notice.record
        return Held(
            alert_id=record.alert_id,
            heard=Heard.BACK if notice.kind in _ENDS else Heard.OFFLINE,
            subject=alert_subject(record, ctx, self._text),
            since=ctx.since or record.opened,
            at=dt_util.utcnow(),
            tag=alert_tag(record.alert_id),
            systems=tuple(
                (system.system_id, system.subentry.title)
                for system in self._providers.systems_of(record)
            ),
        )

    def _ask_provider_notice(self, record: Record) -> bool:
        """Whether the recovery asks "did the provider tell you?".

        Asked for the outages of one provider's systems (an internet outage is not
        the provider's to tell); the outages asked about are marked in its history,
        where the answer goes.
        """
        runtimes = self._providers.runtimes_of(record)
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

    async def async_send_test(self, entry: ProviderEntry) -> int:
        """A test notification to every phone of a provider; returns how many."""
        phones = [
            p
            for d in entry.runtime_data.settings.all_phones
            if (p := resolve_phone(self.hass, d))
        ]
        for phone in phones:
            await self._delivery.async_send(
                phone,
                {
                    "title": self._text("alert_test_title", provider=entry.title),
                    "message": self._text("alert_test_message", provider=entry.title),
                    "data": {"tag": f"provider-watch-test-{entry.entry_id}"},
                },
            )
        return len(phones)

    # --- the summary of what was held back while the internet was down ------------

    async def async_summary(
        self, now: datetime, records: Mapping[str, Record]
    ) -> datetime | None:
        """Send the summary of held-back alerts when due; else when it will be.

        records: the open alerts (the summary is about those, not about the alerts
        that were held back and have closed since).
        """
        due = self._summary_due(now)
        if due is not None and due <= now:
            by_system = {
                system_id: (record.alert_id, alert_tag(record.alert_id))
                for record in records.values()
                for system_id in record.systems
            }
            await self._delivery.async_flush(self._status, by_system.get)
            return None
        return due

    def _summary_due(self, now: datetime) -> datetime | None:
        """When the summary of held-back alerts can go out (None: nothing held).

        Once the internet is back, each system still offline gets the time to be
        seen back (its next check and confirmations), so that the summary says how
        things really are rather than "still offline" for a system that only
        looked down because the internet was.
        """
        if not self._delivery.pending:
            return None
        back = self._delivery.up_since or now
        due = back
        for system_id in self._delivery.held_systems():
            for _, runtime in self._providers.runtimes():
                system = runtime.systems.get(system_id)
                if system is not None and system.data.offline:
                    due = max(due, back + settle_time(system))
        return due

    def _status(self, system_id: str) -> tuple[bool, datetime | None]:
        """Whether a system is offline now, and since when (for the summary)."""
        system = self._providers.system(system_id)
        offline = system.data.offline if system is not None else False
        return offline, self._tracker.outage_start(system_id, system)
