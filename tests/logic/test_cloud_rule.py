"""Simple cloud rules, table-driven, without Home Assistant."""

from datetime import UTC, datetime, timedelta, timezone, tzinfo
import json
from zoneinfo import ZoneInfo

import pytest

from custom_components.provider_watch.logic.text import format_duration
from custom_components.provider_watch.sources.checkin import (
    NO_CHECKIN,
    checkin_age_verdict,
    is_time_format,
    parse_checkin,
)
from custom_components.provider_watch.sources.cloud import parse_headers
from custom_components.provider_watch.sources.cloud_rule import (
    INVALID_PATH,
    Combine,
    Comparison,
    RuleVerdict,
    SimpleRule,
    ambiguities,
    combine,
    evaluate_rule,
    is_truthy,
    normalize,
    refusals,
    validate_path,
)

EQ, NE, IN = Comparison.EQUALS, Comparison.NOT_EQUALS, Comparison.IN_LIST
TRUTHY, FALSY = Comparison.TRUTHY, Comparison.FALSY
BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


# --- comparisons x value types -------------------------------------------------

TRUE_VALUES = [
    True,
    1,
    2,
    -1,
    0.5,
    "true",
    "TRUE",
    " True ",
    "yes",
    "on",
    "1",
    "online",
    "Connected",
    "up",
    "anything",
    "2",
    "0.5",
    [0],
    {"a": 1},
]
NON_JSON_VALUES = [(1,), object(), T0]
FALSE_VALUES = [
    False,
    0,
    0.0,
    None,
    "",
    "   ",
    "false",
    "False",
    "no",
    "NO",
    "off",
    "0",
    "0.0",
    "-0",
    "offline",
    "OFFLINE",
    "disconnected",
    "Disconnected",
    [],
    {},
]


@pytest.mark.parametrize(
    ("value", "truthy"),
    [(value, True) for value in TRUE_VALUES]
    + [(value, False) for value in FALSE_VALUES],
)
def test_truthy_and_falsy_values(value: object, truthy: bool) -> None:
    """A value meets one of truthy and falsy; the other fails, saying why."""
    assert is_truthy(value) is truthy
    met, failed = (TRUTHY, FALSY) if truthy else (FALSY, TRUTHY)
    data = {"v": value}
    assert evaluate_rule(data, SimpleRule("$.v", met)).online is True
    verdict = evaluate_rule(data, SimpleRule("$.v", failed))
    assert verdict.online is False
    assert verdict.value == value
    assert verdict.reason == f"value at $.v is {json.dumps(value)}"


@pytest.mark.parametrize("value", [*NON_JSON_VALUES, ()])
def test_non_json_values_do_not_break(value: object) -> None:
    assert is_truthy(value) is (value != ())
    verdict = evaluate_rule({"v": value}, SimpleRule("$.v", EQ, "x"))
    assert verdict.online is False
    assert verdict.reason is not None


@pytest.mark.parametrize(
    ("value", "expected", "equal"),
    [
        (True, "true", True),
        (True, "TRUE", True),
        (False, "false", True),
        (True, "false", False),
        (True, "1", False),  # EQUALS compares strings: use TRUTHY for 1 vs true
        (1, "1", True),
        (1, "true", False),
        (42, "42", True),
        (42.0, "42", True),
        (42.5, "42.5", True),
        (42.5, "42", False),
        ("42", "42", True),
        ("online", "ONLINE", True),
        ("ONLINE", "online", True),
        (" online ", "online", True),
        ("online", " online ", True),
        ("online", "offline", False),
        ("", "", True),
        (None, "null", True),
        (None, "", False),
        ({"a": 1}, '{"a": 1}', True),
        ([1, 2], "[1, 2]", True),
    ],
)
def test_equals_and_not_equals(value: object, expected: str, equal: bool) -> None:
    data = {"state": value}
    eq = evaluate_rule(data, SimpleRule("$.state", EQ, expected))
    ne = evaluate_rule(data, SimpleRule("$.state", NE, expected))
    assert eq.online is equal
    assert ne.online is not equal
    assert eq.value == value
    assert ne.value == value
    assert (eq.reason is None) is equal
    assert (ne.reason is None) is not equal


