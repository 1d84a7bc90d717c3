"""Statuspage v2 summary.json: parsing, relevance, and fetches from a real server."""

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import json

import pytest

from custom_components.provider_watch.sources.statuspage import (
    Component,
    ComponentStatus,
    Maintenance,
    MaintenanceStatus,
    StatusPageFormatError,
    StatusPageReport,
    StatusPageResult,
    parse_retry_after,
    parse_summary,
    summary_url,
)
from custom_components.provider_watch.sources.statuspage_fetch import (
    fetch_status_page,
)
from custom_components.provider_watch.sources.web import MAX_BODY_BYTES
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from testkit.simulated import LOCALHOST, free_port

from .statuspage_server import (
    API,
    CLOUD_GROUP,
    DASHBOARD,
    MOBILE_APP,
    WEBHOOKS,
    StatusPageServer,
    incident,
    maintenance,
    summary,
)

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


async def fetch(hass: HomeAssistant, url: str, timeout: float = 5) -> StatusPageResult:
    return await fetch_status_page(async_get_clientsession(hass), url, timeout)


async def fetch_report(hass: HomeAssistant, page: StatusPageServer) -> StatusPageReport:
    result = await fetch(hass, page.url)
    assert result.unknown_reason is None
    assert result.retry_after is None
    assert result.report is not None
    return result.report


def ids(components: tuple[Component, ...] | tuple[Maintenance, ...]) -> list[str]:
    return [item.id for item in components]


# --- summary_url ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "https://status.example.com",
            "https://status.example.com/api/v2/summary.json",
        ),
        (
            "https://status.example.com/",
            "https://status.example.com/api/v2/summary.json",
        ),
        (
            "  https://status.example.com//  ",
            "https://status.example.com/api/v2/summary.json",
        ),
        (
            "https://status.example.com/api/v2/summary.json",
            "https://status.example.com/api/v2/summary.json",
        ),
        (
            "https://status.example.com/api/v2/status.json",
            "https://status.example.com/api/v2/summary.json",
        ),
        (
            "https://status.example.com/api/v2/",
            "https://status.example.com/api/v2/summary.json",
        ),
        ("status.example.com", "https://status.example.com/api/v2/summary.json"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123/api/v2/summary.json"),
        (
            "https://status.example.com/?utm_source=mail#incidents",
            "https://status.example.com/api/v2/summary.json",
        ),
        (
            "https://example.com/acme/status/",
            "https://example.com/acme/status/api/v2/summary.json",
        ),
    ],
)
def test_summary_url(given: str, expected: str) -> None:
    assert summary_url(given) == expected
    assert summary_url(summary_url(given)) == expected  # idempotent


# --- fetch and parse: what the page says -------------------------------------------


async def test_all_operational(hass: HomeAssistant, page: StatusPageServer) -> None:
    report = await fetch_report(hass, page)
    assert report.page_name == "Acme Alarm"
    assert report.indicator == "none"
    assert ids(report.components) == [CLOUD_GROUP, API, WEBHOOKS, DASHBOARD, MOBILE_APP]
    cloud, api = report.components[:2]
    assert cloud == Component(
        CLOUD_GROUP, "Cloud", ComponentStatus.OPERATIONAL, group=True
    )
    assert api == Component(
        API, "Alarm API", ComponentStatus.OPERATIONAL, group=False, group_id=CLOUD_GROUP
    )
    assert report.incidents == ()
    assert report.maintenances == ()
    for chosen in (None, [API], [CLOUD_GROUP, DASHBOARD]):
        assert report.relevant_problems(chosen) == ()
        assert report.relevant_degraded(chosen) == ()
        assert report.active_maintenance(chosen, NOW) == ()
    assert page.accept == "application/json"


