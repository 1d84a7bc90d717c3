"""Flapping outages fold into one record; the per-system bound summarises the oldest.

Pure: the tracker, the index and the figures, no Home Assistant.
"""

from datetime import UTC, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from custom_components.provider_watch.logic.cause import Cause
from custom_components.provider_watch.logic.figures import Window, figures
from custom_components.provider_watch.logic.flapping import (
    FLAP_WINDOW,
    MAX_FLAPS,
    fold_all,
)
from custom_components.provider_watch.logic.history_file import (
    HistoryData,
    SystemInfo,
    migrate_v2_2,
    parse_history,
)
from custom_components.provider_watch.logic.outages import (
    AnswerVia,
    OutageRecord,
    SelfHealMark,
)
from custom_components.provider_watch.logic.provider_figures import (
    provider_figures,
)
from custom_components.provider_watch.logic.rollups import (
    MAX_FLAPS_KEPT,
    MAX_RECORDS,
    Rollup,
    summarise,
)
from custom_components.provider_watch.logic.state import (
    MachineState,
    Step,
    SystemState,
    Transition,
)
from custom_components.provider_watch.logic.timeline import Union
from custom_components.provider_watch.logic.tracking import OutageTracker

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
PANEL = "system_panel"


def tracker() -> OutageTracker:
    ids = count()
    return OutageTracker("Acme", lambda _ts: f"id-{next(ids)}")


def drop(
    t: OutageTracker,
    start: datetime,
    seconds: float,
    cause: Cause = Cause.SYSTEM,
    system_id: str = PANEL,
) -> None:
    """The system is offline from `start` for `seconds`, then back."""
    offline = MachineState(state=SystemState.OFFLINE, since=start, outage_start=start)
    went = Step(state=offline, transition=Transition.WENT_OFFLINE)
    t.track(system_id, "Panel", "http", went, cause, start)
    end = start + timedelta(seconds=seconds)
    online = MachineState(state=SystemState.ONLINE, since=end)
    t.track(
        system_id,
        "Panel",
        "http",
        Step(state=online, transition=Transition.CAME_ONLINE, outage_start=start),
        cause,
        end,
    )


def downtime(t: OutageTracker, system_id: str = PANEL) -> float:
    window = Window(start=T0 - timedelta(days=1), end=T0 + timedelta(days=400))
    intervals = t.index.intervals(system_id)
    return figures(intervals, window, added=None, now=window.end).downtime


def test_one_or_two_quick_drops_stay_records_of_their_own() -> None:
    t = tracker()
    drop(t, T0, 30)
    drop(t, T0 + timedelta(minutes=5), 30)
    assert [r.flaps for r in t.index.records(PANEL)] == [0, 0]


def test_a_run_of_three_is_one_record_with_its_flaps() -> None:
    t = tracker()
    for n in range(60):  # down 30 s, up 30 s: every poll
        drop(t, T0 + timedelta(seconds=60 * n), 30)
    (record,) = t.index.records(PANEL)
    assert record.id == "id-0"  # the first drop's record, detected then
    assert record.flaps == 59
    assert record.start == T0
    assert record.end == T0 + timedelta(seconds=60 * 59 + 30)
    # the downtime is the real time offline, not the record's span
    assert record.duration == 60 * 30.0
    assert downtime(t) == 60 * 30.0
    assert len(record.intervals) == 60
    # and the stored record says so, compactly
    stored = record.to_dict()
    assert stored["flaps"] == 59
    assert stored["gaps"].startswith("300,300,300")
    assert OutageRecord.from_dict(stored) == record


