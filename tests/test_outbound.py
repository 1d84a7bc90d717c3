"""The outbound heartbeat: Provider Watch pings a dead-man service outside the home.

The dead-man service is a real server on 127.0.0.1 (tests/deadman.py); "the internet"
is another one the internet check probes, stopped to take the internet down. Time
moves with the frozen clock only.
"""

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
import itertools
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.provider_watch.const import DOMAIN
from custom_components.provider_watch.monitoring import outbound as outbound_module
from custom_components.provider_watch.settings import OutboundSettings
from homeassistant.components.diagnostics import REDACTED
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from testkit.simulated import LOCALHOST, SimulatedDevice, free_port

from .deadman import CHECK_UUID, DeadManService
from .helpers import (
    INTERNET,
    advance,
    attributes,
    open_options,
    settle,
    setup_entry,
    setup_internet,
    state,
    submit_options,
    suggested,
)

PROBLEM = "binary_sensor.internet_connection_outbound_heartbeat"
LAST = "sensor.internet_connection_last_outbound_heartbeat"
FIVE_MINUTES = 300
FAILED = "Outbound heartbeat failed"

pytestmark = pytest.mark.usefixtures("only_loopback_targets")


@pytest.fixture
async def deadman(socket_enabled: None) -> AsyncGenerator[DeadManService]:
    """The dead-man service (Healthchecks style) on 127.0.0.1."""
    async with DeadManService() as service:
        yield service


# --- helpers -------------------------------------------------------------------------


