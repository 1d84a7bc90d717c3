"""Garbage-collector pauses per side: Provider Watch's HTTP systems vs HA's `rest`.

    python -m scripts.devtools.bench_gc [--n 100] [--interval 10] [--window 40]

One in-process Home Assistant, one farm on 127.0.0.1 (as the `rest` section of
scripts/bench). Per side (ours, then rest, then idle): switch it on, let the first
round pass, then over `--window` s: the event-loop lag (a task sleeping 50 ms), every
collection of Python's cyclic garbage collector (generation, duration: gc.callbacks),
then a second window with gc.DEBUG_SAVEALL: what the collector found unreachable,
by type, per request the farm served (garbage made of reference cycles, which only
the collector frees, is what makes it run).
"""

import argparse
import asyncio
from collections import Counter
import gc
import json
from pathlib import Path
import tempfile
import time
from typing import Any, Self

from .bench import Farm, LagProbe, RestSides, percentile
from .benchkit import (
    HOST,
    home_assistant,
    provider_entries,
    system_data,
    wait_for,
    write_artifact,
)


class Collections:
    """Every collection while started: (generation, milliseconds)."""

    def __init__(self) -> None:
        self.done: list[tuple[int, float]] = []
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            ms = (time.perf_counter() - self._start) * 1000
            self.done.append((info["generation"], ms))

    def __enter__(self) -> Self:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self)


async def switch_tcp(hass: Any, entries: list[Any], on: bool) -> None:
    """Provider Watch's TCP systems (port checks against the farm) on or off."""
    for entry in entries:
        if on:
            if entry.entry_id not in {
                e.entry_id for e in hass.config_entries.async_entries(entry.domain)
            }:
                entry.add_to_hass(hass)
            ok = await hass.config_entries.async_setup(entry.entry_id)
        else:
            ok = await hass.config_entries.async_unload(entry.entry_id)
        if not ok:
            raise RuntimeError("a TCP provider entry did not set up / unload")


async def side_figures(
    sides: RestSides, farm: Farm, side: str, window: float, tcp: list[Any]
) -> dict[str, Any]:
    if side == "tcp":
        await switch_tcp(sides.hass, tcp, on=True)
        await asyncio.sleep(sides.n and 12)
    elif side != "idle":
        before = farm.count(side)
        await sides.async_switch(side, on=True)
        if not await wait_for(lambda: farm.count(side) >= before + sides.n, 30):
            raise RuntimeError(f"{side}: the first round did not finish")
    await asyncio.sleep(5)
    gc.collect()
    served = farm.count(side) if side in ("ours", "rest") else 0
    probe = LagProbe()
    cpu0 = time.process_time()
    with Collections() as seen:
        probe.start(window)
        await probe.wait()
    cpu = time.process_time() - cpu0
    requests = (farm.count(side) - served) if side in ("ours", "rest") else 0
    # what the collector frees: reference cycles made meanwhile
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    served2 = farm.count(side) if side in ("ours", "rest") else 0
    await asyncio.sleep(window / 2)
    gc.collect()
    garbage = Counter(type(o).__qualname__ for o in gc.garbage)
    garbage_n = len(gc.garbage)
    gc.set_debug(0)
    gc.garbage.clear()
    gc.collect()
    requests2 = (farm.count(side) - served2) if side in ("ours", "rest") else 0
    if side == "tcp":
        await switch_tcp(sides.hass, tcp, on=False)
    elif side != "idle":
        await sides.async_switch(side, on=False)
    pauses = [ms for _gen, ms in seen.done]
    per = max(requests2, 1)
    return {
        "side": side,
        "requests": requests,
        "cpu_s": round(cpu, 2),
        "lag_ms": {
            "p50": round(percentile(probe.lags, 50), 2),
            "p99": round(percentile(probe.lags, 99), 2),
            "max": round(max(probe.lags), 2),
            "held_p99": round(percentile(probe.held, 99), 2),
            "held_max": round(max(probe.held), 2),
            "host_steal_s": round(probe.steal_s, 2),
        },
        "collections": {
            f"gen{g}": sum(1 for gen, _ in seen.done if gen == g) for g in (0, 1, 2)
        },
        "pauses_over_2ms": sorted(round(p, 1) for p in pauses if p > 2)[::-1][:20],
        "pause_total_ms": round(sum(pauses), 1),
        "cyclic_garbage_per_request": round(garbage_n / per, 1),
        "cyclic_garbage_types_per_request": {
            name: round(count / per, 2) for name, count in garbage.most_common(25)
        },
    }


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    async with Farm(60 + 4 * args.window * 2) as farm:
        with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
            async with home_assistant(Path(tmp)) as hass:
                sides = RestSides(hass, farm, args.n, args.interval, Path(tmp))
                await sides.async_start()
                tcp = provider_entries(
                    [
                        system_data("tcp", host=HOST, port=farm.tcp_port)
                        for _ in range(args.n)
                    ],
                    prefix="tcp",
                )
                for side in args.sides:
                    result = await side_figures(sides, farm, side, args.window, tcp)
                    print(json.dumps(result, indent=1), flush=True)
                    results.append(result)
                await hass.async_stop(force=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--window", type=float, default=40.0)
    parser.add_argument("--sides", default="ours,rest,idle")
    args = parser.parse_args()
    args.sides = args.sides.split(",")
    results = asyncio.run(run(args))
    write_artifact("bench-gc.json", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
