"""The alert policy, without Home Assistant: who hears what, when."""

from datetime import UTC, datetime, time, timedelta

from custom_components.provider_watch.logic.cause import Cause
from custom_components.provider_watch.logic.policy import (
    INTERNET_KEY,
    NoticeKind,
    Offline,
    Plan,
    Record,
    Settings,
    acknowledge,
    is_flapping,
    plan,
    snooze,
)

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
NOON = time(12, 0)
SETTINGS = {"acme": Settings(repeat=(30, 120)), "solar": Settings(repeat=())}


def down(system: str, cause: Cause = Cause.SYSTEM, provider: str = "acme") -> Offline:
    return Offline(system_id=system, provider_id=provider, cause=cause, since=T0)


def run(
    records: dict[str, Record],
    offline: list[Offline],
    minutes: float = 0,
    settings: dict[str, Settings] | None = None,
    local: time = NOON,
    **kwargs: frozenset[str],
) -> Plan:
    return plan(
        records,
        offline,
        settings or SETTINGS,
        T0 + timedelta(minutes=minutes),
        local,
        **kwargs,
    )


def kinds(result: Plan) -> list[tuple[NoticeKind, str]]:
    return [(n.kind, n.record.key) for n in result.notices]


def test_one_outage_one_alert_then_repeats_then_recovery() -> None:
    first = run({}, [down("panel")])
    assert kinds(first) == [(NoticeKind.OFFLINE, "system:panel")]
    assert first.next_check == T0 + timedelta(minutes=30)
    # nothing new before the first repeat is due
    assert kinds(run(first.records, [down("panel")], 29)) == []
    second = run(first.records, [down("panel")], 30)
    assert kinds(second) == [(NoticeKind.REPEAT, "system:panel")]
    # then every 120 minutes (the last value repeats)
    assert second.next_check == T0 + timedelta(minutes=150)
    third = run(second.records, [down("panel")], 150)
    assert kinds(third) == [(NoticeKind.REPEAT, "system:panel")]
    assert third.next_check == T0 + timedelta(minutes=270)
    back = run(third.records, [], 200)
    assert kinds(back) == [(NoticeKind.RECOVERY, "system:panel")]
    assert back.records == {}


def test_no_repeats_when_the_schedule_is_empty() -> None:
    first = run({}, [down("inverter", provider="solar")])
    assert first.next_check is None
    assert kinds(run(first.records, [down("inverter", provider="solar")], 600)) == []


def test_acknowledged_alert_stops_repeating_but_still_recovers() -> None:
    first = run({}, [down("panel")])
    record = first.records["system:panel"]
    acked = {"system:panel": acknowledge(record, T0, "user-1")}
    assert kinds(run(acked, [down("panel")], 500)) == []
    assert kinds(run(acked, [], 501)) == [(NoticeKind.RECOVERY, "system:panel")]


def test_snooze_mutes_until_it_ends() -> None:
    first = run({}, [down("panel")])
    snoozed = {
        "system:panel": snooze(first.records["system:panel"], T0 + timedelta(hours=1))
    }
    quiet = run(snoozed, [down("panel")], 45)
    assert kinds(quiet) == []
    assert quiet.next_check == T0 + timedelta(hours=1)
    after = run(quiet.records, [down("panel")], 61)
    assert kinds(after) == [(NoticeKind.REPEAT, "system:panel")]


def test_recovery_never_suppressed_by_snooze() -> None:
    first = run({}, [down("panel")])
    snoozed = {
        "system:panel": snooze(first.records["system:panel"], T0 + timedelta(hours=5))
    }
    assert kinds(run(snoozed, [], 10)) == [(NoticeKind.RECOVERY, "system:panel")]


def test_internet_outage_is_one_alert_for_every_system() -> None:
    result = run(
        {},
        [
            down("panel", Cause.INTERNET),
            down("leak", Cause.INTERNET),
            down("inverter", Cause.INTERNET, provider="solar"),
        ],
    )
    assert kinds(result) == [(NoticeKind.OFFLINE, INTERNET_KEY)]
    record = result.records[INTERNET_KEY]
    assert record.systems == {"panel", "leak", "inverter"}
    assert record.providers == {"acme", "solar"}


