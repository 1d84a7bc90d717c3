"""Real servers on 127.0.0.1 that stand in for a customer's device."""

import asyncio
import socket
from typing import Self

from aiohttp import web

LOCALHOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """An aiohttp server on 127.0.0.1 that keeps its port across stop() and start().

    Subclasses add their routes in `add_routes` (by default every path goes to
    `_handle`); a handler that awaits `held()` never answers before the server
    stops. Usable as `async with`: started on entry, stopped on exit.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self._runner: web.AppRunner | None = None
        self._release = asyncio.Event()

    @property
    def base(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError

    async def held(self) -> None:
        """Hold a request that was accepted: return only once the server stops."""
        await self._release.wait()

    async def start(self) -> None:
        app = web.Application()
        self.add_routes(app.router)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOCALHOST, self.port, reuse_address=True)
        await site.start()

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._release = asyncio.Event()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()


class SimulatedDevice(LocalServer):
    """An HTTP device on 127.0.0.1 that can be switched off (connection refused)."""

    def __init__(self) -> None:
        super().__init__()
        self.status = 200
        self.body = "system OK"
        self.hang = False  # accept the request but never answer
        self.requests = 0

    @property
    def url(self) -> str:
        return f"{self.base}/status"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if self.hang:
            await self.held()
        if request.path == "/redirect-loop":
            raise web.HTTPFound("/redirect-loop")
        return web.Response(status=self.status, text=self.body)


class BlackHole:
    """A TCP port on 127.0.0.1 whose accept queue is full: connects hang (timeout)."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind((LOCALHOST, 0))
        self._listener.listen(0)
        self.port = int(self._listener.getsockname()[1])
        self._fillers: list[socket.socket] = []
        for _ in range(2):  # fill the backlog so the next SYN is dropped
            filler = socket.socket()
            filler.setblocking(False)  # noqa: FBT003
            filler.connect_ex((LOCALHOST, self.port))
            self._fillers.append(filler)

    def close(self) -> None:
        for sock in (*self._fillers, self._listener):
            sock.close()
