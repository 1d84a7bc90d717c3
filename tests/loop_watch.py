"""What holds up the event loop: how long, template threads, time zone files.

`LoopWatch` ticks every 10 ms while a test runs something; the longest gap between
two ticks is the longest time the event loop was held. `join_template_threads` waits
(outside the event loop) for the threads a template was rendered in. `zone_reads`
records every time zone file read, and in which thread.
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
import sys
import threading
import time
from types import TracebackType
from typing import Any, Self
import zoneinfo
from zoneinfo import _common as zoneinfo_common

TICK = 0.01
THREAD_NAME = "provider_watch template"  # kinds/cloud_template.py names them so


@dataclass
class LoopWatch:
    """`async with LoopWatch() as watch:` ... `watch.longest` (seconds)."""

    longest: float = 0.0
    _task: asyncio.Task[None] | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def _tick(self) -> None:
        last = time.monotonic()
        while not self._stop.is_set():
            await asyncio.sleep(TICK)
            now = time.monotonic()
            self.longest = max(self.longest, now - last)
            last = now

    async def __aenter__(self) -> Self:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        assert self._task is not None
        await self._task


def template_threads() -> list[threading.Thread]:
    """The threads that render or compile a cloud rule's template, still running."""
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def join_template_threads(limit: float = 60) -> None:
    """Wait for them to end (a C operation they are in finishes first)."""
    for thread in template_threads():
        thread.join(limit)
        assert not thread.is_alive(), "a template thread is still running"


# --- time zone files read in the event loop ----------------------------------------


@dataclass
class ZoneReads:
    """Every time zone file read (or tzdata lookup) while it watches, by thread.

    Zone files are opened by zoneinfo's C code, which no Python patch reaches: an
    audit hook sees each `open` (installed once; it does nothing while nobody
    watches). A zone missing from the system's files is looked up in the tzdata
    package by `zoneinfo._common.load_tzdata`, which is wrapped while watching.
    """

    reads: list[tuple[int, str]] = field(default_factory=list)
    loop_thread: int = field(default_factory=threading.get_ident)

    @property
    def in_loop(self) -> list[str]:
        """What was read in the event loop's thread."""
        return [what for thread, what in self.reads if thread == self.loop_thread]

    def note(self, what: str) -> None:
        self.reads.append((threading.get_ident(), what))


_WATCHING: list[ZoneReads] = []
_ZONE_DIRS = tuple(str(path) for path in zoneinfo.TZPATH)


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and _WATCHING:
        path = str(args[0])
        if path.startswith(_ZONE_DIRS) or "/tzdata/" in path:
            for watch in _WATCHING:
                watch.note(path)


sys.addaudithook(_audit)


@contextmanager
def zone_reads() -> Iterator[ZoneReads]:
    """Watch zone reads; zoneinfo's caches are emptied first (nothing is known)."""
    watch = ZoneReads()
    original = zoneinfo_common.load_tzdata

    def load_tzdata(key: str) -> Any:
        watch.note(f"tzdata:{key[:40]}")
        return original(key)

    zoneinfo.ZoneInfo.clear_cache()
    zoneinfo_common.load_tzdata = load_tzdata
    _WATCHING.append(watch)
    try:
        yield watch
    finally:
        _WATCHING.remove(watch)
        zoneinfo_common.load_tzdata = original


# --- functions run in the event loop -----------------------------------------------


@dataclass
class Calls:
    """The threads a function was called in, while it was watched."""

    threads: list[int] = field(default_factory=list)
    loop_thread: int = field(default_factory=threading.get_ident)

    @property
    def in_loop(self) -> int:
        """How many calls ran in the event loop's thread."""
        return self.threads.count(self.loop_thread)


@contextmanager
def calls_of(function: Any) -> Iterator[Calls]:
    """Record the thread of every call of a (pure Python) function.

    A profile hook in every thread (the executor's too) sees each call; nothing in
    the function is replaced.
    """
    calls = Calls()
    code = function.__code__

    def profile(frame: Any, event: str, _arg: object) -> None:
        if event == "call" and frame.f_code is code:
            calls.threads.append(threading.get_ident())

    threading.setprofile_all_threads(profile)
    try:
        yield calls
    finally:
        threading.setprofile_all_threads(None)
