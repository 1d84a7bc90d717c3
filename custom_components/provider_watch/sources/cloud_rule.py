"""Simple cloud rules: decide from a provider's JSON whether a device is online.

A provider's cloud API answers with JSON about the customer's device(s). A simple
rule points at one value with a JSON path (jsonpath-python, the library Home
Assistant's own `rest` integration uses) and compares it with what the user expects.
An optional filter first picks the user's device out of a list by its id, and the
value path is then applied to that device alone.

The module is pure: it knows JSON shapes and nothing about entities, sessions or
Home Assistant, and it never raises on bad data or a bad path: it answers with a
verdict whose `online` is None ("could not tell") and a reason instead.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
import json
import re

from .cloud_paths import (
    INVALID_PATH,
    InvalidPathError,
    matches,
    select,
    validate_path,
)

__all__ = ["INVALID_PATH", "validate_path"]

_FALSE_WORDS = frozenset({"false", "no", "off", "0", "offline", "disconnected"})
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_SHOWN_VALUE_CHARS = 60


class Comparison(StrEnum):
    """How a rule compares the value it found."""

    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    IN_LIST = "in_list"  # expected is a comma-separated list
    TRUTHY = "truthy"
    FALSY = "falsy"  # for flags that mean offline when set, e.g. "offline": true
    CONTAINS = "contains"  # text: the value (no path: the whole body) contains it
    NOT_CONTAINS = "not_contains"


# compare text; without a path, the raw body (which need not be JSON)
TEXT_COMPARISONS = frozenset({Comparison.CONTAINS, Comparison.NOT_CONTAINS})


class Combine(StrEnum):
    """How the verdicts of several rules make one."""

    ALL = "all"  # online only if every rule says online
    ANY = "any"  # online if any rule says online


@dataclass(frozen=True, slots=True)
class SimpleRule:
    """One value in the provider's JSON, and what it must be for "online".

    With a device filter (filter_path, id_key and id_value all set), filter_path
    selects the devices at any depth: every value it matches that is a list gives
    its elements, an object with the id key is a device itself, any other object
    gives its values. The device whose `id_key` (a key, or a JSON path such as
    `$.info.serial`) equals `id_value` is picked, and `path` is applied to it
    (`$.online`). A device missing from those lists counts as offline.

    A text comparison (contains / does not contain) without a path judges the
    raw body of the answer, which need not be JSON.
    """

    path: str
    comparison: Comparison
    expected: str | None = None
    filter_path: str | None = None
    id_key: str | None = None
    id_value: str | None = None


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    """What a rule (or several) decided.

    `online` is None when the rule could not tell (bad path, value missing, ...);
    `value` is what the path found, for the config flow's test step to show;
    `reason` says in a few words why the device is not online.
    """

    online: bool | None
    value: object = None
    reason: str | None = None


class _NoDeviceListError(Exception):
    """The device filter found no list to pick from; the message says why."""


def is_body_rule(rule: SimpleRule) -> bool:
    """A text comparison without a path: it judges the raw body."""
    return rule.comparison in TEXT_COMPARISONS and not rule.path.strip()


def refusals(rule: SimpleRule, data: object) -> dict[str, str]:
    """The rule's paths jsonpath-python refuses on `data`: "filter" or "path" -> why.

    Tried exactly as `evaluate_rule` evaluates them: the device filter on the
    answer, then the path on the device it picks (on the answer without a filter).
    A path that would never be tried on this answer (no device list, the device
    missing from it) has nothing to refuse.
    """
    if is_body_rule(rule):
        return {}
    target = data
    if _has_filter(rule) and _filter_problem(rule) is None:
        try:
            picked, target = _pick_device(
                data,
                rule.filter_path or "",
                rule.id_key or "",
                (rule.id_value or "").strip(),
            )
        except InvalidPathError as err:
            return {"filter": str(err) or INVALID_PATH}
        except _NoDeviceListError:
            return {}
        if not picked:
            return {}
    try:
        select(rule.path, target)
    except InvalidPathError as err:
        return {"path": str(err) or INVALID_PATH}
    return {}


def ambiguities(rule: SimpleRule, data: object) -> dict[str, str]:
    """Where the rule would pick one of several values: "filter" or "path" -> why.

    A check uses the first match; the flow's test step refuses a rule whose path
    matches more than one value (the device may not stay first), or whose device
    filter finds several devices with the id.
    """
    if is_body_rule(rule) or _filter_problem(rule) is not None:
        return {}
    target = data
    try:
        if _has_filter(rule):
            device_id = (rule.id_value or "").strip()
            devices = _devices_with_id(
                data, rule.filter_path or "", rule.id_key or "", device_id
            )
            if len(devices) > 1:
                return {
                    "filter": f"{len(devices)} devices at "
                    f"{(rule.filter_path or '').strip()} have the id {device_id}"
                }
            if not devices:
                return {}
            target = devices[0]
        found = matches(rule.path, target)
    except InvalidPathError, _NoDeviceListError:
        return {}
    if len(found) < 2:
        return {}
    hint = "" if _has_filter(rule) else "; pick your device with a device filter"
    return {"path": f"{rule.path.strip()} matches {len(found)} values{hint}"}


def normalize(value: object) -> str:
    """The string a rule compares: booleans as true/false, 42.0 as 42, casefolded.

    JSON null is "null"; objects and arrays are compact JSON.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, str):
        return value.strip().casefold()
    return _show(value).casefold()