async def test_major_outage_relevant_only_when_chosen(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    page.serve(
        summary(
            {API: "major_outage", CLOUD_GROUP: "major_outage"},
            indicator="critical",
            incidents=[
                incident("p8d1fw5lr5k4", "Logins failing", "investigating", "critical")
            ],
        )
    )
    report = await fetch_report(hass, page)
    assert report.indicator == "critical"
    assert [(i.id, i.name, i.status, i.impact) for i in report.incidents] == [
        ("p8d1fw5lr5k4", "Logins failing", "investigating", "critical")
    ]
    assert ids(report.relevant_problems([API])) == [API]
    assert report.relevant_problems([API])[0].status is ComponentStatus.MAJOR_OUTAGE
    # the user watches only the dashboard and the app: the API outage is not theirs
    assert report.relevant_problems([DASHBOARD, MOBILE_APP]) == ()
    # None = every non-group component; the group is not counted twice
    assert ids(report.relevant_problems(None)) == [API]
    # a chosen group stands for its members
    assert ids(report.relevant_problems([CLOUD_GROUP])) == [API]
    # an id the page does not list matches nothing
    assert report.relevant_problems(["gone"]) == ()


async def test_partial_outage_is_an_outage(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    page.serve(summary({WEBHOOKS: "partial_outage"}, indicator="major"))
    report = await fetch_report(hass, page)
    assert ids(report.relevant_problems([WEBHOOKS, API])) == [WEBHOOKS]
    assert report.relevant_problems([API]) == ()
    assert report.relevant_degraded([WEBHOOKS]) == ()


async def test_degraded_performance_is_not_an_outage(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    page.serve(summary({DASHBOARD: "degraded_performance"}, indicator="minor"))
    report = await fetch_report(hass, page)
    assert report.relevant_problems([DASHBOARD]) == ()
    assert report.relevant_problems(None) == ()
    assert ids(report.relevant_degraded([DASHBOARD])) == [DASHBOARD]
    assert ids(report.relevant_degraded(None)) == [DASHBOARD]
    assert report.relevant_degraded([API]) == ()


async def test_under_maintenance_is_not_an_outage(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    page.serve(summary({API: "under_maintenance"}, indicator="maintenance"))
    report = await fetch_report(hass, page)
    assert report.components[1].status is ComponentStatus.UNDER_MAINTENANCE
    assert report.relevant_problems([API]) == ()
    assert report.relevant_degraded([API]) == ()


async def test_maintenance_windows(hass: HomeAssistant, page: StatusPageServer) -> None:
    hour = timedelta(hours=1)
    page.serve(
        summary(
            {API: "under_maintenance"},
            maintenances=[
                # running now, on the API
                maintenance(
                    "m-run",
                    "DB upgrade",
                    "in_progress",
                    (NOW - hour, NOW + hour),
                    [API],
                ),
                # status still "scheduled" but its window has begun: active
                maintenance(
                    "m-due", "Patch", "scheduled", (NOW - hour, NOW + hour), [DASHBOARD]
                ),
                # scheduled for tomorrow: not active yet
                maintenance(
                    "m-later",
                    "Migration",
                    "scheduled",
                    (NOW + 24 * hour, NOW + 25 * hour),
                    [API],
                ),
                # finished on paper, window still open: not active
                maintenance(
                    "m-done", "Certs", "completed", (NOW - hour, NOW + hour), [API]
                ),
                # work done, being verified: still active
                maintenance(
                    "m-verify",
                    "Failover",
                    "verifying",
                    (NOW - 2 * hour, NOW - hour),
                    [WEBHOOKS],
                ),
            ],
        )
    )
    report = await fetch_report(hass, page)
    run = report.maintenances[0]
    assert run == Maintenance(
        "m-run",
        "DB upgrade",
        MaintenanceStatus.IN_PROGRESS,
        NOW - hour,
        NOW + hour,
        (API,),
    )
    assert ids(report.active_maintenance([API], NOW)) == ["m-run"]
    assert ids(report.active_maintenance([DASHBOARD], NOW)) == ["m-due"]
    assert ids(report.active_maintenance([MOBILE_APP], NOW)) == []
    assert ids(report.active_maintenance(None, NOW)) == ["m-run", "m-due", "m-verify"]
    assert ids(report.active_maintenance([CLOUD_GROUP], NOW)) == ["m-run", "m-verify"]
    # tomorrow, in the later window; "in_progress" stays active until the page says so
    tomorrow = NOW + 24 * hour + timedelta(minutes=30)
    assert ids(report.active_maintenance([API], tomorrow)) == ["m-run", "m-later"]
    # the window's end is exclusive; a naive now is taken as UTC
    assert ids(report.active_maintenance([DASHBOARD], NOW + hour)) == []
    naive = (NOW - timedelta(minutes=5)).replace(tzinfo=None)
    assert ids(report.active_maintenance([DASHBOARD], naive)) == ["m-due"]
    # none of this is an outage
    assert report.relevant_problems(None) == ()


async def test_maintenance_on_a_group_touches_its_members(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    hour = timedelta(hours=1)
    page.serve(
        summary(
            maintenances=[
                maintenance(
                    "m-g", "Cloud move", "in_progress", (NOW, NOW + hour), [CLOUD_GROUP]
                )
            ]
        )
    )
    report = await fetch_report(hass, page)
    assert ids(report.active_maintenance([API], NOW)) == ["m-g"]
    assert ids(report.active_maintenance([DASHBOARD], NOW)) == []


async def test_unknown_status_strings(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    data = summary({API: "on_fire", WEBHOOKS: None})
    data["scheduled_maintenances"] = [
        maintenance("m-x", "Odd", "postponed", (NOW, NOW), [API])
        | {"scheduled_for": "soon"},
        maintenance("m-y", "Null", "scheduled", (NOW, NOW), [API]) | {"status": None},
    ]
    page.serve(data)
    report = await fetch_report(hass, page)
    statuses = {c.id: c.status for c in report.components}
    assert statuses[API] is ComponentStatus.UNKNOWN
    assert statuses[WEBHOOKS] is ComponentStatus.UNKNOWN
    # an unknown status is neither an outage nor degraded
    assert report.relevant_problems([API, WEBHOOKS]) == ()
    assert report.relevant_degraded([API, WEBHOOKS]) == ()
    odd, null = report.maintenances
    assert odd.status is MaintenanceStatus.UNKNOWN
    assert odd.scheduled_for is None
    assert null.status is MaintenanceStatus.UNKNOWN
    assert report.active_maintenance(None, NOW) == ()


async def test_follows_redirects(hass: HomeAssistant, page: StatusPageServer) -> None:
    result = await fetch(hass, f"{page.base}/moved")
    assert result.report is not None


# --- fetch: a status page problem is "unknown", never an outage ----------------


async def test_http_403(hass: HomeAssistant, page: StatusPageServer) -> None:
    page.status, page.content_type, page.body = 403, "text/html", b"<h1>Forbidden</h1>"
    assert await fetch(hass, page.url) == StatusPageResult(
        None, "status page answered HTTP 403", None
    )


async def test_http_429_retry_after_seconds(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    page.status, page.headers = 429, {"Retry-After": "120"}
    assert await fetch(hass, page.url) == StatusPageResult(
        None, "status page answered HTTP 429", 120.0
    )


async def test_http_429_retry_after_http_date(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    when = datetime.now(UTC) + timedelta(seconds=300)
    page.status, page.headers = 429, {"Retry-After": format_datetime(when, usegmt=True)}
    result = await fetch(hass, page.url)
    assert result.report is None
    assert result.unknown_reason == "status page answered HTTP 429"
    assert result.retry_after is not None
    assert 290 <= result.retry_after <= 300


async def test_http_429_without_retry_after(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    page.status = 429
    result = await fetch(hass, page.url)
    assert (result.unknown_reason, result.retry_after) == (
        "status page answered HTTP 429",
        None,
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("0", 0.0),
        (" 42 ", 42.0),
        ("Mon, 04 May 2026 12:02:00 GMT", 120.0),
        ("Mon, 04 May 2026 11:00:00 GMT", 0.0),  # in the past: retry now
        ("86400", 86400.0),
        ("99999999999999999999", 86400.0),  # capped at one day
        ("Fri, 31 Dec 9999 23:59:59 GMT", 86400.0),
        ("-5", None),
        ("1e9", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_http_5xx(
    hass: HomeAssistant, page: StatusPageServer, status: int
) -> None:
    page.status = status
    result = await fetch(hass, page.url)
    assert result == StatusPageResult(None, f"status page answered HTTP {status}", None)


async def test_http_404(hass: HomeAssistant, page: StatusPageServer) -> None:
    result = await fetch(hass, f"{page.base}/api/v2/nope.json")
    assert result.unknown_reason == "status page answered HTTP 404"


async def test_html_content_type(hass: HomeAssistant, page: StatusPageServer) -> None:
    page.content_type = "text/html"
    page.body = b"<!DOCTYPE html><html><body>Acme status</body></html>"
    result = await fetch(hass, page.url)
    assert result == StatusPageResult(None, "status page sent HTML, not JSON", None)


async def test_html_body_labelled_json(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    page.body = b"\n  <html><head><title>Just a moment...</title></head></html>"
    result = await fetch(hass, page.url)
    assert result.unknown_reason == "status page sent HTML, not JSON"


async def test_plain_text_and_empty_body(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    page.content_type, page.body = "text/plain", b"Service Unavailable"
    assert (
        await fetch(hass, page.url)
    ).unknown_reason == "status page did not send JSON"
    page.body = b"  \n"
    assert (await fetch(hass, page.url)).unknown_reason == (
        "status page sent an empty answer"
    )


async def test_truncated_json(hass: HomeAssistant, page: StatusPageServer) -> None:
    whole = json.dumps(summary()).encode()
    for cut in (len(whole) // 2, len(whole) - 1, 20):
        page.body = whole[:cut]
        result = await fetch(hass, page.url)
        assert result == StatusPageResult(
            None, "status page sent broken JSON (truncated or malformed)", None
        )


async def test_deeply_nested_json(hass: HomeAssistant, page: StatusPageServer) -> None:
    depth = 200_000  # deeper than the parser's recursion limit, still < 1 MiB
    page.body = b"[" * depth + b"]" * depth
    result = await fetch(hass, page.url)
    assert result.report is None
    assert (
        result.unknown_reason == "status page sent broken JSON (truncated or malformed)"
    )


HALF_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b'Content-Length: 5000\r\n\r\n{"components": ['
)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        # Content-Length promises more than the server sends before it hangs up
        (HALF_ANSWER, "status page unreachable: response body broken off"),
        (
            b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
            "status page unreachable: bad HTTP response (Bad status line)",
        ),
        (b"", "status page unreachable: connection closed without an answer"),
    ],
)
async def test_broken_http(
    hass: HomeAssistant, socket_enabled: None, answer: bytes, reason: str
) -> None:
    """A raw server that reads the request, sends answer and hangs up."""

    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(reply, LOCALHOST, 0)
    port = server.sockets[0].getsockname()[1]
    try:
        result = await fetch(hass, f"http://{LOCALHOST}:{port}/api/v2/summary.json")
    finally:
        server.close()
        await server.wait_closed()
    assert result == StatusPageResult(None, reason, None)


async def test_redirect_loop(hass: HomeAssistant, page: StatusPageServer) -> None:
    result = await fetch(hass, f"{page.base}/loop")
    assert result == StatusPageResult(
        None, "status page unreachable: too many redirects", None
    )


async def test_tls_to_a_plain_http_server(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    result = await fetch(hass, f"https://{LOCALHOST}:{page.port}/api/v2/summary.json")
    assert result.report is None
    assert result.unknown_reason == "status page unreachable: TLS handshake failed"


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (
            {"page": {"name": "Acme"}, "status": {"indicator": "none"}},
            "'components' is missing",
        ),
        ({"components": None}, "'components' is null"),
        ({"components": {"id": API}}, "'components' is not a list"),
        ({"components": ["api"]}, "components[0] is not an object"),
        (
            {"components": [{"name": "API", "status": "operational"}]},
            "components[0] has no id",
        ),
        ({"components": [], "incidents": "none"}, "'incidents' is not a list"),
        ({"components": [], "incidents": [{"name": "x"}]}, "incidents[0] has no id"),
        (
            {
                "components": [],
                "scheduled_maintenances": [{"id": "m", "components": "api"}],
            },
            "scheduled_maintenances[0].components is not a list",
        ),
        (
            {
                "components": [],
                "scheduled_maintenances": [{"id": "m", "components": [{}]}],
            },
            "scheduled_maintenances[0].components[0] has no id",
        ),
        ([{"id": API}], "expected a JSON object"),
        ("operational", "expected a JSON object"),
    ],
)
async def test_wrong_shape(
    hass: HomeAssistant, page: StatusPageServer, data: object, detail: str
) -> None:
    page.serve(data)
    result = await fetch(hass, page.url)
    assert result == StatusPageResult(
        None, f"status page JSON has an unexpected shape: {detail}", None
    )
    with pytest.raises(StatusPageFormatError, match="^" + detail.replace("[", r"\[")):
        parse_summary(data)


def test_tolerant_of_missing_optional_keys_and_nulls() -> None:
    report = parse_summary(
        {
            "page": None,
            "status": "fine",
            "components": [
                {"id": API, "name": None, "status": "major_outage", "group": None},
                {"id": 42, "status": "operational", "extra": {"nested": [1, 2]}},
            ],
            "incidents": None,
            "scheduled_maintenances": [
                {
                    "id": "m",
                    "status": "in_progress",
                    "scheduled_for": None,
                    "scheduled_until": "2026-05-04T13:00:00",
                    "components": [API],
                },
                {"id": "m2", "name": "No components", "status": "in_progress"},
            ],
        }
    )
    assert report.page_name is None
    assert report.indicator is None
    assert report.components == (
        Component(API, API, ComponentStatus.MAJOR_OUTAGE, group=False),
        Component("42", "42", ComponentStatus.OPERATIONAL, group=False),
    )
    assert report.incidents == ()
    first, second = report.maintenances
    assert first.scheduled_for is None
    assert first.scheduled_until == datetime(2026, 5, 4, 13, tzinfo=UTC)
    assert first.component_ids == (API,)
    assert second.component_ids == ()
    assert ids(report.active_maintenance([API], NOW)) == ["m"]
    assert ids(report.active_maintenance(None, NOW)) == ["m", "m2"]
    assert ids(report.relevant_problems(None)) == [API]


def test_incident_without_optional_fields() -> None:
    report = parse_summary({"components": [], "incidents": [{"id": "i1"}]})
    (only,) = report.incidents
    assert (only.id, only.name, only.status, only.impact) == (
        "i1",
        "i1",
        "unknown",
        "unknown",
    )


async def test_body_over_one_mebibyte_with_length(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    data = summary()
    data["padding"] = "x" * (2 * 1024 * 1024)
    page.serve(data)
    result = await fetch(hass, page.url)
    assert result == StatusPageResult(
        None, "status page answer is larger than 1 MiB", None
    )


async def test_body_over_one_mebibyte_streamed(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    data = summary()
    data["padding"] = "x" * (2 * 1024 * 1024)
    page.serve(data)
    page.chunked = True
    result = await fetch(hass, page.url)
    assert result == StatusPageResult(
        None, "status page answer is larger than 1 MiB", None
    )


async def test_body_just_under_the_cap_streamed(
    hass: HomeAssistant, page: StatusPageServer
) -> None:
    """A body of nearly 1 MiB arrives in many pieces and is read whole."""
    data = summary()
    data["padding"] = ""
    room = MAX_BODY_BYTES - len(json.dumps(data).encode())
    data["padding"] = "x" * room
    page.serve(data)
    assert len(page.body) == MAX_BODY_BYTES
    page.chunked = True
    report = await fetch_report(hass, page)
    assert len(report.components) == 5


async def test_timeout(hass: HomeAssistant, page: StatusPageServer) -> None:
    page.hang = True
    result = await fetch(hass, page.url, timeout=1)
    assert result == StatusPageResult(
        None, "status page unreachable: timeout after 1 s", None
    )


async def test_connection_refused(hass: HomeAssistant, socket_enabled: None) -> None:
    url = f"http://{LOCALHOST}:{free_port()}/api/v2/summary.json"
    result = await fetch(hass, url)
    assert result == StatusPageResult(
        None, "status page unreachable: connection refused", None
    )


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://127.0.0.1/api/v2/summary.json", ""]
)
async def test_invalid_url(hass: HomeAssistant, socket_enabled: None, url: str) -> None:
    result = await fetch(hass, url)
    assert result.report is None
    assert result.unknown_reason == "status page unreachable: invalid URL"
