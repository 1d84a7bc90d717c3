"""Every form people fill in, fuzzed with hypothesis (issue 7, "bad input").

For each form — the provider (add and reconfigure), the internet check's targets
(with the first provider, and its options), the provider's options (alerts and
status page), and the system form of every kind (add and reconfigure) — whatever is
typed, the flow answers with a form error, an InvalidData schema error, or a valid
entry; never another exception. An entry it creates is then set up for real and
must load; nothing it logs may carry a traceback. A cloud system it creates has no
JSON path or template its checks cannot use (issue 15, item 17): each path is one a
rule can use, tried on the provider's answer as a check tries it, and the template
renders that answer in a check's time (`assert_rule_usable`).

Examples per form: CI-sized by default; PW_FUZZ_DEEP=1 runs ten times as many.

Nothing generated reaches the network: hosts and URLs are either junk the form must
refuse, or point at 127.0.0.1 (a generated path, port and query, the host forced).
Behind that, every name lookup fails on this machine (no DNS query is ever sent)
and connections to anything but 127.0.0.1 are refused by the test harness.
"""

from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
import logging
import os
import random
from typing import Any

from hypothesis import HealthCheck, assume, event, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.provider_watch.addresses import is_valid_host, is_valid_url
from custom_components.provider_watch.const import DOMAIN, SUBENTRY_SYSTEM
from custom_components.provider_watch.kinds.cloud_probe import CloudCheck
from custom_components.provider_watch.monitoring.internet import is_valid_target
from custom_components.provider_watch.sources.cloud import CloudRequest, fetch_json
from custom_components.provider_watch.sources.cloud_rule import refusals, validate_path
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
    ConfigSubentryData,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import TemplateError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.template import Template
from testkit.simulated import LOCALHOST

from .faults.bench import Collect
from .faults.guards import any_name, guard_name_lookups
from .helpers import internet_entry, settle
from .loop_watch import join_template_threads
from .provider_cloud import ProviderCloud
from .statuspage_server import StatusPageServer

DEEP = os.environ.get("PW_FUZZ_DEEP") == "1"
EXAMPLES = int(os.environ.get("PW_FUZZ_EXAMPLES", "0")) or (1000 if DEEP else 100)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the work tree
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one Home Assistant for all examples
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
SETUP_EVERY = 1  # set up every created entry (the slow part of an example)
KINDS = ("icmp", "tcp", "http", "cloud", "entities", "heartbeat")

# --- strategies -------------------------------------------------------------------

TRICKY = [
    "",
    " ",
    "\t\n",
    "\x00",
    "a" * 300,
    "💥",
    "{{ 1/0 }}",
    "{% if %}",
    "$.",
    "$[",
    "$..*",
    "[?(@.id==41)]",
    "'; DROP TABLE",
    "../../etc/passwd",
    "http://",
    "https://[::1",
    "http://127.0.0.1:0/",
    "http://127.0.0.1:99999/",
    "127.0.0.1:",
    ":80",
    "[::1]:53",
    "1.2.3.999",
    "-a-.example",
    "30, 120",
    "0",
    "-1",
    "1e9",
    "nan",
    "inf",
    "Europe/Berlin",
    "Not/AZone",
    "00:00",
    "25:61",
    "+1 555 0100",
]
text = st.one_of(st.text(max_size=40), st.sampled_from(TRICKY))
numbers = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["10", "30.0", "abc", "", None]),
    st.booleans(),
)


def number(low: int, high: int) -> st.SearchStrategy[Any]:
    """Mostly a number in the field's range, sometimes anything at all."""
    whole = st.integers(low, high)
    return st.one_of(whole, whole.map(float), whole, st.floats(low, high), numbers)


booleans = st.one_of(
    st.booleans(), st.booleans(), st.sampled_from(["yes", 1, None, "true"])
)


def choice(*values: str) -> st.SearchStrategy[Any]:
    """Mostly one of the offered values, sometimes anything."""
    offered = st.sampled_from(values)
    return st.one_of(offered, offered, offered, text)


ports = st.integers(min_value=1, max_value=65535)
paths = st.text(
    alphabet=st.characters(codec="ascii", exclude_characters="#"), max_size=30
)