@pytest.mark.parametrize(
    ("value", "expected", "online"),
    [
        ("online", "online,connected", True),
        ("Connected", "online, connected", True),
        ("idle", "online, connected", False),
        (1, "1, 2", True),
        (2.0, "1,2", True),
        (3, "1,2", False),
        (True, "true,yes", True),
        (None, "null,offline", True),
        ("b", " , a ,, b , ", True),
    ],
)
def test_in_list(value: object, expected: str, online: bool) -> None:
    verdict = evaluate_rule({"s": value}, SimpleRule("$.s", IN, expected))
    assert verdict.online is online
    assert verdict.value == value


@pytest.mark.parametrize(
    ("rule", "data", "reason"),
    [
        (
            SimpleRule("$.devices[0].online", TRUTHY),
            {"devices": [{"online": False}]},
            "value at $.devices[0].online is false",
        ),
        (
            SimpleRule("$.offline", FALSY),
            {"offline": True},
            "value at $.offline is true",
        ),
        (
            SimpleRule("$.state", EQ, "Online"),
            {"state": "offline"},
            'value at $.state is "offline", not "online"',
        ),
        (
            SimpleRule("$.state", NE, "offline"),
            {"state": "Offline"},
            'value at $.state is "Offline"',
        ),
        (
            SimpleRule("$.state", IN, "online, Connected"),
            {"state": "error"},
            'value at $.state is "error", not one of online, connected',
        ),
        (
            SimpleRule("$.info", FALSY),
            {"info": "x" * 100},
            'value at $.info is "' + "x" * 58 + "…",
        ),
    ],
)
def test_reasons(rule: SimpleRule, data: object, reason: str) -> None:
    verdict = evaluate_rule(data, rule)
    assert verdict.online is False
    assert verdict.reason == reason


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-3, "-3"),
        (42.0, "42"),
        (-0.0, "0"),
        (1e20, "100000000000000000000"),
        (0.25, "0.25"),
        (float("inf"), "inf"),
        (" MiXeD ", "mixed"),
        ({"b": 1, "a": "X"}, '{"a": "x", "b": 1}'),
    ],
)
def test_normalize(value: object, text: str) -> None:
    assert normalize(value) == text


# --- paths ------------------------------------------------------------------------

NESTED = {
    "status": {"connected": True, "last": None},
    "devices": [{"online": True}, {"online": False}],
    "device.status": {"is-online": "yes", "a b": 1},
    "0": "zero-key",
}


@pytest.mark.parametrize(
    ("data", "path", "value"),
    [
        (NESTED, "$.status.connected", True),
        (NESTED, " $.status.connected ", True),
        (NESTED, "$.devices[0].online", True),
        (NESTED, "$.devices[1].online", False),
        (NESTED, "$.devices.1.online", False),
        (NESTED, "$.devices[*].online", True),  # several matches: the first
        (NESTED, "$..online", True),
        (NESTED, "$['device.status']['is-online']", "yes"),
        (NESTED, "$['device.status'].is-online", "yes"),
        (NESTED, "$['device.status']['a b']", 1),
        (NESTED, "$['0']", "zero-key"),
        (NESTED, "$.status.last", None),  # JSON null is a value, not "not found"
        (NESTED, "$.devices[-1:].online", False),  # slices work, [-1] does not
        (NESTED, "$.devices[?(@.online == False)].online", False),
        ([{"online": True}], "$[0].online", True),  # bare-array root
        ([[1, 2], [3]], "$[1][0]", 3),
        ([], "$", []),
        (True, "$", True),  # bare scalar root
        ("up", " $ ", "up"),
        (None, "$", None),
    ],
)
def test_paths_find_values(data: object, path: str, value: object) -> None:
    verdict = evaluate_rule(data, SimpleRule(path, EQ, "no-such-value"))
    assert verdict.value == value
    assert verdict.online is False


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (NESTED, "$.status.missing"),
        (NESTED, "$.status.connected.deeper"),
        (NESTED, "$.device.status"),  # a dotted key needs bracket notation
        (NESTED, "$.devices[5].online"),
        ([], "$[0]"),
        ([{"online": True}], "$.online"),
        ({}, "$.x"),
        (True, "$.x"),
        ("text", "$[0]"),
        (None, "$.x"),
    ],
)
def test_value_not_found(data: object, path: str) -> None:
    verdict = evaluate_rule(data, SimpleRule(path, TRUTHY))
    assert verdict == RuleVerdict(
        online=None, value=None, reason=f"value not found at {path.strip()}"
    )


