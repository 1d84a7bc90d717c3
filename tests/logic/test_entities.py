"""Judging watched entities, table-driven, without Home Assistant."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.provider_watch.logic.entities import (
    UNAVAILABLE_STATES,
    EntitiesVerdict,
    Observation,
    judge,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GRACE = timedelta(seconds=300)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def obs(
    name: str,
    state: str | None,
    changed: float = 3600,
    reported: float | None = None,
    *,
    connectivity: bool = False,
) -> Observation:
    """An entity in `state` since `changed` s ago, last reported `reported` s ago."""
    return Observation(
        name=name,
        state=state,
        last_changed=ago(changed),
        last_reported=ago(changed if reported is None else reported),
        connectivity=connectivity,
    )


@dataclass(frozen=True)
class Case:
    observations: list[Observation]
    online: bool
    reason: str | None = None
    next_check: datetime | None = None  # absolute; None: nothing to wait for
    require_all: bool = False
    max_silence: float | None = None
    grace: float = 300


CASES: dict[str, Case] = {
    # --- nothing, or nothing wrong --------------------------------------------
    "empty list": Case([], online=True),
    "all fine": Case([obs("Lock", "locked"), obs("Hub", "on")], online=True),
    "connectivity on": Case([obs("Hub", "on", connectivity=True)], online=True),
    "off is fine for a non-connectivity entity": Case(
        [obs("Siren", "off", changed=86_400)], online=True
    ),
    "numeric and odd states are fine": Case(
        [obs("Battery", "0"), obs("Mode", ""), obs("Text", "Unavailable")],
        online=True,
    ),
    # --- unavailable / unknown / missing, within and beyond the grace time ----
    "unavailable just now": Case(
        [obs("Lock", "unavailable", changed=0)],
        online=True,
        next_check=NOW + GRACE,
    ),
    "unavailable 1 s short of grace": Case(
        [obs("Lock", "unavailable", changed=299)],
        online=True,
        next_check=NOW + timedelta(seconds=1),
    ),
    "unavailable exactly grace": Case(
        [obs("Lock", "unavailable", changed=300)],
        online=False,
        reason="Lock unavailable for 5 min",
    ),
    "unavailable well beyond grace": Case(
        [obs("Lock", "unavailable", changed=2 * 3600 + 5 * 60 + 59)],
        online=False,
        reason="Lock unavailable for 2 h 5 min",
    ),
    "unknown within grace": Case(
        [obs("Lock", "unknown", changed=100)],
        online=True,
        next_check=ago(100) + GRACE,
    ),
    "unknown beyond grace": Case(
        [obs("Lock", "unknown", changed=301)],
        online=False,
        reason="Lock unknown for 5 min",
    ),
    "missing within grace": Case(
        [obs("lock.gone", None, changed=10)],
        online=True,
        next_check=ago(10) + GRACE,
    ),
    "missing beyond grace": Case(
        [obs("lock.gone", None, changed=3 * 86_400)],
        online=False,
        reason="lock.gone missing for 3 d",
    ),
    "grace 0: unavailable counts at once": Case(
        [obs("Lock", "unavailable", changed=0)],
        online=False,
        reason="Lock unavailable for 0 s",
        grace=0,
    ),
    "a last_changed in the future is within grace": Case(
        [obs("Lock", "unavailable", changed=-30)],
        online=True,
        next_check=NOW + timedelta(seconds=330),
    ),
    # --- connectivity binary sensors ------------------------------------------
    "connectivity off within grace": Case(
        [obs("Hub online", "off", changed=60, connectivity=True)],
        online=True,
        next_check=ago(60) + GRACE,
    ),
    "connectivity off beyond grace": Case(
        [obs("Hub online", "off", changed=45 * 60, connectivity=True)],
        online=False,
        reason="Hub online disconnected for 45 min",
    ),
    "connectivity unavailable": Case(
        [obs("Hub online", "unavailable", changed=300, connectivity=True)],
        online=False,
        reason="Hub online unavailable for 5 min",
    ),
    # --- max_silence (last_reported) ------------------------------------------
    "silent 1 s short of the limit": Case(
        [obs("Lock", "locked", changed=86_400, reported=599)],
        online=True,
        next_check=NOW + timedelta(seconds=1),
        max_silence=600,
    ),
    "silent exactly the limit": Case(
        [obs("Lock", "locked", changed=86_400, reported=600)],
        online=False,
        reason="Lock has not reported for 10 min",
        max_silence=600,
    ),
    "silence is measured from last_reported, not last_changed": Case(
        [obs("Lock", "locked", changed=86_400, reported=5)],
        online=True,
        next_check=ago(5) + timedelta(seconds=600),
        max_silence=600,
    ),
    "no max_silence: silence never matters": Case(
        [obs("Lock", "locked", changed=86_400, reported=86_400)], online=True
    ),
    "a missing entity is judged by grace, not by silence": Case(
        [obs("lock.gone", None, changed=100, reported=10_000)],
        online=True,
        next_check=ago(100) + GRACE,
        max_silence=600,
    ),
    "unavailable within grace: the earlier of grace and silence is next": Case(
        [obs("Lock", "unavailable", changed=200, reported=200)],
        online=True,
        next_check=ago(200) + timedelta(seconds=250),
        max_silence=250,
    ),
    "unavailable within grace: grace earlier than silence": Case(
        [obs("Lock", "unavailable", changed=200, reported=200)],
        online=True,
        next_check=ago(200) + GRACE,
        max_silence=900,
    ),
    "unavailable beyond grace wins over silence": Case(
        [obs("Lock", "unavailable", changed=400, reported=400)],
        online=False,
        reason="Lock unavailable for 6 min",
        max_silence=60,
    ),
    # --- any vs all (require_all) ---------------------------------------------
    "any: one failed of two is offline": Case(
        [obs("Lock", "unavailable", changed=300), obs("Hub", "on")],
        online=False,
        reason="Lock unavailable for 5 min",
    ),
    "all: one failed of two is still online": Case(
        [obs("Lock", "unavailable", changed=300), obs("Hub", "on")],
        online=True,
        require_all=True,
    ),
    "all: every one failed is offline, reasons in order": Case(
        [
            obs("Lock", "unavailable", changed=300),
            obs("Hub online", "off", changed=600, connectivity=True),
            obs("lock.gone", None, changed=900),
        ],
        online=False,
        reason=(
            "Lock unavailable for 5 min; Hub online disconnected for 10 min; "
            "lock.gone missing for 15 min"
        ),
        require_all=True,
    ),
    "any: every failed entity is named": Case(
        [
            obs("Lock", "unknown", changed=360),
            obs("Hub", "on", reported=10),
            obs("Siren", "locked", reported=700),
        ],
        online=False,
        reason="Lock unknown for 6 min; Siren has not reported for 11 min",
        next_check=ago(10) + timedelta(seconds=600),
        max_silence=600,
    ),
    "all: the other one still within grace sets the next check": Case(
        [
            obs("Lock", "unavailable", changed=300),
            obs("Hub", "unavailable", changed=100),
        ],
        online=True,
        next_check=ago(100) + GRACE,
        require_all=True,
    ),
    "all: a single entity behaves like any": Case(
        [obs("Lock", "unavailable", changed=300)],
        online=False,
        reason="Lock unavailable for 5 min",
        require_all=True,
    ),
    "all: an empty list is online": Case([], online=True, require_all=True),
    # --- next check: the earliest moment anything could change ------------------
    "next check is the earliest over all entities": Case(
        [
            obs("Lock", "unavailable", changed=10),
            obs("Hub", "off", changed=250, connectivity=True),
            obs("Siren", "on", reported=100),
        ],
        online=True,
        next_check=ago(250) + GRACE,
        max_silence=600,
    ),
    "a failed entity asks for no check of its own": Case(
        [
            obs("Lock", "unavailable", changed=300),
            obs("Hub", "unavailable", changed=10),
        ],
        online=False,
        reason="Lock unavailable for 5 min",
        next_check=ago(10) + GRACE,
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_judge(case: Case) -> None:
    verdict = judge(
        case.observations,
        NOW,
        grace=timedelta(seconds=case.grace),
        max_silence=(timedelta(seconds=case.max_silence) if case.max_silence else None),
        require_all=case.require_all,
    )
    assert (verdict.online, verdict.reason, verdict.next_check) == (
        case.online,
        case.reason,
        case.next_check,
    )
    assert (verdict.failed_since is not None) == (not verdict.online)


@pytest.mark.parametrize(
    ("require_all", "expected_ago"),
    [(False, 3600), (True, 600)],
)
def test_failure_began_when_the_entities_failed(
    require_all: bool, expected_ago: float
) -> None:
    """The outage starts when the entities failed, not when the grace ran out.

    any: when the first entity failed; all: when the last one did.
    """
    verdict = judge(
        [obs("Lock", "unavailable", changed=3600), obs("Hub", "unknown", changed=600)],
        NOW,
        grace=timedelta(seconds=300),
        max_silence=None,
        require_all=require_all,
    )
    assert verdict.failed_since == ago(expected_ago)


def test_silence_began_at_the_last_report() -> None:
    verdict = judge(
        [obs("Meter", "42", changed=7200, reported=900)],
        NOW,
        grace=timedelta(seconds=300),
        max_silence=timedelta(seconds=600),
        require_all=False,
    )
    assert not verdict.online
    assert verdict.failed_since == ago(900)


def test_online_verdict_has_no_failure_start() -> None:
    assert judge(
        [obs("Lock", "locked")],
        NOW,
        grace=timedelta(seconds=300),
        max_silence=None,
        require_all=False,
    ) == EntitiesVerdict(online=True)


@pytest.mark.parametrize("grace", [0, 1, 60, 300, 3600])
def test_detection_happens_exactly_at_grace(grace: int) -> None:
    """Online up to grace - 1 s, with the next check at exactly grace; then offline."""
    since = NOW - timedelta(seconds=grace)
    observations = [
        Observation(
            name="Lock", state="unavailable", last_changed=since, last_reported=since
        )
    ]
    limit = timedelta(seconds=grace)
    if grace:
        before = judge(
            observations,
            NOW - timedelta(seconds=1),
            grace=limit,
            max_silence=None,
            require_all=False,
        )
        assert before.online
        assert before.next_check == NOW
    at = judge(observations, NOW, grace=limit, max_silence=None, require_all=False)
    assert not at.online
    assert at.next_check is None


def test_unavailable_states() -> None:
    assert frozenset({"unavailable", "unknown"}) == UNAVAILABLE_STATES


def test_observation_defaults_to_not_connectivity() -> None:
    seen = Observation(name="x", state="off", last_changed=NOW, last_reported=NOW)
    assert seen.connectivity is False
