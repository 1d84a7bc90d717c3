"""Build the probe of a polled system from its settings (HA glue for the sources)."""

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
import json
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import TemplateError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.sun import is_up
from homeassistant.helpers.template import Template
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_AUTH_TYPE,
    CONF_BODY,
    CONF_CHECKIN_PATH,
    CONF_COMPARISON,
    CONF_EXPECTED,
    CONF_EXPECTED_STATUS,
    CONF_FILTER_PATH,
    CONF_HEADER_NAME,
    CONF_HEADER_VALUE,
    CONF_HOST,
    CONF_ID_KEY,
    CONF_ID_VALUE,
    CONF_KEYWORD,
    CONF_KIND,
    CONF_MAX_AGE,
    CONF_METHOD,
    CONF_PASSWORD,
    CONF_PATH,
    CONF_PORT,
    CONF_QUIET_AT_NIGHT,
    CONF_SECOND_COMPARISON,
    CONF_SECOND_EXPECTED,
    CONF_SECOND_PATH,
    CONF_SECOND_URL,
    CONF_TIMEZONE,
    CONF_TOKEN,
    CONF_URL,
    CONF_USERNAME,
    CONF_VALUE_TEMPLATE,
    CONF_VERIFY_TLS,
    DEFAULT_EXPECTED_STATUS,
    SystemKind,
)
from ..sources import ProbeResult
from ..sources.cloud import (
    AuthType,
    CheckinRule,
    CloudRequest,
    fetch_json,
    judge,
    locate,
    verdict_result,
)
from ..sources.cloud_rule import Comparison, RuleVerdict, SimpleRule, is_truthy
from ..sources.http import StatusCodes, probe_http
from ..sources.icmp import probe_icmp
from ..sources.tcp import probe_tcp

type Probe = Callable[[], Awaitable[ProbeResult]]


def build_probe(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    timeout: float,
    icmp_privileged: bool | None,
) -> Probe:
    """Turn a polled system's settings into a probe callable."""
    kind = SystemKind(data[CONF_KIND])
    if kind is SystemKind.ICMP:
        host = data[CONF_HOST]
        return lambda: probe_icmp(host, timeout, icmp_privileged)
    if kind is SystemKind.TCP:
        host, port = data[CONF_HOST], int(data[CONF_PORT])
        return lambda: probe_tcp(host, port, timeout)
    if kind is SystemKind.CLOUD:
        return CloudProbe(hass, data, timeout)
    verify_tls = bool(data.get(CONF_VERIFY_TLS, True))
    session = async_get_clientsession(hass, verify_ssl=verify_tls)
    url = data[CONF_URL]
    expected = StatusCodes.parse(
        data.get(CONF_EXPECTED_STATUS, DEFAULT_EXPECTED_STATUS)
    )
    keyword = data.get(CONF_KEYWORD) or None
    return lambda: probe_http(
        session,
        url,
        timeout=timeout,
        expected=expected,
        keyword=keyword,
        verify_tls=verify_tls,
    )


def cloud_request(data: Mapping[str, Any], url: str | None = None) -> CloudRequest:
    """The request of a cloud system (or of its second endpoint, with url)."""
    return CloudRequest(
        url=url or data[CONF_URL],
        method=data.get(CONF_METHOD, "GET") if url is None else "GET",
        body=data.get(CONF_BODY) if url is None else None,
        auth=AuthType(data.get(CONF_AUTH_TYPE, AuthType.NONE)),
        token=data.get(CONF_TOKEN),
        header_name=data.get(CONF_HEADER_NAME),
        header_value=data.get(CONF_HEADER_VALUE),
        username=data.get(CONF_USERNAME),
        password=data.get(CONF_PASSWORD),
        verify_tls=bool(data.get(CONF_VERIFY_TLS, True)),
    )


def main_rule(data: Mapping[str, Any]) -> SimpleRule | None:
    """The simple rule of the main endpoint (None when a template decides)."""
    if not data.get(CONF_PATH):
        return None
    return SimpleRule(
        path=data[CONF_PATH],
        comparison=Comparison(data.get(CONF_COMPARISON, Comparison.TRUTHY)),
        expected=data.get(CONF_EXPECTED),
        filter_path=data.get(CONF_FILTER_PATH),
        id_key=data.get(CONF_ID_KEY),
        id_value=data.get(CONF_ID_VALUE),
    )


def naive_timezone(hass: HomeAssistant, name: str | None) -> ZoneInfo:
    """The zone for check-in times sent without one (default: Home Assistant's)."""
    try:
        return ZoneInfo(name or hass.config.time_zone)
    except ZoneInfoNotFoundError, ValueError, OSError:  # OSError: name too long
        return ZoneInfo("UTC")


