"""What it cost: the billing month against hand-built histories with known answers.

No Home Assistant: logic/cost.py and the provider-notice parts of logic/outages.py
(and its migration in logic/history_file.py).
"""

from datetime import UTC, datetime, timedelta
import random
from zoneinfo import ZoneInfo

import pytest

from custom_components.provider_watch.logic.cost import (
    Contract,
    Cost,
    Timeline,
    billing_month,
    cost,
    months,
    paid_for,
)
from custom_components.provider_watch.logic.figures import (
    Interval,
    Window,
    calendar_month,
    figures,
)
from custom_components.provider_watch.logic.history_file import migrate_v2_1
from custom_components.provider_watch.logic.outages import (
    EMPTY_NOTICE,
    AnswerVia,
    Notice,
    NoticeCounts,
    OutageRecord,
    notice_counts,
)

H = 3600.0
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def berlin(
    month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0
) -> datetime:
    """A Berlin wall-clock time in 2026, as UTC."""
    local = datetime(2026, month, day, hour, minute, fold=fold, tzinfo=BERLIN)
    return local.astimezone(UTC)


def down(start: datetime, end: datetime | None) -> Interval:
    return Interval(start=start, end=end)


def system(*intervals: Interval, added: datetime | None = LONG_AGO) -> Timeline:
    return Timeline(added=added, intervals=intervals)


OCTOBER = calendar_month(2026, 10, BERLIN)  # 745 hours: the clocks go back on the 25th
AFTER_OCTOBER = berlin(11, 2, 9)


# --- the billing month ------------------------------------------------------------


def test_billing_month_is_the_local_calendar_month() -> None:
    # 31 October 23:30 in Berlin is still October there (22:30 UTC)
    assert billing_month(berlin(10, 31, 23, 30), BERLIN) == OCTOBER
    # 1 November 00:30 in Berlin is 31 October 23:30 UTC: November in Berlin
    assert billing_month(berlin(11, 1, 0, 30), BERLIN) == calendar_month(
        2026, 11, BERLIN
    )
    assert OCTOBER.seconds == 745 * H
    assert calendar_month(2026, 3, BERLIN).seconds == 743 * H  # spring forward


def test_months_a_window_touches() -> None:
    window = Window(start=berlin(10, 20), end=berlin(12, 5))
    assert months(window, BERLIN) == [
        OCTOBER,
        calendar_month(2026, 11, BERLIN),
        calendar_month(2026, 12, BERLIN),
    ]
    assert months(OCTOBER, BERLIN) == [OCTOBER]  # ends exactly at the month's end
    assert months(Window(start=berlin(10, 5), end=berlin(10, 5)), BERLIN) == []


# --- downtime, offline share and value over a whole month --------------------------


def test_whole_dst_month_known_answer() -> None:
    """One system, 10 h down in October (745 h): 74.50 a month -> 1.00 lost."""
    result = cost(
        [system(down(berlin(10, 7, 8), berlin(10, 7, 18)))],
        OCTOBER,
        fee=74.5,
        zone=BERLIN,
        now=AFTER_OCTOBER,
    )
    assert result.downtime == 10 * H
    assert result.monitored == 745 * H
    assert result.offline_share == pytest.approx(10 / 745)
    assert result.paid == pytest.approx(74.5)
    assert result.value == pytest.approx(1.0)


def test_outage_across_the_clock_change_counts_real_time() -> None:
    # 01:30 CEST to 02:30 CET on 25 October: two hours, not one
    result = cost(
        [system(down(berlin(10, 25, 1, 30), berlin(10, 25, 2, 30, fold=1)))],
        OCTOBER,
        fee=74.5,
        zone=BERLIN,
        now=AFTER_OCTOBER,
    )
    assert result.downtime == 2 * H
    assert result.value == pytest.approx(0.2)