def test_what_ends_a_run() -> None:
    t = tracker()
    for n in range(3):
        drop(t, T0 + timedelta(minutes=n), 20)
    # back for longer than the window: a new outage
    later = T0 + timedelta(minutes=2, seconds=20) + FLAP_WINDOW + timedelta(seconds=1)
    drop(t, later, 20)
    # another cause right after: another outage
    drop(t, later + timedelta(minutes=1), 20, cause=Cause.INTERNET)
    assert [r.flaps for r in t.index.records(PANEL)] == [2, 0, 0]
    assert [r.cause for r in t.index.records(PANEL)] == [
        "system",
        "system",
        "internet",
    ]


def test_a_record_holds_at_most_max_flaps() -> None:
    t = tracker()
    for n in range(MAX_FLAPS + 5):
        drop(t, T0 + timedelta(seconds=60 * n), 30)
    first, second = t.index.records(PANEL)
    assert first.flaps == MAX_FLAPS
    assert second.flaps == 3  # the run goes on in a record of its own
    assert downtime(t) == (MAX_FLAPS + 5) * 30.0


def test_bound_summarises_the_oldest_and_the_figures_count_them() -> None:
    t = tracker()
    t.index.systems[PANEL] = SystemInfo(name="Panel", added=T0 - timedelta(days=1))
    outages = MAX_RECORDS + 40
    for n in range(outages):  # one 60 s outage every 20 minutes: no flaps
        drop(t, T0 + timedelta(minutes=20 * n), 60)
    now = T0 + timedelta(minutes=20 * outages)
    assert t.prune(now, BERLIN)
    kept = t.index.records(PANEL)
    assert len(kept) == MAX_RECORDS
    rollups = t.index.rollups(PANEL)
    assert sum(r.outages for r in rollups) == 40
    assert sum(r.downtime for r in rollups) == 40 * 60.0
    assert rollups[0].month == "2027-03"
    # the figures of a window that holds everything count every outage
    figures_now = provider_figures(t.index, Union(), [PANEL], now, zone=BERLIN)
    month = figures_now.systems[PANEL].month
    assert month.outages == outages
    assert month.downtime == outages * 60.0
    assert figures_now.month.downtime == outages * 60.0  # the provider's union too
    # nothing more to do: a look at each system's oldest record
    assert not t.prune(now, BERLIN)
    # the file keeps the summaries
    data, dropped = parse_history(t.index.snapshot())
    assert dropped == 0
    assert [r.to_dict() for r in data.rollups] == [r.to_dict() for r in rollups]


def test_bound_on_flaps() -> None:
    t = tracker()
    total = MAX_FLAPS_KEPT + 3 * MAX_FLAPS
    for n in range(total):
        drop(t, T0 + timedelta(seconds=60 * n), 30)
    now = T0 + timedelta(seconds=60 * total)
    t.prune(now, UTC)
    assert t.index.flaps(PANEL) <= MAX_FLAPS_KEPT
    rollups = t.index.rollups(PANEL)
    kept = t.index.records(PANEL)
    assert sum(r.offline for r in rollups) + sum(r.flaps + 1 for r in kept) == total
    assert sum(r.downtime for r in rollups) + downtime(t) == total * 30.0


def test_migration_folds_the_runs_of_an_old_file() -> None:
    records = [
        OutageRecord(
            id=f"old-{n}",
            system_id=PANEL,
            system="Panel",
            provider="Acme",
            start=T0 + timedelta(seconds=60 * n),
            end=T0 + timedelta(seconds=60 * n + 30),
            cause="system",
            alert_sent=T0 if n == 0 else None,
            acknowledged_at=T0 + timedelta(seconds=90) if n == 1 else None,
            acknowledged_by="user-1" if n == 1 else None,
        )
        for n in range(5)
    ] + [
        OutageRecord(  # a day later: an outage of its own
            id="later",
            system_id=PANEL,
            system="Panel",
            provider="Acme",
            start=T0 + timedelta(days=1),
            end=T0 + timedelta(days=1, minutes=5),
            cause="system",
        )
    ]
    old = HistoryData(outages=records).to_dict()
    migrated = migrate_v2_2(old)
    data, dropped = parse_history(migrated)
    assert dropped == 0
    first, later = data.outages
    assert (first.id, first.flaps, first.duration) == ("old-0", 4, 150.0)
    assert first.alert_sent == T0
    assert first.acknowledged_by == "user-1"
    assert later.id == "later"
    assert later.flaps == 0
    assert migrate_v2_2(migrated) is migrated  # nothing left to fold


