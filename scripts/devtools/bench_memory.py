"""What is the memory of a monitored system made of? tracemalloc, by package and line.

    python -m scripts.devtools.bench_memory [--n 200] [--variants all,essential,...]
        [--rounds 2] [--top 25]

For each variant, a fresh in-process Home Assistant (the real `homeassistant`
package) with a warm-up provider, then tracemalloc from just before N HTTP systems
(farm on 127.0.0.1) are created and set up until `--rounds` probe rounds are done.
What is still allocated then is the memory the N systems cost. Variants are
throw-away experiments, the integration is not changed: entities are pre-registered
as disabled (by the user) in the entity registry, so HA never adds them.

  all           every entity enabled, as shipped
  essential     connectivity, status, cause and maintenance only (others disabled)
  connectivity  the connectivity binary sensor only (others disabled)
  none          every entity disabled (the coordinators, devices, registry entries)
  lean_*        as if the integration did not create the other system entities at
                all (lean_essential, lean_two: connectivity + status,
                lean_connectivity), bare: no system entity at all. Done by wrapping
                the platforms' async_setup_entry so that the other entities of a
                system are never handed to HA (they are built, then dropped).

Prints per variant: bytes per system (tracemalloc), entities / states / devices per
system, the allocations grouped by package of the allocating line and by the
integration's line that led to them, and the growth in live objects by type.
"""

import argparse
import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
import contextlib
import gc
import importlib
import json
import linecache
from pathlib import Path
import sys
import tempfile
import tracemalloc
from typing import Any

from .bench import Farm
from .benchkit import (
    REPO,
    allow_fast_polling,
    home_assistant,
    http_data,
    provider_entries,
    setup_domain,
    wait_for,
)

# (platform, unique-id key) of a system's entities, as the integration creates them
SYSTEM_ENTITIES: dict[str, tuple[str, ...]] = {
    "binary_sensor": ("connectivity",),
    "sensor": (
        "status",
        "cause",
        "last_seen",
        "response_time",
        "uptime_24h",
        "uptime_7d",
        "uptime_30d",
        "outages_30d",
        "downtime_30d",
        "longest_outage_30d",
        "current_outage",
    ),
    "switch": ("maintenance",),
    "event": ("transitions",),
}
ESSENTIAL = frozenset({"connectivity", "status", "cause", "maintenance"})
# variant -> (how the other entities are kept out, the system entities kept)
VARIANTS: dict[str, tuple[str, frozenset[str] | None]] = {
    "all": ("disabled", None),
    "essential": ("disabled", ESSENTIAL),
    "connectivity": ("disabled", frozenset({"connectivity"})),
    "none": ("disabled", frozenset()),
    "lean_essential": ("not_created", ESSENTIAL),
    "lean_two": ("not_created", frozenset({"connectivity", "status"})),
    "lean_connectivity": ("not_created", frozenset({"connectivity"})),
    "bare": ("not_created", frozenset()),
}
INTEGRATION = "custom_components/provider_watch/"
TOP_LEVEL = ("homeassistant", "provider_watch", "aiohttp", "stdlib", "attr")


def owner(filename: str) -> str:
    """The package (or our module) a source file belongs to."""
    if INTEGRATION in filename:
        return "provider_watch/" + filename.split(INTEGRATION, 1)[1]
    if "site-packages/" in filename:
        parts = filename.split("site-packages/", 1)[1].split("/")
        return "/".join(parts) if parts[0] == "homeassistant" else parts[0]
    if filename.startswith("<"):
        return filename
    return "stdlib/" + Path(filename).name


def source(frame: tracemalloc.Frame) -> str:
    """file:line and the line's text, short."""
    text = linecache.getline(frame.filename, frame.lineno).strip()
    return f"{owner(frame.filename)}:{frame.lineno}  {text[:70]}"


def integration_line(traceback: tracemalloc.Traceback) -> str:
    """The innermost line of the integration that led to an allocation."""
    for frame in reversed(traceback):  # innermost first
        if INTEGRATION in frame.filename:
            name = frame.filename.split(INTEGRATION, 1)[1]
            text = linecache.getline(frame.filename, frame.lineno).strip()
            return f"{name}:{frame.lineno}  {text[:60]}"
    return "(not from provider_watch code)"