@pytest.mark.parametrize(
    "path",
    [
        "",
        "   ",
        "status.connected",  # jsonpath-python would accept it; we want the root
        "@.x",
        "x$.a",
        "$$",
        "$a",
        "$.",
        "$.a.",
        "$..",
        "$[",
        "$.a[0",
        "$.a]",
        "$.a[0]]",
        "$.a(",
        "$.a[(]",
        "$['a",
        "$.a'",
        "$[]",
        "$.a[ ]",
        '$["device.status"]',  # jsonpath-python matches only single quotes
        "$.devices[-1]",  # negative indexes never match
        "$.a#B9",  # its own placeholders make it fail with IndexError
        "$.a#Q0",
        "$.a[#P1]",
    ],
)
def test_invalid_paths(path: str) -> None:
    assert validate_path(path) is False
    verdict = evaluate_rule(NESTED, SimpleRule(path, TRUTHY))
    assert verdict == RuleVerdict(online=None, reason=INVALID_PATH)
    filtered = evaluate_rule(
        {"devices": [{"id": 1}]}, SimpleRule(path, TRUTHY, None, "$.devices", "id", "1")
    )
    assert filtered == RuleVerdict(online=None, reason=INVALID_PATH)
    as_filter = evaluate_rule(
        {"devices": [{"id": 1}]}, SimpleRule("$.online", TRUTHY, None, path, "id", "1")
    )
    blank = RuleVerdict(online=None, reason="incomplete device filter")
    invalid = RuleVerdict(online=None, reason=INVALID_PATH)
    assert as_filter == (invalid if path.strip() else blank)


@pytest.mark.parametrize(
    "path",
    [
        "$",
        "$.a",
        "$.a.b",
        "$[0]",
        "$['device.status']['is-online']",
        "$['[weird] (key)']",
        "$..online",
        "$.devices[*].online",
        "$.devices[0:2]",
        "$.devices[-1:]",
        "$.devices[?(@.id == 42)].online",
        "$.devices[?(@.name == 'x')].online",
        "$.devices[/(id)]",
        " $.a ",
    ],
)
def test_valid_paths(path: str) -> None:
    assert validate_path(path) is True


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"s": "text"}, "$.s.(x)"),  # field extractor on a string: ExprSyntaxError
        ({"l": [{"id": 1}, {"id": "a"}]}, "$.l[/(id)]"),  # sorter: JSONPathTypeError
        ({"l": [1, 2]}, "$.l[0:2:0]"),  # zero slice step: ValueError
    ],
)
def test_paths_failing_on_data_never_raise(data: object, path: str) -> None:
    assert validate_path(path) is True  # only the data shows the problem
    assert evaluate_rule(data, SimpleRule(path, TRUTHY)) == RuleVerdict(
        online=None, reason=INVALID_PATH
    )


# --- device filter ----------------------------------------------------------------

STRING_IDS = {"devices": [{"id": "41", "online": False}, {"id": "42", "online": True}]}
NUMBER_IDS = {"devices": [{"id": 41, "online": False}, {"id": 42, "online": True}]}
FLOAT_IDS = {"devices": [{"id": 41.0, "online": False}, {"id": 42.0, "online": True}]}
SERIALS = [
    {"serial": "AB-1", "status": {"state": "offline"}},
    {"serial": "ab-2", "status": {"state": "online"}},
]


