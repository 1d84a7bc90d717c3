"""The cloud kind's probe: fetch the provider's API, judge the answer.

The settings are read in cloud_settings.py.
"""

from datetime import datetime
import json
from typing import Any

import aiohttp

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import TemplateError
from homeassistant.helpers.aiohttp_client import (
    async_create_clientsession,
    async_get_clientsession,
)
from homeassistant.helpers.sun import is_up
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from ..sources import ProbeResult
from ..sources.cloud import (
    NOT_JSON,
    CheckinRule,
    CloudAnswer,
    CloudRequest,
    checkin_time,
    fetch,
    judge,
    verdict_result,
)
from ..sources.cloud_login import LoginSession
from ..sources.cloud_rule import RuleVerdict, is_truthy
from .base import SystemRef
from .cloud_settings import (
    Checkin,
    CloudCheck,
    SecondEndpoint,
    async_naive_time_zone,
    async_time_zone,
)
from .cloud_template import (
    RUN_SECONDS,
    RenderTimeoutError,
    RuleTemplate,
    async_clear_too_slow,
    async_report_too_slow,
    too_slow,
)

__all__ = [
    "Checkin",
    "CloudCheck",
    "CloudProbe",
    "SecondEndpoint",
    "async_time_zone",
    "shown_value",
    "template_verdict",
]

TOO_SLOW = "template_too_slow"  # the form's error, and the template's problem
_COOKIELESS: HassKey[dict[bool, aiohttp.ClientSession]] = HassKey(
    f"{DOMAIN}_cookieless_sessions"
)


def _cookieless_session(hass: HomeAssistant, verify_tls: bool) -> aiohttp.ClientSession:
    """A session that keeps no cookies, for the systems that log in.

    Home Assistant's shared session keeps every cookie it is sent, for every
    integration; a login's session cookie is sent only as the system's own
    header instead (to the main URL's origin). One per TLS setting, closed when
    Home Assistant stops.
    """
    sessions = hass.data.setdefault(_COOKIELESS, {})
    if (session := sessions.get(verify_tls)) is None or session.closed:
        session = sessions[verify_tls] = async_create_clientsession(
            hass, verify_ssl=verify_tls, cookie_jar=aiohttp.DummyCookieJar()
        )
    return session


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
        self._session = (
            async_get_clientsession(hass, verify_ssl=check.request.verify_tls)
            if check.login is None
            else _cookieless_session(hass, check.request.verify_tls)
        )
        self._rules = (check.rule,) if check.rule else ()
        self._template = RuleTemplate(hass, check.template) if check.template else None
        self._template_seconds = template_seconds
        self._system = system
        self._checkin: CheckinRule | None = None  # its zone is looked up at once
        self.login = LoginSession(check.login) if check.login is not None else None
        self.last_seen: list[tuple[str, object]] = []  # for the flow's test step
        self.answers: dict[str, CloudAnswer] = {}  # the answers, for the flow
        self.checkin_seen: datetime | None = None  # the last check-in found
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
                time_format=checkin.time_format,
            )
        answer = await self._async_fetch(self.check.request)
        self.last_seen = [("status", answer.status)]
        if answer.failure is not None:
            return answer.failure
        self.answers["main"] = answer
        reply: CloudAnswer | None = None
        if (second := self.check.second) is not None:
            reply = await self._async_fetch(second.request)
            if reply.failure is not None:
                return reply.failure
            self.answers["second"] = reply
        extra: list[RuleVerdict] = []
        if self._template is not None:
            extra.append(await self._async_render(answer, reply))
        if second is not None and second.rule is not None and reply is not None:
            extra.append(judge(reply, [second.rule], now=dt_util.utcnow()))
        if self._checkin is not None:
            self.checkin_seen = checkin_time(answer, self._checkin)
        verdict = judge(
            answer,
            self._rules,
            checkin=self._checkin,
            extra=extra,
            now=dt_util.utcnow(),
            quiet=self.check.quiet_at_night and not is_up(self._hass),
        )
        self.last_seen.append(("value", shown_value(verdict.value)))
        return verdict_result(verdict, answer.latency_ms)

    async def _async_fetch(self, request: CloudRequest) -> CloudAnswer:
        """One request; with a login, in its session (logged in when needed)."""
        if self.login is not None:
            return await self.login.async_fetch(self._session, request, self._timeout)
        return await fetch(self._session, request, self._timeout)

    async def _async_render(
        self, answer: CloudAnswer, reply: CloudAnswer | None
    ) -> RuleVerdict:
        """The template's verdict, rendered off the event loop within its time."""
        if self._template is None:  # pragma: no cover - only called with a template
            return RuleVerdict(online=None)
        if self.template_problem == TOO_SLOW:
            return RuleVerdict(online=None, reason=self._suspended)
        try:
            rendered = await self._template.async_render(
                template_variables(answer, reply), self._template_seconds
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


def template_variables(
    answer: CloudAnswer, reply: CloudAnswer | None
) -> dict[str, Any]:
    """What a template sees, as in HA's `rest`: `value` and `value_json`.

    `value` is the body, `value_json` its JSON when it is JSON; the second
    endpoint's are `second_value` and `second_json`.
    """
    variables: dict[str, Any] = {"value": answer.text}
    if answer.data is not NOT_JSON:
        variables["value_json"] = answer.data
    if reply is not None:
        variables["second_value"] = reply.text
        if reply.data is not NOT_JSON:
            variables["second_json"] = reply.data
    return variables


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
