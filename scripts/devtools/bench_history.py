"""The outage history's growth and cost (issue 15), a section of bench.py.

    python -m scripts.devtools.bench --only history [--quick]

Figures:
  - loop time of one offline+online pair of a system whose provider has a
    20,000-outage history (two weeks of one system flapping every poll, written by
    the previous version: 20,000 records, migrated on load), in an in-process Home
    Assistant (the real Store on real files). The pair is two probe verdicts pushed
    into the system's coordinator (failures/successes to change: 1), so it runs
    everything a transition runs (state file, history, figures, events, entities,
    alerts). Loop time = CPU time of the event loop's thread from the first push
    until everything they started is done (the executor's serialisation and writes
    run in other threads and do not count). Target: the median <= 10 ms.
    Informational: the event loop's worst lag meanwhile (a 2 ms ticker: the
    serialisation in the executor holds the GIL, so a large file still delays the
    loop although it costs it no CPU), setup time, file sizes, a 30-day report;
    without --quick also the same pair with 40 systems at their bound (500 separate
    outages each, 20,000 in all) and with 40 systems and no history, whose
    difference is what the history's size costs a pair.
  - the history file after a simulated year of a system flapping every poll (30 s
    down, 30 s up): the pure tracker, pruned as every write prunes it, serialised
    the way the Store writes it. Target: <= 2 MiB. --quick: 30 days.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from itertools import count
import json
from pathlib import Path
import statistics
import tempfile
import time
from typing import Any

from custom_components.provider_watch.const import DOMAIN
from custom_components.provider_watch.logic.cause import Cause
from custom_components.provider_watch.logic.history_file import (
    HistoryData,
    SystemInfo,
    parse_history,
)
from custom_components.provider_watch.logic.outages import OutageRecord
from custom_components.provider_watch.logic.state import (
    MachineState,
    Step,
    SystemState,
    Transition,
)
from custom_components.provider_watch.logic.tracking import OutageTracker
from testkit.simulated import SimulatedDevice

from .benchkit import home_assistant, http_data, provider_entries, setup_domain

MIB = 1024 * 1024
PAIR_TARGET_MS = 10.0
SIZE_TARGET = 2 * MIB
OUTAGES = 20_000
PAIRS = 15


def _record(number: int, system_id: str, start: datetime, seconds: float) -> Any:
    return OutageRecord(
        id=f"bench-{number:06d}",
        system_id=system_id,
        system=system_id,
        provider="Provider 0",
        start=start,
        end=start + timedelta(seconds=seconds),
        cause="system",
        detected_at=start + timedelta(seconds=1),
        detected_kind="http",
        detected_reason="HTTP 503",
    )


def flapping_history(now: datetime, system_ids: list[str]) -> dict[str, Any]:
    """Two weeks of the first system flapping every poll, one record per flap (as
    the previous version wrote it: file version 2.2)."""
    start = now - timedelta(seconds=60 * OUTAGES + 600)
    records = [
        _record(n, system_ids[0], start + timedelta(seconds=60 * n), 30)
        for n in range(OUTAGES)
    ]
    return _file(now, system_ids, records, minor=2)


def separate_history(now: datetime, system_ids: list[str]) -> dict[str, Any]:
    """500 outages of 2 minutes per system, 18 hours apart (over 375 days)."""
    per_system = OUTAGES // len(system_ids)
    start = now - timedelta(hours=18 * per_system + 1)
    records = [
        _record(
            n * len(system_ids) + i,
            system_id,
            start + timedelta(hours=18 * n, minutes=i),
            120,
        )
        for n in range(per_system)
        for i, system_id in enumerate(system_ids)
    ]
    return _file(now, system_ids, records, minor=3)


def _file(
    now: datetime, system_ids: list[str], records: list[Any], *, minor: int
) -> dict[str, Any]:
    data = HistoryData(
        systems={
            s: SystemInfo(name=s, added=now - timedelta(days=399)) for s in system_ids
        },
        outages=records,
    )
    return {"version": 2, "minor_version": minor, "data": data.to_dict()}


async def measure_pairs(
    kind: str, make_file: Any, systems: int, flapper: int
) -> dict[str, Any]:
    """Set a provider up on its history file and time offline+online pairs."""
    from custom_components.provider_watch.sources import ProbeResult  # noqa: PLC0415
    from homeassistant.util import dt as dt_util  # noqa: PLC0415

    device = SimulatedDevice()
    await device.start()
    try:
        with tempfile.TemporaryDirectory(prefix="pw-bench-history-") as tmp:
            async with home_assistant(Path(tmp)) as hass:
                data = http_data(device.url) | {
                    "poll_interval": 86_400,  # nothing polls while measuring
                    "failures_before_offline": 1,
                    "successes_before_online": 1,
                }
                (entry,) = provider_entries([data] * systems)
                system_ids = [s.subentry_id for s in entry.subentries.values()]
                key = f"{DOMAIN}.{entry.entry_id}.history"
                raw = make_file(dt_util.utcnow(), system_ids) | {"key": key}
                text = json.dumps(raw)
                (Path(tmp) / ".storage" / key).write_text(text)
                entry.add_to_hass(hass)
                started = time.perf_counter()
                await setup_domain(hass)
                setup_s = time.perf_counter() - started
                await hass.async_block_till_done()
                coordinator = entry.runtime_data.systems[system_ids[flapper]]
                down = ProbeResult.down("HTTP 503")
                up = ProbeResult.up(1.0)
                loop_ms = []
                lags: list[float] = []
                for _ in range(PAIRS):
                    await asyncio.sleep(0.05)
                    ticker = asyncio.create_task(_ticker(lags))
                    cpu = time.thread_time()
                    await coordinator.async_push(down)
                    await coordinator.async_push(up)
                    await hass.async_block_till_done()
                    loop_ms.append((time.thread_time() - cpu) * 1000)
                    await asyncio.sleep(0.05)  # the writes' tail
                    ticker.cancel()
                    if coordinator.data.machine.state is not SystemState.ONLINE:
                        raise RuntimeError("the pair did not end online")
                history = entry.runtime_data.history
                file_after = history.path.stat().st_size
                started = time.perf_counter()
                cpu = time.thread_time()
                await hass.services.async_call(
                    DOMAIN,
                    "generate_report",
                    {"config_entry_id": entry.entry_id, "period": "last_30_days"},
                    blocking=True,
                    return_response=True,
                )
                report_ms = (time.thread_time() - cpu) * 1000
                records = len(history.outages)
                await hass.async_stop(force=True)
    finally:
        await device.stop()
    return {
        "history": kind,
        "file_before_bytes": len(text),
        "file_after_bytes": file_after,
        "records_after_load": records,
        "setup_s": round(setup_s, 3),
        "pair_loop_ms": loop_ms,
        "pair_loop_ms_median": statistics.median(loop_ms),
        "pair_loop_ms_max": max(loop_ms),
        "loop_lag_ms_max": round(max(lags, default=0.0), 1),
        "report_30_days_loop_ms": round(report_ms, 1),
    }


async def _ticker(lags: list[float]) -> None:
    """How late the loop wakes a task that sleeps 2 ms, until cancelled."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + 0.002
        await asyncio.sleep(0.002)
        lags.append(max(0.0, loop.time() - due) * 1000)


