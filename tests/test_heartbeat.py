"""The "heartbeat" kind: real HTTP requests to Home Assistant's webhook endpoint."""

from collections.abc import AsyncIterator, Awaitable, Callable
from http import HTTPStatus
import re
from typing import Any

from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.provider_watch.const import (
    CONF_FAIL_KEYWORD,
    CONF_GRACE,
    CONF_KIND,
    CONF_LOCAL_ONLY,
    CONF_NAME,
    CONF_PERIOD,
    CONF_WEBHOOK_ID,
    EVENT_SYSTEM_OFFLINE,
    EVENT_SYSTEM_ONLINE,
)
from custom_components.provider_watch.logic.beats import MAX_SPACING
from homeassistant.components.webhook import async_generate_path
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from testkit.heartbeat import count_saves, flood

from .helpers import (
    advance,
    changes_after,
    configure,
    new_subentry,
    provider_entry,
    settle,
    setup_entry,
    start_system_flow,
    start_system_reconfigure,
    submit_system_form,
)

SYSTEM_ID = "system_panel"  # title "Panel"
STATUS = "sensor.panel_status"
CONNECTIVITY = "binary_sensor.panel_connectivity"
CAUSE = "sensor.panel_outage_cause"
EVENT_ENTITY = "event.panel_status_change"

WEBHOOK_ID = "0123456789abcdef" * 4
URL = f"/api/webhook/{WEBHOOK_ID}"
PERIOD, GRACE = 300, 60
DEADLINE = PERIOD + GRACE  # 6 min
SPACING = PERIOD // 10  # beats closer together than this count once
CONFIRM = MAX_SPACING.total_seconds()  # a failure report again this much later
HEX64 = re.compile(r"^[0-9a-f]{64}$")
FAILURE = "the heartbeat reported a failure"

type Beat = Callable[..., Awaitable[int]]


@pytest.fixture(autouse=True)
def _sockets(socket_enabled: None) -> None:
    """The test client listens on 127.0.0.1; setup checks the ICMP mode once."""


def heartbeat_system(**overrides: Any) -> dict[str, Any]:
    return {
        CONF_KIND: "heartbeat",
        CONF_WEBHOOK_ID: WEBHOOK_ID,
        CONF_PERIOD: PERIOD,
        CONF_GRACE: GRACE,
        CONF_LOCAL_ONLY: True,
        CONF_FAIL_KEYWORD: "fail",
    } | overrides


async def setup_system(hass: HomeAssistant, **overrides: Any) -> MockConfigEntry:
    return await setup_entry(
        hass, provider_entry({SYSTEM_ID: heartbeat_system(**overrides)})
    )


def status(hass: HomeAssistant) -> str:
    return hass.states.get(STATUS).state