def loopback_url(port: int | None = None) -> st.SearchStrategy[str]:
    """An http(s) URL on 127.0.0.1: the path, query and (unless given) port fuzzed."""
    return st.builds(
        lambda scheme, port_, path, query: (
            f"{scheme}://{LOCALHOST}:{port_}/{path.lstrip('/')}"
            + (f"?{query}" if query else "")
        ),
        st.sampled_from(["http", "https"]),
        st.just(port) if port else ports,
        paths,
        st.one_of(st.just(""), st.text(max_size=20)),
    )


def loopback_host(value: str) -> bool:
    """A host (or URL, or host:port target) that is 127.0.0.1, or no host at all."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        try:
            return URL(value).host == LOCALHOST
        except ValueError, TypeError:
            return True  # not a URL anything could fetch
    host = value.rpartition(":")[0] if ":" in value else value
    return host.strip("[]") == LOCALHOST


def safe_host(value: object) -> bool:
    """Junk the form refuses, or 127.0.0.1: never a host out there."""
    if not isinstance(value, str):
        return True
    return not is_valid_host(value) or value.strip() == LOCALHOST


def breaks_idna(value: str) -> bool:
    """A URL whose host is broken punycode (xn--…): see test_broken_punycode_*."""
    try:
        URL(value.strip()).host  # noqa: B018 - decoding the host is the point
    except UnicodeError:
        return True
    except ValueError, TypeError:
        return False
    return False


def safe_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if breaks_idna(value):
        return False  # a known bug, pinned below; kept out of the general fuzz
    return not is_valid_url(value) or loopback_host(value)


def safe_target(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if breaks_idna(value):
        return False
    return not is_valid_target(value) or loopback_host(value)


urls = st.one_of(loopback_url(), text).filter(safe_url)
hosts = st.one_of(st.just(LOCALHOST), text).filter(safe_host)
# Paths that pass a check against `{}` but that jsonpath-python refuses on the
# cloud's answer ({"devices": [...], "count": 2}; device 41 is {"id": 41, "name":
# ..., "online": true, "last_seen": ...}; /api/health is {"status": "ok"}).
REFUSED_PATHS = [
    "$.devices[::0]",  # a zero slice step
    "$.count[/(id)]",  # a sorter on a number
    "$.count.(x)",  # a field extractor on a number
    "$.devices[/(online)]",  # sorting true against a missing value
    "$.online.(x)",  # on device 41: a field extractor on a flag
    "$.name[/(x)]",  # on device 41: a sorter on a text
    "$.status.(x)",  # on /api/health
]
# never match anything: the form refuses them before it fetches
DEAD_PATHS = ["$.", "$[", "online", "$['a]", "$.devices[-1]", '$["online"]']
USABLE_PATHS = ["$.online", "$.count", "$.devices[0].online", "$.status", "$.name"]
# hours of Jinja loop; a power too large for one C call; an error on the answer
SLOW_TEMPLATE = (
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}on"
)
BAD_TEMPLATES = [
    SLOW_TEMPLATE,
    "{{ (value_json.count + 1) ** 7000000 > 1 }}",
    "{{ value_json.count / 0 }}",
]
USABLE_TEMPLATES = ["{{ value_json.count > 0 }}", "{{ value_json.devices | length }}"]
json_paths = st.one_of(
    st.sampled_from(
        [
            "$.online",
            "$.status",
            "$.devices[0].online",
            "$['device.status']['is-online']",
            "$..online",
            "$.devices[?(@.id==41)].online",
            "$.devices[*]",
            *REFUSED_PATHS,
        ]
    ),
    st.text(alphabet="$.[]()?@*'\"=<>!&|,:0123456789abcdevis -_#", max_size=30),
    text,
)
# extra headers: lines of Name: value, or anything
header_lines = st.one_of(
    text,
    st.sampled_from(
        [
            "X-Api-Version: 2",
            "X-Key: a\nX-Key: b",
            "Host: evil",
            "Authorization: Bearer x",
            "no colon",
            "X-A: 1\n\nX-B: 2",
        ]
    ),
)
entity_ids = st.lists(
    st.one_of(
        st.from_regex(r"[a-z_]{1,12}\.[a-z0-9_]{1,20}", fullmatch=True),
        st.sampled_from(
            [
                "binary_sensor.acme_hub_connectivity",
                "alarm_control_panel.acme_panel",
                "sensor.nothing_here",
            ]
        ),
        text,
    ),
    max_size=4,
)


def optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A form's fields, each present or left out."""
    return st.fixed_dictionaries({}, optional=fields)


timing = st.one_of(
    st.just({}),  # the defaults
    optional(
        poll_interval=number(10, 86_400),
        timeout=number(1, 60),
        retry_interval=number(1, 600),
        failures_before_offline=number(1, 20),
        successes_before_online=number(1, 20),
    ),
)


