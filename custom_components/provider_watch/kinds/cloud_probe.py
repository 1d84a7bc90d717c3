"""The cloud kind's settings and probe: fetch the provider's API, judge the JSON."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
import json
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import TemplateError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.sun import is_up
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_AUTH_TYPE,
    CONF_BODY,
    CONF_CHECKIN_PATH,
    CONF_COMPARISON,
    CONF_EXPECTED,
    CONF_FILTER_PATH,
    CONF_HEADER_NAME,
    CONF_HEADER_VALUE,
    CONF_ID_KEY,
    CONF_ID_VALUE,
    CONF_MAX_AGE,
    CONF_METHOD,
    CONF_PASSWORD,
    CONF_PATH,
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
)
from ..logic.validation import is_zone_name
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
from .base import SystemRef
from .cloud_template import (
    RUN_SECONDS,
    RenderTimeoutError,
    RuleTemplate,
    async_clear_too_slow,
    async_report_too_slow,
    too_slow,
)

TOO_SLOW = "template_too_slow"  # the form's error, and the template's problem


@dataclass(frozen=True, kw_only=True)
class Checkin:
    """The device's last check-in time in the answer, and how old it may be."""

    rule: SimpleRule  # its path (and device filter) locate the time
    max_age: timedelta
    timezone: str | None  # for times sent without one (default: Home Assistant's)


@dataclass(frozen=True, kw_only=True)
class SecondEndpoint:
    """Another endpoint of the same API that must say online too."""

    request: CloudRequest
    rule: SimpleRule


@dataclass(frozen=True, kw_only=True)
class CloudCheck:
    """A cloud system's request and the rules its answer is judged by."""

    request: CloudRequest
    rule: SimpleRule | None  # None when a template decides
    template: str | None
    checkin: Checkin | None
    quiet_at_night: bool
    second: SecondEndpoint | None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CloudCheck:
        """Read a cloud system's settings."""
        request = CloudRequest(
            url=data[CONF_URL],
            method=data.get(CONF_METHOD, "GET"),
            body=data.get(CONF_BODY),
            auth=AuthType(data.get(CONF_AUTH_TYPE, AuthType.NONE)),
            token=data.get(CONF_TOKEN),
            header_name=data.get(CONF_HEADER_NAME),
            header_value=data.get(CONF_HEADER_VALUE),
            username=data.get(CONF_USERNAME),
            password=data.get(CONF_PASSWORD),
            verify_tls=bool(data.get(CONF_VERIFY_TLS, True)),
        )
        return cls(
            request=request,
            rule=_main_rule(data),
            template=data.get(CONF_VALUE_TEMPLATE) or None,
            checkin=_checkin(data),
            quiet_at_night=bool(data.get(CONF_QUIET_AT_NIGHT, False)),
            second=_second(data, request),
        )


def _main_rule(data: Mapping[str, Any]) -> SimpleRule | None:
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


def _checkin(data: Mapping[str, Any]) -> Checkin | None:
    if not (data.get(CONF_CHECKIN_PATH) and data.get(CONF_MAX_AGE)):
        return None
    return Checkin(
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
        timezone=data.get(CONF_TIMEZONE),
    )


def _second(data: Mapping[str, Any], request: CloudRequest) -> SecondEndpoint | None:
    """The second endpoint: a GET; the credentials go to their own origin only."""
    if not (data.get(CONF_SECOND_URL) and data.get(CONF_SECOND_PATH)):
        return None
    return SecondEndpoint(
        request=request.another(data[CONF_SECOND_URL]),
        rule=SimpleRule(
            path=data[CONF_SECOND_PATH],
            comparison=Comparison(data.get(CONF_SECOND_COMPARISON, Comparison.TRUTHY)),
            expected=data.get(CONF_SECOND_EXPECTED),
        ),
    )


async def async_time_zone(name: str) -> tzinfo | None:
    """The time zone of that name; None when there is none.

    Looked up with Home Assistant's async helper (the zone file is read in the
    executor); a name no zone could have is refused without a lookup.
    """
    if not is_zone_name(name):
        return None
    try:
        return await dt_util.async_get_time_zone(name)
    except ValueError, OSError:  # what zoneinfo raises besides "not found"
        return None