class CloudProbe:
    """Fetch the provider's endpoint(s) and judge the JSON with the system's rules."""

    def __init__(
        self, hass: HomeAssistant, data: Mapping[str, Any], timeout: float
    ) -> None:
        """Prepare requests, rules and the optional template and check-in rule."""
        self._hass = hass
        self._timeout = timeout
        self._session = async_get_clientsession(
            hass, verify_ssl=bool(data.get(CONF_VERIFY_TLS, True))
        )
        self._request = cloud_request(data)
        rule = main_rule(data)
        self._rules = (rule,) if rule else ()
        template = data.get(CONF_VALUE_TEMPLATE)
        self._template = Template(template, hass) if template else None
        self._checkin: CheckinRule | None = None
        if data.get(CONF_CHECKIN_PATH) and data.get(CONF_MAX_AGE):
            self._checkin = CheckinRule(
                rule=locate(
                    SimpleRule(
                        path=data[CONF_CHECKIN_PATH],
                        comparison=Comparison.TRUTHY,
                        filter_path=data.get(CONF_FILTER_PATH),
                        id_key=data.get(CONF_ID_KEY),
                        id_value=data.get(CONF_ID_VALUE),
                    )
                ),
                max_age=timedelta(seconds=data[CONF_MAX_AGE]),
                naive_tz=naive_timezone(hass, data.get(CONF_TIMEZONE)),
            )
        self._quiet_at_night = bool(data.get(CONF_QUIET_AT_NIGHT, False))
        self._second: tuple[CloudRequest, SimpleRule] | None = None
        if data.get(CONF_SECOND_URL) and data.get(CONF_SECOND_PATH):
            self._second = (
                cloud_request(data, data[CONF_SECOND_URL]),
                SimpleRule(
                    path=data[CONF_SECOND_PATH],
                    comparison=Comparison(
                        data.get(CONF_SECOND_COMPARISON, Comparison.TRUTHY)
                    ),
                    expected=data.get(CONF_SECOND_EXPECTED),
                ),
            )
        self.last_seen: list[tuple[str, object]] = []  # for the flow's test step

    async def __call__(self) -> ProbeResult:
        """One check: every endpoint must answer and every rule must say online."""
        answer = await fetch_json(self._session, self._request, self._timeout)
        self.last_seen = [("status", answer.status)]
        if answer.failure is not None:
            return answer.failure
        extra: list[RuleVerdict] = []
        if self._template is not None:
            extra.append(self._render(answer.data))
        if self._second is not None:
            request, rule = self._second
            second = await fetch_json(self._session, request, self._timeout)
            if second.failure is not None:
                return second.failure
            extra.append(judge(second.data, [rule], now=dt_util.utcnow()))
        verdict = judge(
            answer.data,
            self._rules,
            checkin=self._checkin,
            extra=extra,
            now=dt_util.utcnow(),
            quiet=self._quiet_at_night and not is_up(self._hass),
        )
        self.last_seen.append(("value", shown_value(verdict.value)))
        return verdict_result(verdict, answer.latency_ms)

    def _render(self, data: object) -> RuleVerdict:
        if self._template is None:  # pragma: no cover - only called with a template
            return RuleVerdict(online=None)
        try:
            rendered = self._template.async_render(
                variables={"value_json": data}, parse_result=False
            )
        except TemplateError as err:
            return RuleVerdict(online=None, reason=f"template error: {err}")
        return template_verdict(str(rendered))


def shown_value(value: object) -> str:
    """What the rules found, for people: values in rule order, times in ISO 8601.

    A verdict's value is a tuple (one item per rule, nested for the second
    endpoint); shown as "true, 2026-01-15T10:00:00+00:00" rather than its repr.
    """
    if isinstance(value, tuple):
        return ", ".join(shown_value(item) for item in value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


# What Python's None and JSON's null render as: no, as a simple rule reads null.
_NULL_WORDS = frozenset({"none", "null"})


def template_verdict(rendered: str) -> RuleVerdict:
    """Judge a rendered template like a value: true words online, false words not.

    Nothing at all is what Home Assistant renders for a missing value (it only
    warns): like a simple rule's "value not found", that cannot tell. "None"
    (a JSON null) is offline, as a simple rule reads null.
    """
    text = rendered.strip()
    if not text:
        return RuleVerdict(online=None, reason="template rendered nothing")
    online = is_truthy(text) and text.casefold() not in _NULL_WORDS
    return RuleVerdict(
        online=online, value=text, reason=None if online else f"template says {text}"
    )
