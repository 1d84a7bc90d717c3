"""The fault catalogue, heartbeat cases: a webhook anyone who holds the URL can call.

Each case runs on the bench (bench.py: a real Home Assistant, the internet check, two
phones) with the frozen clock, sends real requests to the heartbeat webhook through
Home Assistant's HTTP app on 127.0.0.1, and ends with `bench.verify` (the five
promises). Floods are 250 requests in 10 s of clock (scripts/devtools/bench_webhook.py
sends 1,000 in 10 s of real time); what they cost is counted: outage records, bus
events and store save requests.
"""

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from http import HTTPStatus
import logging
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.provider_watch.const import (
    CONF_FAIL_KEYWORD,
    CONF_GRACE,
    CONF_KIND,
    CONF_LOCAL_ONLY,
    CONF_PERIOD,
    CONF_WEBHOOK_ID,
)
from homeassistant.util import dt as dt_util
from testkit.heartbeat import FAILURES, OKS, count_saves, flood

from ..helpers import settle
from .bench import PANEL, Bench

WEBHOOK_ID = "a1b2c3d4" * 8
URL = f"/api/webhook/{WEBHOOK_ID}"
PERIOD, GRACE = 300, 60
DEADLINE = PERIOD + GRACE
SPACING = PERIOD // 10  # beats closer together count once
ONLINE = ("on", "online", "none")
OFFLINE = ("off", "offline", "system")
FAILURE = "the heartbeat reported a failure"
# what a flood may cost at most (issue 15)
MAX_RECORDS, MAX_EVENTS, MAX_SAVES = 2, 4, 10


def heartbeat_data() -> dict[str, Any]:
    return {
        CONF_KIND: "heartbeat",
        CONF_WEBHOOK_ID: WEBHOOK_ID,
        CONF_PERIOD: PERIOD,
        CONF_GRACE: GRACE,
        CONF_LOCAL_ONLY: True,
        CONF_FAIL_KEYWORD: "fail",
    }


@dataclass(kw_only=True)
class Webhook:
    """Sends beats to the panel's heartbeat URL, as the device or anyone else."""

    b: Bench
    client: TestClient

    async def send(self, **kwargs: Any) -> None:
        method = kwargs.pop("method", "GET")
        async with self.client.request(method, URL, **kwargs) as response:
            assert response.status == HTTPStatus.OK
            if method != "HEAD":
                assert await response.text() == "OK"

    async def beat(self, **kwargs: Any) -> None:
        await self.send(**kwargs)
        await settle(self.b.hass)

    async def flood(self, pattern: str, count: int = 250, seconds: float = 10) -> None:
        """`count` beats of `pattern` (testkit.heartbeat) spread over `seconds`."""
        for kwargs in flood(pattern, count):
            self.b.clock.tick(timedelta(seconds=seconds / count))
            await self.send(**kwargs)
        await settle(self.b.hass)

    def counted(self) -> int:
        """Beats that reached the state machine (the probe log diagnostics show)."""
        return len(self.b.system().probes)


type Run = Callable[[Bench, Webhook], Awaitable[None]]
CASES: dict[str, Run] = {}


def fault(name: str) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        CASES[name] = run
        return run

    return register


async def start(b: Bench, hook: Webhook) -> None:
    """The provider with the panel's heartbeat; the device has beaten once."""
    await b.provider({PANEL: heartbeat_data()})
    await hook.beat()
    assert b.shown() == ONLINE


async def device_beats_on(b: Bench, hook: Webhook, periods: int) -> None:
    """The real device keeps calling every period; it stays online throughout."""
    for _ in range(periods):
        await b.advance(PERIOD)
        await hook.beat()
        assert b.shown() == ONLINE


def bounded(b: Bench, saves: Counter[str]) -> None:
    assert len(b.records()) <= MAX_RECORDS, b.records()
    assert len(b.offline) + len(b.online) <= MAX_EVENTS
    assert sum(saves.values()) <= MAX_SAVES, saves


# --- floods -------------------------------------------------------------------------


@fault("heartbeat_flood_of_good_beats")
async def flood_of_good_beats(b: Bench, hook: Webhook) -> None:
    """A flood of good beats: counted once (the minimum spacing is 30 s)."""
    await start(b, hook)
    await b.advance(PERIOD)
    with count_saves() as saves:
        await hook.flood("ok")
        assert hook.counted() == 2  # the first beat, and one of the flood
        bounded(b, saves)
        assert sum(saves.values()) <= 1, saves
    await device_beats_on(b, hook, 6)
    b.verify(offline=0)


@fault("heartbeat_flood_of_failure_reports")
async def flood_of_failure_reports(b: Bench, hook: Webhook) -> None:
    """A flood of failure reports, while the device beats on: no outage."""
    await start(b, hook)
    await b.advance(100)
    with count_saves() as saves:
        await hook.flood("failures")
        assert b.shown() == ONLINE  # one report, not yet confirmed
        assert hook.counted() == 1  # nothing reached the state machine
        await b.advance(PERIOD - 100 - 10)
        await hook.beat()  # the device's next beat: the report is forgotten
        bounded(b, saves)
    await device_beats_on(b, hook, 3)
    b.verify(offline=0)


