"""Heartbeat webhook floods: what 1,000 requests in 10 s cost (issue 15).

    python -m scripts.devtools.bench --only webhook [--quick]

A real Home Assistant (benchkit) whose HTTP app is served by aiohttp on 127.0.0.1,
one provider and one heartbeat system (the product's defaults: period 300 s, grace
60 s; keyword "fail"), afresh for each flood pattern of testkit.heartbeat (ok,
failures, alternating, bursts: nine reports and a good beat): 1,000 requests in 10 s
of real time, the failure signal in every form a sender may use. Then the sender is silent and the deadline is made to pass (the loop's timers fired as if 361 s had
gone by, HA's test harness way), so that a report that only silence confirms counts
too. Counted per pattern: outage records, offline/online bus events, save requests
of Provider Watch's stores (Store.async_save and async_delay_save calls) and the
verdicts that reached the state machine. Targets, the worst pattern: <= 2 outage
records and <= 10 saves. --quick runs the alternating pattern only (~12 s).
"""

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
import tempfile
import time
from typing import Any, Protocol

from testkit.heartbeat import PATTERNS, count_saves, flood

from .benchkit import HOST, home_assistant, provider_entries, setup_domain, system_data

REQUESTS = 1000
SECONDS = 10.0
IN_FLIGHT = 50  # requests at most at once (the pace is kept; the server may lag)
PERIOD, GRACE = 300, 60
MAX_RECORDS, MAX_SAVES = 2, 10
QUICK_PATTERNS = ("alternating",)  # the worst before issue 15: 513 records


class Report(Protocol):
    """bench.Report, as this section uses it."""

    details: dict[str, Any]

    def add(self, *args: Any, **kwargs: Any) -> None:
        """One figure: section, name, value, unit, target=, note=."""


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What one pattern's flood cost."""

    pattern: str
    sent: int
    seconds: float
    records: int
    events: int
    saves: int
    verdicts: int

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


WEBHOOK_ID = "5a" * 32
SYSTEM_ID = "system_0"  # benchkit.provider_entries' name for the first system


def heartbeat() -> dict[str, Any]:
    return system_data(
        "heartbeat",
        webhook_id=WEBHOOK_ID,
        period=PERIOD,
        grace=GRACE,
        local_only=True,
        fail_keyword="fail",
    )


async def send_flood(session: Any, url: str, pattern: str) -> tuple[int, float]:
    """REQUESTS beats of `pattern`, paced evenly over SECONDS; (answered 200, s)."""
    gate = asyncio.Semaphore(IN_FLIGHT)
    loop = asyncio.get_running_loop()
    started = loop.time()
    answered = 0

    async def one(kwargs: dict[str, Any]) -> None:
        nonlocal answered
        method = kwargs.pop("method")
        try:
            async with session.request(method, url, **kwargs) as response:
                await response.read()
                answered += response.status == 200
        finally:
            gate.release()

    tasks: list[Awaitable[None]] = []
    for index, kwargs in enumerate(flood(pattern, REQUESTS)):
        await asyncio.sleep(
            max(0.0, started + index * SECONDS / REQUESTS - loop.time())
        )
        await gate.acquire()
        tasks.append(asyncio.create_task(one(kwargs)))
    await asyncio.gather(*tasks)
    return answered, loop.time() - started


async def run_flood(pattern: str) -> Outcome:
    """One pattern on a fresh Home Assistant with one heartbeat system."""
    from aiohttp import ClientSession, ClientTimeout  # noqa: PLC0415
    from aiohttp.test_utils import TestServer  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        async_fire_time_changed,
    )

    from custom_components.provider_watch.const import (  # noqa: PLC0415
        EVENT_SYSTEM_OFFLINE,
        EVENT_SYSTEM_ONLINE,
    )
    from homeassistant.setup import async_setup_component  # noqa: PLC0415
    from homeassistant.util import dt as dt_util  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
        async with home_assistant(Path(tmp)) as hass:
            if not await async_setup_component(hass, "webhook", {}):
                raise RuntimeError("webhook did not set up")
            (entry,) = provider_entries([heartbeat()])
            entry.add_to_hass(hass)
            await setup_domain(hass)
            events: list[Any] = []
            for name in (EVENT_SYSTEM_OFFLINE, EVENT_SYSTEM_ONLINE):
                hass.bus.async_listen(name, events.append)
            server = TestServer(hass.http.app, host=HOST)
            await server.start_server()
            try:
                url = str(server.make_url(f"/api/webhook/{WEBHOOK_ID}"))
                async with ClientSession(timeout=ClientTimeout(total=30)) as session:
                    with count_saves() as saves:
                        answered, took = await send_flood(session, url, pattern)
                        await hass.async_block_till_done()
                        # then silence: the next beat is overdue, and a report that
                        # only silence confirms is counted too
                        later = dt_util.utcnow() + timedelta(seconds=PERIOD + GRACE + 1)
                        async_fire_time_changed(hass, later)
                        await hass.async_block_till_done()
            finally:
                await server.close()
                await hass.async_stop(force=True)
            return Outcome(
                pattern=pattern,
                sent=answered,
                seconds=round(took, 2),
                records=len(entry.runtime_data.history.outages),
                events=len(events),
                saves=sum(saves.values()),
                verdicts=len(entry.runtime_data.systems[SYSTEM_ID].probes),
            )


async def bench_webhook(report: Report, quick: bool) -> None:
    """The section: floods per pattern, the worst against the targets."""
    patterns = QUICK_PATTERNS if quick else PATTERNS
    print(
        f"webhook: {REQUESTS} requests in {SECONDS:g} s per pattern "
        f"({', '.join(patterns)}), then the deadline passes",
        flush=True,
    )
    started = time.perf_counter()
    outcomes = []
    for pattern in patterns:
        outcomes.append(await run_flood(pattern))
        print(f"  {pattern}: {outcomes[-1].as_dict()}", flush=True)
    report.details["webhook"] = {
        "requests": REQUESTS,
        "seconds": SECONDS,
        "period_s": PERIOD,
        "grace_s": GRACE,
        "patterns": [o.as_dict() for o in outcomes],
        "wall_s": round(time.perf_counter() - started, 1),
    }
    note = f"{REQUESTS} requests in {SECONDS:g} s, worst of {', '.join(patterns)}"
    complete = all(o.sent == REQUESTS for o in outcomes)
    if not complete:  # no figure (FAIL): a flood that did not arrive proves nothing
        note += "; some requests were not answered 200"
    records = max(o.records for o in outcomes) if complete else None
    saves = max(o.saves for o in outcomes) if complete else None
    report.add("webhook", "flood: outage records", records, "", MAX_RECORDS, note)
    report.add("webhook", "flood: store saves", saves, "", MAX_SAVES, note)
    report.add(
        "webhook", "flood: bus events", max(o.events for o in outcomes), "", None, note
    )
    report.add(
        "webhook",
        "flood: verdicts counted",
        max(o.verdicts for o in outcomes),
        "",
        None,
        note,
    )