@pytest.mark.parametrize(
    ("data", "filter_path", "id_key", "id_value", "path", "online", "value"),
    [
        (STRING_IDS, "$.devices", "id", "42", "$.online", True, True),
        (STRING_IDS, "$.devices", "id", "41", "$.online", False, False),
        (NUMBER_IDS, "$.devices", "id", "42", "$.online", True, True),
        (NUMBER_IDS, "$.devices", "id", " 42 ", "$.online", True, True),
        (NUMBER_IDS, "$.devices", "id", "41", "$.online", False, False),
        (FLOAT_IDS, "$.devices", "id", "42", "$.online", True, True),
        (SERIALS, "$", "serial", "AB-2", "$.status.state", True, "online"),
        (SERIALS, "$", "serial", "ab-1", "$.status.state", False, "offline"),
        (
            {"result": {"items": SERIALS}},
            "$.result.items",
            "serial",
            "ab-2",
            "$['status']['state']",
            True,
            "online",
        ),
        (  # devices keyed by id: the object's values are the list
            {"devices": {"x": {"id": 7, "online": True}, "y": {"id": 8}}},
            "$.devices",
            "id",
            "7",
            "$.online",
            True,
            True,
        ),
        (  # elements without the id, or not objects at all, are skipped
            {"devices": [None, 3, {"name": "n"}, {"id": None}, {"id": 42, "on": 1}]},
            "$.devices",
            "id",
            "42",
            "$.on",
            True,
            1,
        ),
        (  # the whole picked element
            {"devices": [{"id": 1, "ok": True}]},
            "$.devices",
            "id",
            "1",
            "$",
            True,
            {"id": 1, "ok": True},
        ),
    ],
)
def test_filter_picks_device(
    data: object,
    filter_path: str,
    id_key: str,
    id_value: str,
    path: str,
    online: bool,
    value: object,
) -> None:
    compare = TRUTHY if path in ("$.online", "$.on", "$") else EQ
    expected = "online" if compare is EQ else None
    rule = SimpleRule(path, compare, expected, filter_path, id_key, id_value)
    verdict = evaluate_rule(data, rule)
    assert verdict.online is online
    assert verdict.value == value


def test_filter_reason_names_the_device() -> None:
    rule = SimpleRule("$.online", TRUTHY, None, "$.devices", "id", "41")
    verdict = evaluate_rule(NUMBER_IDS, rule)
    assert verdict.reason == "value at $.online of device 41 is false"


@pytest.mark.parametrize(
    ("data", "id_value"),
    [
        (STRING_IDS, "43"),
        (NUMBER_IDS, "43"),
        (NUMBER_IDS, "42.5"),
        ({"devices": []}, "42"),
        ({"devices": [{"serial": 42}]}, "42"),  # wrong key
        ([{"id": 42}], "42"),  # filter_path $.devices on a bare array: no list
    ],
)
def test_missing_device(data: object, id_value: str) -> None:
    rule = SimpleRule("$.online", TRUTHY, None, "$.devices", "id", id_value)
    verdict = evaluate_rule(data, rule)
    if isinstance(data, list):
        assert verdict == RuleVerdict(
            online=None, reason="value not found at $.devices"
        )
        return
    assert verdict == RuleVerdict(
        online=False, reason=f"device {id_value} not in the provider's list"
    )


def test_missing_value_on_a_present_device() -> None:
    rule = SimpleRule("$.online", TRUTHY, None, "$.devices", "id", "7")
    verdict = evaluate_rule({"devices": [{"id": 7}]}, rule)
    assert verdict == RuleVerdict(
        online=None, reason="value not found at $.online of device 7"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({}, "value not found at $.devices"),
        ({"devices": None}, "no device list at $.devices"),
        ({"devices": "42"}, "no device list at $.devices"),
        ("plain text", "value not found at $.devices"),
    ],
)
def test_filter_without_a_list(data: object, reason: str) -> None:
    rule = SimpleRule("$.online", TRUTHY, None, "$.devices", "id", "42")
    assert evaluate_rule(data, rule) == RuleVerdict(online=None, reason=reason)


@pytest.mark.parametrize(
    ("filter_path", "id_key", "id_value"),
    [
        ("$.devices", None, None),
        ("$.devices", "id", None),
        ("$.devices", "id", "  "),
        (None, "id", "42"),
        ("", "", "42"),
    ],
)
def test_incomplete_filter(
    filter_path: str | None, id_key: str | None, id_value: str | None
) -> None:
    rule = SimpleRule("$.online", TRUTHY, None, filter_path, id_key, id_value)
    assert evaluate_rule(NUMBER_IDS, rule) == RuleVerdict(
        online=None, reason="incomplete device filter"
    )