@contextlib.contextmanager
def not_created(kept: frozenset[str] | None) -> Iterator[None]:
    """System entities not kept are dropped before they reach HA (a throw-away
    patch of the platforms' async_setup_entry, undone afterwards)."""
    if kept is None:
        yield
        return
    modules = [
        importlib.import_module(f"custom_components.provider_watch.{platform}")
        for platform in SYSTEM_ENTITIES
    ]
    originals = [module.async_setup_entry for module in modules]

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        async def async_setup_entry(hass: Any, entry: Any, add: Any) -> None:
            def add_kept(entities: Iterable[Any], *args: Any, **kwargs: Any) -> None:
                if kwargs.get("config_subentry_id") is not None:
                    entities = [e for e in entities if e.entity_description.key in kept]
                add(entities, *args, **kwargs)

            await original(hass, entry, add_kept)

        return async_setup_entry

    for module, original in zip(modules, originals, strict=True):
        module.async_setup_entry = wrap(original)
    try:
        yield
    finally:
        for module, original in zip(modules, originals, strict=True):
            module.async_setup_entry = original


def pre_disable(hass: Any, entries: list[Any], kept: frozenset[str] | None) -> int:
    """Register the entities not kept as disabled by the user; returns how many."""
    if kept is None:
        return 0
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    registry = er.async_get(hass)
    disabled = 0
    for entry in entries:
        for subentry_id in entry.subentries:
            for platform, keys in SYSTEM_ENTITIES.items():
                for key in keys:
                    if key in kept:
                        continue
                    registry.async_get_or_create(
                        platform,
                        "provider_watch",
                        f"{subentry_id}_{key}",
                        config_entry=entry,
                        config_subentry_id=subentry_id,
                        disabled_by=er.RegistryEntryDisabler.USER,
                    )
                    disabled += 1
    return disabled


def object_types() -> Counter[str]:
    return Counter(type(o).__qualname__ for o in gc.get_objects())


async def measure(
    farm: Farm, variant: str, n: int, interval: float, rounds: int, frames: int
) -> tuple[dict[str, Any], tracemalloc.Snapshot, Counter[str]]:
    from custom_components.provider_watch.const import (  # noqa: PLC0415
        CONF_POLL_INTERVAL,
    )
    from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE  # noqa: PLC0415
    from homeassistant.helpers import (  # noqa: PLC0415
        device_registry as dr,
        entity_registry as er,
    )

    allow_fast_polling(interval)
    with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
        async with home_assistant(Path(tmp)) as hass:
            warm = [http_data(farm.url(9000 + i, "device")) for i in range(3)]
            provider_entries(warm, prefix="warm")[0].add_to_hass(hass)
            await setup_domain(hass)
            await asyncio.sleep(2)
            states0 = len(hass.states.async_all())
            gc.collect()
            types0 = object_types()
            tracemalloc.start(frames)
            before = farm.count("ours")
            systems = [
                http_data(farm.url(i, "ours")) | {CONF_POLL_INTERVAL: interval}
                for i in range(n)
            ]
            entries = provider_entries(systems)
            for entry in entries:
                entry.add_to_hass(hass)
            how, kept = VARIANTS[variant]
            disabled = pre_disable(hass, entries, kept if how == "disabled" else None)
            with not_created(kept if how == "not_created" else None):
                for entry in entries:
                    if not await hass.config_entries.async_setup(entry.entry_id):
                        raise RuntimeError("a provider entry did not set up")
            if not await wait_for(
                lambda: farm.count("ours") >= before + rounds * n, 60 + 3 * rounds
            ):
                raise RuntimeError("the probe rounds did not finish")
            # pending saves now: the registries cache each entry's stored JSON
            hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
            await asyncio.sleep(1)
            gc.collect()
            traced, _peak = tracemalloc.get_traced_memory()
            types1 = object_types()  # before the snapshot: it holds tuples
            snapshot = tracemalloc.take_snapshot()
            tracemalloc.stop()
            registry, devices_registry = er.async_get(hass), dr.async_get(hass)
            ours = [
                e
                for entry in entries
                for e in er.async_entries_for_config_entry(registry, entry.entry_id)
            ]
            devices = [
                d
                for entry in entries
                for d in dr.async_entries_for_config_entry(
                    devices_registry, entry.entry_id
                )
            ]
            info = {
                "variant": variant,
                "systems": n,
                "probe_rounds": rounds,
                "traced_bytes_per_system": traced / n,
                "registry_entities_per_system": len(ours) / n,
                "enabled_entities_per_system": sum(
                    1 for e in ours if e.disabled_by is None
                )
                / n,
                "pre_disabled": disabled,
                "states_per_system": (len(hass.states.async_all()) - states0) / n,
                "devices_per_system": len(devices) / n,
            }
            await hass.async_stop(force=True)
    return info, snapshot, types1 - types0


