"""An Atlassian Statuspage v2 on 127.0.0.1: the summary.json it sends, and a server.

The builders write the JSON the way a real page does (ids, timestamps, groups); the
server answers /api/v2/summary.json with the summary of its live state, or with
whatever a test makes it send.
"""

from datetime import datetime, timedelta
import json
from typing import Any, Literal

from aiohttp import web

from homeassistant.util import dt as dt_util
from testkit.simulated import LocalServer

PAGE_ID = "y2j98763l56x"
SUMMARY_PATH = "/api/v2/summary.json"

# component ids as a real page has them
CLOUD_GROUP = "7dnlhl9gmvpg"  # a group: "Cloud", holding API and WEBHOOKS
API = "b13yz5g2cw10"
WEBHOOKS = "9c0cr3f53ph4"
DASHBOARD = "zr1yt0j8p3bd"
MOBILE_APP = "1gs5cb4fgmwp"
NAMES = {  # in page order
    CLOUD_GROUP: "Cloud",
    API: "Alarm API",
    WEBHOOKS: "Webhooks",
    DASHBOARD: "Dashboard",
    MOBILE_APP: "Mobile app",
}
GROUP_MEMBERS = [API, WEBHOOKS]

type Mode = Literal["json", "403", "429", "html"]


def iso(moment: datetime) -> str:
    """A timestamp the way Statuspage writes it."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def component(
    ident: str,
    name: str,
    status: Any = "operational",
    *,
    group_id: str | None = None,
    members: list[str] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": ident,
        "name": name,
        "status": status,
        "created_at": "2019-01-10T16:06:25.112Z",
        "updated_at": "2026-05-04T11:58:03.431Z",
        "position": 1,
        "description": None,
        "showcase": False,
        "start_date": "2019-01-10",
        "group_id": group_id,
        "page_id": PAGE_ID,
        "group": members is not None,
        "only_show_if_degraded": False,
    }
    if members is not None:
        data["components"] = members
    return data


def incident(
    ident: str, name: str, status: str = "investigating", impact: str = "major"
) -> dict[str, Any]:
    return {
        "id": ident,
        "name": name,
        "status": status,
        "created_at": "2026-05-04T11:40:00.000Z",
        "updated_at": "2026-05-04T11:52:00.000Z",
        "monitoring_at": None,
        "resolved_at": None,
        "impact": impact,
        "shortlink": "https://stspg.io/abcd",
        "started_at": "2026-05-04T11:40:00.000Z",
        "page_id": PAGE_ID,
        "incident_updates": [
            {
                "id": f"{ident}u",
                "status": status,
                "body": "We are investigating reports of failed logins.",
                "incident_id": ident,
                "created_at": "2026-05-04T11:40:00.000Z",
                "display_at": "2026-05-04T11:40:00.000Z",
                "affected_components": None,
            }
        ],
        "components": [],
    }


def maintenance(
    ident: str,
    name: str,
    status: str,
    window: tuple[datetime, datetime],
    component_ids: list[str],
) -> dict[str, Any]:
    start, end = window
    return {
        "id": ident,
        "name": name,
        "status": status,
        "created_at": "2026-04-20T09:00:00.000Z",
        "updated_at": "2026-04-20T09:00:00.000Z",
        "monitoring_at": None,
        "resolved_at": None,
        "impact": "maintenance",
        "shortlink": "https://stspg.io/efgh",
        "started_at": iso(start),
        "page_id": PAGE_ID,
        "incident_updates": [],
        "components": [
            component(cid, NAMES.get(cid, f"component {cid}"), "under_maintenance")
            for cid in component_ids
        ],
        "scheduled_for": iso(start),
        "scheduled_until": iso(end),
    }


def summary(
    statuses: dict[str, Any] | None = None,
    *,
    indicator: str = "none",
    incidents: list[dict[str, Any]] | None = None,
    maintenances: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A realistic summary.json; statuses overrides component statuses by id."""
    status_of = dict.fromkeys(NAMES, "operational") | (statuses or {})
    return {
        "page": {
            "id": PAGE_ID,
            "name": "Acme Alarm",
            "url": "https://status.acme-alarm.example",
            "time_zone": "Etc/UTC",
            "updated_at": "2026-05-04T11:58:03.431Z",
        },
        "status": {"indicator": indicator, "description": "All Systems Operational"},
        "components": [
            component(
                ident,
                name,
                status_of[ident],
                group_id=CLOUD_GROUP if ident in GROUP_MEMBERS else None,
                members=GROUP_MEMBERS if ident == CLOUD_GROUP else None,
            )
            for ident, name in NAMES.items()
        ],
        "incidents": incidents or [],
        "scheduled_maintenances": maintenances or [],
    }


