"""Device systems: what 100 of them cost at rest and per state change (issue 16).

    python -m scripts.devtools.bench --only device [--quick]

A real Home Assistant (benchkit) with the test-only provider integration
(tests/testing_config/custom_components/pw_test_provider: a cloud-connected
integration whose devices each have a connectivity binary sensor and a battery
sensor) set up with one entry of 100 + a traced batch + 3 devices, and Provider
Watch with one provider of 100 "device" systems (one per device; defaults: grace
300 s, no maximum silence, any entity unavailable). A warm-up provider with one
device system pays the one-time costs first. Measured:

- polling: the provider's scheduler (one timer per due second) holds no entry and no
  timer, no device system's coordinator has an update interval, and the event loop's
  live timers after adding the 100 systems (their first evaluation and the delayed
  store saves done) minus before: the systems' share; target 0 each;
- steady state: process CPU over a window with the 100 systems against the same
  window before they were added (same HA, same integration, same devices), the
  difference per system in ms per hour; and the timers created meanwhile (all, per
  window: what the systems add is the difference);
- one watched entity changing state: the event loop's thread CPU per change of a
  watched battery sensor minus the same change of an unwatched one (a device no
  system watches), in the same Home Assistant; and an unrelated entity's change and
  report (same state written again) before vs after the 100 systems were added: what
  watching costs the rest of Home Assistant. State writes of Provider Watch's
  entities per watched change (a change that keeps the device online writes none);
- memory per system: tracemalloc of a further provider of device systems (its
  devices exist already), traced from its config entry to its first evaluation and
  saves, by package of the allocating line, as the scale section does.

--quick: 15 s windows, 50 traced systems, 200 changes per kind (~40 s); full: 120 s
windows, 100 traced systems, 1,000 changes.
"""

import asyncio
from collections.abc import Callable
import contextlib
import gc
from pathlib import Path
import statistics
import sys
import tempfile
import time
import tracemalloc
from typing import Any, Protocol

from .benchkit import REPO, home_assistant, provider_entries, setup_domain, system_data

N = 100
TEST_DOMAIN = "pw_test_provider"
WARM, UNWATCHED, OTHER = "Warm up", "Unwatched", "Unrelated"
MAX_OWN_KIB = 10.0  # as the scale section: Provider Watch's own memory per system
MAX_MS_PER_HOUR = 36.0  # per system: 0.001 % of a core, noise included
MAX_EXTRA_US = 200.0  # per watched change, on the event loop
MAX_ELSEWHERE_US = 20.0  # per unrelated change or report, 100 systems watching


class Report(Protocol):
    """bench.Report, as this section uses it."""

    details: dict[str, Any]

    def add(self, *args: Any, **kwargs: Any) -> None:
        """One figure: section, name, value, unit, target=, note=."""


def use_test_provider() -> None:
    """Let Home Assistant find the test-only integration (as pytest's pythonpath)."""
    path = str(REPO / "tests/testing_config")
    if path not in sys.path:
        sys.path.append(path)  # custom_components is a namespace package


def device_names(n: int, prefix: str) -> list[str]:
    return [f"{prefix} {i}" for i in range(n)]


def device_data(device_id: str) -> dict[str, Any]:
    return system_data(
        "device", device=device_id, require_all=False, grace=300, max_silence=0
    )


