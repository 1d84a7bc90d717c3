"""What would a fix save? CPU per HTTP probe of Provider Watch with throw-away patches.

    python -m scripts.devtools.bench_whatif [--n 100] [--interval 2] [--window 4]
        [--reps 3] [--variants shipped,siblings,writes,lean,all_fixes,rest]

The same alternating-phase measurement as `bench --only rest` (one HA, the farm on
127.0.0.1, idle CPU subtracted), but Provider Watch runs in several variants, each
a monkeypatch applied only while its phase runs; the integration's files are not
changed. Variants:

  shipped    as is
  siblings   a probe re-judges its siblings' causes only when the changed system is
             a cloud system (the only kind other systems' causes depend on), instead
             of every sibling after every probe
  writes     a system entity writes its state only when its state, attributes or
             availability changed; the maintenance switch and the transition event
             entity ignore coordinator updates (nothing of theirs depends on them)
  lean       only the connectivity and status entities are created per system
  aligned    every system's poll falls on the same sub-second offset, so one loop
             wake-up serves a whole round (as the `rest` platform's single timer
             does); HA's DataUpdateCoordinator spreads them by a random offset
  all_fixes  siblings + writes + lean + aligned
  raw_http   the HTTP probe on a bare asyncio protocol: one kept-alive connection
             per system, a pre-built request, status line and Content-Length
             parsed by hand (plain HTTP only; a sketch of the floor, not a client)
  all_and_raw_http  all_fixes + raw_http
  rest       HA's `rest` binary sensor, for reference
"""

import argparse
import asyncio
from collections.abc import Iterator
import contextlib
from pathlib import Path
import statistics
import sys
import tempfile
import time
from typing import Any
from urllib.parse import urlsplit

from .bench import Farm, RestSides, rest_phase
from .bench_memory import not_created
from .benchkit import home_assistant

VARIANTS = (
    "shipped",
    "siblings",
    "writes",
    "lean",
    "aligned",
    "all_fixes",
    "raw_http",
    "all_and_raw_http",
    "rest",
)
PATCHES = {
    "shipped": (),
    "siblings": ("siblings",),
    "writes": ("writes",),
    "lean": ("lean",),
    "aligned": ("aligned",),
    "all_fixes": ("siblings", "writes", "lean", "aligned"),
    "raw_http": ("raw_http",),
    "all_and_raw_http": ("siblings", "writes", "lean", "aligned", "raw_http"),
}


class _RawConnection(asyncio.Protocol):
    """One kept-alive HTTP/1.1 connection; answers are status codes."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0 or self.waiter is None or self.waiter.done():
            return
        head = bytes(self.buffer[:end]).lower()
        at = head.find(b"content-length:")
        length = int(head[at + 15 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
        if len(self.buffer) < end + 4 + length:
            return
        del self.buffer[: end + 4 + length]
        self.waiter.set_result(int(head[9:12]))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionResetError())


_RAW: dict[str, tuple[_RawConnection, bytes]] = {}


async def raw_probe_http(
    _session: Any,
    url: str,
    *,
    timeout: float,
    expected: Any,
    keyword: str | None = None,
    verify_tls: bool = True,
) -> Any:
    """probe_http's contract for plain-HTTP URLs without a keyword."""
    del keyword, verify_tls
    from custom_components.provider_watch.sources import (  # noqa: PLC0415
        ProbeResult,
    )

    loop = asyncio.get_running_loop()
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            known = _RAW.get(url)
            if known is None or known[0].closed:
                parts = urlsplit(url)
                _transport, connection = await loop.create_connection(
                    _RawConnection, parts.hostname, parts.port or 80
                )
                request = (
                    f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                    "Accept: */*\r\n\r\n"
                ).encode()
                known = _RAW[url] = (connection, request)
            connection, request = known
            connection.waiter = loop.create_future()
            assert connection.transport is not None
            connection.transport.write(request)
            status = await connection.waiter
    except (TimeoutError, OSError) as err:
        return ProbeResult.down(type(err).__name__)
    latency = (time.monotonic() - started) * 1000
    if status not in expected:
        return ProbeResult.down(f"HTTP {status}", latency)
    return ProbeResult.up(latency)