def simulate_flapping(days: int) -> dict[str, Any]:
    """A system down 30 s, up 30 s, every poll for `days` days: the file's size."""
    from homeassistant.helpers.json import prepare_save_json  # noqa: PLC0415

    ids = count()
    tracker = OutageTracker("Provider 0", lambda _ts: f"{next(ids):026d}")
    system_id = "system_flapping"
    epoch = datetime(2027, 1, 1, tzinfo=UTC)
    drops = days * 1440
    started = time.perf_counter()
    for n in range(drops):
        start = epoch + timedelta(seconds=60 * n)
        end = start + timedelta(seconds=30)
        offline = MachineState(
            state=SystemState.OFFLINE, since=start, outage_start=start
        )
        tracker.track(
            system_id,
            "Flapping",
            "http",
            Step(state=offline, transition=Transition.WENT_OFFLINE),
            Cause.SYSTEM,
            start,
        )
        tracker.prune(start, UTC)  # as every write does
        tracker.track(
            system_id,
            "Flapping",
            "http",
            Step(
                state=MachineState(state=SystemState.ONLINE, since=end),
                transition=Transition.CAME_ONLINE,
                outage_start=start,
            ),
            Cause.SYSTEM,
            end,
        )
        tracker.prune(end, UTC)
    seconds = time.perf_counter() - started
    snapshot = tracker.index.snapshot()
    _, payload = prepare_save_json(
        {"version": 2, "minor_version": 3, "key": "history", "data": snapshot}
    )
    data, dropped = parse_history(snapshot)
    kept = sum(r.duration or 0 for r in data.outages)
    summarised = sum(r.downtime for r in data.rollups)
    if dropped or abs(kept + summarised - drops * 30.0) > 1:
        raise RuntimeError("the year's downtime was not kept")
    return {
        "days": days,
        "drops": drops,
        "bytes": len(payload),
        "records": len(data.outages),
        "rollups": len(data.rollups),
        "flaps_kept": sum(r.flaps for r in data.outages),
        "simulated_s": round(seconds, 1),
    }