def system_form(kind: str, cloud_port: int) -> st.SearchStrategy[dict[str, Any]]:
    """What someone may type into the form of a kind of system."""
    base: dict[str, st.SearchStrategy[Any]] = {"name": text}
    match kind:
        case "icmp":
            base |= {"host": hosts}
        case "tcp":
            base |= {"host": hosts, "port": number(1, 65535)}
        case "http":
            base |= {
                "url": urls,
                "expected_status": st.one_of(
                    text, st.sampled_from(["200-299, 301", "200;204", "600", "299-200"])
                ),
                "keyword": text,
                "verify_tls": booleans,
            }
        case "entities":
            base |= {
                "entities": entity_ids,
                "require_all": booleans,
                "grace": number(0, 604_800),
                "max_silence": number(0, 604_800),
            }
        case "heartbeat":
            base |= {
                "period": number(10, 604_800),
                "grace": number(0, 604_800),
                "local_only": booleans,
                "fail_keyword": text,
            }
        case _:  # cloud
            cloud_urls = st.one_of(loopback_url(cloud_port), urls)
            base |= {
                "url": cloud_urls,
                "method": choice("GET", "POST"),
                "body": text,
                "verify_tls": booleans,
                "auth": optional(
                    auth_type=choice("none", "bearer", "api_key", "basic", "session"),
                    token=text,
                    header_name=text,
                    header_value=text,
                    username=text,
                    password=text,
                    headers=header_lines,
                    secret_headers=header_lines,
                ),
                "login": optional(
                    login_url=cloud_urls.map(lambda url: url + "?u=$username"),
                    login_method=choice("POST", "GET"),
                    login_body=st.one_of(
                        text,
                        st.sampled_from(
                            [
                                "user=$username&pass=$password",
                                '{"u": "$username", "p": "$password"}',
                                "no password here",
                            ]
                        ),
                    ),
                    token_path=json_paths,
                    token_header=st.one_of(
                        text, st.sampled_from(["X-Token: $token", "X-Token"])
                    ),
                ),
                "rule": optional(
                    path=json_paths,
                    comparison=choice(
                        "equals",
                        "not_equals",
                        "in_list",
                        "truthy",
                        "falsy",
                        "contains",
                        "not_contains",
                    ),
                    expected=text,
                    filter_path=json_paths,
                    id_key=text,
                    id_value=text,
                    value_template=st.one_of(
                        text,
                        st.sampled_from(
                            [
                                "{{ value_json.online }}",
                                "{{ value_json.devices | first }}",
                                "{{ 1/0 }}",
                                "{{ value_json",
                            ]
                        ),
                    ),
                ),
                "checkin": optional(
                    checkin_path=json_paths,
                    max_age=number(0, 604_800),
                    checkin_format=st.one_of(
                        text, st.sampled_from(["%y%m%d%H%M%S", "%Q", "yyMMdd", "%"])
                    ),
                    timezone=st.one_of(text, st.text(min_size=200, max_size=10_000)),
                    quiet_at_night=booleans,
                ),
                "second_endpoint": optional(
                    second_url=cloud_urls,
                    second_method=choice("GET", "POST"),
                    second_body=text,
                    second_path=json_paths,
                    second_comparison=choice("truthy", "equals", "in_list"),
                    second_expected=text,
                ),
            }
    if kind in ("icmp", "tcp", "http", "cloud"):
        base["timing"] = timing
    # what the form requires is mostly there (a missing one is a schema error)
    required = set(base) - {"keyword", "fail_keyword", "body", "expected_status"}
    required -= {"verify_tls", "method", "require_all", "local_only", "max_silence"}
    form = st.fixed_dictionaries(
        {key: value for key, value in base.items() if key in required},
        optional={key: value for key, value in base.items() if key not in required},
    )
    if kind != "cloud":
        return form
    # half the time: a working request and rule, the rest of the form fuzzed
    near_valid = st.fixed_dictionaries(
        {
            "name": text,
            "url": loopback_url(cloud_port).map(
                lambda url: url.replace("https://", "http://")
            ),
            "auth": st.just({"auth_type": "none"}),
            "rule": optional(
                comparison=choice("truthy", "falsy", "equals"),
                expected=text,
                value_template=st.sampled_from(["{{ value_json.online }}", "{{ x"]),
            ).map(lambda rule: {"path": "$.online"} | rule),
            "checkin": base["checkin"],
            "second_endpoint": st.one_of(st.just({}), base["second_endpoint"]),
            "timing": timing,
        }
    )
    return st.one_of(form, near_valid, on_the_answer(cloud_port))