def test_empty_filter_fields_mean_no_filter() -> None:
    rule = SimpleRule("$.devices[1].online", TRUTHY, None, "", " ", "")
    assert evaluate_rule(NUMBER_IDS, rule).online is True


@pytest.mark.parametrize(
    ("comparison", "expected"),
    [(EQ, None), (NE, None), (IN, None), (IN, ""), (IN, " , ,")],
)
def test_missing_expected_value(comparison: Comparison, expected: str | None) -> None:
    verdict = evaluate_rule({"s": "x"}, SimpleRule("$.s", comparison, expected))
    assert verdict == RuleVerdict(online=None, reason="no expected value")


def test_truthy_and_falsy_ignore_expected() -> None:
    assert evaluate_rule({"s": 1}, SimpleRule("$.s", TRUTHY, "0")).online is True
    assert evaluate_rule({"s": 1}, SimpleRule("$.s", FALSY, "1")).online is False


def test_enum_values_are_stable() -> None:
    assert [c.value for c in Comparison] == [
        "equals",
        "not_equals",
        "in_list",
        "truthy",
        "falsy",
        "contains",
        "not_contains",
    ]
    assert [c.value for c in Combine] == ["all", "any"]
    assert Comparison("in_list") is IN


# --- check-in timestamps ------------------------------------------------------------

NOON_UTC = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
EPOCH_S = 1761998400  # 2025-11-01T12:00:00Z
EPOCH_DT = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        ("2026-11-01T12:00:00Z", UTC, NOON_UTC),
        ("2026-11-01T12:00:00z", UTC, NOON_UTC),
        ("2026-11-01T12:00:00+00:00", BERLIN, NOON_UTC),
        ("2026-11-01T13:00:00+01:00", UTC, NOON_UTC),
        ("2026-11-01T07:00:00-05:00", BERLIN, NOON_UTC),
        ("2026-11-01T12:00:00.250Z", UTC, NOON_UTC + timedelta(milliseconds=250)),
        ("20261101T120000Z", UTC, NOON_UTC),
        (" 2026-11-01T12:00:00Z ", UTC, NOON_UTC),
        # naive: read in the given zone
        ("2026-11-01 12:00:00", UTC, NOON_UTC),
        (
            "2026-11-01T12:00:00",
            timezone(timedelta(hours=2)),
            NOON_UTC - timedelta(hours=2),
        ),
        ("2026-11-01", UTC, datetime(2026, 11, 1, tzinfo=UTC)),
        # Berlin: CEST (+2) in summer, CET (+1) in winter; DST ends 2026-10-25 03:00
        ("2026-07-01 12:00:00", BERLIN, datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),
        ("2026-12-01 12:00:00", BERLIN, datetime(2026, 12, 1, 11, 0, tzinfo=UTC)),
        ("2026-10-25 01:30:00", BERLIN, datetime(2026, 10, 24, 23, 30, tzinfo=UTC)),
        ("2026-10-25 02:30:00", BERLIN, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("2026-10-25 03:30:00", BERLIN, datetime(2026, 10, 25, 2, 30, tzinfo=UTC)),
        # DST starts 2026-03-29 02:00 -> 03:00: 02:30 does not exist, fold=0 -> +1
        ("2026-03-29 01:30:00", BERLIN, datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        ("2026-03-29 02:30:00", BERLIN, datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        ("2026-03-29 03:30:00", BERLIN, datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        # epoch seconds / milliseconds, numbers and strings; the zone does not matter
        (EPOCH_S, BERLIN, EPOCH_DT),
        (float(EPOCH_S), BERLIN, EPOCH_DT),
        (EPOCH_S + 0.5, UTC, EPOCH_DT + timedelta(milliseconds=500)),
        (str(EPOCH_S), BERLIN, EPOCH_DT),
        (f" {EPOCH_S} ", UTC, EPOCH_DT),
        (f"{EPOCH_S}.5", UTC, EPOCH_DT + timedelta(milliseconds=500)),
        (EPOCH_S * 1000, BERLIN, EPOCH_DT),
        (EPOCH_S * 1000 + 250, UTC, EPOCH_DT + timedelta(milliseconds=250)),
        (str(EPOCH_S * 1000), BERLIN, EPOCH_DT),
        (float(EPOCH_S * 1000), UTC, EPOCH_DT),
        (0, UTC, datetime(1970, 1, 1, tzinfo=UTC)),
        (99_999_999_999, UTC, datetime(5138, 11, 16, 9, 46, 39, tzinfo=UTC)),
        (100_000_001_000, UTC, datetime(1973, 3, 3, 9, 46, 41, tzinfo=UTC)),
        # already a datetime
        (datetime(2026, 11, 1, 13, 0), BERLIN, NOON_UTC),  # noqa: DTZ001
        (
            datetime(2026, 11, 1, 13, 0, tzinfo=timezone(timedelta(hours=1))),
            UTC,
            NOON_UTC,
        ),
    ],
)
def test_parse_checkin(value: object, tz: tzinfo, expected: datetime) -> None:
    parsed = parse_checkin(value, tz)
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        "",
        "   ",
        "yesterday",
        "2026-13-01T00:00:00Z",
        "2026-11-01T25:00:00",
        "01/11/2026 12:00",
        "12:00",
        "-1761998400",
        "1e9",
        "0x10",
        "12abc",
        -1,
        -0.5,
        float("nan"),
        float("inf"),
        10**30,
        "9" * 30,
        [EPOCH_S],
        {"ts": EPOCH_S},
        datetime(1, 1, 1, 0, 30),  # noqa: DTZ001 - naive, before year 1 in UTC+1
    ],
)
def test_parse_checkin_rejects(value: object) -> None:
    assert parse_checkin(value, timezone(timedelta(hours=1))) is None