def test_outages_across_the_month_edges_count_only_inside() -> None:
    """30 Sep 22:00 to 1 Oct 02:00 and 31 Oct 23:00 to 1 Nov 01:00 (local)."""
    timeline = system(
        down(berlin(9, 30, 22), berlin(10, 1, 2)),  # 2 h in October
        down(berlin(10, 31, 23), berlin(11, 1, 1)),  # 1 h in October
        down(berlin(9, 15), berlin(9, 16)),  # September only
        down(berlin(11, 1, 3), berlin(11, 1, 4)),  # November only
    )
    result = cost([timeline], OCTOBER, fee=74.5, zone=BERLIN, now=AFTER_OCTOBER)
    assert result.downtime == 3 * H
    assert result.value == pytest.approx(0.3)
    september = cost(
        [timeline],
        calendar_month(2026, 9, BERLIN),
        fee=72.0,
        zone=BERLIN,
        now=AFTER_OCTOBER,
    )
    assert september.downtime == 2 * H + 24 * H  # 22:00-24:00 and the 15th
    assert september.value == pytest.approx(72.0 * 26 / 720)  # 720 h in September


def test_two_systems_add_up_and_overlapping_records_of_one_merge() -> None:
    """The fee pays for every system, every hour: system-hours are added up."""
    panel = system(
        down(berlin(10, 10, 8), berlin(10, 10, 12)),
        down(berlin(10, 10, 10), berlin(10, 10, 14)),  # overlaps: 6 h in all
    )
    hub = system(down(berlin(10, 10, 8), berlin(10, 10, 12)))  # the same hours: 4 h
    result = cost([panel, hub], OCTOBER, fee=74.5, zone=BERLIN, now=AFTER_OCTOBER)
    assert result.systems == 2
    assert result.downtime == 10 * H
    assert result.monitored == 2 * 745 * H
    assert result.offline_share == pytest.approx(10 / 1490)
    assert result.value == pytest.approx(0.5)  # 74.5 * 10 / 1490


def test_a_system_added_mid_month_counts_from_then() -> None:
    hub = system(down(berlin(10, 20, 9), berlin(10, 20, 10)), added=berlin(10, 15, 12))
    result = cost([hub], OCTOBER, fee=74.5, zone=BERLIN, now=AFTER_OCTOBER)
    assert result.monitored == 397 * H  # 15 October 12:00 to the month's end
    assert result.offline_share == pytest.approx(1 / 397)
    # paid for the whole month: the fee covers the month, not the system's part of it
    assert result.value == pytest.approx(74.5 / 397)


# --- the month so far -----------------------------------------------------------


def test_ongoing_outage_counts_up_to_now_and_only_the_elapsed_part_is_paid() -> None:
    """26 October 00:00 (after the clock change): 601 h of October have passed."""
    now = berlin(10, 26)
    ongoing = system(down(now - timedelta(hours=6), None))
    result = cost([ongoing], OCTOBER, fee=74.5, zone=BERLIN, now=now)
    assert result.window == Window(start=OCTOBER.start, end=now)
    assert result.monitored == 601 * H
    assert result.downtime == 6 * H
    assert result.offline_share == pytest.approx(6 / 601)
    assert result.paid == pytest.approx(74.5 * 601 / 745)
    assert result.value == pytest.approx(0.6)  # 74.5 * 6 / 745
    later = cost(
        [ongoing], OCTOBER, fee=74.5, zone=BERLIN, now=now + timedelta(hours=4)
    )
    assert later.downtime == 10 * H
    assert later.value == pytest.approx(1.0)


def test_value_never_shrinks_as_the_month_goes_on() -> None:
    timeline = system(down(berlin(10, 2, 8), berlin(10, 2, 18)))
    values = [
        cost(
            [timeline], OCTOBER, fee=74.5, zone=BERLIN, now=berlin(10, 2, 18) + step
        ).value
        for step in (timedelta(0), timedelta(days=5), timedelta(days=29))
    ]
    assert values == pytest.approx([1.0, 1.0, 1.0])