def on_the_answer(cloud_port: int) -> st.SearchStrategy[dict[str, Any]]:
    """The cloud's device list and health, with rules that may or may not be usable
    on its answer: the test step tries each on what it fetches (item 14, 4)."""
    base = f"http://{LOCALHOST}:{cloud_port}/api"
    paths = st.sampled_from(USABLE_PATHS + REFUSED_PATHS + DEAD_PATHS)
    filters = st.sampled_from(["$.devices", "$.devices", "$.count[/(id)]", "$["])
    templates = st.sampled_from(USABLE_TEMPLATES + BAD_TEMPLATES)
    rule = st.one_of(
        st.builds(lambda path: {"path": path}, paths),
        st.builds(
            lambda path, where: {
                "path": path,
                "filter_path": where,
                "id_key": "id",
                "id_value": "41",
            },
            paths,
            filters,
        ),
        st.builds(lambda template: {"value_template": template}, templates),
    ).map(lambda rule: rule | {"comparison": "truthy"})
    return st.fixed_dictionaries(
        {
            "name": st.just("Panel"),
            "url": st.just(f"{base}/devices"),
            "auth": st.just({"auth_type": "none"}),
            "rule": rule,
            "checkin": st.one_of(
                st.just({"quiet_at_night": False}),
                st.builds(
                    lambda path: {
                        "checkin_path": path,
                        "max_age": 600,
                        "quiet_at_night": False,
                    },
                    paths,
                ),
            ),
            "second_endpoint": st.one_of(
                st.just({}),
                st.builds(
                    lambda path: {
                        "second_url": f"{base}/health",
                        "second_path": path,
                        "second_comparison": "truthy",
                    },
                    paths,
                ),
            ),
            "timing": st.just({}),
        }
    )


provider_form = optional(
    name=text,
    support_phone=text,
    support_url=urls,  # only checked, never fetched
    account_contact=text,
    feedback_contact=text,
    notes=text,
)

target_lists = st.one_of(
    st.lists(
        st.one_of(
            st.builds(lambda port: f"{LOCALHOST}:{port}", ports),
            loopback_url(),
            text,
        ),
        max_size=4,
    ),
    text,
    st.none(),
)


# --- the bench ----------------------------------------------------------------------


class Guarded:
    """Log records with a traceback, collected across all examples of a test."""

    def __init__(self) -> None:
        self.handler = Collect()

    def problems(self) -> list[str]:
        return self.handler.tracebacks()


@pytest.fixture
def guarded(
    monkeypatch: pytest.MonkeyPatch, socket_enabled: None
) -> Generator[Guarded]:
    """No name is looked up; every record with a traceback is kept.

    (Sockets are allowed as in the other tests: to 127.0.0.1 only.)
    """
    guard_name_lookups(monkeypatch, any_name)
    guard = Guarded()
    root = logging.getLogger()
    root.addHandler(guard.handler)
    yield guard
    root.removeHandler(guard.handler)


@pytest.fixture
async def cloud(socket_enabled: None) -> AsyncGenerator[ProviderCloud]:
    """A provider API without authentication: the cloud form's test fetch."""
    async with ProviderCloud(auth="none") as server:
        yield server


@pytest.fixture
async def page(socket_enabled: None) -> AsyncGenerator[StatusPageServer]:
    async with StatusPageServer() as server:
        yield server


def assert_answer(result: dict[str, Any] | None, step_id: str) -> None:
    """A form error, a next step, an entry, or a schema error (None)."""
    if result is None:
        event("schema error (InvalidData)")
        return
    kind = result["type"]
    event(f"{kind} {result.get('step_id') or result.get('reason') or ''}".strip())
    assert kind in (
        FlowResultType.FORM,
        FlowResultType.MENU,
        FlowResultType.CREATE_ENTRY,
        FlowResultType.ABORT,
    ), result
    if kind is FlowResultType.FORM and result["step_id"] == step_id:
        assert result["errors"], f"the same form again without an error: {result}"
        event(f"form errors: {', '.join(sorted(result['errors'].values()))}")
    if kind is FlowResultType.ABORT:
        assert result["reason"] == "reconfigure_successful", result