def test_provider_cloud_outage_is_one_alert_per_provider() -> None:
    result = run(
        {},
        [
            down("panel", Cause.PROVIDER_CLOUD),
            down("leak", Cause.PROVIDER_CLOUD),
            down("inverter", Cause.PROVIDER_CLOUD, provider="solar"),
        ],
    )
    assert sorted(kinds(result)) == [
        (NoticeKind.OFFLINE, "cloud:acme"),
        (NoticeKind.OFFLINE, "cloud:solar"),
    ]


def test_child_alerted_on_its_own_when_the_parent_recovers() -> None:
    parent = run({}, [down("panel", Cause.INTERNET), down("leak", Cause.INTERNET)])
    # the internet is back: the leak sensor recovered, the panel is still down
    after = run(parent.records, [down("panel", Cause.SYSTEM)], 5)
    assert sorted(kinds(after)) == [
        (NoticeKind.OFFLINE, "system:panel"),
        (NoticeKind.RECOVERY, INTERNET_KEY),
    ]


def test_system_alerted_alone_stays_in_its_alert_when_the_internet_fails() -> None:
    first = run({}, [down("panel")])
    later = run(first.records, [down("panel", Cause.INTERNET)], 5)
    assert kinds(later) == []
    assert set(later.records) == {"system:panel"}


def test_escalation_after_the_delay_to_the_second_tier() -> None:
    settings = {"acme": Settings(repeat=(), escalate_after=15)}
    first = run({}, [down("panel")], settings=settings)
    assert first.next_check == T0 + timedelta(minutes=15)
    assert kinds(run(first.records, [down("panel")], 14, settings)) == []
    escalated = run(first.records, [down("panel")], 15, settings)
    assert [(n.kind, n.escalation) for n in escalated.notices] == [
        (NoticeKind.ESCALATION, True)
    ]
    assert kinds(run(escalated.records, [down("panel")], 60, settings)) == []


def test_acknowledged_alert_is_not_escalated() -> None:
    settings = {"acme": Settings(repeat=(), escalate_after=15)}
    first = run({}, [down("panel")], settings=settings)
    acked = {k: acknowledge(r, T0, None) for k, r in first.records.items()}
    assert kinds(run(acked, [down("panel")], 60, settings)) == []


def test_quiet_hours_hold_the_alert_until_they_end() -> None:
    settings = {"acme": Settings(quiet_start=time(22, 0), quiet_end=time(7, 0))}
    night = run({}, [down("panel")], settings=settings, local=time(23, 30))
    assert kinds(night) == []
    assert night.next_check is not None
    morning = run(night.records, [down("panel")], 480, settings, local=time(7, 30))
    assert kinds(morning) == [(NoticeKind.OFFLINE, "system:panel")]


def test_critical_ignores_quiet_hours_unless_told_not_to() -> None:
    critical = Settings(critical=True, quiet_start=time(22, 0), quiet_end=time(7, 0))
    night = time(2, 0)
    assert kinds(run({}, [down("panel")], settings={"acme": critical}, local=night))
    strict = Settings(
        critical=True,
        critical_ignores_quiet=False,
        quiet_start=time(22, 0),
        quiet_end=time(7, 0),
    )
    assert not kinds(run({}, [down("panel")], settings={"acme": strict}, local=night))


def test_quiet_window_within_a_day() -> None:
    settings = Settings(quiet_start=time(13, 0), quiet_end=time(14, 0))
    assert settings.in_quiet_hours(time(13, 30))
    assert not settings.in_quiet_hours(time(14, 0))
    assert not Settings().in_quiet_hours(time(13, 30))