def is_truthy(value: object) -> bool:
    """Whether a value means "yes": numbers by value, strings by word.

    A string is true unless it is empty, a number equal to 0, or one of false,
    no, off, 0, offline, disconnected (any case).
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        word = value.strip().casefold()
        if _NUMBER.fullmatch(word):
            return float(word) != 0
        return bool(word) and word not in _FALSE_WORDS
    if isinstance(value, dict | list | tuple):
        return len(value) > 0
    return True


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    if len(text) > _SHOWN_VALUE_CHARS:
        return text[: _SHOWN_VALUE_CHARS - 1] + "…"
    return text


def _filter_problem(rule: SimpleRule) -> str | None:
    """Why the rule's device filter is unusable, or None (also when there is none)."""
    parts = (rule.filter_path, rule.id_key, rule.id_value)
    given = [bool(part and part.strip()) for part in parts]
    return "incomplete device filter" if any(given) and not all(given) else None


def _has_filter(rule: SimpleRule) -> bool:
    return bool(rule.filter_path and rule.filter_path.strip())


def _expected_values(rule: SimpleRule) -> list[str] | None:
    """The normalized expected value(s), or None if the rule lacks them."""
    if rule.expected is None:
        return None
    if rule.comparison is Comparison.IN_LIST:
        values = [normalize(item) for item in rule.expected.split(",") if item.strip()]
        return values or None
    return [normalize(rule.expected)]


def _pick_device(
    data: object, filter_path: str, id_key: str, id_value: str
) -> tuple[bool, object]:
    """The first device among those at `filter_path` whose id is `id_value`.

    Returns (True, device), (False, None) when no device has that id. Raises
    InvalidPathError for a bad path, _NoDeviceListError when there is no list.
    """
    found = _devices_with_id(data, filter_path, id_key, id_value)
    return (True, found[0]) if found else (False, None)


def _devices_with_id(
    data: object, filter_path: str, id_key: str, id_value: str
) -> list[object]:
    """Every device at `filter_path` (at any depth) whose id is `id_value`."""
    found = matches(filter_path, data)
    where = filter_path.strip()
    if not found:
        raise _NoDeviceListError(f"value not found at {where}")
    key = id_key.strip()
    devices: list[object] = []
    if not any(isinstance(match, dict | list) for match in found):
        raise _NoDeviceListError(f"no device list at {where}")
    for match in found:
        if isinstance(match, list):
            devices.extend(match)
        elif isinstance(match, dict):
            has_id = _device_id(match, key) is not None
            devices.extend([match] if has_id else match.values())
    wanted = normalize(id_value)
    return [
        device
        for device in devices
        if (its_id := _device_id(device, key)) is not None
        and normalize(its_id) == wanted
    ]


def _device_id(device: object, key: str) -> object:
    """A device's id: its `key`, or the first match of `key` when it is a path."""
    if not isinstance(device, dict):
        return None
    if key.startswith("$"):
        found, value = select(key, device)
        return value if found and not isinstance(value, dict | list) else None
    return device.get(key)