async def submit(
    configure: Callable[[str, dict[str, Any]], Awaitable[Any]],
    flow_id: str,
    user_input: dict[str, Any],
) -> dict[str, Any] | None:
    """Submit a form: its answer, or None for a schema error (InvalidData)."""
    try:
        return dict(await configure(flow_id, user_input))
    except InvalidData as err:
        event(f"schema error in {', '.join(sorted(err.schema_errors))}")
        return None


def abort_leftovers(hass: HomeAssistant) -> None:
    """Close every flow an example left open (a schema error leaves it open)."""
    for manager in (
        hass.config_entries.flow,
        hass.config_entries.options,
        hass.config_entries.subentries,
    ):
        for flow in manager.async_progress():
            manager.async_abort(flow["flow_id"])


async def loads(hass: HomeAssistant, entry: ConfigEntry, *, wait: bool = True) -> None:
    """Set the entry up for real: it must load (then it is unloaded again)."""
    if entry.state is not ConfigEntryState.LOADED:
        assert await hass.config_entries.async_setup(entry.entry_id)
    if wait:
        await settle(hass)
    assert entry.state is ConfigEntryState.LOADED, entry.reason
    assert await hass.config_entries.async_unload(entry.entry_id)
    await settle(hass)


def provider(hass: HomeAssistant, **options: Any) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Acme Alarm",
        data={"name": "Acme Alarm"},
        options=options,
    )
    entry.add_to_hass(hass)
    return entry


def fresh_random() -> None:
    """Hypothesis seeds `random` the same way for every example; Home Assistant
    draws registry ids from it, so examples would reuse ids (and corrupt the
    entity registry's index). Each example starts from fresh entropy instead.
    """
    random.seed()


def clean(guard: Guarded) -> None:
    problems = guard.problems()
    assert problems == [], problems


# --- the provider -------------------------------------------------------------------


@FUZZ
@given(form=provider_form)
async def test_provider_form(
    hass: HomeAssistant, guarded: Guarded, form: dict[str, Any]
) -> None:
    """Add a provider (the internet check exists): an error or a provider that loads."""
    fresh_random()
    if not hass.config_entries.async_entries(DOMAIN):
        internet_entry(f"{LOCALHOST}:9").add_to_hass(hass)  # never set up here
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    answer = await submit(
        hass.config_entries.flow.async_configure, result["flow_id"], form
    )
    assert_answer(answer, "user")
    await settle(hass)
    if answer and answer["type"] is FlowResultType.CREATE_ENTRY:
        entry = answer["result"]
        assert entry.title == form["name"].strip()
        await loads(hass, entry)
        await hass.config_entries.async_remove(entry.entry_id)
    abort_leftovers(hass)
    clean(guarded)