@pytest.mark.parametrize(
    ("age", "max_age", "online", "reason"),
    [
        (timedelta(0), timedelta(minutes=10), True, None),
        (timedelta(minutes=10), timedelta(minutes=10), True, None),
        (
            timedelta(minutes=10, microseconds=1),
            timedelta(minutes=10),
            False,
            "last check-in 10 min ago",
        ),
        (
            timedelta(minutes=10, seconds=1),
            timedelta(minutes=10),
            False,
            "last check-in 10 min ago",
        ),
        (timedelta(seconds=45), timedelta(seconds=30), False, "last check-in 45 s ago"),
        (
            timedelta(hours=2, minutes=5, seconds=59),
            timedelta(hours=1),
            False,
            "last check-in 2 h 5 min ago",
        ),
        (
            timedelta(days=3, hours=4, minutes=59),
            timedelta(days=1),
            False,
            "last check-in 3 d 4 h ago",
        ),
        (timedelta(minutes=-5), timedelta(minutes=1), True, None),  # clock skew
    ],
)
def test_checkin_age_verdict(
    age: timedelta, max_age: timedelta, online: bool, reason: str | None
) -> None:
    checkin = T0 - age
    verdict = checkin_age_verdict(checkin, T0, max_age)
    assert verdict == RuleVerdict(online=online, value=checkin, reason=reason)


def test_checkin_age_without_checkin() -> None:
    verdict = checkin_age_verdict(None, T0, timedelta(minutes=10))
    assert verdict == RuleVerdict(online=None, reason=NO_CHECKIN)
    assert NO_CHECKIN == "no check-in time in response"


