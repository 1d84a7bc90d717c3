"""What a kind of check is: its form, its validation, and what runs it.

Every module in kinds/ describes one kind with a `Kind`; kinds/__init__.py lists
them. A polled kind builds a probe (called on the system's poll interval); an
event-driven kind builds a watcher that pushes its verdicts to its system.
"""

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import probatio as vol

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant

from ..const import SystemKind
from ..sources import Probe, ProbeResult


class PushTarget(Protocol):
    """Where a watcher sends its verdicts: its system (the coordinator)."""

    @property
    def subentry(self) -> ConfigSubentry:
        """The system's subentry (its title names the webhook)."""

    async def async_push(self, result: ProbeResult) -> None:
        """Feed one verdict to the system's state machine."""


class Watcher(Protocol):
    """An event-driven check, started once its system's entities exist."""

    def async_start(self) -> CALLBACK_TYPE:
        """Start watching; returns the function that stops it."""


class SystemRef(NamedTuple):
    """Which system a probe checks, for what it tells the user (a repair issue)."""

    system_id: str  # its subentry id
    name: str
    provider: str


# (hass, the system's stored settings, its timeout, the ICMP mode, the system)
# -> its probe
type ProbeBuilder = Callable[
    [HomeAssistant, Mapping[str, Any], float, bool | None, SystemRef], Probe
]
# (hass, its system, the system's stored settings) -> its watcher
type WatcherBuilder = Callable[[HomeAssistant, PushTarget, Mapping[str, Any]], Watcher]
# (hass, the form's data) -> more form errors, for checks that need Home Assistant
# and are cheap (nothing is looked up or rendered)
type HassErrors = Callable[[HomeAssistant, Mapping[str, Any]], dict[str, str]]
# (hass, the form's data) -> more form errors, for checks that wait (a time zone
# looked up in the executor); run once the cheap checks pass
type AsyncErrors = Callable[
    [HomeAssistant, Mapping[str, Any]], Coroutine[Any, Any, dict[str, str]]
]
# (hass, the system's stored settings) -> the config entries of other integrations
# its system depends on (watched as evidence: monitoring/integration.py)
type EntriesOf = Callable[[HomeAssistant, Mapping[str, Any]], set[str]]
# (the data to store, the stored data when reconfiguring) -> None; fills in what
# the form does not ask
type FillIn = Callable[[dict[str, Any], Mapping[str, Any] | None], None]


@dataclass(frozen=True, kw_only=True, slots=True)
class Kind:
    """One kind of check, as the subentry flow and the set-up use it.

    The field names, section names and error keys are user-visible (translations,
    HA's REST flows): they never change for a stored kind.
    """

    kind: SystemKind
    # its own fields of the form, after the name
    fields: Mapping[vol.Marker, Any]
    # its form errors: field (or "base") -> error key
    validate: Callable[[Mapping[str, Any]], dict[str, str]]
    # more collapsed sections of its form (their fields are stored flat)
    sections: Mapping[str, vol.Schema] = field(default_factory=dict)
    open_sections: frozenset[str] = frozenset()  # shown expanded
    optional_sections: frozenset[str] = frozenset()  # may be left out of a form
    whole_numbers: tuple[str, ...] = ()  # its fields stored as int
    hass_errors: HassErrors | None = None
    async_errors: AsyncErrors | None = None
    fill_in: FillIn | None = None
    next_step: str | None = None  # a step of the flow shown after its form
    build_probe: ProbeBuilder | None = None  # a polled kind
    build_watcher: WatcherBuilder | None = None  # an event-driven kind
    # a kind that watches another integration's entities: that integration's entries
    integration_entries: EntriesOf | None = None

    def __post_init__(self) -> None:
        """A kind is either polled or event-driven."""
        if (self.build_probe is None) == (self.build_watcher is None):
            raise TypeError(f"{self.kind}: give build_probe or build_watcher")

    @property
    def polled(self) -> bool:
        """Probed on an interval (else its watcher pushes verdicts)."""
        return self.build_probe is not None


class TimedWatcher:
    """What the event-driven kinds share: their system, and one timer."""

    def __init__(self, hass: HomeAssistant, target: PushTarget) -> None:
        self._hass = hass
        self._target = target
        self._unsub_timer: CALLBACK_TYPE | None = None

    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None