@FUZZ
@given(form=provider_form)
async def test_provider_reconfigure_form(
    hass: HomeAssistant, guarded: Guarded, form: dict[str, Any]
) -> None:
    fresh_random()
    entry = next(iter(hass.config_entries.async_entries(DOMAIN)), None) or provider(
        hass
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    answer = await submit(
        hass.config_entries.flow.async_configure, result["flow_id"], form
    )
    assert_answer(answer, "reconfigure")
    await settle(hass)
    if answer and answer["type"] is FlowResultType.ABORT:
        assert entry.title == form["name"].strip()
        await loads(hass, entry)
    abort_leftovers(hass)
    clean(guarded)


@FUZZ
@given(targets=target_lists)
async def test_internet_targets_with_the_first_provider(
    hass: HomeAssistant, guarded: Guarded, targets: Any
) -> None:
    """The internet step of the first provider: an error, or two entries that load."""
    fresh_random()
    if isinstance(targets, list):
        assume(all(safe_target(t) for t in targets))
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Acme Alarm"}
    )
    assert result["step_id"] == "internet"
    answer = await submit(
        hass.config_entries.flow.async_configure,
        result["flow_id"],
        {} if targets is None else {"targets": targets},
    )
    assert_answer(answer, "internet")
    await settle(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        assert entry.state is ConfigEntryState.LOADED, entry.reason
        await hass.config_entries.async_remove(entry.entry_id)
    await settle(hass)
    abort_leftovers(hass)
    clean(guarded)


@FUZZ
@given(targets=target_lists)
async def test_internet_options_form(
    hass: HomeAssistant, guarded: Guarded, targets: Any
) -> None:
    fresh_random()
    if isinstance(targets, list):
        assume(all(safe_target(t) for t in targets))
    entry = next(iter(hass.config_entries.async_entries(DOMAIN)), None)
    if entry is None:
        entry = internet_entry(f"{LOCALHOST}:9")
        entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    answer = await submit(
        hass.config_entries.options.async_configure,
        result["flow_id"],
        {} if targets is None else {"targets": targets},
    )
    assert_answer(answer, "init")
    if answer and answer["type"] is FlowResultType.CREATE_ENTRY:
        assert all(loopback_host(t) for t in entry.options["targets"])
        await loads(hass, entry)
    abort_leftovers(hass)
    clean(guarded)


options_form = optional(
    phones=st.lists(text, max_size=3),
    repeat=st.one_of(text, st.sampled_from(["30, 120", "5;5", "0", "10081", "1,,2"])),
    critical=booleans,
    escalation_phones=st.lists(text, max_size=2),
    escalate_after=number(0, 10_080),
    quiet_start=st.one_of(text, st.sampled_from(["22:00", "22:00:00", "7:00"])),
    quiet_end=st.one_of(text, st.sampled_from(["07:00:00", "00:00"])),
    critical_ignores_quiet=booleans,
    status_page=st.one_of(urls, st.just("page")),
    contract=optional(
        monthly_fee=number(0, 1000),
        currency=st.one_of(text, st.sampled_from(["EUR", " usd ", "XYZ", "eu"])),
        renewal_date=st.one_of(
            text, st.dates().map(str), st.sampled_from(["2027-02-30", "2027-1-5"])
        ),
    ),
)


@FUZZ
@given(form=options_form, components=st.lists(text, max_size=3))
async def test_provider_options_form(
    hass: HomeAssistant,
    guarded: Guarded,
    page: StatusPageServer,
    form: dict[str, Any],
    components: list[str],
) -> None:
    """Alerts and the status page (fetched: always 127.0.0.1)."""
    fresh_random()
    if form.get("status_page") == "page":
        form["status_page"] = page.base
    entry = next(iter(hass.config_entries.async_entries(DOMAIN)), None) or provider(
        hass
    )
    result = await hass.config_entries.options.async_init(entry.entry_id)
    answer = await submit(
        hass.config_entries.options.async_configure, result["flow_id"], form
    )
    assert_answer(answer, "init")
    if answer and answer.get("step_id") == "components":
        answer = await submit(
            hass.config_entries.options.async_configure,
            answer["flow_id"],
            {"status_components": components},
        )
        assert_answer(answer, "components")
    if answer and answer["type"] is FlowResultType.CREATE_ENTRY:
        assert safe_url(entry.options.get("status_page") or "")
        await loads(hass, entry)
    abort_leftovers(hass)
    clean(guarded)


# --- the systems --------------------------------------------------------------------


VALID: dict[str, dict[str, Any]] = {
    "icmp": {"kind": "icmp", "host": LOCALHOST},
    "tcp": {"kind": "tcp", "host": LOCALHOST, "port": 9},
    "http": {
        "kind": "http",
        "url": f"http://{LOCALHOST}:9/status",
        "expected_status": "200-299",
        "verify_tls": True,
    },
    "entities": {
        "kind": "entities",
        "entities": ["binary_sensor.acme_hub_connectivity"],
        "require_all": False,
        "grace": 300,
        "max_silence": 0,
    },
    "heartbeat": {
        "kind": "heartbeat",
        "period": 300,
        "grace": 60,
        "local_only": True,
        "webhook_id": "0" * 64,
    },
    "cloud": {
        "kind": "cloud",
        "url": f"http://{LOCALHOST}:9/api/devices",
        "method": "GET",
        "verify_tls": True,
        "auth_type": "none",
        "path": "$.online",
        "comparison": "truthy",
        "quiet_at_night": False,
        "second_comparison": "truthy",
    },
}


def system_provider(hass: HomeAssistant, kind: str) -> MockConfigEntry:
    """A provider (not set up) with one valid system of the kind, to reconfigure."""
    entries = hass.config_entries.async_entries(DOMAIN)
    if entries:
        return entries[0]  # type: ignore[return-value]
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Acme Alarm",
        data={"name": "Acme Alarm"},
        subentries_data=[
            ConfigSubentryData(
                data=VALID[kind],
                subentry_id="system_one",
                subentry_type=SUBENTRY_SYSTEM,
                title="One",
                unique_id=None,
            )
        ],
    )
    entry.add_to_hass(hass)
    return entry


