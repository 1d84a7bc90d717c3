"""Performance benchmark of Provider Watch, on 127.0.0.1 only.

    python -m scripts.devtools.bench [--quick] [--only false_alarms,latency,scale,rest,report]

Sections, in order:
  false_alarms  the pure state machine (no HA) with default settings, 30 days x 100
                systems, 5 % independent probe loss and bursty loss: offline
                transitions per system-month (target <= 1).
  latency       "outage start -> offline" over >= 200 outages at random phases of the
                poll cycle, default settings, simulated clock (pure machine + the
                coordinator's scheduling rule), target p99 <= 60 s.
  scale         an in-process Home Assistant (the real `homeassistant` package) with
                N systems (60 % HTTP, 30 % TCP, 10 % watched entities) against a device
                farm on 127.0.0.1 in a child process: CPU % of one core, event-loop lag,
                memory per system (tracemalloc of a further batch of systems; the RSS
                delta too, informational) and setup time of 100 black-holed systems.
  rest          CPU per HTTP probe, Provider Watch vs HA's own `rest` binary sensor
                (YAML platform form) on the same number of farm endpoints at the same
                interval (200 at 10 s; quick: 200 at 2 s), in phases in one HA
                (per repetition ours and rest back to back, which first
                alternating, then idle; 7 repetitions, quick 5): process CPU of a
                phase minus idle CPU, / requests the farm served for that side;
                the figure is the median of the repetitions' ratios ours/rest
                (target <= 1.0, stretch 0.5). Helpers for the why:
                bench_profile (where a probe's CPU goes), bench_whatif (what a fix
                would save), bench_memory (what a system's memory is made of).
  recorder      HA's real recorder (SQLite, defaults), 20 systems beside 20 `rest`
                sensors: states rows per system per day (target <= 5), per outage
                (<= 50), for adding the 20th system (<= 20); long-term statistics
                rows per system per day (<= 24); bench_recorder.
  report        the HTML report of 400 days with 2,000 outages (pure): time to write it
                (target <= 1 s) and its size (target <= 2 MiB); bench_report.

Prints a table and writes artifacts/bench.json. Exit status: with --quick, non-zero only
when a figure is worse than 2x its target; without --quick, non-zero when a target fails.
Every loop is bounded; everything started is stopped.
"""

import argparse
import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import gc
import itertools
import json
import mmap
import os
from pathlib import Path
import platform
import random
import statistics
import struct
import sys
import tempfile
import time
import traceback
import tracemalloc
from typing import Any, Self

from custom_components.provider_watch.logic.state import (
    MachineState,
    Outcome,
    Thresholds,
    Transition,
    advance,
)
from custom_components.provider_watch.logic.timing import (
    CLOUD_API,
    HOME_NETWORK,
    INTERNET,
    TimingDefaults,
)
from testkit.simulated import BlackHole

from .bench_device import bench_device
from .bench_history import bench_history
from .bench_latency import measure
from .bench_recorder import bench_recorder
from .bench_report import bench_report
from .bench_webhook import bench_webhook
from .benchkit import (
    HOST,
    POLL,
    REPO,
    allow_fast_polling,
    free_port,
    home_assistant,
    http_data,
    internet_entry,
    provider_entries,
    setup_domain,
    system_data,
    wait_for,
)

ARTIFACT = REPO / "artifacts" / "bench.json"

# the product's defaults by where a system is (logic/timing.py, docs/timing.md)
PROFILES: dict[str, TimingDefaults] = {
    "home network": HOME_NETWORK,
    "internet": INTERNET,
}
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Figure:
    """One measured figure and its target (None: informational)."""

    section: str
    name: str
    value: float | None
    unit: str
    target: float | None = None  # upper bound
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        if self.value is None:
            return "FAIL"
        return "PASS" if self.value <= self.target else "FAIL"

    def worse_than_twice(self) -> bool:
        if self.target is None:
            return False
        return self.value is None or self.value > 2 * self.target


@dataclass
class Report:
    quick: bool
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, *args: Any, **kwargs: Any) -> None:
        figure = Figure(*args, **kwargs)
        self.figures.append(figure)
        shown = "—" if figure.value is None else f"{figure.value:.3g}"
        print(f"  {figure.name}: {shown} {figure.unit} {figure.verdict}", flush=True)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# --- 1. false alarms (pure logic) ---------------------------------------------------


def loss_independent(rng: random.Random, p: float) -> Callable[[], bool]:
    return lambda: rng.random() < p


def loss_bursty(rng: random.Random, start_p: float) -> Callable[[], bool]:
    """2 % of probes start a burst of 1-3 lost probes (that one included)."""
    remaining = 0

    def lost() -> bool:
        nonlocal remaining
        if remaining > 0:
            remaining -= 1
            return True
        if rng.random() < start_p:
            remaining = rng.randint(1, 3) - 1
            return True
        return False

    return lost


def thresholds(timing: TimingDefaults) -> Thresholds:
    return Thresholds(
        failures_before_offline=timing.failures_before_offline,
        successes_before_online=timing.successes_before_online,
    )


