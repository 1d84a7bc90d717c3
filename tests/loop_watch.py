"""How long the event loop was held, and the threads that render templates.

`LoopWatch` ticks every 10 ms while a test runs something; the longest gap between
two ticks is the longest time the event loop was held. `join_template_threads` waits
(outside the event loop) for the threads a template was rendered in.
"""

import asyncio
from dataclasses import dataclass, field
import threading
import time
from types import TracebackType
from typing import Self

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