@fault("heartbeat_flood_alternating_then_silence")
async def flood_alternating(b: Bench, hook: Webhook) -> None:
    """Good beats and failure reports in turn, flooding; then the device is
    silent: one outage, from the last report, when the next beat is overdue."""
    await start(b, hook)
    await b.advance(60)
    with count_saves() as saves:
        await hook.flood("alternating")  # the last one reports a failure
        last_report = dt_util.utcnow()
        assert b.shown() == ONLINE
        assert b.offline == []
        await b.advance(DEADLINE - 1)
        assert b.shown() == ONLINE
        await b.advance(1)
        assert b.shown() == OFFLINE
        bounded(b, saves)
    (event,) = b.offline
    assert event.data["reason"] == FAILURE
    assert event.data["since"] == last_report.isoformat()
    b.verify(offline=1, log=f"is offline: {FAILURE}", log_level=logging.WARNING)


@fault("heartbeat_flood_bursts_while_device_beats")
async def flood_bursts(b: Bench, hook: Webhook) -> None:
    """Nine failure reports and a good beat, over and over (a flood), then
    the device beats on: no outage, a handful of verdicts."""
    await start(b, hook)
    await b.advance(60)
    with count_saves() as saves:
        await hook.flood("bursts")
        assert hook.counted() <= 2
        await device_beats_on(b, hook, 2)
        bounded(b, saves)
    b.verify(offline=0)


@fault("heartbeat_flood_while_offline_and_back")
async def flood_while_offline(b: Bench, hook: Webhook) -> None:
    """Silent device (offline), then a flood of mixed beats ending with a failure
    report: still offline (not back and gone a hundred times); the device: back."""
    await start(b, hook)
    await b.advance(DEADLINE)
    assert b.shown() == OFFLINE
    with count_saves() as saves:
        await hook.flood("alternating")
        await b.advance(SPACING)
        assert b.shown()[:2] == OFFLINE[:2]
        bounded(b, saves)
    assert b.online == []
    await b.advance(PERIOD - SPACING - 10)
    await hook.beat()
    assert b.shown() == ONLINE
    await device_beats_on(b, hook, 2)
    b.verify(offline=1, online=1)


# --- confirmation -------------------------------------------------------------------


@fault("heartbeat_forged_failure_reports")
async def forged_failure_reports(b: Bench, hook: Webhook) -> None:
    """One failure report a period, between the device's good beats: no outage."""
    await start(b, hook)
    for form in FAILURES:
        await b.advance(PERIOD / 2)
        await hook.beat(**form)
        assert b.shown() == ONLINE
        await b.advance(PERIOD / 2)
        await hook.beat(**OKS[0])
        assert b.shown() == ONLINE
    b.verify(offline=0)


@fault("heartbeat_failure_confirmed")
async def failure_confirmed(b: Bench, hook: Webhook) -> None:
    """The device reports a failure twice, a minute apart: one outage, one alert."""
    await start(b, hook)
    await b.advance(PERIOD)
    reported = dt_util.utcnow()
    await hook.beat(**FAILURES[1])
    assert b.shown() == ONLINE
    await b.advance(60)
    await hook.beat(**FAILURES[1])
    assert b.shown() == OFFLINE
    assert b.offline[0].data["since"] == reported.isoformat()
    for _ in range(3):  # it keeps reporting the failure: the same outage
        await b.advance(PERIOD)
        await hook.beat(**FAILURES[2])
    await b.advance(PERIOD)
    await hook.beat()
    assert b.shown() == ONLINE
    b.verify(offline=1, online=1, log=f"is offline: {FAILURE}")


# --- the failure signal ---------------------------------------------------------------


@fault("heartbeat_keyword_inside_other_values")
async def keyword_inside_other_values(b: Bench, hook: Webhook) -> None:
    """Issue 15: `{"status":"ok","failures":0}` and `HEAD ?x=failover` marked the
    panel failed (a substring anywhere, HEAD included). Sent twice each, a minute
    apart (as a confirmed report would be), they are good beats."""
    await start(b, hook)
    for form in (
        {"method": "POST", "json": {"status": "ok", "failures": 0}},
        {"method": "HEAD", "params": {"x": "failover"}},
        {"method": "HEAD", "params": {"status": "fail"}},
        {"method": "GET", "params": {"status": "failover"}},
        {"method": "POST", "data": "device failed to arm"},
    ):
        for _ in range(2):
            await b.advance(60)
            await hook.beat(**form)
            assert b.shown() == ONLINE, form
    assert hook.counted() == 11  # every one a good beat, counted
    b.verify(offline=0)


async def explicit_failure(b: Bench, hook: Webhook, *, form: dict[str, Any]) -> None:
    """A failure report in one of the documented forms, confirmed: one outage."""
    await start(b, hook)
    for _ in range(2):
        await b.advance(60)
        await hook.beat(**form)
    assert b.shown() == OFFLINE
    assert b.offline[0].data["reason"] == FAILURE
    await b.advance(PERIOD)
    await hook.beat()
    assert b.shown() == ONLINE
    b.verify(offline=1, online=1, log=f"is offline: {FAILURE}")


for _name, _form in zip(("query", "json", "form", "text"), FAILURES, strict=True):
    CASES[f"heartbeat_failure_signal_{_name}"] = partial(explicit_failure, form=_form)


@pytest.mark.parametrize("run", [pytest.param(run, id=n) for n, run in CASES.items()])
async def test_heartbeat_fault(
    run: Run,
    make_bench: Callable[..., Awaitable[Bench]],
    app_client: TestClient,
    freezer: FrozenDateTimeFactory,
) -> None:
    bench = await make_bench(freezer)
    await run(bench, Webhook(b=bench, client=app_client))