def heartbeat_entry(upstream: SimulatedDevice, **options: Any) -> MockConfigEntry:
    """The internet check (probing `upstream`) with outbound heartbeat options."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Internet connection",
        unique_id="internet",
        data={"entry_type": "internet"},
        options={"targets": [f"{LOCALHOST}:{upstream.port}"]} | options,
    )


async def setup_heartbeat(
    hass: HomeAssistant,
    upstream: SimulatedDevice,
    deadman: DeadManService,
    **options: Any,
) -> ConfigEntry:
    """The internet check is up; the heartbeat pings the service every 5 minutes."""
    entry = await setup_entry(
        hass,
        heartbeat_entry(
            upstream,
            **{
                "outbound_url": deadman.ping_url,
                "outbound_interval": 5,
                "outbound_method": "GET",
            }
            | options,
        ),
    )
    assert state(hass, INTERNET) == STATE_ON
    return entry


async def take_internet_down(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, upstream: SimulatedDevice
) -> None:
    """Every target fails twice: a regular check, then the 5 s retry."""
    await upstream.stop()
    await advance(hass, freezer, 30, 5)
    assert state(hass, INTERNET) == STATE_OFF


async def bring_internet_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, upstream: SimulatedDevice
) -> None:
    await upstream.start()
    await advance(hass, freezer, 30)
    assert state(hass, INTERNET) == STATE_ON


def failure_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.getMessage().startswith(FAILED) and r.levelno >= logging.WARNING
    ]


def shown_time(moment: datetime) -> str:
    """How a timestamp sensor shows a moment (whole seconds)."""
    return moment.replace(microsecond=0).isoformat()


# --- the heartbeat -------------------------------------------------------------------


async def test_pings_every_interval(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    deadman: DeadManService,
) -> None:
    started = dt_util.utcnow()
    await setup_heartbeat(hass, upstream, deadman)
    # at once on start-up, then every 5 minutes
    assert [(p.method, p.time) for p in deadman.pings] == [("GET", started)]
    assert state(hass, PROBLEM) == STATE_OFF
    assert state(hass, LAST) == shown_time(started)

    await advance(hass, freezer, FIVE_MINUTES - 1)
    assert len(deadman.pings) == 1
    await advance(hass, freezer, 1)
    assert len(deadman.pings) == 2
    await advance(hass, freezer, FIVE_MINUTES, FIVE_MINUTES)
    times = [p.time for p in deadman.pings]
    assert len(times) == 4
    assert {b - a for a, b in itertools.pairwise(times)} == {
        timedelta(seconds=FIVE_MINUTES)
    }
    assert state(hass, LAST) == shown_time(times[-1])
    assert deadman.fails == []  # nothing went down


async def test_interval_and_post_are_honoured(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    deadman: DeadManService,
) -> None:
    await setup_heartbeat(
        hass, upstream, deadman, outbound_interval=1, outbound_method="POST"
    )
    await advance(hass, freezer, 60, 60, 60)
    assert [p.method for p in deadman.pings] == ["POST"] * 4
    assert all("Home Assistant is running" in p.body for p in deadman.pings)


async def test_no_pings_while_internet_down_then_fail_url_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    deadman: DeadManService,
) -> None:
    await setup_heartbeat(
        hass,
        upstream,
        deadman,
        outbound_method="POST",
        outbound_fail_url=deadman.fail_url,
    )
    assert len(deadman.pings) == 1
    await take_internet_down(hass, freezer, upstream)  # the first failed check: +30 s
    outage_start = deadman.pings[0].time + timedelta(seconds=30)

    # three heartbeats fall due while the internet is down: none is sent
    await advance(hass, freezer, FIVE_MINUTES, FIVE_MINUTES, FIVE_MINUTES)
    assert len(deadman.received) == 1
    assert state(hass, PROBLEM) == STATE_OFF  # skipped, not failed

    # the internet is back: the outage is reported once, then the heartbeat at once
    await bring_internet_back(hass, freezer, upstream)
    back = dt_util.utcnow()
    assert [(p.path, p.time) for p in deadman.received[1:]] == [
        (deadman.fail_path, back),
        (deadman.ping_path, back),
    ]
    [fail] = deadman.fails
    assert fail.method == "POST"
    assert outage_start.isoformat() in fail.body
    assert back.isoformat() in fail.body
    assert state(hass, LAST) == shown_time(back)

    # later heartbeats are regular ones; the outage is not reported again
    await advance(hass, freezer, FIVE_MINUTES, FIVE_MINUTES)
    assert len(deadman.fails) == 1
    assert len(deadman.pings) == 4


async def test_outage_without_fail_url(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    deadman: DeadManService,
) -> None:
    await setup_heartbeat(hass, upstream, deadman)
    await take_internet_down(hass, freezer, upstream)
    await advance(hass, freezer, FIVE_MINUTES)
    await bring_internet_back(hass, freezer, upstream)
    assert [p.path for p in deadman.received] == [deadman.ping_path] * 2


async def test_server_error_is_a_problem_logged_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    deadman: DeadManService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    deadman.status = 500
    await setup_heartbeat(hass, upstream, deadman)
    assert state(hass, PROBLEM) == STATE_ON
    assert attributes(hass, PROBLEM)["reason"] == "HTTP 500"
    assert state(hass, LAST) == STATE_UNKNOWN  # never got through
    [record] = failure_records(caplog)
    assert record.getMessage() == f"{FAILED}: HTTP 500"

    # no retries in between: one call per interval, and no new warning
    await advance(hass, freezer, 60, 60, 60, 60, 59)
    assert len(deadman.pings) == 1
    await advance(hass, freezer, 1, FIVE_MINUTES, FIVE_MINUTES)
    assert len(deadman.pings) == 4
    assert len(failure_records(caplog)) == 1

    # the service answers again: the problem clears, the time is kept
    deadman.status = 200
    await advance(hass, freezer, FIVE_MINUTES)
    assert state(hass, PROBLEM) == STATE_OFF
    assert attributes(hass, PROBLEM)["reason"] is None
    assert state(hass, LAST) == shown_time(dt_util.utcnow())
    assert "Outbound heartbeat works again" in caplog.text

    # a new failure is a new outage: logged again, once
    deadman.status = 503
    await advance(hass, freezer, FIVE_MINUTES, FIVE_MINUTES)
    assert [r.getMessage() for r in failure_records(caplog)] == [
        f"{FAILED}: HTTP 500",
        f"{FAILED}: HTTP 503",
    ]


async def test_refused_then_recovers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    deadman: DeadManService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await deadman.stop()
    await setup_heartbeat(hass, upstream, deadman)
    assert state(hass, PROBLEM) == STATE_ON
    assert attributes(hass, PROBLEM)["reason"] == "connection refused"
    await advance(hass, freezer, FIVE_MINUTES, FIVE_MINUTES)
    assert [r.getMessage() for r in failure_records(caplog)] == [
        f"{FAILED}: connection refused"
    ]

    await deadman.start()
    await advance(hass, freezer, FIVE_MINUTES)
    assert len(deadman.pings) == 1  # the first one since it listens again
    assert state(hass, PROBLEM) == STATE_OFF


async def test_timeout_is_a_problem(
    hass: HomeAssistant,
    upstream: SimulatedDevice,
    deadman: DeadManService,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Real time (no frozen clock): the call waits out a shortened timeout."""
    assert outbound_module.OUTBOUND_TIMEOUT == 10
    monkeypatch.setattr(outbound_module, "OUTBOUND_TIMEOUT", 0.5)
    deadman.hang = True
    await setup_heartbeat(hass, upstream, deadman)
    assert state(hass, PROBLEM) == STATE_ON
    assert attributes(hass, PROBLEM)["reason"] == "timeout after 0.5 s"
    assert len(failure_records(caplog)) == 1
    assert len(deadman.pings) == 1


