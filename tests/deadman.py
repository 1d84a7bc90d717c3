"""A dead-man service on 127.0.0.1 (Healthchecks / Uptime Kuma style) logging pings."""

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from homeassistant.util import dt as dt_util
from testkit.simulated import LocalServer

# Unique, so that a leak into logs or diagnostics is found.
CHECK_UUID = "5f1d3c2a-9b8e-4d7f-a6c5-0e1f2a3b4c5d"


@dataclass(frozen=True)
class Ping:
    """One request the service received."""

    time: datetime  # the (frozen) clock of the test
    method: str
    path: str
    body: str


class DeadManService(LocalServer):
    """Answers every path with `status` (or never, while `hang`) and records it."""

    def __init__(self) -> None:
        super().__init__()
        self.status = 200
        self.hang = False
        self.received: list[Ping] = []

    @property
    def ping_path(self) -> str:
        return f"/ping/{CHECK_UUID}"

    @property
    def fail_path(self) -> str:
        return f"{self.ping_path}/fail"

    @property
    def ping_url(self) -> str:
        return f"{self.base}{self.ping_path}"

    @property
    def fail_url(self) -> str:
        return f"{self.base}{self.fail_path}"

    @property
    def pings(self) -> list[Ping]:
        """The heartbeats (calls of the ping URL)."""
        return [p for p in self.received if p.path == self.ping_path]

    @property
    def fails(self) -> list[Ping]:
        """The outage reports (calls of the fail URL)."""
        return [p for p in self.received if p.path == self.fail_path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.received.append(
            Ping(dt_util.utcnow(), request.method, request.path, await request.text())
        )
        if self.hang:
            await self.held()
        return web.Response(status=self.status, text="OK")