def simulate_system(
    lost: Callable[[], bool], seconds: float, phase: float, timing: TimingDefaults
) -> int:
    """Drive one system's machine with the coordinator's scheduling rule.

    Next probe after the poll interval, or after the retry interval while suspect;
    probes take no time. Returns the number of WENT_OFFLINE transitions.
    """
    machine = MachineState()
    limits = thresholds(timing)
    t = phase
    offline = 0
    while t < seconds:
        outcome = Outcome.DOWN if lost() else Outcome.UP
        step = advance(machine, outcome, EPOCH + timedelta(seconds=t), limits, "lost")
        machine = step.state
        if step.transition is Transition.WENT_OFFLINE:
            offline += 1
        t += timing.retry_interval if machine.is_suspect else timing.poll_interval
    return offline


def bench_false_alarms(report: Report, quick: bool) -> None:
    print("false alarms (pure state machine, no HA)", flush=True)
    systems = 100
    days = 3 if quick else 30
    seconds = days * 86400
    months = systems * days / 30
    for (profile, timing), (label, make) in itertools.product(
        PROFILES.items(),
        (
            ("independent 5 % loss", lambda rng: loss_independent(rng, 0.05)),
            (
                "bursty loss (2 % start a burst of 1-3)",
                lambda rng: loss_bursty(rng, 0.02),
            ),
        ),
    ):
        started = time.perf_counter()
        rng = random.Random(8_2026)
        total = 0
        per_system = []
        for _ in range(systems):
            phase = rng.uniform(0, timing.poll_interval)
            n = simulate_system(make(rng), seconds, phase, timing)
            per_system.append(n)
            total += n
        rate = total / months
        label = f"{profile} defaults, {label}"  # noqa: PLW2901
        report.details.setdefault("false_alarms", {})[label] = {
            "systems": systems,
            "days": days,
            "offline_transitions": total,
            "per_system_month": rate,
            "max_per_system": max(per_system),
            "seconds": round(time.perf_counter() - started, 1),
            "pure_logic": True,
        }
        report.add(
            "false alarms",
            f"{label}: offline per system-month",
            rate,
            "",
            target=1.0,
            note=f"pure logic; {systems} systems x {days} days, {total} offline",
        )


# --- 2. detection latency (simulated clock) ----------------------------------------


def outage_latency(rng: random.Random, timing: TimingDefaults) -> float:
    """One outage at a random phase of the poll cycle: start -> offline, seconds.

    The system has been online for a while; from the outage on every probe fails
    at once (connection refused: a probe takes ~0 s).
    """
    machine = MachineState()
    limits = thresholds(timing)
    t = 0.0
    poll = timing.poll_interval
    outage = 10 * poll + rng.uniform(0, poll)  # any phase of the cycle
    while t < outage + 600:  # bounded
        down = t >= outage
        step = advance(
            machine,
            Outcome.DOWN if down else Outcome.UP,
            EPOCH + timedelta(seconds=t),
            limits,
            "connection refused" if down else None,
        )
        machine = step.state
        if step.transition is Transition.WENT_OFFLINE:
            return t - outage
        t += timing.retry_interval if machine.is_suspect else poll
    raise RuntimeError("no offline within 600 s")


def bench_latency(report: Report, quick: bool) -> None:
    print("detection latency (pure machine + scheduling rule, exact clock)", flush=True)
    n = 200 if quick else 2000
    for profile, timing in PROFILES.items():
        rng = random.Random(8_0060)
        values = [outage_latency(rng, timing) for _ in range(n)]
        summary = {
            "outages": n,
            "p50": percentile(values, 50),
            "p99": percentile(values, 99),
            "max": max(values),
            "mean": statistics.fmean(values),
            "simulated_clock": True,
            "timing": timing._asdict(),
        }
        report.details.setdefault("latency_simulated", {})[profile] = summary
        name = f"simulated outage -> offline, {profile} defaults"
        report.add("latency", f"{name} p50", summary["p50"], "s")
        report.add(
            "latency",
            f"{name} p99",
            summary["p99"],
            "s",
            # devices on the home network: 30 s; anything else: 60 s, as before
            target=30.0 if timing is HOME_NETWORK else 60.0,
            note=f"{n} outages, refused connections, every {timing.poll_interval} s, "
            f"{timing.failures_before_offline} failures {timing.retry_interval} s apart",
        )
        report.add("latency", f"{name} max", summary["max"], "s")
    # a provider's cloud API at its defaults: requests an hour (steady state)
    from custom_components.provider_watch.monitoring.provider_status import (  # noqa: PLC0415
        STATUS_PAGE_INTERVAL,
    )

    per_system = 3600 / CLOUD_API.poll_interval
    status_page = 3600 / STATUS_PAGE_INTERVAL.total_seconds()
    report.details["cloud_requests_per_hour"] = {
        "per_cloud_system": per_system,
        "status_page": status_page,
        "note": "steady state at the defaults; a failed check adds "
        f"{CLOUD_API.failures_before_offline - 1} re-checks; Retry-After is honoured",
    }
    report.add(
        "latency",
        "cloud API requests per provider per hour (1 system + status page)",
        per_system + status_page,
        "/h",
        note=f"{per_system:g} per cloud system (every {CLOUD_API.poll_interval} s) "
        f"+ {status_page:g} for the status page",
    )


