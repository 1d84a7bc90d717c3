"""Atlassian Statuspage v2: the summary.json wire format (statuspage_fetch.py reads it).

Sources know wire formats and nothing about entities or alerts. A status page that
cannot be read is never an outage: fetch_status_page then returns no report and a
short reason, and the caller treats the provider's status as unknown.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from homeassistant.util import dt as dt_util

MAX_RETRY_AFTER = 24 * 60 * 60.0  # a longer Retry-After is taken as one day
SUMMARY_PATH = "/api/v2/summary.json"

_API_SEGMENTS = ("api", "v2")


class StatusPageFormatError(ValueError):
    """The JSON is not shaped like a Statuspage v2 summary."""


def _parse_status[E: StrEnum](enum: type[E], value: object, fallback: E) -> E:
    """A wire status as the enum; the fallback for anything unexpected."""
    try:
        return enum(value) if isinstance(value, str) else fallback
    except ValueError:
        return fallback


class ComponentStatus(StrEnum):
    """The status of one component on a status page."""

    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"
    UNKNOWN = "unknown"  # anything the page sends that is not one of the above

    @classmethod
    def parse(cls, value: object) -> ComponentStatus:
        """The status for a wire value; UNKNOWN for anything unexpected."""
        return _parse_status(cls, value, cls.UNKNOWN)


OUTAGE_STATUSES = frozenset(
    {ComponentStatus.PARTIAL_OUTAGE, ComponentStatus.MAJOR_OUTAGE}
)


class MaintenanceStatus(StrEnum):
    """The status of a scheduled maintenance."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: object) -> MaintenanceStatus:
        """The status for a wire value; UNKNOWN for anything unexpected."""
        return _parse_status(cls, value, cls.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Component:
    """One component (or group of components) on a status page."""

    id: str
    name: str
    status: ComponentStatus
    group: bool
    group_id: str | None = None  # the group this component belongs to, if any


@dataclass(frozen=True, slots=True)
class Incident:
    """An unresolved incident; status and impact as the page sends them."""

    id: str
    name: str
    status: str  # investigating, identified, monitoring, ... or "unknown"
    impact: str  # none, minor, major, critical, maintenance, ... or "unknown"


@dataclass(frozen=True, slots=True)
class Maintenance:
    """A scheduled (or running) maintenance."""

    id: str
    name: str
    status: MaintenanceStatus
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    component_ids: tuple[str, ...]

    def active_at(self, now: datetime) -> bool:
        """True while in progress or verifying, or scheduled with now in its window."""
        if self.status in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING):
            return True
        if self.status is not MaintenanceStatus.SCHEDULED or self.scheduled_for is None:
            return False
        now = _aware(now)
        if now < self.scheduled_for:
            return False
        return self.scheduled_until is None or now < self.scheduled_until


@dataclass(frozen=True, slots=True)
class StatusPageReport:
    """What a status page's summary.json says."""

    page_name: str | None
    indicator: str | None  # none, minor, major, critical (as sent)
    components: tuple[Component, ...]
    incidents: tuple[Incident, ...]
    maintenances: tuple[Maintenance, ...]

    def relevant_components(
        self, component_ids: Collection[str] | None
    ) -> tuple[Component, ...]:
        """The components a caller watches.

        None means every non-group component. A chosen group stands for its member
        components (or for itself when the page lists no members).
        """
        if component_ids is None:
            return tuple(c for c in self.components if not c.group)
        wanted = set(component_ids)
        with_members = {c.group_id for c in self.components if c.group_id in wanted}
        return tuple(
            c
            for c in self.components
            if (c.id in wanted and c.id not in with_members) or c.group_id in wanted
        )

    def relevant_problems(
        self, component_ids: Collection[str] | None
    ) -> tuple[Component, ...]:
        """Relevant components in partial or major outage."""
        return tuple(
            c
            for c in self.relevant_components(component_ids)
            if c.status in OUTAGE_STATUSES
        )

    def relevant_degraded(
        self, component_ids: Collection[str] | None
    ) -> tuple[Component, ...]:
        """Relevant components with degraded performance (not an outage)."""
        return tuple(
            c
            for c in self.relevant_components(component_ids)
            if c.status is ComponentStatus.DEGRADED_PERFORMANCE
        )

    def active_maintenance(
        self, component_ids: Collection[str] | None, now: datetime
    ) -> tuple[Maintenance, ...]:
        """Maintenances active at now that touch the relevant components.

        None means the whole page: every active maintenance counts.
        """
        active = tuple(m for m in self.maintenances if m.active_at(now))
        if component_ids is None:
            return active
        relevant = self.relevant_components(component_ids)
        touched = set(component_ids) | {c.id for c in relevant}
        touched |= {c.group_id for c in relevant if c.group_id is not None}
        return tuple(m for m in active if touched.intersection(m.component_ids))


@dataclass(frozen=True, slots=True)
class StatusPageResult:
    """One fetch: a report, or why there is none (status unknown, never an outage)."""

    report: StatusPageReport | None
    unknown_reason: str | None = None
    retry_after: float | None = None  # seconds the page asked us to wait

    @classmethod
    def unknown(cls, reason: str, retry_after: float | None = None) -> StatusPageResult:
        """A fetch that could not tell the provider's status."""
        return cls(report=None, unknown_reason=reason, retry_after=retry_after)


