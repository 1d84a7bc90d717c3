"""Getting alerts to the phones: local push, held back while offline, retried.

A push from Home Assistant to a phone normally goes through the internet (the
Companion app's push relay). So:

- while the internet check reads down, a phone connected to the app's local push
  channel (the websocket the app keeps open on the home network) still gets its
  alerts; for the others, what they should have heard is held back and, once the
  internet is back, folded into one summary per phone (logic/summary.py);
- a push the relay refuses (rate limit, relay error, timeout: HA's mobile_app logs
  these instead of raising; mobile_app.py reads them) is retried with backoff; after
  the last try a persistent notification says which phone did not get which alert.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..logic.summary import (
    Current,
    Heard,
    Held,
    Status,
    held_from_dict,
    held_to_dict,
    summarize,
)
from ..logic.text import counted
from ..monitoring.internet import (
    SIGNAL_INTERNET_CHANGED,
    internet_up,
)
from ..runtime import is_internet_entry
from . import mobile_app
from .messages import (
    clear_tag_payload,
    replacing,
    summary_payload,
    summary_tag,
)
from .phones import Phone, resolve_phone

# how long to wait before each new try of a push the relay refused
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))

type Texts = Callable[..., str]
type OnFailure = Callable[[str, str, str, bool], None]  # alert id, phone, why, final


@dataclass(frozen=True, kw_only=True, slots=True)
class _Retry:
    phone_id: str
    data: dict[str, Any]
    alert_id: str
    what: str  # the alert's title, for the owner
    attempt: int


class Delivery:
    """Sends notify payloads to phones on behalf of the alert manager."""

    def __init__(
        self,
        hass: HomeAssistant,
        texts: Texts,
        on_change: CALLBACK_TYPE,
        on_failure: OnFailure,
    ) -> None:
        """on_change: the held notices changed (to be saved)."""
        self.hass = hass
        self._texts = texts
        self._on_change = on_change
        self._on_failure = on_failure
        self.held: dict[str, list[Held]] = defaultdict(list)  # phone device id ->
        self.showing: dict[str, set[str]] = defaultdict(set)  # tags on each phone
        # the alerts a summary of several is about, on each phone that shows one
        self.summarized: dict[str, set[str]] = defaultdict(set)
        self.down_since: datetime | None = None
        self.up_since: datetime | None = None  # when the internet came back
        self._timers: list[CALLBACK_TYPE] = []
        self._unsubs: list[CALLBACK_TYPE] = []

    # --- lifecycle -------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Listen to the internet check and to mobile_app's push reports."""
        mobile_app.listen_for_push_failures()
        self._unsubs.append(
            async_dispatcher_connect(
                self.hass, SIGNAL_INTERNET_CHANGED, self._on_internet_change
            )
        )

    @callback
    def async_stop(self) -> None:
        """Stop listening; pending retries are dropped."""
        mobile_app.stop_listening()
        for unsub in (*self._unsubs, *self._timers):
            unsub()
        self._unsubs.clear()
        self._timers.clear()

    def as_dict(self) -> dict[str, Any]:
        """What survives a restart: the held notices and the tags phones show."""
        return {
            "held": {
                phone: [held_to_dict(item) for item in items]
                for phone, items in self.held.items()
                if items
            },
            "showing": {p: sorted(tags) for p, tags in self.showing.items() if tags},
            "summarized": {p: sorted(ids) for p, ids in self.summarized.items() if ids},
            "down_since": self.down_since.isoformat() if self.down_since else None,
        }

    def load(self, data: object) -> None:
        """Read what as_dict wrote; anything malformed is dropped."""
        if not isinstance(data, Mapping):
            return
        held = data.get("held")
        for phone, items in held.items() if isinstance(held, Mapping) else ():
            for raw in items if isinstance(items, list) else ():
                item = held_from_dict(raw) if isinstance(raw, Mapping) else None
                if item is not None:
                    self.held[str(phone)].append(item)
        showing = data.get("showing")
        for phone, tags in showing.items() if isinstance(showing, Mapping) else ():
            if isinstance(tags, list):
                self.showing[str(phone)] = {str(t) for t in tags}
        summarized = data.get("summarized")
        for phone, ids in summarized.items() if isinstance(summarized, Mapping) else ():
            if isinstance(ids, list):
                self.summarized[str(phone)] = {str(i) for i in ids}
        since = data.get("down_since")
        self.down_since = (
            dt_util.parse_datetime(since) if isinstance(since, str) else None
        )

    # --- sending ---------------------------------------------------------------

    async def async_send(
        self,
        phone: Phone,
        data: dict[str, Any],
        held: Held | None = None,
        *,
        update: bool = False,
    ) -> None:
        """Send now, over the local channel, or hold it back while offline.

        update: it names the systems of an alert anew (held back, it only brings
        them into the summary).
        """
        if held is not None and self._holds(phone, held):
            if self.down_since is None:
                self.down_since = held.at
            items = self.held[phone.device_id]
            before = [
                i
                for i, item in enumerate(items)
                if item.alert_id == held.alert_id and item.heard is Heard.OFFLINE
            ]
            if update and before:
                items[before[-1]] = replace(items[before[-1]], systems=held.systems)
            else:
                items.append(held)
            LOGGER.debug("Internet down: alert for %s held back", phone.name)
            self._on_change()
            return
        if held is not None:
            self._track(phone.device_id, held)
        await self._async_try(
            phone, data, held.alert_id if held else "", data.get("title", ""), 0
        )

    def _holds(self, phone: Phone, held: Held) -> bool:
        """Whether this notice waits for the summary instead of going out now.

        While the internet is down, unless the phone is on its local channel; and
        anything more about an alert the phone has not heard of yet (its end must
        not arrive before its start, nor apart from the summary).
        """
        if any(h.alert_id == held.alert_id for h in self.held.get(phone.device_id, ())):
            return True
        return internet_up(self.hass) is False and not mobile_app.on_local_channel(
            self.hass, phone.webhook_id
        )

    def _track(self, phone_id: str, held: Held) -> None:
        tags = self.showing[phone_id]
        if held.heard is Heard.OFFLINE:
            tags.add(held.tag)
        else:
            tags.discard(held.tag)
        self._on_change()

    async def _async_try(
        self, phone: Phone, data: dict[str, Any], alert_id: str, what: str, attempt: int
    ) -> None:
        error = await self._async_notify(phone, data)
        if error is None:
            return
        final = attempt >= len(RETRY_DELAYS)
        self._on_failure(alert_id, phone.name, error, final)
        if final:
            LOGGER.warning(
                "%s did not get an alert after %d tries: %s",
                phone.name,
                attempt + 1,
                error,
            )
            persistent_notification.async_create(
                self.hass,
                counted(
                    self._texts,
                    "push_failed_message",
                    attempt + 1,
                    phone=phone.name,
                    alert=what or alert_id,
                    error=error,
                ),
                title=self._texts("push_failed_title", phone=phone.name),
                notification_id=f"{DOMAIN}_push_failed_{phone.device_id}",
            )
            return
        retry = _Retry(
            phone_id=phone.device_id,
            data=data,
            alert_id=alert_id,
            what=what,
            attempt=attempt + 1,
        )
        LOGGER.info(
            "Push to %s failed (%s); trying again in %s",
            phone.name,
            error,
            RETRY_DELAYS[attempt],
        )
        self._schedule(RETRY_DELAYS[attempt], retry)

    def _schedule(self, delay: timedelta, retry: _Retry) -> None:
        unsub: CALLBACK_TYPE | None = None

        async def fire(_now: datetime) -> None:
            if unsub in self._timers:
                self._timers.remove(unsub)
            phone = resolve_phone(self.hass, retry.phone_id)
            if phone is None:
                return  # the phone is gone: its repair issue says so
            await self._async_try(
                phone, retry.data, retry.alert_id, retry.what, retry.attempt
            )

        unsub = async_call_later(self.hass, delay, fire)
        self._timers.append(unsub)

    async def _async_notify(self, phone: Phone, data: dict[str, Any]) -> str | None:
        """Call the phone's notify service; what went wrong, or None."""
        # mobile_app logs what the relay refused rather than raising (mobile_app.py)
        with mobile_app.push_failures() as failures:
            try:
                await self.hass.services.async_call(
                    "notify", phone.service, data, blocking=True
                )
            except HomeAssistantError as err:
                failures.append(str(err))
        return "; ".join(failures) if failures else None

    # --- the internet comes back -------------------------------------------------

    @callback
    def _on_internet_change(self) -> None:
        up = internet_up(self.hass)
        if up is False and self.down_since is None:
            self.down_since = dt_util.utcnow()
        self.up_since = dt_util.utcnow() if up else None
        if any(self.held.values()):
            # the alert manager's next pass (after the causes are re-judged) flushes
            self._on_change()

    @property
    def pending(self) -> bool:
        """Some phone has alerts held back, and the internet is back.

        Back: the internet check reads up — or there is no internet check any more
        (its entry was deleted), so nobody will ever say so.
        """
        if not any(self.held.values()):
            return False
        up = internet_up(self.hass)
        return up is True or (
            up is None
            and not any(
                is_internet_entry(entry)
                for entry in self.hass.config_entries.async_entries(DOMAIN)
            )
        )

    def held_systems(self) -> set[str]:
        """The systems named in held-back notices."""
        return {s for items in self.held.values() for h in items for s, _ in h.systems}

    async def async_flush(self, status: Status, current: Current) -> None:
        """The internet is back: one summary per phone that missed something.

        current: the open alert each system is in now (what the summary is about).
        """
        now = dt_util.utcnow()
        down_from = self.down_since or now
        held, self.held = dict(self.held), defaultdict(list)
        self.down_since = None
        self._on_change()
        for phone_id, items in held.items():
            summary = summarize(
                items, down_from, now, status, self.showing[phone_id], current
            )
            phone = resolve_phone(self.hass, phone_id)
            if summary is None or phone is None:
                continue
            for tag in summary.clear:
                await self._async_clear(phone, tag)
            data = summary_payload(summary, self._texts, _hhmm)
            if data["data"]["tag"] in self.showing[phone_id]:
                # it replaces the open alert the phone heard of: no second sound
                data["data"] |= replacing(phone)
            before = self.summarized.pop(phone_id, set())
            if before and (old := summary_tag(before)) != data["data"]["tag"]:
                await self._async_clear(phone, old)  # a summary sent before this one
            if summary.open_ids:
                # it stands for these alerts on the phone until they have ended
                self.showing[phone_id].add(data["data"]["tag"])
                self.summarized[phone_id] = set(summary.open_ids)
            await self._async_try(phone, data, "", data["title"], 0)

    async def async_clear_summaries(self, open_ids: set[str]) -> None:
        """Clear a summary from the phones once every alert it is about has ended.

        A summary about one alert has that alert's tag, and its end clears it;
        this is for a summary about several, and for an alert that closed without
        an end of its own to tell (it was never sent: quiet hours).
        """
        if internet_up(self.hass) is False:
            return  # they go with the next summary
        for phone_id, ids in list(self.summarized.items()):
            if ids & open_ids or self.held.get(phone_id):
                continue
            del self.summarized[phone_id]
            self._on_change()
            if (phone := resolve_phone(self.hass, phone_id)) is not None:
                await self._async_clear(phone, summary_tag(ids))

    async def _async_clear(self, phone: Phone, tag: str) -> None:
        """Remove a notification the phone shows (if it shows it)."""
        if tag in self.showing[phone.device_id]:
            self.showing[phone.device_id].discard(tag)
            await self._async_try(phone, clear_tag_payload(tag), "", "", 0)


def _hhmm(when: datetime) -> str:
    return dt_util.as_local(when).strftime("%H:%M")
