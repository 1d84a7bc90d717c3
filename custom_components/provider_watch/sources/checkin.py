"""Check-in times in a provider's JSON: parsed, and judged by their age.

A device whose cloud still answers but whose last check-in is stale is frozen, and
counts as offline. Pure: no sessions, no Home Assistant.
"""

from datetime import UTC, datetime, timedelta, tzinfo
import math
import re

from ..logic.text import format_duration
from .cloud_rule import RuleVerdict

NO_CHECKIN = "no check-in time in response"
_EPOCH = re.compile(r"\d+(?:\.\d+)?")
_MILLISECONDS_ABOVE = 1e11  # epoch seconds this large would be after year 5000


def parse_checkin(value: object, naive_tz: tzinfo) -> datetime | None:
    """A check-in time from the provider's JSON, as an aware UTC datetime.

    Accepts ISO 8601 with or without a zone (a naive time is read in `naive_tz`;
    a time that a DST change skips or repeats resolves as zoneinfo's fold=0 does),
    and epoch seconds or milliseconds (above 1e11) as numbers or numeric strings.
    Anything else is None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if isinstance(value, datetime):
        return _to_utc(value, naive_tz)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _EPOCH.fullmatch(text):
        return _from_epoch(float(text))
    if text.endswith("z"):
        text = text[:-1] + "Z"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return _to_utc(parsed, naive_tz)


def _from_epoch(number: float) -> datetime | None:
    if not math.isfinite(number) or number < 0:
        return None
    seconds = number / 1000 if number > _MILLISECONDS_ABOVE else number
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except OverflowError, OSError, ValueError:
        return None


def _to_utc(moment: datetime, naive_tz: tzinfo) -> datetime | None:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=naive_tz)
    try:
        return moment.astimezone(UTC)
    except OverflowError, ValueError:
        return None


def checkin_age_verdict(
    checkin: datetime | None, now: datetime, max_age: timedelta
) -> RuleVerdict:
    """Online while the last check-in is at most `max_age` old.

    A device whose cloud still answers but whose check-in is stale is frozen, and
    counts as offline. Both datetimes must be aware.
    """
    if checkin is None:
        return RuleVerdict(online=None, reason=NO_CHECKIN)
    age = now - checkin
    if age > max_age:
        return RuleVerdict(
            online=False,
            value=checkin,
            reason=f"last check-in {format_duration(age.total_seconds())} ago",
        )
    return RuleVerdict(online=True, value=checkin)
