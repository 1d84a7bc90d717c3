"""Performance benchmark of Provider Watch, on 127.0.0.1 only.

    python -m scripts.devtools.bench [--quick] [--only false_alarms,latency,scale,rest]

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
                memory per system (RSS delta) and setup time of 100 black-holed systems.
  rest          CPU per HTTP probe, Provider Watch vs HA's own `rest` binary sensor, in
                alternating phases in the same process, ratio ours/rest (target <= 0.5).

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
import json
import os
from pathlib import Path
import platform
import random
import socket
import statistics
import sys
import tempfile
import time
from typing import Any, Self

from custom_components.provider_watch.core.state import (
    MachineState,
    Outcome,
    Thresholds,
    Transition,
    advance,
)

REPO = Path(__file__).resolve().parents[2]
ARTIFACT = REPO / "artifacts" / "bench.json"
HOST = "127.0.0.1"

# the defaults of README "Timing defaults" (const.DEFAULT_*)
POLL = 30.0
RETRY = 5.0
DEFAULT_THRESHOLDS = Thresholds(failures_before_offline=4, successes_before_online=2)
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


def simulate_system(lost: Callable[[], bool], seconds: float, phase: float) -> int:
    """Drive one system's machine with the coordinator's scheduling rule.

    Next probe after the poll interval, or after the retry interval while suspect;
    probes take no time. Returns the number of WENT_OFFLINE transitions.
    """
    machine = MachineState()
    t = phase
    offline = 0
    while t < seconds:
        outcome = Outcome.DOWN if lost() else Outcome.UP
        step = advance(
            machine, outcome, EPOCH + timedelta(seconds=t), DEFAULT_THRESHOLDS, "lost"
        )
        machine = step.state
        if step.transition is Transition.WENT_OFFLINE:
            offline += 1
        t += RETRY if machine.is_suspect else POLL
    return offline


def bench_false_alarms(report: Report, quick: bool) -> None:
    print("false alarms (pure state machine, no HA)", flush=True)
    systems = 100
    days = 3 if quick else 30
    seconds = days * 86400
    months = systems * days / 30
    for label, make in (
        ("independent 5 % loss", lambda rng: loss_independent(rng, 0.05)),
        ("bursty loss (2 % start a burst of 1-3)", lambda rng: loss_bursty(rng, 0.02)),
    ):
        started = time.perf_counter()
        rng = random.Random(8_2026)
        total = 0
        per_system = []
        for _ in range(systems):
            n = simulate_system(make(rng), seconds, rng.uniform(0, POLL))
            per_system.append(n)
            total += n
        rate = total / months
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


def outage_latency(rng: random.Random) -> float:
    """One outage at a random phase of the poll cycle: start -> offline, seconds.

    The system has been online for a while (polled every 30 s); from the outage on
    every probe fails at once (connection refused: a probe takes ~0 s).
    """
    machine = MachineState()
    t = 0.0
    warmup = 10 * POLL
    outage = warmup + rng.uniform(0, POLL)  # any phase of the cycle
    while t < outage + 600:  # bounded
        down = t >= outage
        step = advance(
            machine,
            Outcome.DOWN if down else Outcome.UP,
            EPOCH + timedelta(seconds=t),
            DEFAULT_THRESHOLDS,
            "connection refused" if down else None,
        )
        machine = step.state
        if step.transition is Transition.WENT_OFFLINE:
            return t - outage
        t += RETRY if machine.is_suspect else POLL
    raise RuntimeError("no offline within 600 s")


def bench_latency(report: Report, quick: bool) -> None:
    print("detection latency (pure machine + scheduling rule, exact clock)", flush=True)
    rng = random.Random(8_0060)
    n = 200 if quick else 2000
    values = [outage_latency(rng) for _ in range(n)]
    summary = {
        "outages": n,
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
        "max": max(values),
        "mean": statistics.fmean(values),
        "simulated_clock": True,
    }
    report.details["latency_simulated"] = summary
    report.add("latency", "simulated outage -> offline p50", summary["p50"], "s")
    report.add(
        "latency",
        "simulated outage -> offline p99",
        summary["p99"],
        "s",
        target=60.0,
        note=f"{n} outages, refused connections, defaults 30/5 s, 4 failures",
    )
    report.add("latency", "simulated outage -> offline max", summary["max"], "s")


# --- the device farm (a child process, so its CPU is not counted) -------------------


async def _farm(http_port: int, tcp_port: int, seconds: float) -> None:
    from aiohttp import web  # noqa: PLC0415

    async def ok(_request: web.Request) -> web.Response:
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Farm:
    """aiohttp HTTP endpoints and a TCP acceptor on 127.0.0.1, in a child process."""

    def __init__(self, seconds: float) -> None:
        self.http_port = free_port()
        self.tcp_port = free_port()
        self._seconds = seconds
        self._proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Self:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "scripts.devtools.bench",
            "--farm",
            f"{self.http_port},{self.tcp_port},{self._seconds}",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO,
        )
        assert self._proc.stdout is not None
        line = await asyncio.wait_for(self._proc.stdout.readline(), 30)
        if line.strip() != b"ready":
            raise RuntimeError("the device farm did not start")
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._proc is None:
            return
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            await asyncio.wait_for(self._proc.wait(), 10)
        except TimeoutError:
            self._proc.kill()
            await self._proc.wait()

    def url(self, i: int) -> str:
        return f"http://{HOST}:{self.http_port}/device/{i}"


# --- an in-process Home Assistant ---------------------------------------------------


def rss_bytes() -> int:
    with Path("/proc/self/statm").open(encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class LagProbe:
    """Measures how late the event loop wakes a task that sleeps `period` s."""

    def __init__(self, period: float = 0.05) -> None:
        self.period = period
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self, until: float) -> None:
        loop = asyncio.get_running_loop()
        while loop.time() < until:
            expected = loop.time() + self.period
            await asyncio.sleep(self.period)
            self.lags.append(max(0.0, loop.time() - expected) * 1000)

    def start(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run(loop.time() + seconds))

    async def wait(self) -> None:
        if self._task is not None:
            await self._task


@contextlib.asynccontextmanager
async def home_assistant(config_dir: Path) -> Any:
    """A real HomeAssistant core (HA's test harness setup, real time, real network)."""
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        async_test_home_assistant,
    )

    from homeassistant import loader  # noqa: PLC0415
    from homeassistant.helpers import frame  # noqa: PLC0415

    from .provision import prepare_config  # noqa: PLC0415

    # http (a dependency of webhook) is never started here; should it be, 127.0.0.1
    prepare_config(config_dir, free_port())
    async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # find custom_components/
        frame.async_setup(hass)  # as HA's bootstrap does
        yield hass