# --- the device farm (a child process, so its CPU is not counted) -------------------


# Per-prefix request counters the farm shares with the bench through a small file
# (mmap): read without a request, so reading them costs the measured process nothing.
COUNTER_SLOTS = ("ours", "rest", "device")
_COUNTER = struct.Struct("<q")


def _counter_slot(path: str) -> int:
    """/ours/3 -> 0, /rest/3 -> 1, anything else -> the last slot."""
    prefix = path.lstrip("/").partition("/")[0]
    try:
        return COUNTER_SLOTS.index(prefix)
    except ValueError:
        return len(COUNTER_SLOTS) - 1


async def _farm(http_port: int, tcp_port: int, seconds: float, counters: str) -> None:
    from aiohttp import web  # noqa: PLC0415

    with Path(counters).open("r+b") as file:  # noqa: ASYNC230 - before serving
        shared = mmap.mmap(file.fileno(), _COUNTER.size * len(COUNTER_SLOTS))
    totals = [0] * len(COUNTER_SLOTS)

    async def ok(request: web.Request) -> web.Response:
        slot = _counter_slot(request.path)
        totals[slot] += 1
        _COUNTER.pack_into(shared, slot * _COUNTER.size, totals[slot])
        return web.Response(text="system OK")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", ok)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, HOST, http_port, backlog=1024).start()

    async def accept(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    tcp = await asyncio.start_server(accept, HOST, tcp_port, backlog=1024)
    print("ready", flush=True)
    # bounded: stops by itself, or when the parent closes our stdin
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stdin_closed, seconds)
    tcp.close()
    await runner.cleanup()
    shared.close()


class Farm:
    """aiohttp HTTP endpoints and a TCP acceptor on 127.0.0.1, in a child process.

    HTTP requests are counted per first path segment (COUNTER_SLOTS): `count()`.
    """

    def __init__(self, seconds: float) -> None:
        self.http_port = free_port()
        self.tcp_port = free_port()
        self._seconds = seconds
        self._proc: asyncio.subprocess.Process | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="pw-farm-")
        path = Path(self._dir.name) / "counters"
        path.write_bytes(bytes(_COUNTER.size * len(COUNTER_SLOTS)))
        self._counter_path = path
        self._counters: mmap.mmap | None = None

    async def __aenter__(self) -> Self:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "scripts.devtools.bench",
            "--farm",
            f"{self.http_port},{self.tcp_port},{self._seconds},{self._counter_path}",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO,
        )
        assert self._proc.stdout is not None
        line = await asyncio.wait_for(self._proc.stdout.readline(), 30)
        if line.strip() != b"ready":
            raise RuntimeError("the device farm did not start")
        with self._counter_path.open("r+b") as file:
            self._counters = mmap.mmap(
                file.fileno(), _COUNTER.size * len(COUNTER_SLOTS)
            )
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                await asyncio.wait_for(self._proc.wait(), 10)
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()
        if self._counters is not None:
            self._counters.close()
        self._dir.cleanup()

    def url(self, i: int, prefix: str = "device") -> str:
        return f"http://{HOST}:{self.http_port}/{prefix}/{i}"

    def count(self, prefix: str) -> int:
        """HTTP requests served so far whose path starts with /prefix/."""
        assert self._counters is not None
        slot = _counter_slot(f"/{prefix}/")
        return int(_COUNTER.unpack_from(self._counters, slot * _COUNTER.size)[0])


# --- 3. scale (the in-process Home Assistant: benchkit.py) -------------------------