def test_first_minutes_of_a_month_in_new_york() -> None:
    """A month in another zone: its own midnight, its own DST change (1 November)."""
    november = calendar_month(2026, 11, NEW_YORK)
    assert november.seconds == (30 * 24 + 1) * H  # the clocks go back on the 1st
    now = november.start + timedelta(minutes=30)
    assert billing_month(now, NEW_YORK) == november
    result = cost(
        [system(down(november.start - timedelta(hours=1), None))],
        november,
        fee=72.1,
        zone=NEW_YORK,
        now=now,
    )
    assert result.downtime == 0.5 * H  # only since local midnight
    assert result.offline_share == 1.0
    assert result.value == pytest.approx(72.1 * 0.5 / 721)


# --- the fee over a period ----------------------------------------------------------


def test_fee_is_pro_rated_over_the_calendar_months_of_a_period() -> None:
    # 27 October 00:00 to 26 November 00:00: 5 days of October + 25 of November
    window = Window(start=berlin(10, 27), end=berlin(11, 26))
    october_part = (5 * 24) / 745
    november_part = (25 * 24) / 720
    assert paid_for(window, 60.0, BERLIN, berlin(12, 1)) == pytest.approx(
        60 * (october_part + november_part)
    )
    # not past now
    assert paid_for(window, 60.0, BERLIN, berlin(10, 27, 12)) == pytest.approx(
        60 * 12 / 745
    )
    assert paid_for(window, 60.0, BERLIN, berlin(10, 1)) == 0.0


# --- no fee, nothing monitored ----------------------------------------------------


def test_without_a_fee_there_is_no_value() -> None:
    result = cost(
        [system(down(berlin(10, 7, 8), berlin(10, 7, 18)))],
        OCTOBER,
        fee=None,
        zone=BERLIN,
        now=AFTER_OCTOBER,
    )
    assert result.paid is None
    assert result.value is None
    assert result.offline_share == pytest.approx(10 / 745)


def test_nothing_monitored_has_no_share() -> None:
    result = cost([], OCTOBER, fee=74.5, zone=BERLIN, now=AFTER_OCTOBER)
    assert result == Cost(
        window=OCTOBER, systems=0, downtime=0, monitored=0, paid=pytest.approx(74.5)
    )
    assert result.offline_share is None
    assert result.value is None
    new = system(added=AFTER_OCTOBER)
    assert cost([new], OCTOBER, fee=1, zone=BERLIN, now=AFTER_OCTOBER).value is None
    assert Contract() == Contract(monthly_fee=None, currency=None, renews=None)


def test_downtime_is_the_uptime_figures_downtime() -> None:
    """The same arithmetic as the uptime sensors (maintenance is not recorded in the
    history, so it counts there and here alike): random histories agree.
    """
    rng = random.Random(9)  # noqa: S311
    for _ in range(50):
        timelines = []
        for _ in range(rng.randint(1, 4)):
            intervals = []
            for _ in range(rng.randint(0, 6)):
                start = OCTOBER.start + timedelta(hours=rng.uniform(-48, 760))
                end = (
                    None
                    if rng.random() < 0.1
                    else start + timedelta(hours=rng.uniform(0, 30))
                )
                intervals.append(down(start, end))
            added = OCTOBER.start + timedelta(hours=rng.uniform(-100, 400))
            timelines.append(system(*intervals, added=added))
        now = OCTOBER.start + timedelta(hours=rng.uniform(1, 800))
        result = cost(timelines, OCTOBER, fee=10.0, zone=BERLIN, now=now)
        each = [
            figures(t.intervals, OCTOBER, added=t.added, now=now) for t in timelines
        ]
        assert result.downtime == pytest.approx(sum(f.downtime for f in each))
        assert result.monitored == pytest.approx(sum(f.observed for f in each))
        if result.value is not None:
            assert 0 <= result.value <= 10.0