def test_checkin_parsed_in_other_zone_ages_correctly() -> None:
    checkin = parse_checkin("2026-11-01 12:50:00", BERLIN)  # 11:50 UTC
    assert checkin_age_verdict(checkin, T0, timedelta(minutes=10)).online is True
    assert checkin_age_verdict(checkin, T0, timedelta(minutes=9)).online is False


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (0.9, "0 s"),
        (-5, "0 s"),
        (float("nan"), "0 s"),
        (45, "45 s"),
        (59.99, "59 s"),
        (60, "1 min"),
        (5 * 60 + 59, "5 min"),
        (3599, "59 min"),
        (3600, "1 h"),
        (3660, "1 h 1 min"),
        (2 * 3600 + 5 * 60, "2 h 5 min"),
        (86399, "23 h 59 min"),
        (86400, "1 d"),
        (86400 + 3599, "1 d"),
        (3 * 86400 + 4 * 3600 + 59 * 60, "3 d 4 h"),
        (400 * 86400, "400 d"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


# --- combining ------------------------------------------------------------------------

UP = RuleVerdict(online=True, value="u")
DOWN_A = RuleVerdict(online=False, value="a", reason="a is off")
DOWN_B = RuleVerdict(online=False, value="b", reason="b is off")
DOWN_MUTE = RuleVerdict(online=False, value="m")
UNSURE_X = RuleVerdict(online=None, reason="x not found")
UNSURE_Y = RuleVerdict(online=None, reason="y not found")


@pytest.mark.parametrize(
    ("verdicts", "mode", "online", "reason"),
    [
        ([UP], Combine.ALL, True, None),
        ([UP, UP], Combine.ALL, True, None),
        ([UP, DOWN_A], Combine.ALL, False, "a is off"),
        ([DOWN_A, DOWN_B], Combine.ALL, False, "a is off"),
        ([UNSURE_X, DOWN_B], Combine.ALL, False, "b is off"),  # a False wins
        ([UP, UNSURE_X], Combine.ALL, None, "x not found"),
        ([UNSURE_X, UNSURE_Y], Combine.ALL, None, "x not found"),
        ([DOWN_A], Combine.ALL, False, "a is off"),
        ([UNSURE_X], Combine.ALL, None, "x not found"),
        ([UP], Combine.ANY, True, None),
        ([DOWN_A, UP], Combine.ANY, True, None),
        ([UNSURE_X, UP], Combine.ANY, True, None),
        ([DOWN_A, UNSURE_X], Combine.ANY, None, "x not found"),
        ([UNSURE_Y, UNSURE_X], Combine.ANY, None, "y not found"),
        ([DOWN_A, DOWN_B], Combine.ANY, False, "a is off; b is off"),
        ([DOWN_A, DOWN_MUTE], Combine.ANY, False, "a is off"),
        ([DOWN_MUTE], Combine.ANY, False, None),
        ([], Combine.ALL, None, "no rules"),
        ([], Combine.ANY, None, "no rules"),
    ],
)
def test_combine(
    verdicts: list[RuleVerdict], mode: Combine, online: bool | None, reason: str | None
) -> None:
    combined = combine(verdicts, mode)
    assert combined.online is online
    assert combined.reason == reason
    assert combined.value == (tuple(v.value for v in verdicts) if verdicts else None)


def test_combine_real_rules() -> None:
    data = {"cloud": {"connected": True}, "device": {"offline": True}}
    verdicts = [
        evaluate_rule(data, SimpleRule("$.cloud.connected", TRUTHY)),
        evaluate_rule(data, SimpleRule("$.device.offline", FALSY)),
    ]
    assert combine(verdicts, Combine.ANY).online is True
    combined = combine(verdicts, Combine.ALL)
    assert combined.online is False
    assert combined.reason == "value at $.device.offline is true"
    assert combined.value == (True, True)


def test_verdicts_and_rules_are_frozen() -> None:
    rule = SimpleRule("$.a", TRUTHY)
    with pytest.raises(AttributeError):
        rule.path = "$.b"
    with pytest.raises(AttributeError):
        UP.online = False


# --- issue 20: formatted check-ins, headers, text rules, nested devices --------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("270115115800", datetime(2027, 1, 15, 11, 58, tzinfo=UTC)),
        (270115115800, datetime(2027, 1, 15, 11, 58, tzinfo=UTC)),
        (270115115800.0, datetime(2027, 1, 15, 11, 58, tzinfo=UTC)),
        (" 270115115800 ", datetime(2027, 1, 15, 11, 58, tzinfo=UTC)),
        ("2027-01-15T11:58:00Z", None),  # the format is all that is read
        (True, None),
        (None, None),
        ([270115115800], None),
        ("271315115800", None),  # month 13
    ],
)
def test_checkin_in_the_providers_format(value: object, expected: object) -> None:
    assert parse_checkin(value, UTC, "%y%m%d%H%M%S") == expected


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("%y%m%d%H%M%S", True),
        ("%d.%m.%Y %H:%M", True),
        ("yyMMddHHmmss", False),
        ("%Q", False),
        ("%", False),
        ("%Y" * 60, False),  # too long
    ],
)
def test_time_formats(text: str, valid: bool) -> None:
    assert is_time_format(text) is valid


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", ()),
        ("X-A: 1\n\n  X-B:  two words ", (("X-A", "1"), ("X-B", "two words"))),
        ("X-A 1", None),
        ("X-A:", None),
        ("Bad Name: 1", None),
        ("Content-Length: 3", None),
        ("X-A: a\tb", None),
    ],
)
def test_header_lines(text: str, parsed: object) -> None:
    assert parse_headers(text) == parsed