def rss_bytes() -> int:
    with Path("/proc/self/statm").open(encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class LagProbe:
    """Measures how late the event loop wakes a task that sleeps `period` s.

    Two figures per sample: the wall-clock lateness (`lags`), and the part of it
    the process itself held the loop for (`held`). This machine is a virtual machine
    whose host takes its CPUs away now and then (steal time, /proc/stat): a task
    then wakes late although nothing ran in the loop. `held` is the main thread's
    CPU time (which steal time is not part of) from the start of the last callback
    that began before the task was due until the task ran, at most the lateness: a
    callback or a garbage collection that holds the loop counts in full, a moment
    the host took the CPU away does not. While it runs, every callback of the loop
    notes its start (`asyncio.Handle._run` wrapped: ~1 µs a callback).
    """

    def __init__(self, period: float = 0.05) -> None:
        self.period = period
        self.lags: list[float] = []
        self.held: list[float] = []
        self.steal_s = 0.0
        self._task: asyncio.Task[None] | None = None
        self._marks: list[tuple[float, float]] = []  # (monotonic, thread CPU)

    async def _run(self, until: float) -> None:
        loop = asyncio.get_running_loop()
        steal0 = steal_seconds()
        marks = self._marks
        original = asyncio.Handle._run  # noqa: SLF001

        def noted(handle: asyncio.Handle) -> None:
            marks.append((time.monotonic(), time.thread_time()))
            original(handle)

        asyncio.Handle._run = noted  # type: ignore[method-assign,assignment]  # noqa: SLF001
        try:
            while loop.time() < until:
                expected = loop.time() + self.period
                marks.clear()
                await asyncio.sleep(self.period)
                now, cpu = loop.time(), time.thread_time()
                late = max(0.0, now - expected) * 1000
                self.lags.append(late)
                # the CPU time since the last callback that started before `expected`
                since = next(
                    (c for t, c in reversed(marks) if t <= expected), marks[0][1]
                )
                self.held.append(min(late, (cpu - since) * 1000))
        finally:
            asyncio.Handle._run = original  # type: ignore[method-assign,assignment]  # noqa: SLF001
        self.steal_s = steal_seconds() - steal0

    def start(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run(loop.time() + seconds))

    async def wait(self) -> None:
        if self._task is not None:
            await self._task


def steal_seconds() -> float:
    """CPU time the host took from this virtual machine since boot (all CPUs)."""
    try:
        with Path("/proc/stat").open(encoding="ascii") as stat:
            fields = stat.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except OSError, IndexError, ValueError:
        return 0.0


async def bench_blackholed_setup(report: Report) -> None:
    """100 systems whose endpoint accepts no connection: how long does setup take."""
    hole = BlackHole()
    try:
        with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
            async with home_assistant(Path(tmp)) as hass:
                url = f"http://{HOST}:{hole.port}/status"
                internet_entry(f"{HOST}:{hole.port}").add_to_hass(hass)
                for entry in provider_entries([http_data(url) for _ in range(100)]):
                    entry.add_to_hass(hass)
                started = time.perf_counter()
                await setup_domain(hass)
                elapsed = time.perf_counter() - started
                await hass.async_stop(force=True)
    finally:
        hole.close()
    report.details["blackholed_setup_s"] = elapsed
    report.add(
        "scale",
        "setup of 100 black-holed systems",
        elapsed,
        "s",
        target=1.0,
        note="async_setup_component with every endpoint's accept queue full",
    )


async def traced_memory_per_system(
    hass: Any, farm: Farm, systems: list[dict[str, Any]]
) -> dict[str, Any]:
    """Python memory still allocated after adding `systems` (tracemalloc).

    Set up as a further batch of providers in a running HA, traced from just before
    their config entries are built until their first probe round is done; what is
    still allocated then, / systems. Unlike an RSS delta this does not depend on
    whether the allocator had free arenas left over, nor count the allocator's
    slack. One frame per allocation: by top-level package of the allocating line.
    Not included: what grows later, e.g. the probe log (up to 20 entries, ~3 KiB).
    """
    from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE  # noqa: PLC0415
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    n = len(systems)
    n_http = sum(1 for data in systems if data.get("kind") == "http")
    gc.collect()
    states_before = len(hass.states.async_all())
    served = farm.count("device")
    tracemalloc.start(1)
    try:
        entries = provider_entries(systems, prefix="traced")
        for entry in entries:
            entry.add_to_hass(hass)
            if not await hass.config_entries.async_setup(entry.entry_id):
                raise RuntimeError("a provider entry did not set up")
        if not await wait_for(lambda: farm.count("device") >= served + n_http, 30):
            raise RuntimeError("the first probe round of the traced batch timed out")
        # Pending delayed saves written now (HA's final-write event): the registries
        # keep each entry's stored JSON cached from their first save on (~1 KiB an
        # entity), which an RSS figure taken later would include too.
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await asyncio.sleep(1)
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0]
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    by_package: dict[str, int] = {}
    for stat in snapshot.statistics("filename"):
        package = _package_of(stat.traceback[0].filename)
        by_package[package] = by_package.get(package, 0) + stat.size
    registry = er.async_get(hass)
    entities = sum(
        len(er.async_entries_for_config_entry(registry, entry.entry_id))
        for entry in entries
    )
    ours = [
        e
        for entry in entries
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
    ]
    return {
        "systems": n,
        "disabled_per_system": sum(1 for e in ours if e.disabled_by) / n,
        "bytes_per_system": traced / n,
        "bytes_per_system_by_package": {
            package: round(size / n)
            for package, size in sorted(by_package.items(), key=lambda i: -i[1])
        },
        "entities_per_system": entities / n,
        "states_per_system": (len(hass.states.async_all()) - states_before) / n,
    }


async def traced_memory_rest(hass: Any, farm: Farm, n: int, config: Path) -> float:
    """Bytes per `rest` binary sensor, traced as traced_memory_per_system traces ours.

    YAML sensors (configuration.yaml + `rest.reload`, as the `rest` section sets them
    up: no registry entries); a reload of two sensors first pays the one-time costs.
    """
    from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    yaml = config / "configuration.yaml"
    urls = [farm.url(i, "rest") for i in range(n)]

    async def reload(text: str) -> None:
        yaml.write_text(text)
        await hass.services.async_call("rest", "reload", blocking=True)

    for domain in ("binary_sensor", "rest"):
        if not await async_setup_component(hass, domain, {}):
            raise RuntimeError(f"{domain} did not set up")
    await reload(rest_yaml(urls[:2], POLL))
    await reload("{}\n")
    gc.collect()
    served = farm.count("rest")
    tracemalloc.start(1)
    try:
        await reload(rest_yaml(urls, POLL))
        if not await wait_for(lambda: farm.count("rest") >= served + n, 30):
            raise RuntimeError("the first round of the rest sensors timed out")
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await asyncio.sleep(1)
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    await reload("{}\n")
    return traced / n


