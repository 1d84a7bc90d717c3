"""What a report is made of, and the pieces its parts share. Pure: no Home Assistant.

The words come from translations/en.json (the "exceptions" table holds the report's
templates, like the alerts' words), passed in as `texts(key, **placeholders)`.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from .cause import Cause
from .cost import Contract
from .figures import Window
from .outages import OutageRecord
from .rollups import Rollup

type Texts = Callable[..., str]  # (key, **placeholders) -> words

# the provider's side first: that is what the report is for
CAUSES = (
    Cause.PROVIDER_CLOUD.value,
    Cause.INTERNET.value,
    Cause.SYSTEM.value,
    Cause.AUTH.value,
    Cause.UNKNOWN.value,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Contacts:
    """The provider's contacts, by who they are for."""

    support_phone: str | None = None
    support_url: str | None = None
    account: str | None = None
    feedback: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportSystem:
    """A system in the report."""

    id: str
    name: str
    added: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportInput:
    """Everything a report is made of."""

    provider: str
    provider_id: str
    contacts: Contacts
    period: str  # last_30_days, calendar_month or custom
    window: Window  # the period asked for: [start, end)
    zone: tzinfo
    zone_name: str
    now: datetime
    systems: Sequence[ReportSystem]
    outages: Sequence[OutageRecord]  # the provider's outages (any period)
    users: Mapping[str, str] = field(default_factory=dict)  # user id -> name
    contract: Contract = field(default_factory=Contract)
    language: str = "en"  # Home Assistant's: how the HTML writes numbers and dates
    # the monthly summaries of outages the history no longer keeps one by one
    rollups: Sequence[Rollup] = ()


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes, to 2 decimals (None stays None)."""
    return None if seconds is None else round(seconds / 60, 2)


def local(value: datetime | None, zone: tzinfo) -> str | None:
    """A time as ISO 8601 in the report's zone (None stays None)."""
    return value.astimezone(zone).isoformat() if value is not None else None