def bench_history(report: Any, quick: bool) -> None:
    """The section: pairs in a big history, and a year of flapping's file size."""
    print("history: 20,000 outages; a year of flapping every poll", flush=True)
    results = asyncio.run(_pairs(quick))
    details: dict[str, Any] = {"pairs": results}
    flapping, *others = results
    report.add(
        "history",
        f"offline+online pair, {flapping['history']}: loop time (median)",
        flapping["pair_loop_ms_median"],
        "ms",
        target=PAIR_TARGET_MS,
        note=_note(flapping),
    )
    for result in others:  # not with --quick
        report.add(
            "history",
            f"offline+online pair, {result['history']}: loop time (median)",
            result["pair_loop_ms_median"],
            "ms",
            note=_note(result),
        )
    days = 30 if quick else 365
    year = simulate_flapping(days)
    details["flapping"] = year
    report.details["history"] = details
    report.add(
        "history",
        f"history file after {days} days of flapping every poll",
        year["bytes"] / MIB,
        "MiB",
        target=SIZE_TARGET / MIB,
        note=f"{year['drops']} drops: {year['records']} records, "
        f"{year['flaps_kept']} flaps kept, {year['rollups']} monthly summaries",
    )


def _note(result: dict[str, Any]) -> str:
    return (
        f"{PAIRS} pairs, max {result['pair_loop_ms_max']:.1f} ms, loop lag max "
        f"{result['loop_lag_ms_max']:.0f} ms; setup {result['setup_s']:.2f} s; file "
        f"{result['file_before_bytes'] / MIB:.1f} -> "
        f"{result['file_after_bytes'] / MIB:.2f} MiB"
    )


def empty_history(now: datetime, system_ids: list[str]) -> dict[str, Any]:
    """No outage at all (what a pair costs whatever the history)."""
    return _file(now, system_ids, [], minor=3)


async def _pairs(quick: bool) -> list[dict[str, Any]]:
    results = [
        await measure_pairs(
            "20,000 flapping outages of one system (v2.2 file)",
            flapping_history,
            systems=3,
            flapper=0,
        )
    ]
    if not quick:
        # what the size of the history adds, with many systems: the same pair
        # with 40 systems at their bound, and with no history at all
        results += [
            await measure_pairs(
                "20,000 separate outages of 40 systems",
                separate_history,
                systems=40,
                flapper=7,
            ),
            await measure_pairs(
                "40 systems, no outage on file", empty_history, systems=40, flapper=7
            ),
        ]
    return results