def only_loopback(data: dict[str, Any]) -> bool:
    """Whatever the created system would reach is on 127.0.0.1."""
    return all(
        loopback_host(str(data[key]))
        for key in ("host", "url", "second_url", "login_url")
        if data.get(key)
    )


async def finish_system_flow(
    hass: HomeAssistant, answer: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The steps after the form: the heartbeat URL, the cloud's test fetch."""
    subentries = hass.config_entries.subentries
    while answer and answer["type"] in (FlowResultType.FORM, FlowResultType.MENU):
        step = answer["step_id"]
        if step == "heartbeat_url":
            answer = dict(await subentries.async_configure(answer["flow_id"], {}))
        elif step == "cloud_test":
            assert answer["description_placeholders"]["verdict"] in (
                "online",
                "offline",
                "unknown",
            )
            if "cloud_save" not in answer["menu_options"]:
                # the rule cannot be used on the answer: back to the form, marked
                event("refused by the test step")
                answer = dict(
                    await subentries.async_configure(
                        answer["flow_id"], {"next_step_id": "cloud_edit"}
                    )
                )
                assert answer["type"] is FlowResultType.FORM, answer
                assert answer["errors"], answer
                return answer
            answer = dict(
                await subentries.async_configure(
                    answer["flow_id"], {"next_step_id": "cloud_save"}
                )
            )
        else:
            break
    return answer


ORACLE_SECONDS = 2.0  # the time a check gives a template


async def answer_of(hass: HomeAssistant, request: CloudRequest) -> tuple[bool, Any]:
    """What the endpoint answers now, as (answered with JSON, the decoded JSON)."""
    session = async_get_clientsession(hass, verify_ssl=request.verify_tls)
    answer = await fetch_json(session, request, 5)
    return answer.failure is None, answer.data


async def assert_rule_usable(hass: HomeAssistant, data: dict[str, Any]) -> None:
    """An invalid JSON path or template never makes it into an entry (item 17).

    Every stored path is one a rule can use at all (`validate_path`), and that
    jsonpath-python does not refuse on the provider's answer, tried with the calls
    a check makes (`refusals`); the template renders that answer within a check's
    time by Home Assistant's own measure (`async_render_will_timeout`), without an
    error. An endpoint that does not answer with JSON leaves nothing to try.
    """
    for key in ("path", "filter_path", "checkin_path", "second_path"):
        if data.get(key):
            assert validate_path(data[key]), f"{key} {data[key]!r} stored"
    check = CloudCheck.from_data(data)
    main = await answer_of(hass, check.request)
    tried = [(check.rule, main)]
    if check.checkin is not None:
        tried.append((check.checkin.rule, main))
    if check.second is not None:
        tried.append((check.second.rule, await answer_of(hass, check.second.request)))
    for rule, (answered, answer) in tried:
        if rule is not None and answered:
            assert refusals(rule, answer) == {}, f"{rule} stored"
    if check.template is None:
        return
    template = Template(check.template, hass)
    variables = {"value_json": main[1] if main[0] else {}}
    failure: TemplateError | None = None
    slow = False
    try:
        slow = await template.async_render_will_timeout(ORACLE_SECONDS, variables)
    except TemplateError as err:
        failure = err
    assert not slow, f"{check.template!r} stored, it takes over {ORACLE_SECONDS} s"
    assert failure is None or not main[0], f"{check.template!r} stored: {failure}"


async def fuzz_system(
    hass: HomeAssistant, kind: str, form: dict[str, Any], *, reconfigure: bool
) -> None:
    """Submit a system form; what it creates (or changes) must then load."""
    entry = system_provider(hass, kind)
    subentries = hass.config_entries.subentries
    before = set(entry.subentries)
    if reconfigure:
        result = await subentries.async_init(
            (entry.entry_id, SUBENTRY_SYSTEM),
            context={"source": SOURCE_RECONFIGURE, "subentry_id": "system_one"},
        )
        step = "reconfigure"
    else:
        result = await subentries.async_init(
            (entry.entry_id, SUBENTRY_SYSTEM), context={"source": SOURCE_USER}
        )
        result = await subentries.async_configure(
            result["flow_id"], {"next_step_id": kind}
        )
        step = kind
    answer = await submit(subentries.async_configure, result["flow_id"], form)
    assert_answer(answer, step)
    answer = await finish_system_flow(hass, answer)
    assert_answer(answer, step)
    await settle(hass)
    if answer and answer["type"] in (FlowResultType.CREATE_ENTRY, FlowResultType.ABORT):
        added = set(entry.subentries) - before
        system_id = next(iter(added)) if added else "system_one"
        data = dict(entry.subentries[system_id].data)
        assert data["kind"] == kind
        assert only_loopback(data), data
        if kind == "cloud":
            await assert_rule_usable(hass, data)
        await loads(hass, entry, wait=kind != "icmp")
        for sid in added:
            hass.config_entries.async_remove_subentry(entry, sid)
        await settle(hass)
    abort_leftovers(hass)
    await hass.async_add_executor_job(join_template_threads)


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
async def test_system_forms(
    hass: HomeAssistant,
    guarded: Guarded,
    cloud: ProviderCloud,
    kind: str,
    data: st.DataObject,
) -> None:
    """Add a system of each kind: an error, or a system that sets up."""
    fresh_random()
    form = data.draw(system_form(kind, cloud.port), label="form")
    await fuzz_system(hass, kind, form, reconfigure=False)
    clean(guarded)


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
async def test_system_reconfigure_forms(
    hass: HomeAssistant,
    guarded: Guarded,
    cloud: ProviderCloud,
    kind: str,
    data: st.DataObject,
) -> None:
    """Reconfigure a system of each kind: an error, or changed settings that load."""
    fresh_random()
    form = data.draw(system_form(kind, cloud.port), label="form")
    await fuzz_system(hass, kind, form, reconfigure=True)
    clean(guarded)


# --- a known bug: a URL whose host is broken punycode -------------------------------


BROKEN_PUNYCODE = ("http://xn--zz/", "https://xn--a.com/status", "http://a.xn--zz")


@pytest.mark.parametrize("url", BROKEN_PUNYCODE)
@pytest.mark.parametrize("form", ["provider", "http", "cloud", "internet_options"])
async def test_broken_punycode_is_a_form_error(
    hass: HomeAssistant, guarded: Guarded, url: str, form: str
) -> None:
    """Each form that takes a URL answers invalid_url, and fetches nothing."""
    if form == "provider":
        internet_entry(f"{LOCALHOST}:9").add_to_hass(hass)
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        answer = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"name": "Acme Alarm", "support_url": url}
        )
        assert answer["errors"] == {"support_url": "invalid_url"}
    elif form == "internet_options":
        entry = internet_entry(f"{LOCALHOST}:9")
        entry.add_to_hass(hass)
        result = await hass.config_entries.options.async_init(entry.entry_id)
        answer = await hass.config_entries.options.async_configure(
            result["flow_id"], {"targets": [url]}
        )
        assert answer["errors"] == {"targets": "invalid_target"}
    else:
        entry = system_provider(hass, form)
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, SUBENTRY_SYSTEM), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": form}
        )
        fields: dict[str, Any] = {"name": "Panel", "url": url, "timing": {}}
        if form == "cloud":
            fields |= {
                "auth": {},
                "rule": {"path": "$.online"},
                "checkin": {},
                "second_endpoint": {},
            }
        answer = await hass.config_entries.subentries.async_configure(
            result["flow_id"], fields
        )
        assert answer["errors"] == {"url": "invalid_url"}