def _package_of(filename: str) -> str:
    if "custom_components/provider_watch" in filename:
        return "provider_watch"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    return "stdlib/other"


async def scale_warm_up(hass: Any, farm: Farm, n: int) -> list[dict[str, Any]]:
    """The scale section's mix of n systems (not set up yet), after a warm-up.

    60 % HTTP and 30 % TCP systems against the farm, 10 % watched entities; the
    internet check and a warm-up provider with one system of each kind (it pays the
    one-time costs: imports, platforms, the shared HTTP session) are set up.
    """
    n_http, n_tcp = n * 6 // 10, n * 3 // 10
    n_ent = n - n_http - n_tcp
    for i in range(n_ent):
        hass.states.async_set(f"sensor.bench_device_{i}", "ok")
    systems = [http_data(farm.url(i)) for i in range(n_http)]
    systems += [system_data("tcp", host=HOST, port=farm.tcp_port) for _ in range(n_tcp)]
    systems += [
        system_data(
            "entities",
            entities=[f"sensor.bench_device_{i}"],
            grace=300,
            max_silence=0,
        )
        for i in range(n_ent)
    ]
    internet_entry(f"{HOST}:{farm.tcp_port}").add_to_hass(hass)
    warm = [systems[0], systems[n_http], systems[-1]]
    provider_entries(warm, prefix="warm")[0].add_to_hass(hass)
    await setup_domain(hass)
    return systems


async def bench_scale(report: Report, quick: bool) -> None:
    n = 100 if quick else 1000
    seconds = 50.0 if quick else 300.0  # the lag window
    cpu_seconds = 40.0 if quick else 300.0  # the CPU window before it
    print(f"scale: in-process Home Assistant, {n} systems, {seconds:.0f} s", flush=True)
    n_http, n_tcp = n * 6 // 10, n * 3 // 10
    n_ent = n - n_http - n_tcp
    async with Farm(cpu_seconds + seconds + 120) as farm:
        with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
            async with home_assistant(Path(tmp)) as hass:
                systems = await scale_warm_up(hass, farm, n)
                await asyncio.sleep(3)
                rss_before = rss_bytes()
                started = time.perf_counter()
                for entry in provider_entries(systems):
                    entry.add_to_hass(hass)
                    if not await hass.config_entries.async_setup(entry.entry_id):
                        raise RuntimeError("a provider entry did not set up")
                setup_s = time.perf_counter() - started
                # let the first round of probes finish, then measure steady state
                await asyncio.sleep(10.0 if quick else POLL + 5)
                rss_after = rss_bytes()
                loaded = sum(
                    1 for e in hass.config_entries.async_entries("provider_watch")
                )
                # CPU first, with nothing of the benchmark's own in the loop; then
                # the lag (its probe wraps every callback of the loop)
                cpu0, wall0 = time.process_time(), time.perf_counter()
                steal0 = steal_seconds()
                await asyncio.sleep(cpu_seconds)
                cpu = time.process_time() - cpu0
                wall = time.perf_counter() - wall0
                cpu_window_steal = steal_seconds() - steal0
                probe = LagProbe()
                probe.start(seconds)
                await probe.wait()
                states = [
                    hass.states.get(e)
                    for e in hass.states.async_entity_ids("binary_sensor")
                ]
                online = sum(1 for s in states if s is not None and s.state == "on")
                # after the CPU window: tracing slows everything down
                # the same mix: every 2nd (quick) or 5th system once more
                traced = await traced_memory_per_system(
                    hass, farm, systems[:: 2 if quick else 5]
                )
                rest_bytes = await traced_memory_rest(
                    hass, farm, traced["systems"], Path(tmp)
                )
                await hass.async_stop(force=True)
    cpu_pct = cpu / wall * 100
    lags = probe.lags
    per_system_kib = (rss_after - rss_before) / n / 1024
    report.details["scale"] = {
        "systems": n,
        "http": n_http,
        "tcp": n_tcp,
        "entities": n_ent,
        "entries_loaded": loaded,
        "measured_seconds": round(wall, 1),
        "cpu_window_host_steal_s": round(cpu_window_steal, 2),
        "cpu_seconds": round(cpu, 2),
        "cpu_pct_one_core": cpu_pct,
        "lag_ms": {
            "p50": percentile(lags, 50),
            "p99": percentile(lags, 99),
            "max": max(lags),
            "samples": len(lags),
            "held_p50": percentile(probe.held, 50),
            "held_p99": percentile(probe.held, 99),
            "held_max": max(probe.held),
            "host_steal_s": round(probe.steal_s, 2),
        },
        "rss_delta_bytes": rss_after - rss_before,
        "traced_memory": traced,
        "setup_seconds": setup_s,
        "binary_sensors_on_at_end": online,
    }
    report.add("scale", f"setup of {n} systems (endpoints up)", setup_s, "s")
    report.add(
        "scale",
        f"CPU % of one core, {n} systems",
        cpu_pct,
        "%",
        target=3.0,
        note=f"process CPU / wall over {wall:.0f} s (the host took "
        f"{cpu_window_steal:.1f} CPU-s of {(os.cpu_count() or 1) * wall:.0f} meanwhile)",
    )
    held = probe.held
    report.add(
        "scale",
        "event-loop lag p50 / p99 / max, held by the process",
        percentile(held, 99),
        "ms",
        target=5.0,
        note=f"p99; p50 {percentile(held, 50):.2f}, max {max(held):.1f} ms: a task "
        "sleeping 50 ms, its lateness up to the main thread's CPU time meanwhile",
    )
    report.add(
        "scale",
        "event-loop lag p99, wall clock (the host's steal time included)",
        percentile(lags, 99),
        "ms",
        note=f"p50 {percentile(lags, 50):.2f}, max {max(lags):.1f} ms; the host "
        f"took {probe.steal_s:.1f} CPU-s of {(os.cpu_count() or 1) * seconds:.0f} "
        "from this VM meanwhile",
    )
    own = traced["bytes_per_system_by_package"].get("provider_watch", 0)
    report.add(
        "scale",
        "own memory per system (tracemalloc, Provider Watch's code)",
        own / 1024,
        "KiB",
        target=10.0,
        note="what Provider Watch's own code allocated and still holds after "
        f"{traced['systems']} more systems (same mix) and their first probe round, "
        "/ systems; not Home Assistant's registry, state and platform objects for "
        "the entities",
    )
    report.add(
        "scale",
        "memory per system (tracemalloc, all)",
        traced["bytes_per_system"] / 1024,
        "KiB",
        note=f"everything, Home Assistant's share for the "
        f"{traced['entities_per_system']:.1f} entities per system included",
    )
    report.details["scale"]["rest_bytes_per_sensor"] = rest_bytes
    report.add(
        "scale",
        "memory per HA rest binary sensor (tracemalloc, all), same run",
        rest_bytes / 1024,
        "KiB",
        note=f"{traced['systems']} YAML rest sensors added with rest.reload, traced "
        "as ours until their first update; one entity, no registry entry",
    )
    report.add(
        "scale",
        "memory per system (RSS delta)",
        per_system_kib,
        "KiB",
        note="informational (allocator-dependent): RSS after setup + first probe "
        "round minus before (after a warm-up provider), / systems",
    )
    report.add(
        "scale",
        "entities per system",
        traced["entities_per_system"],
        "",
        note=f"{traced['disabled_per_system']:.1f} of them disabled by default",
    )


