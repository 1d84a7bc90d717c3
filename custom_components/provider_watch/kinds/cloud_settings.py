"""A cloud system's stored settings, read into what its probe sends and judges.

Older systems lack the fields added since (extra headers, a login, a check-in
format, the second endpoint's method and body): each is optional and reads as
"not used", so their stored settings keep working unchanged.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, timedelta, tzinfo
from typing import Any

from homeassistant.util import dt as dt_util

from ..const import (
    CONF_AUTH_TYPE,
    CONF_BODY,
    CONF_CHECKIN_FORMAT,
    CONF_CHECKIN_PATH,
    CONF_COMPARISON,
    CONF_EXPECTED,
    CONF_FILTER_PATH,
    CONF_HEADER_NAME,
    CONF_HEADER_VALUE,
    CONF_HEADERS,
    CONF_ID_KEY,
    CONF_ID_VALUE,
    CONF_LOGIN_BODY,
    CONF_LOGIN_METHOD,
    CONF_LOGIN_URL,
    CONF_MAX_AGE,
    CONF_METHOD,
    CONF_PASSWORD,
    CONF_PATH,
    CONF_QUIET_AT_NIGHT,
    CONF_SECOND_BODY,
    CONF_SECOND_COMPARISON,
    CONF_SECOND_EXPECTED,
    CONF_SECOND_METHOD,
    CONF_SECOND_PATH,
    CONF_SECOND_URL,
    CONF_SECRET_HEADERS,
    CONF_TIMEZONE,
    CONF_TOKEN,
    CONF_TOKEN_HEADER,
    CONF_TOKEN_PATH,
    CONF_URL,
    CONF_USERNAME,
    CONF_VALUE_TEMPLATE,
    CONF_VERIFY_TLS,
)
from ..logic.validation import is_zone_name
from ..sources.cloud import AuthType, CloudRequest, locate, parse_headers
from ..sources.cloud_login import DEFAULT_BODY, DEFAULT_TOKEN_HEADER, Login
from ..sources.cloud_rule import Comparison, SimpleRule, is_body_rule


@dataclass(frozen=True, kw_only=True, slots=True)
class Checkin:
    """The device's last check-in time in the answer, and how old it may be."""

    rule: SimpleRule  # its path (and device filter) locate the time
    max_age: timedelta
    timezone: str | None  # for times sent without one (default: Home Assistant's)
    time_format: str | None = None  # strptime-style; None: ISO 8601 or epoch


@dataclass(frozen=True, kw_only=True, slots=True)
class SecondEndpoint:
    """Another request of the same API: its own rule, or the template judges it."""

    request: CloudRequest
    rule: SimpleRule | None


@dataclass(frozen=True, kw_only=True, slots=True)
class CloudCheck:
    """A cloud system's request and the rules its answer is judged by."""

    request: CloudRequest
    rule: SimpleRule | None  # None when a template decides
    template: str | None
    checkin: Checkin | None
    quiet_at_night: bool
    second: SecondEndpoint | None
    login: Login | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CloudCheck:
        """Read a cloud system's settings."""
        auth = AuthType(data.get(CONF_AUTH_TYPE, AuthType.NONE))
        request = CloudRequest(
            url=data[CONF_URL],
            method=data.get(CONF_METHOD, "GET"),
            body=data.get(CONF_BODY),
            auth=auth,
            token=data.get(CONF_TOKEN),
            header_name=data.get(CONF_HEADER_NAME),
            header_value=data.get(CONF_HEADER_VALUE),
            username=data.get(CONF_USERNAME),
            password=data.get(CONF_PASSWORD),
            verify_tls=bool(data.get(CONF_VERIFY_TLS, True)),
            extra_headers=parse_headers(data.get(CONF_HEADERS)) or (),
            secret_headers=parse_headers(data.get(CONF_SECRET_HEADERS)) or (),
        )
        return cls(
            request=request,
            rule=_main_rule(data),
            template=data.get(CONF_VALUE_TEMPLATE) or None,
            checkin=_checkin(data),
            quiet_at_night=bool(data.get(CONF_QUIET_AT_NIGHT, False)),
            second=_second(data, request),
            login=_login(data) if auth is AuthType.SESSION else None,
        )


def _main_rule(data: Mapping[str, Any]) -> SimpleRule | None:
    rule = SimpleRule(
        path=data.get(CONF_PATH) or "",
        comparison=Comparison(data.get(CONF_COMPARISON, Comparison.TRUTHY)),
        expected=data.get(CONF_EXPECTED),
        filter_path=data.get(CONF_FILTER_PATH),
        id_key=data.get(CONF_ID_KEY),
        id_value=data.get(CONF_ID_VALUE),
    )
    return rule if rule.path or is_body_rule(rule) else None


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
        time_format=data.get(CONF_CHECKIN_FORMAT) or None,
    )


def _second(data: Mapping[str, Any], request: CloudRequest) -> SecondEndpoint | None:
    """The second endpoint: the credentials go to their own origin only.

    Its rule is optional when a template decides (it sees both answers).
    """
    if not data.get(CONF_SECOND_URL):
        return None
    rule = SimpleRule(
        path=data.get(CONF_SECOND_PATH) or "",
        comparison=Comparison(data.get(CONF_SECOND_COMPARISON, Comparison.TRUTHY)),
        expected=data.get(CONF_SECOND_EXPECTED),
    )
    has_rule = bool(rule.path) or is_body_rule(rule)
    if not has_rule and not data.get(CONF_VALUE_TEMPLATE):
        return None  # (an older version stored such a URL unused)
    return SecondEndpoint(
        request=request.another(
            data[CONF_SECOND_URL],
            data.get(CONF_SECOND_METHOD) or "GET",
            data.get(CONF_SECOND_BODY),
        ),
        rule=rule if has_rule else None,
    )


def _login(data: Mapping[str, Any]) -> Login | None:
    if not data.get(CONF_LOGIN_URL):
        return None
    return Login(
        url=data[CONF_LOGIN_URL],
        method=data.get(CONF_LOGIN_METHOD) or "POST",
        body=data.get(CONF_LOGIN_BODY) or DEFAULT_BODY,
        token_path=data.get(CONF_TOKEN_PATH) or None,
        token_header=data.get(CONF_TOKEN_HEADER) or DEFAULT_TOKEN_HEADER,
        username=data.get(CONF_USERNAME) or "",
        password=data.get(CONF_PASSWORD) or "",
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