def summary_url(page_url: str) -> str:
    """The summary.json URL for a status page's base URL.

    'status.example.com', 'https://status.example.com/' and an URL already pointing
    into /api/v2/ all give 'https://status.example.com/api/v2/summary.json'.
    Query and fragment are dropped; no scheme means https.
    """
    text = page_url.strip()
    if "://" not in text:
        text = f"https://{text.lstrip('/')}"
    parts = urlsplit(text)
    segments = [segment for segment in parts.path.split("/") if segment]
    for index in range(len(segments) - 1):
        if tuple(segments[index : index + 2]) == _API_SEGMENTS:
            segments = segments[:index]
            break
    base = "".join(f"/{segment}" for segment in segments)
    return urlunsplit((parts.scheme, parts.netloc, base + SUMMARY_PATH, "", ""))


def parse_summary(data: object) -> StatusPageReport:
    """Read a decoded summary.json; raise StatusPageFormatError on a wrong shape."""
    if not isinstance(data, dict):
        raise StatusPageFormatError("expected a JSON object")
    page = data.get("page")
    status = data.get("status")
    return StatusPageReport(
        page_name=_text(page.get("name")) if isinstance(page, dict) else None,
        indicator=_text(status.get("indicator")) if isinstance(status, dict) else None,
        components=tuple(
            _component(entry, index)
            for index, entry in _objects(data, "components", required=True)
        ),
        incidents=tuple(
            _incident(entry, index)
            for index, entry in _objects(data, "incidents", required=False)
        ),
        maintenances=tuple(
            _maintenance(entry, index)
            for index, entry in _objects(data, "scheduled_maintenances", required=False)
        ),
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP-date).

    None when absent or unreadable; a date in the past is 0; capped at one day.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return min(float(int(text)), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except TypeError, ValueError, IndexError:
        return None
    now = _aware(now if now is not None else datetime.now(UTC))
    return min(max(0.0, (_aware(when) - now).total_seconds()), MAX_RETRY_AFTER)


def _aware(moment: datetime) -> datetime:
    """A timezone-aware datetime; naive ones are taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _objects(
    data: Mapping[str, Any], key: str, *, required: bool
) -> list[tuple[int, Mapping[str, Any]]]:
    """The objects of a top-level list, numbered; missing/null is empty if optional."""
    value = data.get(key)
    if value is None:
        if required:
            raise StatusPageFormatError(
                f"'{key}' is null" if key in data else f"'{key}' is missing"
            )
        return []
    if not isinstance(value, list):
        raise StatusPageFormatError(f"'{key}' is not a list")
    objects: list[tuple[int, Mapping[str, Any]]] = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise StatusPageFormatError(f"{key}[{index}] is not an object")
        objects.append((index, entry))
    return objects


def _id(value: object) -> str | None:
    """An id as text; ids are strings, but a plain number is tolerated."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _required_id(entry: Mapping[str, Any], where: str) -> str:
    ident = _id(entry.get("id"))
    if ident is None:
        raise StatusPageFormatError(f"{where} has no id")
    return ident


def _component(entry: Mapping[str, Any], index: int) -> Component:
    ident = _required_id(entry, f"components[{index}]")
    return Component(
        id=ident,
        name=_text(entry.get("name")) or ident,
        status=ComponentStatus.parse(entry.get("status")),
        group=entry.get("group") is True,
        group_id=_id(entry.get("group_id")),
    )


def _incident(entry: Mapping[str, Any], index: int) -> Incident:
    ident = _required_id(entry, f"incidents[{index}]")
    return Incident(
        id=ident,
        name=_text(entry.get("name")) or ident,
        status=_text(entry.get("status")) or "unknown",
        impact=_text(entry.get("impact")) or "unknown",
    )


def _maintenance(entry: Mapping[str, Any], index: int) -> Maintenance:
    where = f"scheduled_maintenances[{index}]"
    ident = _required_id(entry, where)
    components = entry.get("components")
    if components is None:
        components = []
    if not isinstance(components, list):
        raise StatusPageFormatError(f"{where}.components is not a list")
    component_ids: list[str] = []
    for position, component in enumerate(components):
        # objects as the API sends them; bare id strings are tolerated
        found = _id(component.get("id") if isinstance(component, dict) else component)
        if found is None:
            raise StatusPageFormatError(f"{where}.components[{position}] has no id")
        component_ids.append(found)
    return Maintenance(
        id=ident,
        name=_text(entry.get("name")) or ident,
        status=MaintenanceStatus.parse(entry.get("status")),
        scheduled_for=_timestamp(entry.get("scheduled_for")),
        scheduled_until=_timestamp(entry.get("scheduled_until")),
        component_ids=tuple(component_ids),
    )


def _timestamp(value: object) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt_util.parse_datetime(value)  # Home Assistant's ISO 8601 reader
    except ValueError:  # well formed, but no such time
        return None
    return None if parsed is None else _aware(parsed)