def breakdown(snapshot: tracemalloc.Snapshot, n: int, top: int) -> dict[str, Any]:
    """Bytes per system by allocating package, by integration line, by file:line."""
    by_owner: dict[str, int] = defaultdict(int)
    by_ours: dict[str, int] = defaultdict(int)
    by_line: dict[str, int] = defaultdict(int)
    by_top: dict[str, int] = defaultdict(int)
    by_own_line: dict[str, int] = defaultdict(int)
    for trace in snapshot.traces:
        innermost = trace.traceback[-1]
        by_owner[owner(innermost.filename)] += trace.size
        by_ours[integration_line(trace.traceback)] += trace.size
        by_line[source(innermost)] += trace.size
        if owner(innermost.filename).startswith("provider_watch"):
            by_own_line[source(innermost)] += trace.size
        package = owner(innermost.filename).split("/")[0]
        by_top[package if package in TOP_LEVEL else "other"] += trace.size

    def per_system(table: dict[str, int]) -> list[tuple[str, float]]:
        rows = sorted(table.items(), key=lambda item: -item[1])[:top]
        return [(key, size / n) for key, size in rows]

    return {
        "by_top_level": per_system(by_top),
        "by_package": per_system(by_owner),
        "by_integration_line": per_system(by_ours),
        "by_allocating_line": per_system(by_line),
        "by_own_allocating_line": per_system(by_own_line),
    }


def show(title: str, rows: list[tuple[str, float]]) -> None:
    print(f"  {title} (bytes per system)")
    for key, size in rows:
        print(f"    {size:9.0f}  {key}")


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    async with Farm(600 + 60 * len(args.variants)) as farm:
        for variant in args.variants:
            info, snapshot, grown = await measure(
                farm, variant, args.n, args.interval, args.rounds, args.frames
            )
            info |= breakdown(snapshot, args.n, args.top)
            info["objects_per_system"] = [
                (name, count / args.n) for name, count in grown.most_common(args.top)
            ]
            results.append(info)
            print(
                f"\n{variant}: {info['traced_bytes_per_system'] / 1024:.1f} KiB per "
                "system traced; "
                f"entities {info['registry_entities_per_system']:.1f} registered, "
                f"{info['enabled_entities_per_system']:.1f} enabled, states "
                f"{info['states_per_system']:.1f}, devices "
                f"{info['devices_per_system']:.1f} per system",
                flush=True,
            )
            show("by top-level package of the allocating line", info["by_top_level"])
            show("by module of the allocating line", info["by_package"])
            show(
                "by the integration's line that led to it", info["by_integration_line"]
            )
            show("by allocating line", info["by_allocating_line"])
            show("by Provider Watch's allocating line", info["by_own_allocating_line"])
            print("  live objects gained, per system")
            for name, count in info["objects_per_system"]:
                print(f"    {count:7.1f}  {name}")
            del snapshot
            gc.collect()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2, help="probe rounds to wait")
    parser.add_argument("--frames", type=int, default=30, help="tracemalloc depth")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench-memory.json"))
    args = parser.parse_args()
    args.variants = args.variants.split(",")
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    results = asyncio.run(run(args))
    out = args.out if args.out.is_absolute() else REPO / args.out
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