def test_flapping_system_gets_one_digest_per_hour() -> None:
    flapper = Offline(
        system_id="panel",
        provider_id="acme",
        cause=Cause.SYSTEM,
        since=T0,
        flapping=True,
    )
    first = run({}, [flapper])
    assert kinds(first) == [(NoticeKind.DIGEST, "flap:panel")]
    # up again, then down again within the hour: nothing new
    up = run(first.records, [], 5)
    assert kinds(up) == []
    assert kinds(run(up.records, [flapper], 10)) == []
    # an hour later, still flapping and down: one more digest
    assert kinds(run(up.records, [flapper], 61)) == [(NoticeKind.DIGEST, "flap:panel")]
    # settled: the digest is cleared silently after its hour
    assert kinds(run(up.records, [], 61)) == [(NoticeKind.CLEAR, "flap:panel")]


def test_is_flapping_counts_recent_transitions() -> None:
    recent = [T0 - timedelta(minutes=m) for m in (5, 30, 90)]
    assert is_flapping(recent, T0)
    assert not is_flapping(recent[:2], T0)
    assert not is_flapping([T0 - timedelta(hours=3)] * 5, T0)


def test_unseen_systems_keep_their_alert_silently() -> None:
    first = run({}, [down("panel")])
    # the provider is reloading: its system cannot be seen, nothing is sent
    hidden = run(first.records, [], 45, unseen=frozenset({"panel"}))
    assert kinds(hidden) == []
    assert "system:panel" in hidden.records


def test_removed_system_leaves_without_a_recovery() -> None:
    first = run({}, [down("panel")])
    gone = run(first.records, [], 5, gone=frozenset({"panel"}))
    assert kinds(gone) == [(NoticeKind.CLEAR, "system:panel")]


def test_alert_spanning_providers_uses_the_most_urgent_settings() -> None:
    settings = {
        "acme": Settings(repeat=(), escalate_after=60),
        "solar": Settings(repeat=(), escalate_after=10, critical=True),
    }
    result = run(
        {},
        [down("panel", Cause.INTERNET), down("inverter", Cause.INTERNET, "solar")],
        settings=settings,
    )
    assert result.next_check == T0 + timedelta(minutes=10)


def test_a_system_joining_a_sent_alert_updates_it() -> None:
    first = run({}, [down("panel", Cause.PROVIDER_CLOUD)])
    both = [down("panel", Cause.PROVIDER_CLOUD), down("leak", Cause.PROVIDER_CLOUD)]
    later = run(first.records, both, 1)
    [notice] = later.notices
    assert (notice.kind, notice.record.systems, notice.phones) == (
        NoticeKind.UPDATE,
        {"panel", "leak"},
        True,
    )
    assert kinds(run(later.records, both, 2)) == []  # nothing new: nothing said


def test_an_update_of_a_muted_alert_reaches_no_phone() -> None:
    first = run({}, [down("panel", Cause.PROVIDER_CLOUD)])
    record = first.records["cloud:acme"]
    both = [down("panel", Cause.PROVIDER_CLOUD), down("leak", Cause.PROVIDER_CLOUD)]
    for muted in (
        acknowledge(record, T0, None),
        snooze(record, T0 + timedelta(hours=1)),
    ):
        [notice] = run({"cloud:acme": muted}, both, 1).notices
        assert (notice.kind, notice.phones) == (NoticeKind.UPDATE, False)
    quiet = {"acme": Settings(quiet_start=time(22), quiet_end=time(7))}
    [notice] = run(first.records, both, 1, quiet, time(23)).notices
    assert (notice.kind, notice.phones) == (NoticeKind.UPDATE, False)


def test_a_reminder_due_when_a_system_joins_is_the_update() -> None:
    first = run({}, [down("panel", Cause.PROVIDER_CLOUD)])
    both = [down("panel", Cause.PROVIDER_CLOUD), down("leak", Cause.PROVIDER_CLOUD)]
    assert kinds(run(first.records, both, 30)) == [(NoticeKind.REPEAT, "cloud:acme")]