def rest_yaml(urls: list[str], interval: float) -> str:
    """configuration.yaml with one `rest` binary sensor per URL (JSON is YAML)."""
    sensors = [
        {
            "platform": "rest",
            "resource": url,
            "name": f"rest bench {i}",
            "scan_interval": interval,
        }
        for i, url in enumerate(urls)
    ]
    return json.dumps({"binary_sensor": sensors}) + "\n"


class RestSides:
    """Switches Provider Watch's HTTP systems or the `rest` sensors on and off.

    Ours: config entries set up / unloaded. Rest: configuration.yaml rewritten and
    the `rest.reload` action, HA's own way to add and remove YAML rest sensors.
    """

    def __init__(
        self, hass: Any, farm: Farm, n: int, interval: float, config: Path
    ) -> None:
        from custom_components.provider_watch.const import (  # noqa: PLC0415
            CONF_POLL_INTERVAL,
        )

        allow_fast_polling(interval)
        self.hass = hass
        self.n = n
        self._yaml = config / "configuration.yaml"
        self._rest_yaml = rest_yaml([farm.url(i, "rest") for i in range(n)], interval)
        systems = [
            http_data(farm.url(i, "ours")) | {CONF_POLL_INTERVAL: interval}
            for i in range(n)
        ]
        self.entries = provider_entries(systems)

    async def async_start(self) -> None:
        from homeassistant.setup import async_setup_component  # noqa: PLC0415

        self._yaml.write_text("{}\n")
        for domain in ("binary_sensor", "rest", "provider_watch"):
            if not await async_setup_component(self.hass, domain, {}):
                raise RuntimeError(f"{domain} did not set up")
        for entry in self.entries:
            entry.add_to_hass(self.hass)

    async def async_switch(self, side: str, on: bool) -> None:
        if side == "ours":
            for entry in self.entries:
                if on:
                    ok = await self.hass.config_entries.async_setup(entry.entry_id)
                else:
                    ok = await self.hass.config_entries.async_unload(entry.entry_id)
                if not ok:
                    raise RuntimeError("a provider entry did not set up / unload")
        elif side == "rest":
            self._yaml.write_text(self._rest_yaml if on else "{}\n")
            await self.hass.services.async_call("rest", "reload", blocking=True)
            entities = len(self.hass.states.async_entity_ids("binary_sensor"))
            if on and entities < self.n:
                raise RuntimeError(f"only {entities} rest binary sensors set up")


