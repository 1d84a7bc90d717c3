"""Alerts held back while the internet was down, folded into one summary (pure).

While the home internet is down, a push to a phone that is not on the home network
cannot leave the house. The alerts are still decided; what each phone should have
heard is kept in order, and when the internet is back the phone gets one summary:
per alert, how it ended up — still offline, or back — never a replay one by one.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from .state import parse_time


class Heard(StrEnum):
    """What a held-back notice would have told the phone."""

    OFFLINE = "offline"  # offline, reminder, escalation, flapping digest
    BACK = "back"  # recovery, or the notification cleared


@dataclass(frozen=True, kw_only=True, slots=True)
class Held:
    """One notice a phone did not get because the internet was down."""

    alert_id: str
    heard: Heard
    subject: str  # "Alarm panel", "Your internet", …
    since: datetime  # when the outage began
    at: datetime  # when the notice was decided
    tag: str  # the notification tag of the alert on the phone
    systems: tuple[tuple[str, str], ...] = ()  # (system id, name) in the alert


@dataclass(frozen=True, kw_only=True, slots=True)
class Line:
    """One system in the summary."""

    system: str  # its name
    since: datetime
    back: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Summary:
    """What one phone is told once the internet is back."""

    lines: tuple[Line, ...]
    down_from: datetime
    down_to: datetime
    clear: tuple[str, ...]  # tags of alerts that ended while the phone shows them
    open_tags: tuple[str, ...]  # tags of the alerts still open
    open_ids: tuple[str, ...] = ()  # and their alert ids, in the same order


type Status = Callable[[str], tuple[bool, datetime | None]]  # id -> offline?, since
# id -> (alert id, tag) of the open alert the system is in now (None: in none)
type Current = Callable[[str], tuple[str, str] | None]


def summarize(
    held: Iterable[Held],
    down_from: datetime,
    down_to: datetime,
    status: Status,
    showing: Iterable[str] = (),
    current: Current | None = None,
) -> Summary | None:
    """Fold a phone's held notices into one summary; None when nothing was held.

    Every system named in a held notice gets one line that says how it is now —
    still offline, or back — in the order the systems first went offline.
    `status(system_id)` says whether it is offline now and since when; `showing`
    are the tags the phone shows from before the internet went down.

    The alerts the summary is about (its tag, its buttons) are those the systems
    still offline are in now, `current(system_id)`: a held alert may have closed in
    the meantime and its systems moved on to alerts of their own. Without
    `current`, the held alerts of the systems still offline are taken as open.
    """
    items = sorted(held, key=lambda h: h.at)
    if not items:
        return None
    first: dict[str, tuple[str, datetime]] = {}
    for item in items:
        for system_id, name in item.systems:
            first.setdefault(system_id, (name, item.since))
    lines = []
    still: set[str] = set()
    for system_id, (name, held_since) in first.items():
        offline, since = status(system_id)
        lines.append(Line(system=name, since=since or held_since, back=not offline))
        if offline:
            still.add(system_id)
    open_alerts: dict[str, str] = {}  # tag -> alert id, in order
    for item in items:
        for system_id, _ in item.systems:
            if system_id not in still:
                continue
            now = current(system_id) if current else (item.alert_id, item.tag)
            if now is not None:
                open_alerts.setdefault(now[1], now[0])
    shown = set(showing)
    held_tags = dict.fromkeys(item.tag for item in items)
    return Summary(
        lines=tuple(sorted(lines, key=lambda line: line.since)),
        down_from=down_from,
        down_to=down_to,
        clear=tuple(t for t in held_tags if t not in open_alerts and t in shown),
        open_tags=tuple(open_alerts),
        open_ids=tuple(open_alerts.values()),
    )


def held_to_dict(item: Held) -> dict[str, Any]:
    """A held notice as saved."""
    return {
        "alert_id": item.alert_id,
        "heard": item.heard.value,
        "subject": item.subject,
        "since": item.since.isoformat(),
        "at": item.at.isoformat(),
        "tag": item.tag,
        "systems": [list(pair) for pair in item.systems],
    }


def held_from_dict(data: Mapping[str, Any]) -> Held | None:
    """A saved held notice, or None when it is malformed."""
    since, at = parse_time(data.get("since")), parse_time(data.get("at"))
    try:
        heard = Heard(str(data.get("heard")))
    except ValueError:
        return None
    systems = data.get("systems")
    pairs = [
        (str(pair[0]), str(pair[1]))
        for pair in (systems if isinstance(systems, list) else [])
        if isinstance(pair, list) and len(pair) == 2
    ]
    fields = (data.get("alert_id"), data.get("subject"), data.get("tag"))
    if since is None or at is None or not all(isinstance(f, str) for f in fields):
        return None
    return Held(
        alert_id=str(data["alert_id"]),
        heard=heard,
        subject=str(data["subject"]),
        since=since,
        at=at,
        tag=str(data["tag"]),
        systems=tuple(pairs),
    )