class TimerCount:
    """Counts the timers the event loop is asked for (call_at; call_later uses it)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.made = 0
        self.ours = 0  # whose callback is Provider Watch's own code

    @contextlib.contextmanager
    def counting(self) -> Any:
        loop = self._loop
        call_at = loop.call_at

        def counted(
            when: float, callback: Callable[..., Any], *args: Any, **kw: Any
        ) -> asyncio.TimerHandle:
            self.made += 1
            if "provider_watch" in _describe(callback):
                self.ours += 1
            return call_at(when, callback, *args, **kw)

        loop.call_at = counted  # type: ignore[method-assign]
        try:
            yield self
        finally:
            del loop.call_at  # the class's own again


def _describe(callback: Any) -> str:
    """module.Class.method (bound methods, partials) or module.function."""
    target = getattr(callback, "func", callback)  # functools.partial
    owner = getattr(target, "__self__", None)
    name = getattr(target, "__name__", repr(target))
    if owner is not None:
        return f"{type(owner).__module__}.{type(owner).__qualname__}.{name}"
    return f"{getattr(target, '__module__', '?')}.{name}"


def _package_of(filename: str) -> str:
    """The top-level package of a source file (bench.py's rule)."""
    if "custom_components/provider_watch" in filename:
        return "provider_watch"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    return "stdlib/other"


def _short(filename: str) -> str:
    return filename.rsplit("custom_components/provider_watch/", 1)[-1]


def live_timers(loop: asyncio.AbstractEventLoop) -> set[Any]:
    return {
        handle
        for handle in loop._scheduled  # type: ignore[attr-defined]  # noqa: SLF001
        if not handle.cancelled()
    }


def described(handles: set[Any]) -> list[str]:
    return sorted(_describe(handle._callback) for handle in handles)  # noqa: SLF001


async def flush_saves(hass: Any) -> None:
    """Write the delayed store saves now (HA's final-write event), then settle."""
    from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE  # noqa: PLC0415

    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    await asyncio.sleep(1)
    await hass.async_block_till_done()


async def steady(hass: Any, seconds: float) -> dict[str, Any]:
    """Process CPU and timers made over `seconds` of real time, nothing else done."""
    gc.collect()
    count = TimerCount(hass.loop)
    with count.counting():
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(seconds)
        cpu = time.process_time() - cpu0
        wall = time.perf_counter() - wall0
    return {
        "cpu_s": cpu,
        "wall_s": wall,
        "cpu_pct_one_core": cpu / wall * 100,
        "timers_made": count.made,
        "timers_made_by_provider_watch": count.ours,
    }


async def loop_work(
    hass: Any, entity_id: str, values: tuple[str, str], changes: int
) -> float:
    """Event-loop thread CPU per state write of `entity_id`, µs (median of rounds).

    Writes alternate between `values` (equal values: a report, no change), in
    rounds of 50 followed by waiting for everything they started.
    """
    old = hass.states.get(entity_id)
    attributes = dict(old.attributes) if old is not None else {}
    per_round = 50
    rounds = []
    for r in range(max(1, changes // per_round)):
        await hass.async_block_till_done()
        cpu0 = time.thread_time()
        for i in range(per_round):
            hass.states.async_set(
                entity_id, values[(r * per_round + i) % 2], attributes
            )
        await hass.async_block_till_done()
        rounds.append((time.thread_time() - cpu0) / per_round * 1e6)
    if old is not None:  # as it was
        hass.states.async_set(entity_id, old.state, attributes)
        await hass.async_block_till_done()
    return statistics.median(rounds)


def writes_of_ours(hass: Any, entry_ids: set[str]) -> Callable[[], int]:
    """Counts state changes of Provider Watch's entities of these entries."""
    from homeassistant.const import EVENT_STATE_CHANGED  # noqa: PLC0415
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    registry = er.async_get(hass)
    ours = {
        entity.entity_id
        for entry_id in entry_ids
        for entity in er.async_entries_for_config_entry(registry, entry_id)
    }
    seen = 0

    def count(event: Any) -> None:
        nonlocal seen
        seen += event.data["entity_id"] in ours

    unsub = hass.bus.async_listen(EVENT_STATE_CHANGED, count)

    def read() -> int:
        unsub()
        return seen

    return read


async def add_provider(hass: Any, systems: list[dict[str, Any]], prefix: str) -> Any:
    (entry,) = provider_entries(systems, per_entry=len(systems), prefix=prefix)
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError("a provider entry did not set up")
    await hass.async_block_till_done()
    return entry


def online(entry: Any) -> int:
    from custom_components.provider_watch.logic.state import (  # noqa: PLC0415
        SystemState,
    )

    return sum(
        1
        for system in entry.runtime_data.systems.values()
        if system.machine.state is SystemState.ONLINE
    )


def polling(entry: Any) -> dict[str, int]:
    """What of the provider's polling exists: scheduler entries and timers."""
    scheduler = entry.runtime_data.scheduler
    return {
        "scheduler_entries": sum(len(d) for d in scheduler._due.values()),  # noqa: SLF001
        "scheduler_timers": len(scheduler._timers),  # noqa: SLF001
        "systems_with_update_interval": sum(
            1
            for system in entry.runtime_data.systems.values()
            if system.update_interval is not None
        ),
    }


async def traced_memory(hass: Any, devices: list[str]) -> dict[str, Any]:
    """Python memory still held after adding a provider of device systems."""
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    n = len(devices)
    gc.collect()
    tracemalloc.start(1)
    try:
        entry = await add_provider(hass, [device_data(d) for d in devices], "traced")
        await flush_saves(hass)
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0]
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    if online(entry) != n:
        raise RuntimeError("the traced device systems are not all online")
    by_package: dict[str, int] = {}
    for stat in snapshot.statistics("filename"):
        package = _package_of(stat.traceback[0].filename)
        by_package[package] = by_package.get(package, 0) + stat.size
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    own_lines = [
        (f"{_short(stat.traceback[0].filename)}:{stat.traceback[0].lineno}", stat.size)
        for stat in snapshot.statistics("lineno")
        if _package_of(stat.traceback[0].filename) == "provider_watch"
    ]
    return {
        "systems": n,
        "bytes_per_system": traced / n,
        "bytes_per_system_by_package": {
            package: round(size / n)
            for package, size in sorted(by_package.items(), key=lambda i: -i[1])
        },
        "entities_per_system": len(entities) / n,
        "own_bytes_per_system_top_lines": {
            line: round(size / n) for line, size in own_lines[:15]
        },
    }


async def run(quick: bool) -> dict[str, Any]:
    """The whole measurement in one Home Assistant; the figures' raw data."""
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
    )

    from custom_components.provider_watch.const import DOMAIN  # noqa: PLC0415
    from homeassistant.helpers import device_registry as dr  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    window = 15.0 if quick else 120.0
    n_traced = 50 if quick else 100
    changes = 200 if quick else 1000
    use_test_provider()
    names = device_names(N, "Device") + device_names(n_traced, "Traced")
    names += [WARM, UNWATCHED, OTHER]
    out: dict[str, Any] = {"window_s": window, "changes": changes}
    with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
        async with home_assistant(Path(tmp)) as hass:
            if not await async_setup_component(hass, TEST_DOMAIN, {}):
                raise RuntimeError(f"{TEST_DOMAIN} did not set up")
            ring = MockConfigEntry(
                domain=TEST_DOMAIN, title="Ring", data={"devices": names}
            )
            ring.add_to_hass(hass)
            if not await hass.config_entries.async_setup(ring.entry_id):
                raise RuntimeError(f"{TEST_DOMAIN} entry did not set up")
            await hass.async_block_till_done()
            devices = {
                d.name: d.id
                for d in dr.async_entries_for_config_entry(
                    dr.async_get(hass), ring.entry_id
                )
            }
            await setup_domain(hass)  # no entry yet
            await flush_saves(hass)
            # a warm-up provider with one device system pays the one-time costs,
            # and shows the timers a provider has whatever its systems
            timers_before = live_timers(hass.loop)
            await add_provider(hass, [device_data(devices[WARM])], "warm")
            await flush_saves(hass)
            out["provider_timers"] = described(live_timers(hass.loop) - timers_before)
            unwatched = "sensor.unwatched_battery"
            other = "sensor.unrelated_battery"
            watched = "sensor.device_0_battery"
            if hass.states.get(unwatched) is None or hass.states.get(watched) is None:
                raise RuntimeError(
                    "the test provider's entities are not named as expected"
                )
            # before: what an unrelated entity's change and report cost, idle CPU
            out["before"] = {
                "change_us": await loop_work(hass, other, ("80", "81"), changes),
                "report_us": await loop_work(hass, other, ("80", "80"), changes),
            }
            out["idle"] = await steady(hass, window)
            timers_before = live_timers(hass.loop)
            started = time.perf_counter()
            entry = await add_provider(
                hass, [device_data(devices[f"Device {i}"]) for i in range(N)], ""
            )
            out["setup_s"] = time.perf_counter() - started
            await flush_saves(hass)
            out["online"] = online(entry)
            out["new_live_timers"] = described(live_timers(hass.loop) - timers_before)
            out["polling"] = polling(entry)
            out["steady"] = await steady(hass, window)
            # after: the same unrelated writes; then watched vs unwatched changes
            out["after"] = {
                "change_us": await loop_work(hass, other, ("80", "81"), changes),
                "report_us": await loop_work(hass, other, ("80", "80"), changes),
            }
            writes = writes_of_ours(hass, {entry.entry_id})
            out["watched_change_us"] = await loop_work(
                hass, watched, ("80", "81"), changes
            )
            out["writes_per_watched_change"] = writes() / changes
            out["unwatched_change_us"] = await loop_work(
                hass, unwatched, ("80", "81"), changes
            )
            out["polling_at_end"] = polling(entry)
            out["online_at_end"] = online(entry)
            out["memory"] = await traced_memory(
                hass, [devices[f"Traced {i}"] for i in range(n_traced)]
            )
            out["providers"] = len(hass.config_entries.async_entries(DOMAIN))
            await hass.async_stop(force=True)
    return out


async def bench_device(report: Report, quick: bool) -> None:
    """The section: 100 device systems, against the targets."""
    print(f"device: {N} device systems, in-process Home Assistant", flush=True)
    started = time.perf_counter()
    out = await run(quick)
    out["wall_s"] = round(time.perf_counter() - started, 1)
    report.details["device"] = out
    window = out["window_s"]
    if out["online"] != N or out["online_at_end"] != N:
        raise RuntimeError(f"not every device system is online: {out['online']}")
    extra_cpu = out["steady"]["cpu_s"] / out["steady"]["wall_s"] - (
        out["idle"]["cpu_s"] / out["idle"]["wall_s"]
    )
    ms_per_hour = extra_cpu * 3600 * 1000 / N
    report.add("device", f"setup of {N} device systems", out["setup_s"], "s")
    polls = (
        out["polling"]["scheduler_entries"] + out["polling_at_end"]["scheduler_entries"]
    )
    report.add(
        "device",
        f"scheduled checks of {N} device systems",
        polls,
        "",
        target=0,
        note=f"the provider scheduler's entries, after set-up and after the changes; "
        f"{out['polling']['systems_with_update_interval']} with an update interval",
    )
    per_provider = len(out["provider_timers"])
    report.add(
        "device",
        f"live timers of {N} device systems",
        len(out["new_live_timers"]) - per_provider,
        "",
        target=0,
        note="the event loop's timers after adding their provider (first evaluation "
        f"and saves done) minus before, minus the {per_provider} of a provider of "
        "one device system",
    )
    made = out["steady"]["timers_made"] - out["idle"]["timers_made"]
    report.add(
        "device",
        f"timers made in {window:g} s, with - without the systems",
        made,
        "",
        note=f"{out['steady']['timers_made']} with, {out['idle']['timers_made']} "
        f"without; {out['steady']['timers_made_by_provider_watch']} for Provider "
        "Watch's own callbacks",
    )
    report.add(
        "device",
        "CPU per device system at rest",
        ms_per_hour,
        "ms/h",
        target=MAX_MS_PER_HOUR,
        note=f"process CPU over {window:g} s with {N} systems minus without, / {N}; "
        f"with {out['steady']['cpu_pct_one_core']:.3f} %, without "
        f"{out['idle']['cpu_pct_one_core']:.3f} % of a core",
    )
    extra = out["watched_change_us"] - out["unwatched_change_us"]
    report.add(
        "device",
        "event-loop work per watched entity change",
        extra,
        "µs",
        target=MAX_EXTRA_US,
        note=f"loop-thread CPU, watched {out['watched_change_us']:.0f} µs minus "
        f"unwatched {out['unwatched_change_us']:.0f} µs, median of rounds of 50",
    )
    report.add(
        "device",
        "state writes of ours per watched change (device stays online)",
        out["writes_per_watched_change"],
        "",
    )
    for kind in ("change", "report"):
        before, after = out["before"][f"{kind}_us"], out["after"][f"{kind}_us"]
        report.add(
            "device",
            f"an unrelated entity's state {kind}: cost of {N} systems watching",
            after - before,
            "µs",
            target=MAX_ELSEWHERE_US,
            note=f"loop-thread CPU per {kind}, {after:.0f} µs with the systems, "
            f"{before:.0f} µs before",
        )
    memory = out["memory"]
    own = memory["bytes_per_system_by_package"].get("provider_watch", 0)
    report.add(
        "device",
        "own memory per device system (tracemalloc, Provider Watch's code)",
        own / 1024,
        "KiB",
        target=MAX_OWN_KIB,
        note=f"a further provider of {memory['systems']} device systems, traced "
        "from its entry to its first evaluation and saves",
    )
    report.add(
        "device",
        "memory per device system (tracemalloc, all)",
        memory["bytes_per_system"] / 1024,
        "KiB",
        note=f"Home Assistant's share for the {memory['entities_per_system']:.1f} "
        "entities per system included",
    )
