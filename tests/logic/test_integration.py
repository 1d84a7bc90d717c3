"""The provider's integration as evidence: its entry's state, judged without HA."""

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.provider_watch.logic.cause import Cause, CauseEvidence, classify
from custom_components.provider_watch.logic.integration import (
    EntryTrouble,
    EntryView,
    Trouble,
    next_trouble,
    trouble_of,
    worst,
)

T0 = datetime(2026, 3, 1, 14, 2, tzinfo=UTC)


def view(state: str, **kw: bool) -> EntryView:
    return EntryView(
        state=state,
        disabled=kw.get("disabled", False),
        was_loaded=kw.get("was_loaded", True),
        reauth=kw.get("reauth", False),
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(view("loaded"), None, id="running: fine"),
        pytest.param(view("setup_retry"), Trouble.CLOUD, id="retrying: its cloud"),
        pytest.param(view("setup_error"), Trouble.FAILED, id="set-up failed"),
        pytest.param(view("failed_unload"), Trouble.FAILED, id="failed unload"),
        pytest.param(view("not_loaded"), Trouble.FAILED, id="stopped after running"),
        pytest.param(
            view("not_loaded", was_loaded=False), None, id="not started yet: fine"
        ),
        pytest.param(view("loaded", reauth=True), Trouble.AUTH, id="sign-in waits"),
        pytest.param(
            view("setup_error", reauth=True), Trouble.AUTH, id="rejected at set-up"
        ),
        pytest.param(
            view("not_loaded", disabled=True), None, id="disabled by the owner: fine"
        ),
    ],
)
def test_trouble_of(given: EntryView, expected: Trouble | None) -> None:
    assert trouble_of(given) is expected


def test_retrying_again_and_again_is_one_trouble_since_the_first() -> None:
    first = next_trouble(None, view("setup_retry"), "Ring", T0)
    assert first == EntryTrouble(trouble=Trouble.CLOUD, since=T0, title="Ring")
    later = T0 + timedelta(minutes=5)
    during = next_trouble(first, view("setup_in_progress"), "Ring", later)
    assert during is first
    again = next_trouble(during, view("setup_retry"), "Ring", later)
    assert again is first
    renamed = next_trouble(again, view("setup_retry"), "Ring home", later)
    assert renamed == EntryTrouble(trouble=Trouble.CLOUD, since=T0, title="Ring home")
    assert next_trouble(renamed, view("loaded"), "Ring", later) is None
    # another trouble starts anew
    auth = next_trouble(first, view("loaded", reauth=True), "Ring", later)
    assert auth == EntryTrouble(trouble=Trouble.AUTH, since=later, title="Ring")


def test_worst_of_several_entries() -> None:
    cloud = EntryTrouble(trouble=Trouble.CLOUD, since=T0, title="A")
    older_cloud = EntryTrouble(
        trouble=Trouble.CLOUD, since=T0 - timedelta(hours=1), title="B"
    )
    auth = EntryTrouble(trouble=Trouble.AUTH, since=T0, title="C")
    assert worst([]) is None
    assert worst([None, cloud]) is cloud
    assert worst([cloud, older_cloud]) is older_cloud
    assert worst([cloud, auth, None]) is auth


@pytest.mark.parametrize(
    ("trouble", "internet", "expected"),
    [
        (Trouble.CLOUD, True, Cause.PROVIDER_CLOUD),
        (Trouble.FAILED, True, Cause.PROVIDER_CLOUD),
        (Trouble.CLOUD, None, Cause.PROVIDER_CLOUD),  # it says so itself
        (Trouble.CLOUD, False, Cause.INTERNET),  # the home's internet first
        (Trouble.AUTH, False, Cause.AUTH),
        (Trouble.AUTH, True, Cause.AUTH),
        (None, True, Cause.SYSTEM),
    ],
)
def test_cause_with_the_integration(
    trouble: Trouble | None, internet: bool | None, expected: Cause
) -> None:
    assert classify(CauseEvidence(internet_up=internet, integration=trouble)) is (
        expected
    )