def _system_data(kind: str, **data: Any) -> dict[str, Any]:
    from custom_components.provider_watch.const import CONF_KIND  # noqa: PLC0415

    return {CONF_KIND: kind} | data


def http_data(url: str) -> dict[str, Any]:
    return _system_data(
        "http", url=url, expected_status="200-299", verify_tls=True
    )  # default timing


def provider_entries(
    systems: list[dict[str, Any]], per_entry: int = 100, prefix: str = ""
) -> list[Any]:
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
    )

    from custom_components.provider_watch.const import (  # noqa: PLC0415
        DOMAIN,
        SUBENTRY_SYSTEM,
    )
    from homeassistant.config_entries import ConfigSubentryData  # noqa: PLC0415

    entries = []
    for start in range(0, len(systems), per_entry):
        n = start // per_entry
        entries.append(
            MockConfigEntry(
                domain=DOMAIN,
                title=f"Provider {prefix}{n}",
                data={"name": f"Provider {prefix}{n}"},
                subentries_data=[
                    ConfigSubentryData(
                        data=data,
                        subentry_id=f"system_{prefix}{start + i}",
                        subentry_type=SUBENTRY_SYSTEM,
                        title=f"System {prefix}{start + i}",
                        unique_id=None,
                    )
                    for i, data in enumerate(systems[start : start + per_entry])
                ],
            )
        )
    return entries


def internet_entry(target: str) -> Any:
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
    )

    return MockConfigEntry(
        domain="provider_watch",
        title="Internet connection",
        unique_id="internet",
        data={"entry_type": "internet"},
        options={"targets": [target]},
    )


async def setup_domain(hass: Any) -> None:
    from homeassistant.config_entries import ConfigEntryState  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    if not await async_setup_component(hass, "provider_watch", {}):
        raise RuntimeError("provider_watch did not set up")
    states = [e.state for e in hass.config_entries.async_entries("provider_watch")]
    if any(state is not ConfigEntryState.LOADED for state in states):
        raise RuntimeError(f"not every entry loaded: {states}")


async def bench_blackholed_setup(report: Report) -> None:
    """100 systems whose endpoint accepts no connection: how long does setup take."""
    from tests.simulated import BlackHole  # noqa: PLC0415

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