# --- did the provider tell you? (the outage record) ---------------------------------


def record(number: int, cause: str = "system", **fields: object) -> OutageRecord:
    return OutageRecord(
        id=f"o{number}",
        system_id="panel",
        system="Alarm panel",
        provider="Acme",
        start=berlin(10, number),
        end=berlin(10, number, 1),
        cause=cause,
        **fields,  # type: ignore[arg-type]
    )


def test_notice_of_an_outage() -> None:
    assert record(1).notice is Notice.UNANSWERED
    assert record(2, provider_told=True).notice is Notice.TOLD
    assert record(3, provider_told=False).notice is Notice.NOT_TOLD
    # the home's internet is not the provider's to tell, unless answered anyway
    assert record(4, "internet").notice is Notice.NOT_ASKED
    assert record(5, "internet", provider_told=False).notice is Notice.NOT_TOLD


def test_notice_counts() -> None:
    records = [
        record(1),
        record(2, provider_told=True),
        record(3, provider_told=False),
        record(4, provider_told=False),
        record(5, "internet"),
    ]
    assert notice_counts(records) == NoticeCounts(told=1, not_told=2, unanswered=1)
    assert notice_counts([]) == NoticeCounts()


def test_asking_and_answering_round_trip() -> None:
    outage = record(1)
    when = berlin(10, 1, 2)
    for alert_id in ("a1", "a2", "a1", "a3", "a4", "a5", "a6"):
        outage.ask(alert_id, when + timedelta(minutes=len(outage.asked_alerts)))
    assert outage.asked_at == when  # the first question counts
    assert outage.asked_alerts == ["a2", "a3", "a4", "a5", "a6"]  # the newest five
    outage.answer(told=False, when=when, by="user-1", via=AnswerVia.PHONE)
    assert outage.notice_note is None
    service = AnswerVia.SERVICE
    outage.answer(told=True, when=when, by="user-2", via=service, note=" SMS ")
    assert (outage.provider_told, outage.answered_by, outage.answered_via) == (
        True,
        "user-2",
        "service",
    )
    assert outage.notice_note == "SMS"
    outage.answer(told=True, when=when, by=None, via=service)  # the note stays
    assert outage.notice_note == "SMS"
    outage.answer(told=True, when=when, by=None, via=service, note="  ")
    assert outage.notice_note is None  # a blank note clears it
    stored = outage.to_dict()
    assert stored["provider_notice"] == {
        "told": True,
        "answered_at": when.isoformat(),
        "by": None,
        "via": "service",
        "notes": None,
        "asked_at": when.isoformat(),
        "asked_alerts": ["a2", "a3", "a4", "a5", "a6"],
    }
    assert OutageRecord.from_dict(stored) == outage


def test_unreadable_notice_fields_read_as_unanswered() -> None:
    stored = record(1).to_dict() | {
        "provider_notice": {"told": "yes", "asked_alerts": "a1", "notes": 5}
    }
    read = OutageRecord.from_dict(stored)
    assert read is not None
    assert (read.provider_told, read.asked_alerts, read.notice_note) == (None, [], None)
    missing = record(2).to_dict()
    del missing["provider_notice"]  # a 2.1 record
    assert OutageRecord.from_dict(missing) == record(2)


def test_migration_adds_an_empty_notice_to_every_outage() -> None:
    answered = record(2, provider_told=True).to_dict()
    old = record(1).to_dict()
    del old["provider_notice"]
    migrated = migrate_v2_1({"systems": {}, "outages": [old, answered, "junk"]})
    assert migrated["outages"] == [
        old | {"provider_notice": EMPTY_NOTICE},
        answered,  # already has one: kept
        "junk",  # not a record: left for loading to set aside
    ]
    # not a history at all: as it is (loading then reports it)
    assert migrate_v2_1(["garbage"]) == ["garbage"]
    assert migrate_v2_1({"outages": "garbage"}) == {"outages": "garbage"}
