"""Every stored option and subentry dict, parsed once into typed, frozen settings.

A provider's options, a monitored system's subentry data and the internet check's
options are read here, when an entry is set up, and nowhere else: the rest of the
code gets these objects. Bad stored values (an older version, a hand-edited file)
fall back to the defaults instead of failing the set-up. The forms (config_flow.py,
subentry_flow.py and each kind's checks in kinds/) validate what is stored in the
first place. A system's own part (host, URL, rule, entities...) is read once by its
kind in kinds/, into that kind's settings.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

from yarl import URL

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, split_entity_id, valid_entity_id

from .const import (
    CONF_ACCOUNT_CONTACT,
    CONF_CRITICAL,
    CONF_CRITICAL_IGNORES_QUIET,
    CONF_CURRENCY,
    CONF_ESCALATE_AFTER,
    CONF_ESCALATION_PHONES,
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_FEEDBACK_CONTACT,
    CONF_HEAL_ATTEMPTS,
    CONF_HEAL_DAILY_MAX,
    CONF_HEAL_DELAY,
    CONF_HEAL_ENTITY,
    CONF_HEAL_NOTIFY,
    CONF_HEAL_OFF_TIME,
    CONF_HEAL_RECHECK,
    CONF_HOST,
    CONF_KIND,
    CONF_MONTHLY_FEE,
    CONF_NOTES,
    CONF_OUTBOUND_FAIL_URL,
    CONF_OUTBOUND_INTERVAL,
    CONF_OUTBOUND_METHOD,
    CONF_OUTBOUND_URL,
    CONF_PHONES,
    CONF_POLL_INTERVAL,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_RENEWAL_DATE,
    CONF_REPEAT,
    CONF_RETRY_INTERVAL,
    CONF_STATUS_COMPONENTS,
    CONF_STATUS_PAGE,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_SUPPORT_PHONE,
    CONF_SUPPORT_URL,
    CONF_TARGETS,
    CONF_TIMEOUT,
    CONF_URL,
    DEFAULT_FAILURES_BEFORE_OFFLINE,
    DEFAULT_OUTBOUND_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_REPEAT,
    DEFAULT_RETRY_INTERVAL,
    DEFAULT_SUCCESSES_BEFORE_ONLINE,
    DEFAULT_TIMEOUT,
    MAX_OUTBOUND_INTERVAL,
    MAX_POLL_INTERVAL,
    MAX_RETRY_INTERVAL,
    MAX_THRESHOLD,
    MAX_TIMEOUT,
    MIN_POLL_INTERVAL,
    MIN_RETRY_INTERVAL,
    MIN_TIMEOUT,
    OUTBOUND_METHODS,
    SystemKind,
)
from .kinds import PUSH_KINDS
from .kinds.form import HEAL_LIMITS
from .logic import stored
from .logic.cost import Contract
from .logic.policy import Settings as AlertSettings
from .logic.self_heal import ACTION_BY_DOMAIN, HealNotify, HealSettings
from .logic.state import Thresholds
from .logic.timing import defaults_for

# Push kinds decide with their own grace time: one verdict moves the machine.
PUSH_THRESHOLDS = Thresholds(failures_before_offline=1, successes_before_online=1)
HIDDEN = "<hidden>"
MAX_ESCALATE_AFTER = 10_080  # minutes: a week


# --- a provider (config entry options) -----------------------------------------------


def parse_repeat(text: str | None) -> tuple[int, ...]:
    """'30, 120' -> (30, 120); raises ValueError for anything else."""
    if not text or not text.strip():
        return ()
    minutes = tuple(int(part) for part in text.replace(";", ",").split(","))
    if any(m < 1 or m > 10_080 for m in minutes):
        raise ValueError(text)
    return minutes


def alert_settings(options: Mapping[str, Any]) -> AlertSettings:
    """A provider's alert settings (bad stored values fall back to defaults)."""
    try:
        repeat = parse_repeat(options.get(CONF_REPEAT, DEFAULT_REPEAT))
    except ValueError:
        repeat = parse_repeat(DEFAULT_REPEAT)
    escalate = stored.whole(options, CONF_ESCALATE_AFTER, 0, 0, MAX_ESCALATE_AFTER)
    return AlertSettings(
        repeat=repeat,
        escalate_after=escalate or None,
        critical=bool(options.get(CONF_CRITICAL, False)),
        quiet_start=stored.time_of(options.get(CONF_QUIET_START)),
        quiet_end=stored.time_of(options.get(CONF_QUIET_END)),
        critical_ignores_quiet=bool(options.get(CONF_CRITICAL_IGNORES_QUIET, True)),
    )


def contract(options: Mapping[str, Any], default_currency: str) -> Contract:
    """The fee, currency and renewal date of a provider's options.

    The currency defaults to Home Assistant's; a bad stored value counts as unset.
    """
    currency = options.get(CONF_CURRENCY)
    if not isinstance(currency, str) or not currency:
        currency = default_currency
    return Contract(
        monthly_fee=stored.fee(options.get(CONF_MONTHLY_FEE)),
        currency=currency,
        renews=stored.date_of(options.get(CONF_RENEWAL_DATE)),
    )


