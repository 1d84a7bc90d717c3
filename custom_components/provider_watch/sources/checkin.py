"""Check-in times in a provider's JSON: parsed, and judged by their age.

A device whose cloud still answers but whose last check-in is stale is frozen, and
counts as offline. Pure: no sessions, no Home Assistant.
"""

from datetime import UTC, datetime, timedelta, tzinfo
import math
import re

from homeassistant.util import dt as dt_util

from ..logic.text import format_duration
from .cloud_rule import RuleVerdict

NO_CHECKIN = "no check-in time in response"
_EPOCH = re.compile(r"\d+(?:\.\d+)?")
_MILLISECONDS_ABOVE = 1e11  # epoch seconds this large would be after year 5000


MAX_FORMAT_LENGTH = 100
_SAMPLE = datetime(2026, 11, 26, 21, 5, 9, tzinfo=UTC)


def is_time_format(text: str) -> bool:
    """A strptime format that reads back what it writes, e.g. %y%m%d%H%M%S."""
    if "%" not in text or len(text) > MAX_FORMAT_LENGTH:
        return False
    try:
        datetime.strptime(_SAMPLE.strftime(text), text)  # noqa: DTZ007 - a check
    except ValueError, TypeError, OverflowError:
        return False
    return True


def parse_checkin(
    value: object, naive_tz: tzinfo, time_format: str | None = None
) -> datetime | None:
    """A check-in time from the provider's JSON, as an aware UTC datetime.

    With a format (strptime-style, e.g. `%y%m%d%H%M%S`), the value (text, or a
    whole number such as 260115103000) is read with it, and nothing else is.
    Without one it accepts ISO 8601 with or without a zone (a naive time is read
    in `naive_tz`; a time that a DST change skips or repeats resolves as
    zoneinfo's fold=0 does),
    and epoch seconds or milliseconds (above 1e11) as numbers or numeric strings.
    Anything else is None.
    """
    if isinstance(value, bool):
        return None
    if time_format:
        return _formatted(value, naive_tz, time_format)
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
        parsed = dt_util.parse_datetime(text)  # Home Assistant's ISO 8601 reader
    except ValueError:  # well formed, but no such time
        return None
    return None if parsed is None else _to_utc(parsed, naive_tz)


def _formatted(value: object, naive_tz: tzinfo, time_format: str) -> datetime | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, str | int):
        return None
    try:
        parsed = datetime.strptime(str(value).strip(), time_format)  # noqa: DTZ007
    except ValueError, TypeError, OverflowError:
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