def test_unreadable_flaps_make_the_record_unreadable() -> None:
    """A record whose gaps do not read back is set aside, never half read."""
    record = OutageRecord(
        id="x",
        system_id=PANEL,
        system="Panel",
        provider="Acme",
        start=T0,
        end=T0 + timedelta(minutes=5),
        gaps=[300, 600],
    ).to_dict()
    assert OutageRecord.from_dict(record) is not None
    for flaps, gaps in (
        (1, "300,x"),  # not numbers
        (2, "300,300"),  # not 2 x flaps of them
        (1, "300,-1"),  # backwards
        (0, ""),  # no flap at all
        (1, 7),  # not a string
        (1, "3000,100"),  # beyond the record's end
    ):
        assert OutageRecord.from_dict(record | {"flaps": flaps, "gaps": gaps}) is None


def test_what_a_fold_keeps_of_the_notes() -> None:
    """Folding an old file's run keeps the first answer and every self-heal try."""
    records = [
        OutageRecord(
            id=f"old-{n}",
            system_id=PANEL,
            system="Panel",
            provider="Acme",
            start=T0 + timedelta(seconds=60 * n),
            end=T0 + timedelta(seconds=60 * n + 30),
            cause="system",
        )
        for n in range(3)
    ]
    records[1].answer(told=False, when=T0, by="user-1", via=AnswerVia.PHONE)
    records[2].answer(told=True, when=T0, by="user-2", via=AnswerVia.PHONE)
    records[1].self_heal = SelfHealMark(
        tried=[{"at": "a", "action": "power_cycle"}], healed=False
    )
    records[2].self_heal = SelfHealMark(
        tried=[{"at": "b", "action": "power_cycle"}], healed=True, reason="back"
    )
    (folded,) = fold_all(records)
    assert (folded.provider_told, folded.answered_by) == (False, "user-1")
    assert folded.self_heal is not None
    assert [t["at"] for t in folded.self_heal.tried] == ["a", "b"]
    assert (folded.self_heal.healed, folded.self_heal.reason) == (True, "back")


def test_summaries_count_the_answers_and_read_back() -> None:
    """A month's summary counts what the provider was told, and is stored safely."""
    records = []
    for n, told in enumerate((True, False, None, None)):
        record = OutageRecord(
            id=f"r{n}",
            system_id=PANEL,
            system="Panel",
            provider="Acme",
            start=T0 + timedelta(hours=n),
            end=T0 + timedelta(hours=n, minutes=1),
            cause="internet" if n == 3 else "system",
        )
        if told is not None:
            record.answer(told=told, when=T0, by=None, via=AnswerVia.SERVICE)
        records.append(record)
    rollups: list[Rollup] = []
    summarise(records, rollups, BERLIN)
    (rollup,) = rollups
    assert (rollup.told, rollup.not_told, rollup.unanswered) == (1, 1, 1)
    assert rollup.causes == {"system": 3, "internet": 1}
    assert Rollup.from_dict(rollup.to_dict()) == rollup
    for broken in ("junk", rollup.to_dict() | {"outages": -1}, {"month": "x"}):
        assert Rollup.from_dict(broken) is None
    # one instant: in a window or not
    point = Rollup.from_dict(rollup.to_dict() | {"last": rollup.to_dict()["first"]})
    assert point is not None
    assert point.share(Window(start=T0, end=T0 + timedelta(days=1))) == 1.0
    assert (
        point.share(Window(start=T0 + timedelta(hours=1), end=T0 + timedelta(days=30)))
        == 0.0
    )