@pytest.fixture
async def client(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> TestClient:
    """A client of Home Assistant's own HTTP app, served on 127.0.0.1.

    webhook (and with it http) is set up first, as the provider's dependency would be.
    """
    assert await async_setup_component(hass, "webhook", {})
    return await hass_client_no_auth()


@pytest.fixture
def beat(hass: HomeAssistant, client: TestClient) -> Beat:
    """Send one heartbeat; returns the HTTP status."""

    async def send(
        method: str = "GET", path: str = URL, body: Any = None, **kwargs: Any
    ) -> int:
        async with client.request(method, path, data=body, **kwargs) as response:
            if method != "HEAD" and response.status == HTTPStatus.OK:
                await response.read()
        await settle(hass)
        return response.status

    return send


@pytest.fixture
def report(hass: HomeAssistant, beat: Beat, freezer: FrozenDateTimeFactory) -> Beat:
    """Send a failure report, and again once the minimum spacing passed: confirmed."""

    async def send(*args: Any, **kwargs: Any) -> int:
        assert await beat(*args, **kwargs) == HTTPStatus.OK
        await advance(hass, freezer, CONFIRM)
        return await beat(*args, **kwargs)

    return send


# --- beats ---------------------------------------------------------------------------


async def test_get_and_post_keep_it_online(
    hass: HomeAssistant, client: TestClient, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_system(hass)
    assert status(hass) == STATE_UNKNOWN  # no beat yet

    response = await client.get(URL)
    assert response.status == HTTPStatus.OK
    assert await response.text() == "OK"
    await settle(hass)
    assert status(hass) == "online"
    assert hass.states.get(CONNECTIVITY).state == STATE_ON

    # a beat every period, alternating GET and POST, for two hours
    for index in range(24):
        await advance(hass, freezer, PERIOD)
        if index % 2:
            response = await client.get(URL, params={"uptime": str(index)})
        else:
            response = await client.post(URL, json={"status": "ok", "n": index})
        assert response.status == HTTPStatus.OK
        await settle(hass)
        assert status(hass) == "online"
    assert offline == []


@pytest.mark.usefixtures("internet")  # the internet is up: an outage is our own
async def test_missed_heartbeat_and_back(
    hass: HomeAssistant, beat: Beat, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_system(hass)
    assert await beat() == HTTPStatus.OK
    assert status(hass) == "online"

    # the deadline is period + grace after the last beat, to the second
    await changes_after(hass, freezer, STATUS, DEADLINE, "online", "offline")
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    assert hass.states.get(CAUSE).state == "system"
    assert len(offline) == 1
    data = offline[0].data
    assert data["kind"] == "heartbeat"
    assert data["system"] == "Panel"
    assert data["reason"] == "no heartbeat for 6 min"
    assert data["cause"] == "system"
    assert hass.states.get(EVENT_ENTITY).attributes["reason"] == data["reason"]

    # staying silent is the same outage
    await advance(hass, freezer, 3600)
    assert len(offline) == 1

    assert await beat("POST", body="all good") == HTTPStatus.OK
    assert status(hass) == "online"
    assert hass.states.get(CAUSE).state == "none"
    assert len(online) == 1
    assert online[0].data["since"] == data["since"]
    # counted from when the beat was due (last beat + period), not from the
    # deadline (+ grace) nor from the last beat
    assert online[0].data["duration"] == 60 + 3600
    assert hass.states.get(EVENT_ENTITY).attributes["event_type"] == "online"
    assert len(offline) == 1


async def test_no_beat_at_all_after_setup(
    hass: HomeAssistant, client: TestClient, freezer: FrozenDateTimeFactory
) -> None:
    """The first beat is expected within period + grace of the start."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_system(hass)
    await changes_after(hass, freezer, STATUS, DEADLINE, STATE_UNKNOWN, "offline")
    assert offline[0].data["reason"] == "no heartbeat for 6 min"


@pytest.mark.parametrize(
    ("period", "grace", "reason"),
    [(10, 0, "no heartbeat for 10 s"), (3600, 300, "no heartbeat for 1 h 5 min")],
)
async def test_deadline_follows_settings(
    hass: HomeAssistant,
    beat: Beat,
    freezer: FrozenDateTimeFactory,
    period: int,
    grace: int,
    reason: str,
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_system(hass, period=period, grace=grace)
    await beat()
    await advance(hass, freezer, period + grace - 1)
    assert status(hass) == "online"
    await advance(hass, freezer, 1)
    assert offline[0].data["reason"] == reason


async def test_fail_keyword_in_body(
    hass: HomeAssistant, beat: Beat, report: Beat, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    await setup_system(hass)
    await beat()
    await advance(hass, freezer, 60)

    # a failure report, confirmed by the next one: the device said so itself
    assert await report("POST", body='{"status": "fail", "zone": 3}') == HTTPStatus.OK
    assert status(hass) == "offline"
    assert [event.data["reason"] for event in offline] == [FAILURE]

    # a failure report also counts as a sign of life: no "no heartbeat" later
    await advance(hass, freezer, DEADLINE - 1)
    await beat("POST", body="fail")  # reported again
    await advance(hass, freezer, DEADLINE - 1)
    assert hass.states.get(EVENT_ENTITY).attributes["reason"] == FAILURE
    assert len(offline) == 1

    await beat("POST", body="ok")
    assert status(hass) == "online"
    assert len(online) == 1


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("GET", {"params": {"status": "fail"}}),
        ("POST", {"params": {"status": "fail"}}),
        ("GET", {"params": {"zone": "3", "status": "FAIL"}}),
        ("GET", {"path": f"{URL}?fail"}),
    ],
)
async def test_fail_keyword_in_query(
    hass: HomeAssistant, beat: Beat, report: Beat, method: str, kwargs: dict[str, Any]
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_system(hass)
    await beat()
    assert await report(method, **kwargs) == HTTPStatus.OK
    assert status(hass) == "offline"
    assert offline[0].data["reason"] == FAILURE


@pytest.mark.parametrize(
    "query",
    [
        "status=not%20ok",  # percent-encoded space
        "status=not+ok",  # form-encoded space
        "zone=3&status=NOT%20Ok",
    ],
)
async def test_fail_keyword_with_space_in_encoded_query(
    hass: HomeAssistant, beat: Beat, report: Beat, query: str
) -> None:
    """The keyword is found in the decoded query, however the sender encoded it."""
    await setup_system(hass, fail_keyword="not ok")
    await beat()
    await report(path=f"{URL}?{query}")
    assert status(hass) == "offline"


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ({"status": "not ok"}, {}),  # sent form-encoded: status=not+ok
        ("status=not%20ok", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("Not OK", {}),  # a text body that is the keyword
    ],
)
async def test_fail_keyword_with_space_in_body(
    hass: HomeAssistant, beat: Beat, report: Beat, body: Any, headers: dict[str, str]
) -> None:
    """A form body is also read decoded, as the query is."""
    await setup_system(hass, fail_keyword="not ok")
    await beat()
    await report("POST", body=body, headers=headers)
    assert status(hass) == "offline"


async def test_encoded_text_body_is_taken_as_it_is(
    hass: HomeAssistant, beat: Beat
) -> None:
    await setup_system(hass, fail_keyword="not ok")
    await beat("POST", body="status=not+ok", headers={"Content-Type": "text/plain"})
    assert status(hass) == "online"


async def test_keyword_is_matched_in_any_case(
    hass: HomeAssistant, beat: Beat, report: Beat
) -> None:
    """Issue 15: the keyword is matched case-insensitively (it was case-sensitive)."""
    await setup_system(hass, fail_keyword="FAULT")
    await report("POST", body="faults")
    assert status(hass) == "online"
    await report("POST", body="fault")
    assert status(hass) == "offline"


# the failure signal (keyword "fail"): the field "status" of the query, a JSON object
# or a form equals the keyword, or the whole text body (or query) is the keyword
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TEXT = {"Content-Type": "text/plain"}


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("GET", {"params": {"status": "fail"}}),
        ("GET", {"params": {"status": "FAIL"}}),  # any case
        ("GET", {"params": {"zone": "3", "status": " Fail "}}),
        ("GET", {"path": f"{URL}?status=ok&status=fail"}),
        ("GET", {"path": f"{URL}?fail"}),  # the whole query is the keyword
        ("POST", {"params": {"status": "fail"}, "body": "all good"}),
        ("POST", {"json": {"status": "fail", "zone": 3}}),
        ("POST", {"body": '{"status": "FAIL"}', "headers": TEXT}),  # JSON all the same
        ("POST", {"body": '{"status": "fail"}', "headers": FORM}),  # curl -d '{...}'
        ("POST", {"body": {"status": "fail", "zone": "3"}}),  # a form
        ("POST", {"body": "zone=3&status=Fail", "headers": FORM}),
        ("POST", {"body": "fail"}),  # a text body that is the keyword
        ("POST", {"body": " FAIL\n", "headers": TEXT}),
        ("POST", {"body": "fail", "headers": FORM}),  # curl -d fail
    ],
)
async def test_the_failure_signal(
    hass: HomeAssistant, beat: Beat, report: Beat, method: str, kwargs: dict[str, Any]
) -> None:
    await setup_system(hass)
    await beat()
    assert await report(method, **kwargs) == HTTPStatus.OK
    assert status(hass) == "offline"


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("POST", {"json": {"status": "ok", "failures": 0}}),  # issue 15
        ("HEAD", {"params": {"x": "failover"}}),  # issue 15
        ("HEAD", {"params": {"status": "fail"}}),  # a HEAD is a beat, never a failure
        ("HEAD", {"path": f"{URL}?fail"}),
        ("GET", {"params": {"status": "failover"}}),
        ("GET", {"params": {"result": "fail"}}),  # not the field "status"
        ("GET", {"path": f"{URL}?failover"}),
        ("GET", {"path": f"{URL}?fail&zone=3"}),
        ("GET", {"body": "fail"}),  # a GET's body is not read
        ("POST", {"json": {"message": "fail"}}),
        ("POST", {"json": {"status": ["fail"]}}),
        ("POST", {"json": {"device": {"status": "fail"}}}),
        ("POST", {"json": ["fail"]}),
        ("POST", {"json": "fail"}),  # a JSON string, not an object
        ("POST", {"body": {"message": "fail"}}),
        ("POST", {"body": "the device failed"}),
        ("POST", {"body": "status=fail", "headers": TEXT}),  # text, taken as it is
        ("POST", {"body": '{"status": "fail"', "headers": JSON}),  # broken JSON
    ],
)
async def test_the_keyword_elsewhere_is_no_failure(
    hass: HomeAssistant, beat: Beat, report: Beat, method: str, kwargs: dict[str, Any]
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_system(hass)
    await beat()
    assert await report(method, **kwargs) == HTTPStatus.OK
    assert status(hass) == "online"
    assert offline == []


@pytest.mark.parametrize("keyword", [None, ""])
async def test_without_keyword_every_beat_is_good(
    hass: HomeAssistant, beat: Beat, keyword: str | None
) -> None:
    data = heartbeat_system(fail_keyword=keyword)
    if keyword is None:
        del data[CONF_FAIL_KEYWORD]
    await setup_entry(hass, provider_entry({SYSTEM_ID: data}))
    await beat("POST", body="fail fail fail", params={"status": "fail"})
    assert status(hass) == "online"


async def test_keyword_beyond_the_body_limit_is_not_read(
    hass: HomeAssistant, beat: Beat, report: Beat
) -> None:
    """Only the first 64 KiB of a body are read; an oversized body is still a beat."""
    await setup_system(hass)

    def padded(size: int) -> str:
        """A JSON report of exactly `size` bytes."""
        head, tail = '{"status": "fail", "pad": "', '"}'
        return head + "x" * (size - len(head) - len(tail)) + tail

    await report("POST", body=padded(64 * 1024 + 1))
    assert status(hass) == "online"
    await report("POST", body=padded(64 * 1024))
    assert status(hass) == "offline"


async def test_keyword_in_a_later_chunk(
    hass: HomeAssistant, beat: Beat, freezer: FrozenDateTimeFactory
) -> None:
    """A body that arrives in pieces is read to its end (up to the limit)."""

    async def pieces() -> AsyncIterator[bytes]:
        yield b'{"zone": 1, "filler": "' + b"x" * 4000 + b'", '
        # let the server receive the first piece and start on the request
        for _ in range(10):
            await hass.async_block_till_done()
        yield b'"status": "fail"}'

    await setup_system(hass)
    await beat()
    await beat("POST", body=pieces())
    await advance(hass, freezer, CONFIRM)
    await beat("POST", body=pieces())  # the report again: confirmed
    assert status(hass) == "offline"


async def test_non_utf8_body(hass: HomeAssistant, report: Beat) -> None:
    await setup_system(hass)
    await report("POST", body=b"\xff\xfe fail \x80")  # not the keyword: a beat
    assert status(hass) == "online"
    await report("POST", body=b'{"status": "fail", "note": "\xff\xfe"}')
    assert status(hass) == "offline"


async def test_head_counts_as_beat(hass: HomeAssistant, beat: Beat) -> None:
    """Some senders check with HEAD: it keeps the system online as well."""
    await setup_system(hass)
    assert await beat("HEAD") == HTTPStatus.OK
    assert status(hass) == "online"


async def test_put_is_not_allowed(hass: HomeAssistant, beat: Beat) -> None:
    await setup_system(hass)
    assert await beat("PUT", body="ok") == HTTPStatus.METHOD_NOT_ALLOWED
    assert status(hass) == STATE_UNKNOWN


async def test_unknown_webhook_id(
    hass: HomeAssistant, client: TestClient, freezer: FrozenDateTimeFactory
) -> None:
    """Another id gets Home Assistant's usual empty 200 and changes nothing."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_system(hass)
    for method in ("GET", "POST", "HEAD"):
        response = await client.request(method, async_generate_path("f" * 64))
        assert response.status == HTTPStatus.OK
        assert await response.read() == b""
    await settle(hass)
    assert status(hass) == STATE_UNKNOWN
    # and it does not push the deadline back either
    await advance(hass, freezer, DEADLINE)
    assert status(hass) == "offline"
    assert len(offline) == 1


async def test_two_systems_are_independent(
    hass: HomeAssistant, beat: Beat, report: Beat
) -> None:
    other_id = "fedcba9876543210" * 4
    await setup_entry(
        hass,
        provider_entry(
            {
                SYSTEM_ID: heartbeat_system(),
                "system_gate": heartbeat_system(webhook_id=other_id),
            }
        ),
    )
    await beat()
    assert status(hass) == "online"
    assert hass.states.get("sensor.gate_status").state == STATE_UNKNOWN
    await report(path=async_generate_path(other_id), params={"status": "fail"})
    assert hass.states.get("sensor.gate_status").state == "offline"
    assert status(hass) == "online"


async def test_beat_through_websocket_api(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant can also pass a webhook call over its WebSocket API."""
    await setup_system(hass)
    ws = await hass_ws_client(hass)
    for confirming in (False, True):  # a failure report, and again: confirmed
        if confirming:
            await advance(hass, freezer, CONFIRM)
        await ws.send_json_auto_id(
            {
                "type": "webhook/handle",
                "webhook_id": WEBHOOK_ID,
                "method": "POST",
                "body": "fail",
            }
        )
        reply = await ws.receive_json()
        assert reply["success"]
        assert reply["result"]["status"] == HTTPStatus.OK
        assert reply["result"]["body"] == "OK"
    await settle(hass)
    assert status(hass) == "offline"

    await ws.send_json_auto_id(
        {
            "type": "webhook/handle",
            "webhook_id": WEBHOOK_ID,
            "method": "GET",
            "query": "status=ok",
        }
    )
    assert (await ws.receive_json())["success"]
    await settle(hass)
    # right after the counted report: held until the minimum spacing has passed
    assert status(hass) == "offline"
    await advance(hass, freezer, SPACING)
    assert status(hass) == "online"


# --- floods and confirmation -------------------------------------------------------


def counted(entry: MockConfigEntry) -> int:
    """How many beats reached the system's state machine (diagnostics' probe log)."""
    return len(entry.runtime_data.systems[SYSTEM_ID].probes)


async def test_a_flood_of_beats_counts_once_per_spacing(
    hass: HomeAssistant, beat: Beat, freezer: FrozenDateTimeFactory
) -> None:
    entry = await setup_system(hass)
    with count_saves() as saves:
        for _ in range(50):
            assert await beat() == HTTPStatus.OK
        assert status(hass) == "online"
        assert counted(entry) == 1
        await advance(hass, freezer, SPACING - 1)
        for _ in range(20):
            await beat()
        assert counted(entry) == 1  # still within the spacing of the counted one
        await advance(hass, freezer, 1)
        for _ in range(20):
            await beat()
        assert counted(entry) == 2
        assert sum(saves.values()) <= 2, saves
    # every beat is a sign of life: the deadline counts from the last one
    await changes_after(hass, freezer, STATUS, DEADLINE, "online", "offline")


async def test_a_single_failure_beat_needs_confirmation(
    hass: HomeAssistant, beat: Beat, freezer: FrozenDateTimeFactory
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_system(hass)
    await beat()
    await advance(hass, freezer, 60)
    reported = dt_util.utcnow()
    await beat(params={"status": "fail"})
    assert status(hass) == "online"  # one report is not enough
    await advance(hass, freezer, SPACING - 1)
    await beat(params={"status": "fail"})
    assert status(hass) == "online"  # too soon: the same report, counted once
    await advance(hass, freezer, 1)
    await beat(params={"status": "fail"})  # a second report: confirmed
    assert status(hass) == "offline"
    assert [event.data["reason"] for event in offline] == [FAILURE]
    assert offline[0].data["since"] == reported.isoformat()  # from the first report


async def test_a_failure_beat_contradicted_by_the_next_beat(
    hass: HomeAssistant, beat: Beat, freezer: FrozenDateTimeFactory
) -> None:
    """A lone failure report (anyone with the URL can send one) and then good beats."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_system(hass)
    await beat()
    await advance(hass, freezer, 100)
    await beat("POST", body="fail")
    for _ in range(6):  # the device beats on, every period, for half an hour
        await advance(hass, freezer, 200 if _ == 0 else PERIOD)
        await beat()
        assert status(hass) == "online"
    await advance(hass, freezer, DEADLINE - 1)
    assert status(hass) == "online"
    assert offline == []


async def test_a_failure_beat_confirmed_by_silence(
    hass: HomeAssistant, beat: Beat, freezer: FrozenDateTimeFactory
) -> None:
    """A failure report and then nothing: offline when the next beat is overdue."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    await setup_system(hass)
    await beat()
    await advance(hass, freezer, 100)
    reported = dt_util.utcnow()
    await beat(params={"status": "fail"})
    await changes_after(hass, freezer, STATUS, DEADLINE, "online", "offline")
    assert [event.data["reason"] for event in offline] == [FAILURE]
    assert offline[0].data["since"] == reported.isoformat()


async def test_an_alternating_flood_is_bounded(
    hass: HomeAssistant, client: TestClient, freezer: FrozenDateTimeFactory
) -> None:
    """200 beats in 10 s, ok and failure in turn, then silence."""
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    entry = await setup_system(hass)
    with count_saves() as saves:
        for kwargs in flood("alternating", 200):
            freezer.tick(0.05)
            async with client.request(path=URL, **kwargs) as response:
                assert response.status == HTTPStatus.OK
        await settle(hass)
        assert len(offline) + len(online) <= 2
        await advance(hass, freezer, DEADLINE)  # the device is silent afterwards
        outages = entry.runtime_data.history.outages
        assert len(outages) <= 2, outages
        assert len(offline) + len(online) <= 4
        assert sum(saves.values()) <= 10, saves
    assert status(hass) == "offline"  # the last beat reported a failure


# --- registration, local only, unload ---------------------------------------------


async def test_webhook_registration(hass: HomeAssistant, client: TestClient) -> None:
    await setup_system(hass)
    registered = hass.data["webhook"][WEBHOOK_ID]
    assert registered.domain == "provider_watch"
    assert registered.name == "Provider Watch heartbeat: Panel"
    assert registered.local_only is True
    assert registered.allowed_methods == frozenset({"GET", "POST", "HEAD"})


@pytest.mark.parametrize("local_only", [True, False])
async def test_local_only_registration(
    hass: HomeAssistant, client: TestClient, local_only: bool
) -> None:
    await setup_system(hass, local_only=local_only)
    assert hass.data["webhook"][WEBHOOK_ID].local_only is local_only


@pytest.fixture
async def proxied(hass: HomeAssistant) -> None:
    """HTTP behind a reverse proxy on 127.0.0.1: X-Forwarded-For sets the remote.

    So a request from the test client (127.0.0.1) can say where it came from.
    """
    assert await async_setup_component(
        hass,
        "http",
        {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1"]}},
    )


@pytest.mark.parametrize(
    ("local_only", "remote", "counted"),
    [
        (
            True,
            "fd12:3456::20",
            True,
        ),  # the home network (a header value: nothing is sent there)
        (True, "203.0.113.7", False),  # the internet: ignored, quietly
        (False, "203.0.113.7", True),
        (False, "fd12:3456::20", True),
    ],
)
async def test_local_only_and_remote_senders(
    hass: HomeAssistant,
    proxied: None,
    beat: Beat,
    local_only: bool,
    remote: str,
    counted: bool,
) -> None:
    await setup_system(hass, local_only=local_only)
    assert await beat(headers={"X-Forwarded-For": remote}) == HTTPStatus.OK
    assert status(hass) == ("online" if counted else STATE_UNKNOWN)


async def test_unload_unregisters(
    hass: HomeAssistant,
    client: TestClient,
    beat: Beat,
    report: Beat,
    freezer: FrozenDateTimeFactory,
) -> None:
    offline = async_capture_events(hass, EVENT_SYSTEM_OFFLINE)
    online = async_capture_events(hass, EVENT_SYSTEM_ONLINE)
    entry = await setup_system(hass)
    await beat()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert WEBHOOK_ID not in hass.data["webhook"]

    # Home Assistant still answers 200 (it never tells whether a hook exists)
    response = await client.post(URL, data="fail")
    assert response.status == HTTPStatus.OK
    assert await response.read() == b""
    # and the deadline timer is gone with the entry
    await advance(hass, freezer, 2 * DEADLINE)
    assert offline == []
    assert online == []

    # set up again, the same webhook is registered anew
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    await report(params={"status": "fail"})
    assert status(hass) == "offline"


async def test_reload_keeps_the_webhook(
    hass: HomeAssistant, beat: Beat, report: Beat
) -> None:
    entry = await setup_system(hass)
    await beat()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert entry.state is ConfigEntryState.LOADED
    assert WEBHOOK_ID in hass.data["webhook"]
    await report("POST", body="fail")
    assert status(hass) == "offline"


# --- the subentry flow -------------------------------------------------------------


@pytest.fixture
async def provider(hass: HomeAssistant, client: TestClient) -> MockConfigEntry:
    """A loaded provider with one heartbeat system "Panel"."""
    return await setup_system(hass)


HEARTBEAT_INPUT = {
    CONF_NAME: "Gate",
    CONF_PERIOD: 600.0,
    CONF_GRACE: 120.0,
    CONF_LOCAL_ONLY: True,
    CONF_FAIL_KEYWORD: " alarm ",
}


async def url_step(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> dict[str, Any]:
    """A new heartbeat system's form submitted: the step showing where to send."""
    result = await submit_system_form(hass, entry, "heartbeat", user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "heartbeat_url"
    return result


async def shown_url(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> str:
    """The URL a new heartbeat system is shown to send its beats to."""
    result = await url_step(hass, entry, user_input)
    return str(result["description_placeholders"]["url"])


async def test_flow_creates_heartbeat_system(
    hass: HomeAssistant, provider: MockConfigEntry, client: TestClient
) -> None:
    hass.config.internal_url = "http://127.0.0.1:8123"
    before = set(provider.subentries)
    result = await url_step(hass, provider, HEARTBEAT_INPUT)
    url = result["description_placeholders"]["url"]
    match = re.fullmatch(r"http://127\.0\.0\.1:8123/api/webhook/([0-9a-f]{64})", url)
    assert match is not None
    webhook_id = match[1]
    assert webhook_id != WEBHOOK_ID

    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Gate"
    data = dict(new_subentry(provider, before).data)
    assert data == {
        CONF_KIND: "heartbeat",
        CONF_PERIOD: 600,
        CONF_GRACE: 120,
        CONF_LOCAL_ONLY: True,
        CONF_FAIL_KEYWORD: "alarm",
        CONF_WEBHOOK_ID: webhook_id,
    }
    assert type(data[CONF_PERIOD]) is int
    assert type(data[CONF_GRACE]) is int

    # the reloaded provider answers on the shown URL
    response = await client.get(async_generate_path(webhook_id))
    assert await response.text() == "OK"
    await settle(hass)
    assert hass.states.get("sensor.gate_status").state == "online"


async def test_flow_each_system_gets_its_own_id(
    hass: HomeAssistant, provider: MockConfigEntry
) -> None:
    ids = set()
    for name in ("Gate", "Garage"):
        result = await url_step(hass, provider, HEARTBEAT_INPUT | {CONF_NAME: name})
        result = await configure(hass, result["flow_id"], {})
        assert result["type"] is FlowResultType.CREATE_ENTRY
    for subentry in provider.subentries.values():
        ids.add(subentry.data[CONF_WEBHOOK_ID])
        assert HEX64.match(subentry.data[CONF_WEBHOOK_ID])
    assert len(ids) == 3


async def test_flow_url_without_configured_url(
    hass: HomeAssistant, provider: MockConfigEntry
) -> None:
    """No internal URL set: the URL is built from Home Assistant's own IP address."""
    assert hass.config.api is not None
    local = f"http://{hass.config.api.local_ip}:{hass.config.api.port}"
    url = await shown_url(hass, provider, HEARTBEAT_INPUT)
    assert re.fullmatch(re.escape(local) + r"/api/webhook/[0-9a-f]{64}", url)


async def test_flow_url_falls_back_to_the_path(
    hass: HomeAssistant, provider: MockConfigEntry
) -> None:
    hass.config.api = None  # Home Assistant does not know its own address
    url = await shown_url(hass, provider, HEARTBEAT_INPUT)
    assert re.fullmatch(r"/api/webhook/[0-9a-f]{64}", url)


async def test_flow_url_for_remote_senders_prefers_external(
    hass: HomeAssistant, provider: MockConfigEntry
) -> None:
    hass.config.internal_url = "http://127.0.0.1:8123"
    hass.config.external_url = "https://home.example.org"
    url = await shown_url(hass, provider, HEARTBEAT_INPUT | {CONF_LOCAL_ONLY: False})
    assert re.fullmatch(r"https://home\.example\.org/api/webhook/[0-9a-f]{64}", url)

    url = await shown_url(hass, provider, HEARTBEAT_INPUT)
    assert url.startswith("http://127.0.0.1:8123/api/webhook/")


async def test_flow_defaults_and_blank_keyword(
    hass: HomeAssistant, provider: MockConfigEntry
) -> None:
    before = set(provider.subentries)
    result = await url_step(
        hass, provider, {CONF_NAME: "Gate", CONF_FAIL_KEYWORD: "   "}
    )
    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = dict(new_subentry(provider, before).data)
    assert data == {
        CONF_KIND: "heartbeat",
        CONF_PERIOD: 300,
        CONF_GRACE: 60,
        CONF_LOCAL_ONLY: True,
        CONF_WEBHOOK_ID: data[CONF_WEBHOOK_ID],
    }
    assert HEX64.match(data[CONF_WEBHOOK_ID])


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({CONF_PERIOD: 60.5}, {CONF_PERIOD: "invalid_duration"}),
        ({CONF_GRACE: 0.5}, {CONF_GRACE: "invalid_duration"}),
        ({CONF_NAME: "panel"}, {CONF_NAME: "name_exists"}),
    ],
)
async def test_flow_errors(
    hass: HomeAssistant,
    provider: MockConfigEntry,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    result = await submit_system_form(
        hass, provider, "heartbeat", HEARTBEAT_INPUT | user_input
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "heartbeat"
    assert result["errors"] == errors


@pytest.mark.parametrize(
    "user_input", [{CONF_PERIOD: 5}, {CONF_PERIOD: 8 * 86_400}, {CONF_GRACE: -1}]
)
async def test_flow_schema_rejects(
    hass: HomeAssistant, provider: MockConfigEntry, user_input: dict[str, Any]
) -> None:
    result = await start_system_flow(hass, provider, "heartbeat")
    with pytest.raises(InvalidData):
        await configure(hass, result["flow_id"], HEARTBEAT_INPUT | user_input)


async def test_flow_reconfigure_keeps_the_webhook_id(
    hass: HomeAssistant, provider: MockConfigEntry, report: Beat
) -> None:
    hass.config.internal_url = "http://127.0.0.1:8123"
    result = await start_system_reconfigure(hass, provider, SYSTEM_ID)
    result = await configure(
        hass,
        result["flow_id"],
        {
            CONF_NAME: "Panel",
            CONF_PERIOD: 900,
            CONF_GRACE: 0,
            CONF_LOCAL_ONLY: False,
            CONF_FAIL_KEYWORD: "trouble",
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "heartbeat_url"
    assert result["description_placeholders"]["url"].endswith(URL)
    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(provider.subentries[SYSTEM_ID].data) == {
        CONF_KIND: "heartbeat",
        CONF_PERIOD: 900,
        CONF_GRACE: 0,
        CONF_LOCAL_ONLY: False,
        CONF_FAIL_KEYWORD: "trouble",
        CONF_WEBHOOK_ID: WEBHOOK_ID,
    }
    # the device keeps its URL; the new settings apply
    assert hass.data["webhook"][WEBHOOK_ID].local_only is False
    await report(params={"status": "fail"})
    assert status(hass) == "online"
    await report(params={"status": "trouble"})
    assert status(hass) == "offline"