# --- a time zone name longer than a file name may be (issue 15, items 5 and 21) ------


@pytest.mark.parametrize("reconfigure", [False, True], ids=["add", "reconfigure"])
async def test_long_time_zone_is_a_form_error(
    hass: HomeAssistant, guarded: Guarded, cloud: ProviderCloud, reconfigure: bool
) -> None:
    entry = system_provider(hass, "cloud")
    subentries = hass.config_entries.subentries
    if reconfigure:
        result = await subentries.async_init(
            (entry.entry_id, SUBENTRY_SYSTEM),
            context={"source": SOURCE_RECONFIGURE, "subentry_id": "system_one"},
        )
    else:
        result = await subentries.async_init(
            (entry.entry_id, SUBENTRY_SYSTEM), context={"source": SOURCE_USER}
        )
        result = await subentries.async_configure(
            result["flow_id"], {"next_step_id": "cloud"}
        )
    answer = await subentries.async_configure(
        result["flow_id"],
        {
            "name": "Panel",
            "url": cloud.url,
            "auth": {"auth_type": "none"},
            "rule": {"path": "$.online"},
            "checkin": {"checkin_path": "$.seen", "max_age": 60, "timezone": "a" * 300},
            "second_endpoint": {},
            "timing": {},
        },
    )
    assert answer["errors"] == {"timezone": "invalid_timezone"}