async def bench_scale(report: Report, quick: bool) -> None:
    n = 100 if quick else 1000
    seconds = 50.0 if quick else 300.0
    print(f"scale: in-process Home Assistant, {n} systems, {seconds:.0f} s", flush=True)
    n_http, n_tcp = n * 6 // 10, n * 3 // 10
    n_ent = n - n_http - n_tcp
    async with Farm(seconds + 120) as farm:
        with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
            async with home_assistant(Path(tmp)) as hass:
                for i in range(n_ent):
                    hass.states.async_set(f"sensor.bench_device_{i}", "ok")
                systems = [http_data(farm.url(i)) for i in range(n_http)]
                systems += [
                    _system_data("tcp", host=HOST, port=farm.tcp_port)
                    for _ in range(n_tcp)
                ]
                systems += [
                    _system_data(
                        "entities",
                        entities=[f"sensor.bench_device_{i}"],
                        grace=300,
                        max_silence=0,
                    )
                    for i in range(n_ent)
                ]
                internet_entry(f"{HOST}:{farm.tcp_port}").add_to_hass(hass)
                # a warm-up provider with one system of each kind pays the one-time
                # costs (imports, platforms, the shared HTTP session)
                warm = [systems[0], systems[n_http], systems[-1]]
                provider_entries(warm, prefix="warm")[0].add_to_hass(hass)
                await setup_domain(hass)
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
                probe = LagProbe()
                cpu0, wall0 = time.process_time(), time.perf_counter()
                probe.start(seconds)
                await probe.wait()
                cpu = time.process_time() - cpu0
                wall = time.perf_counter() - wall0
                states = [
                    hass.states.get(e)
                    for e in hass.states.async_entity_ids("binary_sensor")
                ]
                online = sum(1 for s in states if s is not None and s.state == "on")
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
        "cpu_seconds": round(cpu, 2),
        "cpu_pct_one_core": cpu_pct,
        "lag_ms": {
            "p50": percentile(lags, 50),
            "p99": percentile(lags, 99),
            "max": max(lags),
            "samples": len(lags),
        },
        "rss_delta_bytes": rss_after - rss_before,
        "setup_seconds": setup_s,
        "binary_sensors_on_at_end": online,
    }
    report.add("scale", f"setup of {n} systems (endpoints up)", setup_s, "s")
    report.add(
        "scale",
        f"CPU % of one core, {n} systems",
        cpu_pct,
        "%",
        target=5.0,
        note=f"process CPU / wall over {wall:.0f} s",
    )
    report.add("scale", "event-loop lag p50", percentile(lags, 50), "ms")
    report.add("scale", "event-loop lag p99", percentile(lags, 99), "ms", target=5.0)
    report.add("scale", "event-loop lag max", max(lags), "ms")
    report.add(
        "scale",
        "memory per system (RSS delta)",
        per_system_kib,
        "KiB",
        target=20.0,
        note="RSS after setup + first probe round minus before (after a warm-up "
        "provider), / systems",
    )


async def bench_rest(report: Report, quick: bool) -> None:
    """Not built yet: recorded as not measured (no verdict) rather than guessed."""
    del quick
    report.details["rest"] = (
        "not measured: the ours-vs-rest comparison is not built yet"
    )
    report.add("rest", "CPU per HTTP probe, ours / rest", None, "", note="not measured")


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


SECTIONS = ("false_alarms", "latency", "scale", "rest")
DEFAULT_SECTIONS = ("false_alarms", "latency", "scale")  # "rest": not built yet


async def run_ha_sections(report: Report, quick: bool, only: set[str]) -> None:
    if "scale" in only:
        await bench_blackholed_setup(report)
        await bench_scale(report, quick)
    if "rest" in only:
        await bench_rest(report, quick)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced run (< 2 min)")
    parser.add_argument("--only", default=",".join(DEFAULT_SECTIONS))
    parser.add_argument("--farm", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.farm:
        http_port, tcp_port, seconds = args.farm.split(",")
        asyncio.run(_farm(int(http_port), int(tcp_port), float(seconds)))
        return 0
    only = set(args.only.split(","))
    report = Report(quick=args.quick)
    info = machine()
    started = time.perf_counter()
    if "false_alarms" in only:
        bench_false_alarms(report, args.quick)
    if "latency" in only:
        bench_latency(report, args.quick)
    if only & {"scale", "rest"}:
        asyncio.run(run_ha_sections(report, args.quick, only))
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
    sys.exit(main())
