"""Fault catalogue, credentials and set-up: rejected credentials, systems added live.

Each case runs on the bench (bench.py) with the provider's cloud on 127.0.0.1 and
time moved with the freezer, and ends with `bench.verify` (no unhandled exception,
no false offline, one alert per outage and phone, the outage records, a log line).

Issue 15, item 20: while the provider rejects the credentials the system is still
checked, every 5 minutes; the owner is asked once (one reauth flow, or one repair
for a system that sends no credentials); when the provider accepts them again the
system recovers by itself and the reauth flow goes away.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from freezegun.api import FrozenDateTimeFactory

from custom_components.provider_watch.const import (
    CONF_AUTH_TYPE,
    CONF_TOKEN,
)
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.data_entry_flow import FlowResultType

from ..helpers import settle
from ..provider_cloud import TOKEN
from .bench import PANEL, Bench, cloud_data
from .servers import FaultyCloud

ONLINE = ("on", "online", "none")
REJECTED = ("unavailable", "unavailable", "auth")
GATEWAY = "system_solar_gateway"

type MakeBench = Callable[..., Awaitable[Bench]]


def reauth_flows(b: Bench) -> list[Any]:
    assert b.entry is not None
    return [
        flow
        for flow in b.hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
        and flow["context"]["entry_id"] == b.entry.entry_id
    ]


def reauth_issues(b: Bench) -> list[str]:
    """Home Assistant's own repair for a reauth flow, and ours for no credentials."""
    return [
        issue_id
        for issue_id in b.issues()
        if issue_id.startswith(("config_entry_reauth_", "auth_without_credentials"))
    ]


def without_credentials(url: str, **overrides: Any) -> dict[str, Any]:
    """A cloud system of a provider whose API wants no credentials."""
    data = cloud_data(url, **overrides) | {CONF_AUTH_TYPE: "none"}
    data.pop(CONF_TOKEN)
    return data


# --- item 20: a brief auth glitch at the provider ----------------------------------


async def test_auth_glitch_keeps_checking_and_recovers(
    make_bench: MakeBench, faulty_cloud: FaultyCloud, freezer: FrozenDateTimeFactory
) -> None:
    """401 for a while: asked once, checked every 5 minutes, back by itself."""
    b = await make_bench(freezer)
    cloud = faulty_cloud
    entry = await b.provider({PANEL: cloud_data(cloud.url)})
    assert b.shown() == ONLINE
    cloud.token = "tok-rotated-for-a-while"  # noqa: S105  (the provider's glitch)
    await b.advance(30)
    assert b.shown() == REJECTED
    assert len(reauth_flows(b)) == 1
    assert len(reauth_issues(b)) == 1
    hits = cloud.hits
    for _ in range(30):  # 15 minutes
        await b.advance(30)
        assert len(reauth_flows(b)) == 1  # asked once, not every check
        assert b.shown() == REJECTED
    assert cloud.hits == hits + 3  # still checked, every 5 minutes
    assert len(reauth_issues(b)) == 1

    cloud.token = TOKEN  # the provider accepts the stored token again
    await b.until(lambda: b.shown() == ONLINE, step=30, limit=300)
    assert reauth_flows(b) == []  # the reauth flow was dismissed
    assert reauth_issues(b) == []
    assert entry.state is ConfigEntryState.LOADED
    assert not b.system().auth_failed
    await b.advance(30)
    assert cloud.hits > hits + 4  # back to the regular poll interval
    b.verify(offline=0, log="Authentication failed")


async def test_auth_rejected_dismissed_flow_is_not_asked_again(
    make_bench: MakeBench, faulty_cloud: FaultyCloud, freezer: FrozenDateTimeFactory
) -> None:
    """The owner closes the reauth flow: no new one with every check."""
    b = await make_bench(freezer)
    cloud = faulty_cloud
    await b.provider({PANEL: cloud_data(cloud.url)})
    cloud.revoke()
    await b.advance(30)
    (flow,) = reauth_flows(b)
    b.hass.config_entries.flow.async_abort(flow["flow_id"])
    await settle(b.hass)
    hits = cloud.hits
    await b.advance(*[30] * 30)
    assert reauth_flows(b) == []
    assert cloud.hits == hits + 3
    assert b.shown() == REJECTED
    b.verify(offline=0, log="Authentication failed")


async def test_auth_rejected_without_credentials_is_a_repair(
    make_bench: MakeBench, faulty_cloud: FaultyCloud, freezer: FrozenDateTimeFactory
) -> None:
    """A system that sends no credentials is never asked for a token."""
    b = await make_bench(freezer)
    cloud = faulty_cloud
    cloud.auth = "none"
    entry = await b.provider({PANEL: without_credentials(cloud.url)})
    cloud.status = 401  # the provider's API rejects the requests anyway
    await b.advance(30)
    assert b.shown() == REJECTED
    assert reauth_flows(b) == []  # nothing to enter
    assert reauth_issues(b) == [f"auth_without_credentials_{PANEL}"]
    issue = b.issues()[f"auth_without_credentials_{PANEL}"]
    assert issue.translation_placeholders == {
        "system": "Alarm panel",
        "provider": "Acme Alarm",
    }
    hits = cloud.hits
    await b.advance(*[30] * 20)
    assert cloud.hits == hits + 2
    assert len(reauth_issues(b)) == 1

    # a reauth flow started anyway (by hand) shows no form: a clear reason
    result = await entry.start_reauth_flow(b.hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_credentials"
    assert result["description_placeholders"] == {"systems": "Alarm panel"}

    cloud.status = 200
    await b.until(lambda: b.shown() == ONLINE, step=30, limit=300)
    assert reauth_issues(b) == []
    b.verify(offline=0, log="Authentication failed")

    # rejected again, then the provider is unloaded: the repair goes with it
    cloud.status = 403
    await b.advance(30)
    assert len(reauth_issues(b)) == 1
    assert await b.hass.config_entries.async_unload(entry.entry_id)
    assert reauth_issues(b) == []


async def test_reauth_form_asks_only_what_the_rejected_systems_use(
    make_bench: MakeBench, faulty_cloud: FaultyCloud, freezer: FrozenDateTimeFactory
) -> None:
    """Bearer and no-credential systems: the form lists the bearer one, a token."""
    b = await make_bench(freezer)
    cloud = faulty_cloud
    cloud.auth = "none"  # (it would take the token too)
    gateway = without_credentials(cloud.url, id_value="42", path="$.status")
    entry = await b.provider({PANEL: cloud_data(cloud.url), GATEWAY: gateway})
    result = await entry.start_reauth_flow(b.hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    fields = {str(key): key for key in result["data_schema"].schema}
    assert set(fields) == {"system", "token"}
    (selector,) = [
        value
        for key, value in result["data_schema"].schema.items()
        if str(key) == "system"
    ]
    assert [option["value"] for option in selector.config["options"]] == [PANEL]
    b.hass.config_entries.flow.async_abort(result["flow_id"])
    b.verify(offline=0)
