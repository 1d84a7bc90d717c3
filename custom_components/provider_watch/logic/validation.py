"""Checks for what people type into the forms (no Home Assistant imports)."""

from collections.abc import Iterable, Mapping
import re
from typing import Any

_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,30}$")
# An IANA time zone name is words of letters, digits, "_", "-" and "+" joined by
# "/", such as America/Argentina/Buenos_Aires or Etc/GMT+5; the longest has 32
# characters.
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+){0,3}")
MAX_NAME_LENGTH = 100
MAX_ZONE_NAME_LENGTH = 64


def is_valid_phone(phone: str) -> bool:
    """A phone number people can dial: digits with the usual separators."""
    phone = phone.strip()
    return bool(_PHONE.match(phone)) and sum(ch.isdigit() for ch in phone) >= 3


def is_valid_name(name: str) -> bool:
    """A non-blank display name of reasonable length."""
    return 0 < len(name.strip()) <= MAX_NAME_LENGTH


def is_zone_name(name: str) -> bool:
    """Whether a name looks like a time zone's; no file is read to tell.

    Refuses at once what no lookup would find: long names, paths (`..`, `/etc`),
    spaces and other characters no zone name has.
    """
    return len(name) <= MAX_ZONE_NAME_LENGTH and bool(_ZONE_NAME.fullmatch(name))


def clean_input(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Strip text fields and drop blank ones (blank optional fields are unset)."""
    cleaned: dict[str, Any] = {}
    for key, value in user_input.items():
        if isinstance(value, str):
            if value.strip():
                cleaned[key] = value.strip()
        else:
            cleaned[key] = value
    return cleaned


def is_whole(value: object, low: int, high: int) -> bool:
    """True for a whole number (int, or a float like 80.0) within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return float(value).is_integer() and low <= value <= high


def name_taken(name: str, others: Iterable[str]) -> bool:
    """True when name equals one of others, ignoring case and outer spaces."""
    return name.strip().casefold() in {other.strip().casefold() for other in others}