def provider_contract[R](hass: HomeAssistant, entry: ConfigEntry[R]) -> Contract:
    """The contract of a provider entry (Home Assistant's currency by default)."""
    return contract(entry.options, hass.config.currency)


@dataclass(frozen=True, kw_only=True, slots=True)
class Contacts:
    """Whom the owner can reach at the provider (the provider form)."""

    support_phone: str | None = None
    support_url: str | None = None
    account: str | None = None
    feedback: str | None = None
    notes: str | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Contacts:
        """The contacts of a provider entry's data."""
        return cls(
            support_phone=stored.text(data.get(CONF_SUPPORT_PHONE)),
            support_url=stored.text(data.get(CONF_SUPPORT_URL)),
            account=stored.text(data.get(CONF_ACCOUNT_CONTACT)),
            feedback=stored.text(data.get(CONF_FEEDBACK_CONTACT)),
            notes=stored.text(data.get(CONF_NOTES)),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class ProviderSettings:
    """A provider's options: phones, alert policy, status page, contract."""

    contacts: Contacts = field(default_factory=Contacts)
    phones: tuple[str, ...] = ()  # mobile_app device ids
    escalation_phones: tuple[str, ...] = ()
    alerts: AlertSettings = field(default_factory=AlertSettings)
    status_page: str | None = None
    status_components: tuple[str, ...] | None = None  # None: every component
    contract: Contract = field(default_factory=Contract)

    @classmethod
    def from_entry(
        cls,
        data: Mapping[str, Any],
        options: Mapping[str, Any],
        *,
        default_currency: str,
    ) -> ProviderSettings:
        """Parse a provider entry's data and options."""
        components = options.get(CONF_STATUS_COMPONENTS)
        return cls(
            contacts=Contacts.from_data(data),
            phones=stored.ids(options.get(CONF_PHONES)),
            escalation_phones=stored.ids(options.get(CONF_ESCALATION_PHONES)),
            alerts=alert_settings(options),
            status_page=stored.text(options.get(CONF_STATUS_PAGE)),
            status_components=stored.ids(components) if components else None,
            contract=contract(options, default_currency),
        )

    @property
    def all_phones(self) -> tuple[str, ...]:
        """Both tiers, each phone once."""
        return tuple(dict.fromkeys((*self.phones, *self.escalation_phones)))


# --- a monitored system (config subentry data) ---------------------------------------


# a system's timing: key -> (default, lowest, highest); anything else stored (NaN,
# infinity, out of range) is the default. (Polled kinds: their default depends on
# where the system is, logic/timing.py; these are the internet's.)
_SECONDS = {
    CONF_POLL_INTERVAL: (DEFAULT_POLL_INTERVAL, MIN_POLL_INTERVAL, MAX_POLL_INTERVAL),
    CONF_TIMEOUT: (DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT),
    CONF_RETRY_INTERVAL: (
        DEFAULT_RETRY_INTERVAL,
        MIN_RETRY_INTERVAL,
        MAX_RETRY_INTERVAL,
    ),
}
_COUNTS = {
    CONF_FAILURES_BEFORE_OFFLINE: (DEFAULT_FAILURES_BEFORE_OFFLINE, 1, MAX_THRESHOLD),
    CONF_SUCCESSES_BEFORE_ONLINE: (DEFAULT_SUCCESSES_BEFORE_ONLINE, 1, MAX_THRESHOLD),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Timing:
    """How often and how patiently a system is probed."""

    poll_interval: float
    timeout: float
    retry_interval: float
    thresholds: Thresholds

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Timing:
        """Read the timing of a system subentry; what is not usable is the default."""
        if SystemKind(data[CONF_KIND]) in PUSH_KINDS:
            return cls(
                poll_interval=DEFAULT_POLL_INTERVAL,
                timeout=DEFAULT_TIMEOUT,
                retry_interval=DEFAULT_RETRY_INTERVAL,
                thresholds=PUSH_THRESHOLDS,
            )
        defaults = defaults_for(
            str(data[CONF_KIND]), data.get(CONF_HOST), data.get(CONF_URL)
        )._asdict()
        seconds = {
            key: stored.number(data, key, defaults[key], low, high)
            for key, (_, low, high) in _SECONDS.items()
        }
        counts = {
            key: stored.whole(data, key, defaults[key], low, high)
            for key, (_, low, high) in _COUNTS.items()
        }
        return cls(
            poll_interval=seconds[CONF_POLL_INTERVAL],
            timeout=seconds[CONF_TIMEOUT],
            retry_interval=seconds[CONF_RETRY_INTERVAL],
            thresholds=Thresholds(
                failures_before_offline=counts[CONF_FAILURES_BEFORE_OFFLINE],
                successes_before_online=counts[CONF_SUCCESSES_BEFORE_ONLINE],
            ),
        )


def unusable_numbers(data: Mapping[str, Any]) -> list[str]:
    """The stored timing and self-heal numbers not used: their defaults are."""
    limits = {key: (low, high) for key, (_, low, high) in (_SECONDS | _COUNTS).items()}
    whole = {*_COUNTS, CONF_HEAL_ATTEMPTS, CONF_HEAL_DAILY_MAX}
    return [
        key
        for key, (low, high) in (limits | HEAL_LIMITS).items()
        if key in data and not stored.usable(data[key], low, high, whole=key in whole)
    ]


class HealTarget(NamedTuple):
    """The entity self-heal uses for a system, and how."""

    entity_id: str
    settings: HealSettings


def heal_target(data: Mapping[str, Any]) -> HealTarget | None:
    """A system's target entity and self-heal settings; None when it has none.

    Bad stored values fall back to the defaults.
    """
    entity_id = data.get(CONF_HEAL_ENTITY)
    if not isinstance(entity_id, str) or not valid_entity_id(entity_id):
        return None
    action = ACTION_BY_DOMAIN.get(split_entity_id(entity_id)[0])
    if action is None:
        return None
    defaults = HealSettings(action=action)

    def number(key: str, default: float) -> float:
        return stored.number(data, key, default, *HEAL_LIMITS[key])

    def whole(key: str, default: int) -> int:
        return stored.whole(data, key, default, *HEAL_LIMITS[key])

    try:
        settings = HealSettings(
            action=action,
            off_time=number(CONF_HEAL_OFF_TIME, defaults.off_time),
            delay=number(CONF_HEAL_DELAY, defaults.delay),
            attempts=whole(CONF_HEAL_ATTEMPTS, defaults.attempts),
            daily_max=whole(CONF_HEAL_DAILY_MAX, defaults.daily_max),
            recheck=number(CONF_HEAL_RECHECK, defaults.recheck),
            notify=HealNotify(data.get(CONF_HEAL_NOTIFY, defaults.notify)),
        )
    except ValueError:
        settings = defaults
    return HealTarget(entity_id=entity_id, settings=settings)


@dataclass(frozen=True, kw_only=True, slots=True)
class SystemSettings:
    """A monitored system: its kind, timing and self-heal.

    `check` is the kind's own part of the subentry (host, URL, rule, entities…),
    read once by that kind's module in kinds/ into its own typed settings.
    """

    name: str
    kind: SystemKind
    timing: Timing
    heal: HealTarget | None
    check: Mapping[str, Any]

    @classmethod
    def from_subentry(cls, title: str, data: Mapping[str, Any]) -> SystemSettings:
        """Parse a system subentry's data."""
        return cls(
            name=title,
            kind=SystemKind(data[CONF_KIND]),
            timing=Timing.from_data(data),
            heal=heal_target(data),
            check=MappingProxyType(dict(data)),
        )


# --- the internet check (its entry's options) ----------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class OutboundSettings:
    """What to call, how, and how often."""

    url: str
    fail_url: str | None = None
    interval: timedelta = timedelta(minutes=DEFAULT_OUTBOUND_INTERVAL)
    method: str = OUTBOUND_METHODS[0]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> OutboundSettings | None:
        """The settings in the internet entry's options; None without a URL."""
        if not (url := options.get(CONF_OUTBOUND_URL)):
            return None
        method = options.get(CONF_OUTBOUND_METHOD)
        return cls(
            url=url,
            fail_url=options.get(CONF_OUTBOUND_FAIL_URL) or None,
            interval=timedelta(
                minutes=stored.whole(
                    options,
                    CONF_OUTBOUND_INTERVAL,
                    DEFAULT_OUTBOUND_INTERVAL,
                    1,
                    MAX_OUTBOUND_INTERVAL,
                )
            ),
            method=method if method in OUTBOUND_METHODS else OUTBOUND_METHODS[0],
        )

    def hide(self, text: str) -> str:
        """A text with both URLs (and their paths, the secret part) taken out."""
        for url in (self.url, self.fail_url):
            if not url:
                continue
            text = text.replace(url, HIDDEN)
            try:
                secret = URL(url).raw_path_qs
            except ValueError:  # pragma: no cover - the form validated it
                continue
            if len(secret) > 1:
                text = text.replace(secret, HIDDEN)
        return text


@dataclass(frozen=True, kw_only=True, slots=True)
class InternetSettings:
    """The internet check's targets and its optional outbound heartbeat."""

    targets: tuple[str, ...]
    outbound: OutboundSettings | None

    @classmethod
    def from_entry(
        cls, data: Mapping[str, Any], options: Mapping[str, Any]
    ) -> InternetSettings:
        """Parse the internet entry (targets from the options, else the data)."""
        targets = options.get(CONF_TARGETS) or data.get(CONF_TARGETS) or []
        return cls(
            targets=stored.ids(targets), outbound=OutboundSettings.from_options(options)
        )
