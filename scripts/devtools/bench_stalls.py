"""What holds the event loop at scale: stalls, their stacks, and the collector's pauses.

    python -m scripts.devtools.bench_stalls [--n 1000] [--window 120] [--stall 8]

The scale section's setup (an in-process Home Assistant, N systems: 60 % HTTP, 30 %
TCP, 10 % watched entities, a device farm on 127.0.0.1 in a child process), then over
`--window` s: the event-loop lag (bench.LagProbe), every garbage collection longer
than 2 ms (gc.callbacks), and a watchdog thread that, whenever the loop has not run
for `--stall` ms, samples the main thread's stack every 2 ms until it runs again.
Prints the stalls grouped by the innermost frames of Provider Watch and of Home
Assistant on the sampled stacks.
"""

import argparse
import asyncio
from collections import Counter
import json
from pathlib import Path
import sys
import tempfile
import threading
import time
import traceback
from typing import Any

from .bench import Farm, LagProbe, percentile, scale_warm_up
from .bench_gc import Collections
from .bench_profile import Sampler, show
from .benchkit import (
    POLL,
    home_assistant,
    provider_entries,
    write_artifact,
)


class StallWatch(threading.Thread):
    """Samples the main thread's stack while the event loop has not run for a while."""

    def __init__(self, loop: asyncio.AbstractEventLoop, stall_ms: float) -> None:
        super().__init__(daemon=True)
        self._loop = loop
        self._stall = stall_ms / 1000
        self._beat = time.monotonic()
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self.samples: Counter[str] = Counter()
        self.stalls = 0

    def beat(self) -> None:
        self._beat = time.monotonic()
        if not self._stop.is_set():
            self._loop.call_later(0.002, self.beat)

    def run(self) -> None:
        in_stall = False
        while not self._stop.wait(0.002):
            if time.monotonic() - self._beat < self._stall:
                in_stall = False
                continue
            if not in_stall:
                self.stalls += 1
                in_stall = True
            frame = sys._current_frames().get(self._main)  # noqa: SLF001
            if frame is not None:
                self.samples[where(traceback.extract_stack(frame))] += 1

    def stop(self) -> None:
        self._stop.set()


def where(stack: traceback.StackSummary) -> str:
    """The innermost frames of ours and of Home Assistant's, and the innermost one."""
    ours = next(
        (
            f
            for f in reversed(stack)
            if "custom_components/provider_watch" in f.filename
        ),
        None,
    )
    ha = next(
        (f for f in reversed(stack) if "/homeassistant/" in f.filename),
        None,
    )
    inner = stack[-1]

    def show(frame: traceback.FrameSummary | None) -> str:
        if frame is None:
            return "-"
        name = frame.filename.split("site-packages/")[-1].split("provider_watch/")[-1]
        return f"{name}:{frame.lineno} {frame.name}"

    return f"ours {show(ours)} | ha {show(ha)} | inner {show(inner)}"


async def run(args: argparse.Namespace) -> dict[str, Any]:
    n = args.n
    async with Farm(args.window + 180) as farm:
        with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
            async with home_assistant(Path(tmp)) as hass:
                systems = await scale_warm_up(hass, farm, n)
                for entry in provider_entries(systems):
                    entry.add_to_hass(hass)
                    if not await hass.config_entries.async_setup(entry.entry_id):
                        raise RuntimeError("a provider entry did not set up")
                await asyncio.sleep(POLL + args.settle)
                if args.profile:
                    sampler = Sampler()
                    cpu0 = time.thread_time()
                    sampler.start()
                    await asyncio.sleep(args.window)
                    sampler.stop()
                    cpu = time.thread_time() - cpu0
                    await hass.async_stop(force=True)
                    checks = sum(1 for data in systems if data["kind"] != "entities")
                    per_check = cpu / (checks * args.window / POLL) * 1e6
                    print(f"loop thread {cpu / args.window * 100:.2f} % of a core")
                    show(
                        "own, by package",
                        sampler.own_package,
                        sampler.samples,
                        per_check,
                        args.top,
                    )
                    show(
                        "inclusive",
                        sampler.inclusive,
                        sampler.samples,
                        per_check,
                        args.top,
                    )
                    return {}
                watch = StallWatch(asyncio.get_running_loop(), args.stall)
                watch.beat()
                watch.start()
                probe = LagProbe()
                cpu0 = time.process_time()
                with Collections() as seen:
                    probe.start(args.window)
                    await probe.wait()
                cpu = time.process_time() - cpu0
                watch.stop()
                await hass.async_stop(force=True)
    pauses = sorted((ms for _gen, ms in seen.done), reverse=True)
    return {
        "systems": n,
        "cpu_pct": round(cpu / args.window * 100, 2),
        "held_p99_ms": round(percentile(probe.held, 99), 2),
        "held_max_ms": round(max(probe.held), 1),
        "wall_p99_ms": round(percentile(probe.lags, 99), 2),
        "host_steal_s": round(probe.steal_s, 2),
        "gc_pauses_over_5ms": [round(p, 1) for p in pauses if p > 5][:30],
        "gc_collections": len(pauses),
        "stalls": watch.stalls,
        "stall_samples": watch.samples.most_common(args.top),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--window", type=float, default=120.0)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--stall", type=float, default=8.0)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="a sampling profile of the window instead (bench_profile.Sampler)",
    )
    args = parser.parse_args()
    result = asyncio.run(run(args))
    if not result:
        return 0
    print(json.dumps(result, indent=1))
    write_artifact("bench-stalls.json", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