async def rest_phase(
    sides: RestSides, farm: Farm, side: str, interval: float, window: float
) -> dict[str, Any]:
    """Switch one side on, let its first round pass, measure `window` s, switch off."""
    started = time.perf_counter()
    if side != "idle":
        before = farm.count(side)
        await sides.async_switch(side, on=True)
        # the first round (new connections, first state writes) is not measured
        if not await wait_for(lambda: farm.count(side) >= before + sides.n, 30):
            raise RuntimeError(f"{side}: the first round of probes did not finish")
    settled = time.perf_counter() - started
    await asyncio.sleep(interval / 4)
    gc.collect()
    counts0 = {p: farm.count(p) for p in ("ours", "rest")}
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(window)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    counts = {p: farm.count(p) - counts0[p] for p in ("ours", "rest")}
    off = time.perf_counter()
    if side != "idle":
        await sides.async_switch(side, on=False)
    return {
        "side": side,
        "cpu_s": cpu,
        "wall_s": wall,
        "requests": counts,
        "switch_on_and_first_round_s": round(settled, 2),
        "switch_off_s": round(time.perf_counter() - off, 2),
    }


async def bench_rest(report: Report, quick: bool) -> None:
    """CPU per HTTP probe: Provider Watch vs HA's `rest` binary sensor.

    One Home Assistant, one farm; phases alternate ours / rest / idle (nothing
    polling), rotating which side goes first. A phase switches its side on, skips
    the first round, then measures process CPU over a whole number of intervals
    (so a burst cut at the start is matched by one cut at the end) and counts the
    requests the farm served for that side. CPU per probe = (phase CPU - idle CPU
    rate x window) / requests.
    """
    # quick: a 2 s interval (the product's minimum is 10 s) to fit ~30 s in all
    n, interval, intervals, reps = (200, 2.0, 2, 5) if quick else (200, 10.0, 2, 7)
    window = interval * intervals
    print(
        f"rest: {n} endpoints each, every {interval:g} s, {reps} x "
        f"{window:g} s per side",
        flush=True,
    )
    phases: list[dict[str, Any]] = []
    async with Farm(reps * 3 * (window + 30) + 120) as farm:
        with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
            async with home_assistant(Path(tmp)) as hass:
                sides = RestSides(hass, farm, n, interval, Path(tmp))
                await sides.async_start()
                for rep in range(reps):
                    # ours and rest back to back, which goes first alternating
                    order = ("ours", "rest") if rep % 2 == 0 else ("rest", "ours")
                    order += ("idle",)
                    for side in order:
                        # idle CPU is tiny: one interval of it is enough
                        span = interval if side == "idle" else window
                        phase = await rest_phase(sides, farm, side, interval, span)
                        phases.append(phase)
                await hass.async_stop(force=True)
    idle_rate = statistics.median(
        p["cpu_s"] / p["wall_s"] for p in phases if p["side"] == "idle"
    )
    per_probe: dict[str, list[float]] = {"ours": [], "rest": []}
    leaks = 0
    for p in phases:
        if p["side"] == "idle":
            leaks += sum(p["requests"].values())
            continue
        other = "rest" if p["side"] == "ours" else "ours"
        leaks += p["requests"][other]
        served = p["requests"][p["side"]]
        if not served:
            raise RuntimeError(f"{p['side']}: no request served in a phase")
        p["us_per_probe_raw"] = p["cpu_s"] / served * 1e6
        p["us_per_probe"] = (p["cpu_s"] - idle_rate * p["wall_s"]) / served * 1e6
        per_probe[p["side"]].append(p["us_per_probe"])
    ours = statistics.median(per_probe["ours"])
    rest = statistics.median(per_probe["rest"])
    # Other load on a shared machine inflates CPU time by up to 2x for minutes at a
    # time (a rest phase alone varied 209-371 µs in one run). Each repetition's two
    # phases are back to back, so the ratio within a repetition cancels that drift;
    # the figure is the median of those ratios. The ratio of the medians and of the
    # least disturbed phases are kept as cross-checks.
    paired = [o / r for o, r in zip(per_probe["ours"], per_probe["rest"], strict=True)]
    ratio = statistics.median(paired)
    report.details["rest"] = {
        "method": "one HA; phases ours / rest / idle rotating; a side is switched on "
        "(ours: config entries set up, rest: configuration.yaml + rest.reload), its "
        "first round skipped, then process CPU over whole intervals; per probe = "
        "(CPU - idle CPU rate x window) / requests the farm served for that side",
        "endpoints_per_side": n,
        "interval_s": interval,
        "window_s": window,
        "repetitions": reps,
        "idle_cpu_pct_one_core": idle_rate * 100,
        "ours_us_per_probe": per_probe["ours"],
        "rest_us_per_probe": per_probe["rest"],
        "ratio_per_repetition": paired,
        "ratio_of_medians": ours / rest,
        "ratio_of_minimums": min(per_probe["ours"]) / min(per_probe["rest"]),
        "requests_of_the_other_side_during_a_phase": leaks,
        "phases": phases,
    }
    setting = f"{n} endpoints, {interval:g} s interval, median of {reps}"
    report.add("rest", "CPU per HTTP probe, Provider Watch", ours, "µs", note=setting)
    report.add("rest", "CPU per HTTP probe, HA rest", rest, "µs", note=setting)
    report.add(
        "rest",
        "CPU per HTTP probe, ours / rest",
        ratio,
        "",
        target=1.0,
        note=f"median of {reps} repetitions' ratios (each: back-to-back phases in one "
        f"HA, idle CPU subtracted; {min(paired):.2f}-{max(paired):.2f}); ratio of the "
        f"medians {ours / rest:.2f}; stretch: 0.5"
        + (f"; {leaks} requests of the other side during phases" if leaks else ""),
    )