async def test_unload_stops_the_heartbeat(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    deadman: DeadManService,
) -> None:
    entry = await setup_heartbeat(hass, upstream, deadman)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    await advance(hass, freezer, FIVE_MINUTES, FIVE_MINUTES)
    assert len(deadman.pings) == 1


async def test_no_url_no_heartbeat(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    assert entry.runtime_data.outbound is None
    assert hass.states.get(PROBLEM) is None
    assert hass.states.get(LAST) is None
    assert {
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    } == {INTERNET, "switch.internet_connection_self_heal"}


# --- the options flow ----------------------------------------------------------------


async def test_options_set_change_and_clear_the_heartbeat(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    deadman: DeadManService,
    entity_registry: er.EntityRegistry,
) -> None:
    target = f"{LOCALHOST}:{upstream.port}"
    entry = await setup_internet(hass, target)
    result = await open_options(hass, entry)
    assert suggested(result, "outbound_url") is None
    assert suggested(result, "outbound_interval") == 5
    assert suggested(result, "outbound_method") == "GET"

    result = await submit_options(
        hass,
        result["flow_id"],
        {
            "targets": [target],
            "outbound_url": f" {deadman.ping_url} ",
            "outbound_interval": 2.0,  # the number selector sends floats
            "outbound_method": "GET",
            "outbound_fail_url": "",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "targets": [target],
        "outbound_url": deadman.ping_url,
        "outbound_interval": 2,
        "outbound_method": "GET",
    }
    # reloaded: the entities are there and the first heartbeat went out
    assert state(hass, PROBLEM) == STATE_OFF
    assert state(hass, LAST) == shown_time(dt_util.utcnow())
    await advance(hass, freezer, 120)
    assert len(deadman.pings) == 2

    # the form shows what is set
    result = await open_options(hass, entry)
    assert suggested(result, "outbound_url") == deadman.ping_url
    assert suggested(result, "outbound_interval") == 2

    # cleared: no heartbeat, and its entities are gone
    result = await submit_options(
        hass, result["flow_id"], {"targets": [target], "outbound_url": ""}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"targets": [target]}
    assert hass.states.get(PROBLEM) is None
    assert hass.states.get(LAST) is None
    assert entity_registry.async_get(PROBLEM) is None
    assert entity_registry.async_get(LAST) is None
    await advance(hass, freezer, 120, 120)
    assert len(deadman.pings) == 2


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"outbound_url": "hc-ping.com/abc"}, {"outbound_url": "invalid_url"}),
        ({"outbound_url": "ftp://127.0.0.1/x"}, {"outbound_url": "invalid_url"}),
        ({"outbound_url": "https://"}, {"outbound_url": "invalid_url"}),
        ({"outbound_url": "http://bad host/"}, {"outbound_url": "invalid_url"}),
        (  # a fail URL reports outages only alongside the heartbeat
            {"outbound_fail_url": f"http://{LOCALHOST}:9/fail"},
            {"outbound_url": "invalid_url"},
        ),
        (
            {"outbound_url": f"http://{LOCALHOST}:9/", "outbound_fail_url": "nope"},
            {"outbound_fail_url": "invalid_url"},
        ),
        (
            {"outbound_url": f"http://{LOCALHOST}:9/", "outbound_interval": 2.5},
            {"outbound_interval": "invalid_duration"},
        ),
    ],
)
async def test_options_reject_invalid_heartbeat(
    hass: HomeAssistant,
    upstream: SimulatedDevice,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    target = f"{LOCALHOST}:{upstream.port}"
    entry = await setup_internet(hass, target)
    result = await open_options(hass, entry)
    result = await submit_options(
        hass, result["flow_id"], {"targets": [target]} | user_input
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    for key, value in user_input.items():  # what was typed is shown again
        assert suggested(result, key) == value
    assert entry.options == {"targets": [target]}


async def test_options_schema_refuses_out_of_range(
    hass: HomeAssistant, upstream: SimulatedDevice
) -> None:
    target = f"{LOCALHOST}:{upstream.port}"
    entry = await setup_internet(hass, target)
    for bad in (
        {"outbound_interval": 0},
        {"outbound_interval": 1441},
        {"outbound_method": "PUT"},
    ):
        result = await open_options(hass, entry)
        with pytest.raises(InvalidData):
            await hass.config_entries.options.async_configure(
                result["flow_id"],
                {"targets": [target], "outbound_url": f"http://{LOCALHOST}:9/"} | bad,
            )
        hass.config_entries.options.async_abort(result["flow_id"])
    assert entry.options == {"targets": [target]}


# --- secrets -------------------------------------------------------------------------


async def test_urls_never_in_logs_or_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    upstream: SimulatedDevice,
    deadman: DeadManService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    deadman.status = 404
    entry = await setup_heartbeat(
        hass, upstream, deadman, outbound_fail_url=deadman.fail_url
    )
    await take_internet_down(hass, freezer, upstream)
    await advance(hass, freezer, FIVE_MINUTES)
    await bring_internet_back(hass, freezer, upstream)  # fail URL: 404 too
    deadman.status = 200
    await advance(hass, freezer, FIVE_MINUTES)
    assert len(deadman.fails) == 1
    assert len(deadman.pings) == 3
    assert "reporting the internet outage failed: HTTP 404" in caplog.text
    assert "Outbound heartbeat works again" in caplog.text

    data = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(data)
    assert data["settings"]["options"]["outbound_url"] == REDACTED
    assert data["settings"]["options"]["outbound_fail_url"] == REDACTED
    assert data["outbound_heartbeat"] == {
        "interval_minutes": 5.0,
        "method": "GET",
        "fail_url_set": True,
        "last_attempt": dt_util.utcnow().isoformat(),
        "last_success": dt_util.utcnow().isoformat(),
        "failed": False,
        "reason": None,
        "internet_down_since": None,
    }
    for where in (caplog.text, text, json.dumps(hass.states.async_all(), default=str)):
        assert CHECK_UUID not in where
        assert deadman.ping_url not in where


async def test_reason_never_carries_the_url(socket_enabled: None) -> None:
    url = f"http://{LOCALHOST}:{free_port()}/ping/{CHECK_UUID}"
    settings = OutboundSettings(url=url)
    assert settings.hide(f"failed for {url}: boom") == "failed for <hidden>: boom"
    assert CHECK_UUID not in settings.hide(f"GET /ping/{CHECK_UUID} -> 404")
