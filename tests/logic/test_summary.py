"""Folding the alerts held back during an internet outage into one summary."""

from datetime import UTC, datetime, timedelta

from custom_components.provider_watch.logic.summary import (
    Heard,
    Held,
    held_from_dict,
    held_to_dict,
    summarize,
)

T0 = datetime(2026, 11, 26, 14, 2, tzinfo=UTC)
PANEL = ("panel", "Alarm panel")
LEAK = ("leak", "Leak sensor")


def held(alert: str, heard: Heard, minutes: float, *systems: tuple[str, str]) -> Held:
    return Held(
        alert_id=alert,
        heard=heard,
        subject=systems[0][1] if len(systems) == 1 else "Your internet",
        since=T0 + timedelta(minutes=minutes),
        at=T0 + timedelta(minutes=minutes),
        tag=f"provider-watch-{alert}",
        systems=systems,
    )


def status(offline: set[str]):  # type: ignore[no-untyped-def]
    return lambda system_id: (system_id in offline, None)


def test_nothing_held_is_no_summary() -> None:
    assert summarize([], T0, T0, status(set())) is None


def test_each_system_once_with_how_it_is_now() -> None:
    items = [
        held("a1", Heard.OFFLINE, 3, PANEL),
        held("a1", Heard.OFFLINE, 33, PANEL),  # a reminder: not a second line
        held("a2", Heard.OFFLINE, 1, LEAK),
        held("a2", Heard.BACK, 40, LEAK),
    ]
    summary = summarize(items, T0, T0 + timedelta(hours=1), status({"panel"}))
    assert summary is not None
    assert [(line.system, line.back) for line in summary.lines] == [
        ("Leak sensor", True),  # first to go offline comes first
        ("Alarm panel", False),
    ]
    assert summary.lines[1].since == T0 + timedelta(minutes=3)
    assert summary.open_tags == ("provider-watch-a1",)
    assert summary.open_ids == ("a1",)
    assert summary.down_from == T0


def test_a_recovered_alert_is_cleared_only_where_it_shows() -> None:
    items = [held("a2", Heard.BACK, 40, LEAK)]
    shown = summarize(items, T0, T0, status(set()), showing=["provider-watch-a2"])
    not_shown = summarize(items, T0, T0, status(set()), showing=[])
    assert shown is not None
    assert not_shown is not None
    assert shown.clear == ("provider-watch-a2",)
    assert not_shown.clear == ()


def test_an_internet_alert_lists_its_systems() -> None:
    items = [held("net", Heard.OFFLINE, 5, PANEL, LEAK)]
    summary = summarize(items, T0, T0, status({"leak"}))
    assert summary is not None
    assert {(line.system, line.back) for line in summary.lines} == {
        ("Alarm panel", True),
        ("Leak sensor", False),
    }
    assert summary.open_tags == ("provider-watch-net",)


def test_the_current_outage_start_wins_over_the_held_one() -> None:
    later = T0 + timedelta(minutes=20)
    summary = summarize(
        [held("a1", Heard.OFFLINE, 3, PANEL)], T0, T0, lambda _s: (True, later)
    )
    assert summary is not None
    assert summary.lines[0].since == later


def test_saved_and_read_back() -> None:
    item = held("a1", Heard.OFFLINE, 3, PANEL, LEAK)
    assert held_from_dict(held_to_dict(item)) == item


def test_malformed_saved_items_are_dropped() -> None:
    good = held_to_dict(held("a1", Heard.BACK, 3, PANEL))
    assert held_from_dict(good | {"heard": "maybe"}) is None
    assert held_from_dict(good | {"since": "yesterday"}) is None
    assert held_from_dict(good | {"tag": 5}) is None
    odd = held_from_dict(good | {"systems": [["x"], "y", ["leak", "Leak sensor"]]})
    assert odd is not None
    assert odd.systems == (LEAK,)


def test_the_alerts_open_now_not_the_held_ones() -> None:
    """The held internet alert closed; the panel, still down, is in an alert of its
    own; the leak sensor, down too, is in none (it is in maintenance, say)."""
    items = [
        held("net", Heard.OFFLINE, 5, PANEL, LEAK),
        held("net", Heard.BACK, 30, PANEL, LEAK),
    ]
    alerts = {"panel": ("b1", "provider-watch-b1")}
    summary = summarize(
        items,
        T0,
        T0,
        status({"panel", "leak"}),
        showing=["provider-watch-net"],
        current=alerts.get,
    )
    assert summary is not None
    assert [line.back for line in summary.lines] == [False, False]
    assert summary.open_tags == ("provider-watch-b1",)
    assert summary.open_ids == ("b1",)
    assert summary.clear == ("provider-watch-net",)  # closed: off the phone


def test_systems_of_one_open_alert_name_it_once() -> None:
    items = [held("net", Heard.OFFLINE, 5, PANEL, LEAK)]
    both = dict.fromkeys(("panel", "leak"), ("net", "provider-watch-net"))
    summary = summarize(items, T0, T0, status({"panel", "leak"}), current=both.get)
    assert summary is not None
    assert summary.open_tags == ("provider-watch-net",)
    assert summary.clear == ()