# --- main ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from homeassistant.const import __version__ as ha_version  # noqa: PLC0415

    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "home_assistant": ha_version,
        "platform": platform.platform(),
    }


def print_table(report: Report, info: dict[str, Any]) -> None:
    print()
    print(
        f"machine: {info['cores']} cores, Python {info['python']}, "
        f"Home Assistant {info['home_assistant']}"
        + (" (quick run)" if report.quick else "")
    )
    rows = [("section", "figure", "value", "target", "verdict")]
    for f in report.figures:
        value = "—" if f.value is None else f"{f.value:.3g} {f.unit}".strip()
        target = "" if f.target is None else f"≤ {f.target:g} {f.unit}".strip()
        rows.append((f.section, f.name, value, target, f.verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for n, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


SECTIONS = (
    "false_alarms",
    "latency",
    "scale",
    "rest",
    "recorder",
    "webhook",
    "device",
    "report",
    "history",
)
DEFAULT_SECTIONS = SECTIONS


async def bench_latency_ha(report: Report, quick: bool) -> None:
    """Outage -> offline event -> push, in a real Home Assistant, in real time."""
    if quick:  # it takes about 2 minutes of wall time whatever N is
        report.details["latency_real"] = "skipped by --quick"
        return
    n = 200
    print(f"detection latency: real Home Assistant, {n} outages, real time", flush=True)
    result = await measure(n)
    summary: dict[str, Any] = {"outages": n, "real_time": True}
    for key, label in (("to_event", "offline event"), ("to_push", "push at the relay")):
        values: list[float] = result[key]
        seen = len(values)
        summary[key] = {
            "seen": seen,
            "p50": percentile(values, 50) if values else None,
            "p99": percentile(values, 99) if values else None,
            "max": max(values) if values else None,
        }
        # an outage never announced counts as a miss: no figure, FAIL
        p99 = summary[key]["p99"] if seen == n else None
        report.add(
            "latency", f"real HA: outage -> {label} p50", summary[key]["p50"], "s"
        )
        report.add(
            "latency",
            f"real HA: outage -> {label} p99",
            p99,
            "s",
            target=30.0,
            note=f"{seen}/{n} outages seen; HTTP 503 at random phases, defaults "
            "(127.0.0.1: the home network's)",
        )
        report.add(
            "latency", f"real HA: outage -> {label} max", summary[key]["max"], "s"
        )
    report.details["latency_real"] = summary


async def run_ha_sections(report: Report, quick: bool, only: set[str]) -> None:
    if "latency" in only:
        await bench_latency_ha(report, quick)
    if "scale" in only:
        await bench_blackholed_setup(report)
        await bench_scale(report, quick)
    if "rest" in only:
        await bench_rest(report, quick)
    if "recorder" in only:
        await bench_recorder(report, quick)
    if "webhook" in only:
        await bench_webhook(report, quick)
    if "device" in only:  # bench_device.py (issue 16)
        await bench_device(report, quick)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced run (< 2 min)")
    parser.add_argument("--only", default=",".join(DEFAULT_SECTIONS))
    parser.add_argument("--farm", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.farm:
        http_port, tcp_port, seconds, counters = args.farm.split(",", 3)
        asyncio.run(_farm(int(http_port), int(tcp_port), float(seconds), counters))
        return 0
    only = set(args.only.split(","))
    report = Report(quick=args.quick)
    info = machine()
    started = time.perf_counter()
    if "false_alarms" in only:
        bench_false_alarms(report, args.quick)
    if "latency" in only:
        bench_latency(report, args.quick)
    if only & {"latency", "scale", "rest", "recorder", "webhook", "device"}:
        asyncio.run(run_ha_sections(report, args.quick, only))
    bench_report(report, args.quick, only)
    if "history" in only:  # bench_history.py (issue 15)
        bench_history(report, args.quick)
    print_table(report, info)
    elapsed = time.perf_counter() - started
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(
        json.dumps(
            {
                "quick": args.quick,
                "machine": info,
                "seconds": round(elapsed, 1),
                "figures": [
                    {
                        "section": f.section,
                        "name": f.name,
                        "value": f.value,
                        "unit": f.unit,
                        "target": f.target,
                        "verdict": f.verdict,
                        "note": f.note,
                    }
                    for f in report.figures
                ],
                "details": report.details,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwritten {ARTIFACT.relative_to(REPO)} ({elapsed:.0f} s)")
    if args.quick:
        bad = [f for f in report.figures if f.worse_than_twice()]
        for f in bad:
            print(
                f"bench --quick: {f.name} is worse than 2x its target", file=sys.stderr
            )
        return 1 if bad else 0
    return 1 if any(f.verdict == "FAIL" for f in report.figures) else 0


if __name__ == "__main__":
    try:
        code = main()
    except SystemExit as exit_:  # argparse: --help, a bad option
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # a section failed: say why, and do not hang
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    # A section that failed may leave a Home Assistant's worker threads (its
    # recorder's among them) running; the interpreter would wait for them forever.
    os._exit(code)
