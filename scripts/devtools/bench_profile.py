"""Where does the CPU of a probe go? Profile one side of the `rest` comparison.

    python -m scripts.devtools.bench_profile [--side ours|rest] [--mode sample|cprofile]
        [--n 100] [--interval 2] [--seconds 10] [--top 40] [--out FILE]

Same set-up as `bench --only rest` (one HA, the farm on 127.0.0.1): switches one side
on, skips its first rounds, then profiles the event loop's thread for --seconds.

  sample    (default) statistical, on process CPU time: SIGPROF every 0.5 ms of
            CPU (ITIMER_PROF), the Python stack booked at each. Little overhead,
            so the shares are close to the real ones; prints inclusive shares (a
            function and what it calls) and own shares, per function and package.
  cprofile  deterministic, timer = process CPU. Counts calls exactly, but its
            overhead per call (two clock syscalls) inflates code made of many tiny
            calls several times over: use it for call counts, not for shares.
"""

import argparse
import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable
import cProfile
from pathlib import Path
import pstats
import signal
import sys
import tempfile
import time
from types import FrameType
from typing import Any

from .bench import Farm, RestSides
from .benchkit import REPO, home_assistant, wait_for

INTEGRATION = "custom_components/provider_watch/"


def package_of(filename: str) -> str:
    """A coarse owner of a source file: our integration's module, HA, aiohttp, …"""
    if INTEGRATION in filename:
        return "provider_watch/" + filename.split(INTEGRATION, 1)[1]
    if "site-packages/" in filename:
        parts = filename.split("site-packages/", 1)[1].split("/")
        return "/".join(parts[:2]) if parts[0] == "homeassistant" else parts[0]
    if filename.startswith("<") or filename == "~":
        return "builtins"
    return "stdlib/" + Path(filename).name


def where(code: Any) -> str:
    return f"{package_of(code.co_filename)}:{code.co_qualname}"


class Sampler:
    """A statistical profiler on process CPU time: SIGPROF every `period` CPU s.

    The kernel's ITIMER_PROF counts user + system time, so time in system calls
    (socket sends) counts and idle waits do not; the handler runs in the loop's
    thread at the next bytecode, and books the sample on the Python stack there
    (time in C code lands on the Python function that called it).
    """

    def __init__(self, period: float = 0.0005) -> None:
        self.period = period
        self.samples = 0
        self.idle = 0
        self.inclusive: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.own_package: Counter[str] = Counter()
        self._busy = False

    def _take(self, _signum: int, frame: FrameType | None) -> None:
        if self._busy or frame is None:
            return
        self._busy = True
        try:
            code = frame.f_code
            if code.co_name == "select" and code.co_filename.endswith("selectors.py"):
                self.idle += 1  # the loop's own poll call, after it woke up
            self.samples += 1
            self.own[where(code)] += 1
            self.own_package[package_of(code.co_filename)] += 1
            seen = set()
            current: FrameType | None = frame
            while current is not None:
                key = where(current.f_code)
                if key not in seen:
                    seen.add(key)
                    self.inclusive[key] += 1
                current = current.f_back
        finally:
            self._busy = False

    def start(self) -> None:
        self._previous = signal.signal(signal.SIGPROF, self._take)
        signal.setitimer(signal.ITIMER_PROF, self.period, self.period)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, self._previous)


async def run_side(
    args: argparse.Namespace, start: Callable[[], None], stop: Callable[[], None]
) -> tuple[int, float]:
    """Set up, profile between start() and stop(); (probes, loop-thread CPU s)."""
    async with Farm(args.seconds + 120) as farm:
        with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
            async with home_assistant(Path(tmp)) as hass:
                sides = RestSides(hass, farm, args.n, args.interval, Path(tmp))
                await sides.async_start()
                before = farm.count(args.side)
                await sides.async_switch(args.side, on=True)
                if not await wait_for(
                    lambda: farm.count(args.side) >= before + 2 * args.n, 60
                ):
                    raise RuntimeError("the first rounds did not finish")
                counted = farm.count(args.side)
                cpu0 = time.thread_time()
                start()
                await asyncio.sleep(args.seconds)
                stop()
                cpu = time.thread_time() - cpu0
                probes = farm.count(args.side) - counted
                await sides.async_switch(args.side, on=False)
                await hass.async_stop(force=True)
    return probes, cpu


def show(
    title: str, table: Counter[str], total: int, per_probe: float, top: int
) -> None:
    print(f"\n{title} (share of samples, ≈ µs per probe)")
    for key, count in table.most_common(top):
        print(
            f"  {count / total * 100:5.1f} %  {count / total * per_probe:6.0f}  {key}"
        )


def sample(args: argparse.Namespace) -> None:
    sampler = Sampler()
    probes, cpu = asyncio.run(run_side(args, sampler.start, sampler.stop))
    probes = max(1, probes)
    per_probe = cpu / probes * 1e6
    total = max(1, sampler.samples)
    print(
        f"{args.side}: {probes} probes in {args.seconds:g} s; loop thread CPU "
        f"{per_probe:.0f} µs per probe (while sampled); {sampler.samples} samples, "
        f"{sampler.idle} of them in select()"
    )
    show("own, by package", sampler.own_package, total, per_probe, args.top)
    show("inclusive, by function", sampler.inclusive, total, per_probe, args.top)
    show("own, by function", sampler.own, total, per_probe, args.top)


def profile(args: argparse.Namespace) -> None:
    # CPU time, not wall time: the event loop's idle wait is not work
    profiler = cProfile.Profile(time.process_time)
    probes, _cpu = asyncio.run(run_side(args, profiler.enable, profiler.disable))
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    probes = max(1, probes)
    print(f"{args.side}: {probes} probes profiled over {args.seconds:g} s")
    print(f"profiled CPU {total:.3f} s = {total / probes * 1e6:.0f} µs per probe")
    own: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        own[package_of(filename)] += row[2]  # tottime
    print("\nown time per package (share of the profiled CPU)")
    for package, seconds in sorted(own.items(), key=lambda item: -item[1])[:25]:
        print(f"  {seconds / total * 100:5.1f} %  {package}")
    if args.out:
        out = args.out if args.out.is_absolute() else REPO / args.out
        out.parent.mkdir(exist_ok=True)
        stats.dump_stats(out)
        print(f"written {out}")
    stats.strip_dirs()
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", choices=("ours", "rest"), default="ours")
    parser.add_argument("--mode", choices=("sample", "cprofile"), default="sample")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", type=Path, help="cprofile: write the raw pstats")
    args = parser.parse_args()
    if args.mode == "sample":
        sample(args)
    else:
        profile(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