@contextlib.contextmanager
def patched(name: str) -> Iterator[None]:
    """One throw-away change of the integration, undone afterwards."""
    from custom_components.provider_watch import (  # noqa: PLC0415
        entity,
        event,
        switch,
    )
    from custom_components.provider_watch.const import SystemKind  # noqa: PLC0415
    from custom_components.provider_watch.logic.state import (  # noqa: PLC0415
        SystemState,
    )
    from custom_components.provider_watch.monitoring import (  # noqa: PLC0415
        coordinator,
    )

    if name == "lean":
        with not_created(frozenset({"connectivity", "status"})):
            yield
        return
    saved: list[tuple[Any, str, Any]] = []

    def put(owner: Any, attribute: str, value: Any) -> None:
        saved.append((owner, attribute, owner.__dict__.get(attribute)))
        setattr(owner, attribute, value)

    if name == "raw_http":
        from custom_components.provider_watch.kinds import (  # noqa: PLC0415
            http as http_kind,
        )

        put(http_kind, "probe_http", raw_probe_http)
    elif name == "aligned":
        system = coordinator.SystemCoordinator
        original_init = system.__init__

        def aligned_init(self: Any, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            self._microsecond = 0.25  # HA draws 0.05-0.5 s per coordinator

        put(system, "__init__", aligned_init)
    elif name == "siblings":
        runtime = coordinator.ProviderRuntimeData

        def system_changed(self: Any, changed: Any) -> None:
            machine = changed.machine
            if machine.state is SystemState.PENDING and machine.failures == 1:
                coordinator.request_internet_check(self.hass)
            if changed.kind is not SystemKind.CLOUD:
                return  # only cloud systems are evidence for their siblings
            for system in self.systems.values():
                if system is not changed:
                    system.async_reclassify()

        put(runtime, "system_changed", system_changed)
    elif name == "writes":

        def write_if_changed(self: Any) -> None:
            shown = (self.available, self.state, self.extra_state_attributes)
            if shown == getattr(self, "_bench_shown", None):
                return
            self._bench_shown = shown
            self.async_write_ha_state()

        put(entity.SystemEntity, "_handle_coordinator_update", write_if_changed)
        for cls in (switch.MaintenanceSwitch, event.SystemTransitionEvent):
            put(cls, "_handle_coordinator_update", lambda _self: None)
    try:
        yield
    finally:
        for connection, _request in _RAW.values():
            if connection.transport is not None:
                connection.transport.close()
        _RAW.clear()
        for owner, attribute, value in reversed(saved):
            if value is None:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, value)


async def run(args: argparse.Namespace) -> dict[str, list[float]]:
    sides_order = [*args.variants, "idle"]
    results: dict[str, list[float]] = {v: [] for v in sides_order}
    async with Farm(args.reps * len(sides_order) * (args.window + 30) + 120) as farm:
        with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
            async with home_assistant(Path(tmp)) as hass:
                sides = RestSides(hass, farm, args.n, args.interval, Path(tmp))
                await sides.async_start()
                phases = []
                for rep in range(args.reps):
                    shift = rep % len(sides_order)
                    for variant in sides_order[shift:] + sides_order[:shift]:
                        side = variant if variant in ("rest", "idle") else "ours"
                        with contextlib.ExitStack() as stack:
                            for patch in PATCHES.get(variant, ()):
                                stack.enter_context(patched(patch))
                            phase = await rest_phase(
                                sides, farm, side, args.interval, args.window
                            )
                        phase["variant"] = variant
                        phases.append(phase)
                        print(
                            f"  {variant}: {phase['cpu_s'] * 1000:.1f} ms CPU, "
                            f"{phase['requests']}",
                            flush=True,
                        )
                await hass.async_stop(force=True)
    idle = statistics.median(
        p["cpu_s"] / p["wall_s"] for p in phases if p["variant"] == "idle"
    )
    for p in phases:
        if p["variant"] == "idle":
            continue
        side = "rest" if p["variant"] == "rest" else "ours"
        cpu = p["cpu_s"] - idle * p["wall_s"]
        results[p["variant"]].append(cpu / p["requests"][side] * 1e6)
    results.pop("idle")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--window", type=float, default=4.0)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    args.variants = args.variants.split(",")
    if unknown := set(args.variants) - set(VARIANTS):
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    results = asyncio.run(run(args))
    rest = statistics.median(results["rest"]) if results.get("rest") else None
    print(f"\nCPU µs per probe, median of {args.reps} ({args.n} endpoints)")
    for variant, values in results.items():
        median = statistics.median(values)
        ratio = f"  ours/rest {median / rest:.2f}" if rest else ""
        shown = ", ".join(f"{v:.0f}" for v in values)
        print(f"  {variant:10} {median:6.0f} µs  [{shown}]{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