def evaluate_rule(data: object, rule: SimpleRule) -> RuleVerdict:
    """Decide from a provider's decoded JSON whether the device is online.

    The first match of the path is the value; no match means "value not found",
    which cannot tell (online None). Never raises.
    """
    if is_body_rule(rule):
        return _judge_text(data, rule)
    if not validate_path(rule.path):
        return RuleVerdict(online=None, reason=INVALID_PATH)
    problem = _filter_problem(rule)
    if problem is not None:
        return RuleVerdict(online=None, reason=problem)
    expected = _expected_values(rule)
    if expected is None and rule.comparison not in (
        Comparison.TRUTHY,
        Comparison.FALSY,
    ):
        return RuleVerdict(online=None, reason="no expected value")
    where = rule.path.strip()
    target = data
    try:
        if _has_filter(rule):
            device_id = (rule.id_value or "").strip()
            picked, target = _pick_device(
                data, rule.filter_path or "", rule.id_key or "", device_id
            )
            if not picked:
                return RuleVerdict(
                    online=False,
                    reason=f"device {device_id} not in the provider's list",
                )
            where = f"{where} of device {device_id}"
        found, value = select(rule.path, target)
    except InvalidPathError:
        return RuleVerdict(online=None, reason=INVALID_PATH)
    except _NoDeviceListError as err:
        return RuleVerdict(online=None, reason=str(err))
    if not found:
        return RuleVerdict(online=None, reason=f"value not found at {where}")
    online = _compare(value, rule.comparison, expected or [])
    if online:
        return RuleVerdict(online=True, value=value)
    return RuleVerdict(
        online=False,
        value=value,
        reason=_mismatch(where, value, rule.comparison, expected or []),
    )


def _judge_text(body: object, rule: SimpleRule) -> RuleVerdict:
    """A text comparison on the raw body of the answer."""
    expected = _expected_values(rule)
    if expected is None:
        return RuleVerdict(online=None, reason="no expected value")
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    shown = _show(rule.expected or "")
    contains = _compare(text, Comparison.CONTAINS, expected)
    if rule.comparison is Comparison.NOT_CONTAINS:
        if not contains:
            return RuleVerdict(online=True, value=f"no {shown} in the body")
        return RuleVerdict(
            online=False,
            value=f"{shown} in the body",
            reason=f"the answer contains {shown}",
        )
    if contains:
        return RuleVerdict(online=True, value=f"{shown} in the body")
    return RuleVerdict(
        online=False,
        value=f"no {shown} in the body",
        reason=f"the answer does not contain {shown}",
    )


def _compare(value: object, comparison: Comparison, expected: list[str]) -> bool:
    if comparison in TEXT_COMPARISONS:
        text = (
            value
            if isinstance(value, str)
            else json.dumps(value, ensure_ascii=False, default=str)
        )
        contains = expected[0] in text.casefold()
        return contains if comparison is Comparison.CONTAINS else not contains
    if comparison is Comparison.TRUTHY:
        return is_truthy(value)
    if comparison is Comparison.FALSY:
        return not is_truthy(value)
    matched = normalize(value) in expected  # EQUALS, IN_LIST, NOT_EQUALS
    return not matched if comparison is Comparison.NOT_EQUALS else matched


def _mismatch(
    where: str, value: object, comparison: Comparison, expected: list[str]
) -> str:
    seen = f"value at {where} is {_show(value)}"
    match comparison:
        case Comparison.EQUALS:
            return f"{seen}, not {_show(expected[0])}"
        case Comparison.IN_LIST:
            return f"{seen}, not one of {', '.join(expected)}"
        case Comparison.CONTAINS:
            return f"{seen}, without {_show(expected[0])}"
        case Comparison.NOT_CONTAINS:
            return f"{seen}, with {_show(expected[0])}"
        case _:
            return seen


def combine(verdicts: Sequence[RuleVerdict], mode: Combine) -> RuleVerdict:
    """Several rules' verdicts as one.

    ALL: any False decides False (with the first such reason); else any None gives
    None; else True. ANY: any True decides True; else any None gives None; else
    False with every reason. No verdicts at all cannot tell. The value is the tuple
    of every verdict's value, in order.
    """
    if not verdicts:
        return RuleVerdict(online=None, reason="no rules")
    values = tuple(verdict.value for verdict in verdicts)
    failed = [verdict for verdict in verdicts if verdict.online is False]
    unsure = [verdict for verdict in verdicts if verdict.online is None]
    if mode is Combine.ALL:
        if failed:
            return RuleVerdict(online=False, value=values, reason=failed[0].reason)
        if unsure:
            return RuleVerdict(online=None, value=values, reason=unsure[0].reason)
        return RuleVerdict(online=True, value=values)
    if any(verdict.online is True for verdict in verdicts):
        return RuleVerdict(online=True, value=values)
    if unsure:
        return RuleVerdict(online=None, value=values, reason=unsure[0].reason)
    reasons = [verdict.reason for verdict in failed if verdict.reason]
    return RuleVerdict(online=False, value=values, reason="; ".join(reasons) or None)
