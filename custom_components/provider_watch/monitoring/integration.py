"""The providers' own integrations: their config entries, watched as evidence.

One watch for all providers. It follows every other integration's config entry
through Home Assistant's own signals (no polling): its state changes, and the
re-authentication flows started and finished for it. A system seen through another
integration's entities asks it about the entries it depends on; when one of them
cannot reach its cloud, has failed, or waits for a sign-in, that is the cause of the
system's outage (logic/integration.py decides). Its providers re-judge their causes
whenever an entry's trouble starts or ends.
"""

from collections.abc import Callable, Iterable

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    SOURCE_REAUTH,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.data_entry_flow import UnknownFlow
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN, LOGGER
from ..logic.integration import (
    EntryTrouble,
    EntryView,
    next_trouble,
    worst,
)

DATA_INTEGRATIONS: HassKey[IntegrationWatch] = HassKey(f"{DOMAIN}_integrations")
SIGNAL_INTEGRATIONS_CHANGED = f"{DOMAIN}_integrations_changed"


class IntegrationWatch:
    """What is known about every other integration's config entry."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing seen yet."""
        self._hass = hass
        self._loaded: set[str] = set()  # entries seen running
        self._troubles: dict[str, EntryTrouble] = {}

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Look at every entry now, then follow them; returns the stop."""
        for entry in self._hass.config_entries.async_entries():
            self._observe(entry, tell=False)
        unsubs = [
            async_dispatcher_connect(
                self._hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._async_on_entry
            ),
            self._hass.config_entries.flow.async_subscribe_flow(self._async_on_flow),
        ]

        @callback
        def stop() -> None:
            for unsub in unsubs:
                unsub()

        return stop

    def trouble(self, entry_ids: Iterable[str]) -> EntryTrouble | None:
        """The worst trouble of these entries now (None: they are fine)."""
        return worst(self._troubles.get(entry_id) for entry_id in entry_ids)

    @callback
    def _async_on_entry(self, change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if change is ConfigEntryChange.REMOVED:
            self._loaded.discard(entry.entry_id)
            if self._troubles.pop(entry.entry_id, None) is not None:
                async_dispatcher_send(self._hass, SIGNAL_INTEGRATIONS_CHANGED)
            return
        self._observe(entry)

    @callback
    def _async_on_flow(self, _action: str, flow_id: str) -> None:
        """A re-authentication (or discovery) flow started or ended."""
        try:
            flow = self._hass.config_entries.flow.async_get(flow_id)
        except UnknownFlow:
            entry_id = None
        else:
            entry_id = flow["context"].get("entry_id")
        if entry_id is not None:
            ids: Iterable[str] = (entry_id,)
        else:  # ended: whichever had a sign-in waiting may be fine now
            ids = list(self._troubles)
        for one in ids:
            if (entry := self._hass.config_entries.async_get_entry(one)) is not None:
                self._observe(entry)

    @callback
    def _observe(self, entry: ConfigEntry, *, tell: bool = True) -> None:
        if entry.domain == DOMAIN or self._hass.is_stopping:
            return  # (Home Assistant unloads every entry as it stops: no trouble)
        if entry.state is ConfigEntryState.LOADED:
            self._loaded.add(entry.entry_id)
        view = EntryView(
            state=entry.state.value,
            disabled=entry.disabled_by is not None,
            was_loaded=entry.entry_id in self._loaded,
            reauth=any(entry.async_get_active_flows(self._hass, {SOURCE_REAUTH})),
        )
        before = self._troubles.get(entry.entry_id)
        after = next_trouble(before, view, entry.title, dt_util.utcnow())
        if after == before:
            return
        if after is None:
            self._troubles.pop(entry.entry_id)
            LOGGER.info("%s (%s) is fine again", entry.title, entry.domain)
        else:
            self._troubles[entry.entry_id] = after
            LOGGER.info(
                "%s (%s) is in trouble: %s (%s)",
                entry.title,
                entry.domain,
                after.trouble,
                entry.state.value,
            )
        if tell:
            async_dispatcher_send(self._hass, SIGNAL_INTEGRATIONS_CHANGED)


@callback
def async_setup_integration_watch(hass: HomeAssistant) -> None:
    """Start the one watch (at Provider Watch's set-up)."""
    watch = hass.data[DATA_INTEGRATIONS] = IntegrationWatch(hass)
    watch.async_start()


def integration_trouble(
    hass: HomeAssistant, entries_of: Callable[[], set[str]] | None
) -> EntryTrouble | None:
    """The trouble of the integrations a system is seen through (None: fine, none).

    `entries_of`: the system's `integration_entries` (set by its kind).
    """
    watch = hass.data.get(DATA_INTEGRATIONS)
    if watch is None or entries_of is None:
        return None
    return watch.trouble(entries_of())