async def async_naive_time_zone(name: str | None) -> tzinfo:
    """The zone for check-in times sent without one: Home Assistant's by default.

    A stored name that is no zone (an older version did not check) reads as UTC.
    """
    if not name:
        return dt_util.get_default_time_zone()
    return await async_time_zone(name) or UTC


class CloudProbe:
    """Fetch the provider's endpoint(s) and judge the JSON with the system's rules.

    A template that does not render within `template_seconds` is suspended: from
    then on it cannot tell, and (for a system, not the form's test) a repair issue
    names the system.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        check: CloudCheck,
        timeout: float,
        *,
        template_seconds: float = RUN_SECONDS,
        system: SystemRef | None = None,
    ) -> None:
        """Prepare the session, the template and the check-in rule."""
        self._hass = hass
        self._timeout = timeout
        self.check = check
        self._session = async_get_clientsession(
            hass, verify_ssl=check.request.verify_tls
        )
        self._rules = (check.rule,) if check.rule else ()
        self._template = RuleTemplate(hass, check.template) if check.template else None
        self._template_seconds = template_seconds
        self._system = system
        self._checkin: CheckinRule | None = None  # its zone is looked up at once
        self.last_seen: list[tuple[str, object]] = []  # for the flow's test step
        self.answers: dict[str, object] = {}  # the decoded answers, for the flow
        # why the template cannot be used: "template_too_slow", "invalid_template"
        self.template_problem: str | None = None
        self.template_reason: str | None = None

    async def __call__(self) -> ProbeResult:
        """One check: every endpoint must answer and every rule must say online."""
        if (checkin := self.check.checkin) is not None and self._checkin is None:
            self._checkin = CheckinRule(
                rule=checkin.rule,
                max_age=checkin.max_age,
                naive_tz=await async_naive_time_zone(checkin.timezone),
            )
        answer = await fetch_json(self._session, self.check.request, self._timeout)
        self.last_seen = [("status", answer.status)]
        if answer.failure is not None:
            return answer.failure
        self.answers["main"] = answer.data
        extra: list[RuleVerdict] = []
        if self._template is not None:
            extra.append(await self._async_render(answer.data))
        if (second := self.check.second) is not None:
            reply = await fetch_json(self._session, second.request, self._timeout)
            if reply.failure is not None:
                return reply.failure
            self.answers["second"] = reply.data
            extra.append(judge(reply.data, [second.rule], now=dt_util.utcnow()))
        verdict = judge(
            answer.data,
            self._rules,
            checkin=self._checkin,
            extra=extra,
            now=dt_util.utcnow(),
            quiet=self.check.quiet_at_night and not is_up(self._hass),
        )
        self.last_seen.append(("value", shown_value(verdict.value)))
        return verdict_result(verdict, answer.latency_ms)

    async def _async_render(self, data: object) -> RuleVerdict:
        """The template's verdict, rendered off the event loop within its time."""
        if self._template is None:  # pragma: no cover - only called with a template
            return RuleVerdict(online=None)
        if self.template_problem == TOO_SLOW:
            return RuleVerdict(online=None, reason=self._suspended)
        try:
            rendered = await self._template.async_render(
                {"value_json": data}, self._template_seconds
            )
        except RenderTimeoutError:
            return self._suspend()
        except TemplateError as err:
            self.template_problem = "invalid_template"
            self.template_reason = f"template error: {err}"
            return RuleVerdict(online=None, reason=self.template_reason)
        self.template_problem = self.template_reason = None
        if self._system is not None:
            async_clear_too_slow(self._hass, self._system.system_id)
        return template_verdict(rendered)

    @property
    def _suspended(self) -> str:
        return (
            f"template suspended: it did not render within {self._template_seconds:g} s"
        )

    def _suspend(self) -> RuleVerdict:
        """The template took too long: not rendered again; a repair issue says so."""
        self.template_problem = TOO_SLOW
        self.template_reason = too_slow(self._template_seconds)
        if self._system is not None:
            async_report_too_slow(self._hass, self._system)
        return RuleVerdict(online=None, reason=self._suspended)


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
