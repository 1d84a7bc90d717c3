"""Policy cases found through the alert tests, pinned on the pure policy.

Held follow-ups wait (no busy wake-ups at night), and an alert spanning providers
merges their settings deterministically, the most urgent winning.
"""

from datetime import UTC, datetime, time, timedelta

import pytest

from custom_components.provider_watch.logic.cause import Cause
from custom_components.provider_watch.logic.policy import (
    INTERNET_KEY,
    NoticeKind,
    Offline,
    Record,
    Settings,
    plan,
)

NOW = datetime(2026, 1, 15, 22, 30, tzinfo=UTC)
NIGHT = time(23, 30)  # local time, inside quiet hours
QUIET = Settings(repeat=(30,), quiet_start=time(22), quiet_end=time(7))


def down(system_id: str, provider_id: str, cause: Cause = Cause.SYSTEM) -> Offline:
    return Offline(
        system_id=system_id,
        provider_id=provider_id,
        cause=cause,
        since=NOW - timedelta(hours=1),
    )


@pytest.mark.parametrize("kind", ["reminder", "digest", "escalation"])
def test_held_follow_up_does_not_wake_at_once(kind: str) -> None:
    key = "flap:a" if kind == "digest" else "system:a"
    record = Record(
        key=key,
        alert_id="a1",
        opened=NOW - timedelta(hours=2),
        systems=frozenset({"a"}),
        providers=frozenset({"p"}),
        sent=NOW - timedelta(hours=2),
        last_sent=NOW - timedelta(hours=1, minutes=1),
        repeats=1,
    )
    settings = QUIET
    if kind == "escalation":
        settings = Settings(
            repeat=(), escalate_after=60, quiet_start=time(22), quiet_end=time(7)
        )
    outage = down("a", "p")
    if kind == "digest":
        outage = Offline(
            system_id="a",
            provider_id="p",
            cause=Cause.SYSTEM,
            since=NOW,
            flapping=True,
        )
    result = plan({key: record}, [outage], {"p": settings}, NOW, NIGHT)
    assert result.notices == []  # held: right
    assert result.next_check is not None
    assert result.next_check >= NOW + timedelta(minutes=5)


def test_alert_over_providers_merges_settings_regardless_of_order() -> None:
    outages = [down("a", "p1", Cause.INTERNET), down("b", "p2", Cause.INTERNET)]
    loud = Settings()
    sent = []
    for settings in ({"p1": QUIET, "p2": loud}, {"p1": loud, "p2": QUIET}):
        result = plan({}, outages, settings, NOW, NIGHT)
        sent.append([n.kind for n in result.notices])
        assert result.records[INTERNET_KEY].providers == {"p1", "p2"}
    # one provider is not in quiet hours: its systems' alert rings either way
    assert sent == [[NoticeKind.OFFLINE], [NoticeKind.OFFLINE]]