def test_text_rules_on_a_body_and_on_a_value() -> None:
    contains = SimpleRule("", Comparison.CONTAINS, "Normal")
    lacks = SimpleRule("", Comparison.NOT_CONTAINS, "maintenance")
    page = "<p>All systems normal</p>"
    assert evaluate_rule(page, contains).online is True
    assert evaluate_rule(page, lacks).online is True
    assert evaluate_rule("Maintenance", lacks) == RuleVerdict(
        online=False,
        value='"maintenance" in the body',
        reason='the answer contains "maintenance"',
    )
    assert evaluate_rule("down", contains).reason == (
        'the answer does not contain "Normal"'
    )
    assert evaluate_rule({"a": 1}, SimpleRule("", Comparison.CONTAINS)).reason == (
        "no expected value"
    )
    assert evaluate_rule({"s": {"x": "Normal"}}, contains).online is True
    on_value = SimpleRule("$.s", Comparison.CONTAINS, "norm")
    assert evaluate_rule({"s": "ALL NORMAL"}, on_value).online is True
    assert evaluate_rule({"s": {"x": "abnormal"}}, on_value).online is True
    verdict = evaluate_rule({"s": "down"}, on_value)
    assert verdict.reason == 'value at $.s is "down", without "norm"'
    off = SimpleRule("$.s", Comparison.NOT_CONTAINS, "down")
    assert evaluate_rule({"s": "down"}, off).reason == (
        'value at $.s is "down", with "down"'
    )


NESTED_SITES = {
    "sites": [
        {"gateways": [{"info": {"sn": "A"}, "up": 1}, {"info": {"sn": "B"}, "up": 0}]},
        {"gateways": {"x": {"info": {"sn": "C"}, "up": 1}}},
        {"gateways": {"info": {"sn": "D"}, "up": 1}},
    ]
}


@pytest.mark.parametrize(
    ("device", "online"), [("A", True), ("B", False), ("C", True), ("D", True)]
)
def test_device_filter_at_any_depth(device: str, online: bool) -> None:
    rule = SimpleRule("$.up", TRUTHY, None, "$.sites[*].gateways", "$.info.sn", device)
    assert evaluate_rule(NESTED_SITES, rule).online is online
    assert ambiguities(rule, NESTED_SITES) == {}


def test_ambiguities() -> None:
    several = SimpleRule("$.sites[*].gateways[*].up", TRUTHY)
    assert ambiguities(several, NESTED_SITES) == {
        "path": "$.sites[*].gateways[*].up matches 3 values; "
        "pick your device with a device filter"
    }
    twice = {"devices": [{"id": 1, "up": 1}, {"id": "1", "up": 0}]}
    rule = SimpleRule("$.up", TRUTHY, None, "$.devices", "id", "1")
    assert ambiguities(rule, twice) == {
        "filter": "2 devices at $.devices have the id 1"
    }
    missing = SimpleRule("$.up", TRUTHY, None, "$.devices", "id", "9")
    assert ambiguities(missing, twice) == {}
    assert ambiguities(SimpleRule("", Comparison.CONTAINS, "x"), twice) == {}
    assert ambiguities(SimpleRule("$[", TRUTHY), twice) == {}
    assert refusals(SimpleRule("", Comparison.CONTAINS, "x"), twice) == {}