class StatusPageServer(LocalServer):
    """A Statuspage-like HTTP server on 127.0.0.1; every part switchable.

    By default it answers with the summary of `statuses`, `incidents` and
    `maintenances`. `mode` makes it refuse (403, or 429 with `retry_after`) or send
    an HTML page; `serve()` or `body`, with `status`, `content_type`, `headers` and
    `chunked`, set the answer byte for byte; `hang` never answers. /moved redirects
    to the summary, /loop to itself.
    """

    def __init__(self) -> None:
        super().__init__()
        self.statuses: dict[str, Any] = dict.fromkeys(NAMES, "operational")
        self.incidents: list[dict[str, Any]] = []
        self.maintenances: list[dict[str, Any]] = []
        self.mode: Mode = "json"
        self.retry_after: str | None = None
        self.status = 200
        self.body: bytes | None = None  # None: the summary of the live state
        self.content_type = "application/json"
        self.headers: dict[str, str] = {}
        self.chunked = False  # stream the body without a Content-Length
        self.hang = False  # accept the request but never answer
        self.accept: str | None = None
        self.requests = 0

    @property
    def url(self) -> str:
        """The summary.json URL; `base` is the page's address as people type it."""
        return f"{self.base}{SUMMARY_PATH}"

    def serve(self, data: object) -> None:
        self.body = json.dumps(data).encode()

    def summary(self) -> dict[str, Any]:
        return summary(
            self.statuses, incidents=self.incidents, maintenances=self.maintenances
        )

    def add_incident(self, name: str, impact: str = "major") -> None:
        """A new unresolved incident; the page lists the newest first."""
        self.incidents.insert(
            0, incident(f"inc{len(self.incidents)}", name, impact=impact)
        )

    def add_maintenance(
        self,
        name: str,
        status: str,
        component_ids: list[str],
        window: tuple[timedelta, timedelta] = (timedelta(hours=-1), timedelta(hours=1)),
    ) -> None:
        """A maintenance; its window is relative to the (frozen) time of the call."""
        now = dt_util.utcnow()
        ident = f"mnt{len(self.maintenances)}"
        start, end = now + window[0], now + window[1]
        self.maintenances.append(
            maintenance(ident, name, status, (start, end), component_ids)
        )

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get(SUMMARY_PATH, self._summary)
        router.add_get("/moved", self._moved)
        router.add_get("/loop", self._loop)

    async def _summary(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        self.accept = request.headers.get("Accept")
        if self.hang:
            await self.held()
        if self.mode == "403":
            return web.Response(status=403, text="Forbidden")
        if self.mode == "429":
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return web.Response(status=429, text="Too Many Requests", headers=headers)
        if self.mode == "html":
            return web.Response(
                text="<!DOCTYPE html><html><body>Status</body></html>",
                content_type="text/html",
            )
        body = self.body
        if body is None:
            body = json.dumps(self.summary()).encode()
        if not self.chunked:
            return web.Response(
                status=self.status,
                body=body,
                content_type=self.content_type,
                headers=self.headers,
            )
        response = web.StreamResponse(status=self.status, headers=self.headers)
        response.content_type = self.content_type
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), 64 * 1024):
            await response.write(body[start : start + 64 * 1024])
        await response.write_eof()
        return response

    async def _moved(self, _request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(SUMMARY_PATH)

    async def _loop(self, _request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/loop")
