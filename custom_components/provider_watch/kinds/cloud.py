"""Cloud: a system seen through the provider's cloud API (REST/JSON).

Its form: the request, then the auth, login, rule, check-in and second-endpoint
sections;
after the form, the flow fetches once and shows what the rule sees and decides.
The settings and the probe are in cloud_probe.py.
"""

from collections.abc import Mapping
from typing import Any

import probatio as vol

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import TemplateError
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
)

from ..addresses import is_valid_url
from ..const import (
    CONF_AUTH,
    CONF_AUTH_TYPE,
    CONF_BODY,
    CONF_CHECKIN,
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
    CONF_LOGIN,
    CONF_LOGIN_BODY,
    CONF_LOGIN_METHOD,
    CONF_LOGIN_URL,
    CONF_MAX_AGE,
    CONF_METHOD,
    CONF_PASSWORD,
    CONF_PATH,
    CONF_QUIET_AT_NIGHT,
    CONF_RULE,
    CONF_SECOND,
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
    SystemKind,
)
from ..logic.validation import is_whole, is_zone_name
from ..sources import Probe
from ..sources.checkin import is_time_format
from ..sources.cloud import AuthType, parse_headers
from ..sources.cloud_login import (
    PASSWORD_MARK,
    USERNAME_MARK,
    is_token_header,
)
from ..sources.cloud_rule import TEXT_COMPARISONS, Comparison, validate_path
from .base import Kind, SystemRef
from .cloud_probe import CloudCheck, CloudProbe, async_time_zone
from .cloud_template import (
    FLOW_SECONDS,
    RenderTimeoutError,
    RuleTemplate,
    TemplateText,
    async_clear_too_slow,
    syntax_error,
)
from .form import GRACE, MAX_GRACE, SECRET, SECRET_LINES, TEXT, URL, choice

_COMPARISONS = [c.value for c in Comparison]
LINES = TextSelector(TextSelectorConfig(multiline=True))
SECTIONS: dict[str, vol.Schema] = {
    CONF_AUTH: vol.Schema(
        {
            vol.Required(CONF_AUTH_TYPE, default=AuthType.NONE.value): choice(
                [a.value for a in AuthType], CONF_AUTH_TYPE
            ),
            vol.Optional(CONF_TOKEN): SECRET,
            vol.Optional(CONF_HEADER_NAME): TEXT,
            vol.Optional(CONF_HEADER_VALUE): SECRET,
            vol.Optional(CONF_USERNAME): TEXT,
            vol.Optional(CONF_PASSWORD): SECRET,
            vol.Optional(CONF_HEADERS): LINES,
            vol.Optional(CONF_SECRET_HEADERS): SECRET_LINES,
        }
    ),
    CONF_LOGIN: vol.Schema(
        {
            vol.Optional(CONF_LOGIN_URL): URL,
            vol.Required(CONF_LOGIN_METHOD, default="POST"): SelectSelector(
                SelectSelectorConfig(options=["POST", "GET"])
            ),
            vol.Optional(CONF_LOGIN_BODY): LINES,
            vol.Optional(CONF_TOKEN_PATH): TEXT,
            vol.Optional(CONF_TOKEN_HEADER): TEXT,
        }
    ),
    CONF_RULE: vol.Schema(
        {
            vol.Optional(CONF_PATH): TEXT,
            vol.Required(CONF_COMPARISON, default=Comparison.TRUTHY.value): choice(
                _COMPARISONS, CONF_COMPARISON
            ),
            vol.Optional(CONF_EXPECTED): TEXT,
            vol.Optional(CONF_FILTER_PATH): TEXT,
            vol.Optional(CONF_ID_KEY): TEXT,
            vol.Optional(CONF_ID_VALUE): TEXT,
            vol.Optional(CONF_VALUE_TEMPLATE): TemplateText(),
        }
    ),
    CONF_CHECKIN: vol.Schema(
        {
            vol.Optional(CONF_CHECKIN_PATH): TEXT,
            vol.Optional(CONF_MAX_AGE): GRACE,
            vol.Optional(CONF_CHECKIN_FORMAT): TEXT,
            vol.Optional(CONF_TIMEZONE): TEXT,
            vol.Required(CONF_QUIET_AT_NIGHT, default=False): BooleanSelector(),
        }
    ),
    CONF_SECOND: vol.Schema(
        {
            vol.Optional(CONF_SECOND_URL): URL,
            vol.Required(CONF_SECOND_METHOD, default="GET"): SelectSelector(
                SelectSelectorConfig(options=["GET", "POST"])
            ),
            vol.Optional(CONF_SECOND_BODY): LINES,
            vol.Optional(CONF_SECOND_PATH): TEXT,
            vol.Required(
                CONF_SECOND_COMPARISON, default=Comparison.TRUTHY.value
            ): choice(_COMPARISONS, CONF_COMPARISON),
            vol.Optional(CONF_SECOND_EXPECTED): TEXT,
        }
    ),
}
LOGIN_FIELDS = tuple(str(key) for key in SECTIONS[CONF_LOGIN].schema)
SECOND_REQUEST_FIELDS = (CONF_SECOND_METHOD, CONF_SECOND_BODY)

# --- the form's checks -------------------------------------------------------------

_NEEDS = {
    AuthType.BEARER: (CONF_TOKEN,),
    AuthType.API_KEY: (CONF_HEADER_NAME, CONF_HEADER_VALUE),
    AuthType.BASIC: (CONF_USERNAME,),
    AuthType.SESSION: (CONF_USERNAME,),
}
_NEEDS_EXPECTED = (
    Comparison.EQUALS,
    Comparison.NOT_EQUALS,
    Comparison.IN_LIST,
    *TEXT_COMPARISONS,
)
_PATHS = (CONF_PATH, CONF_FILTER_PATH, CONF_CHECKIN_PATH, CONF_SECOND_PATH)


def _errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Errors in a cloud system's request, rule, check-in and second endpoint."""
    errors: dict[str, str] = {}
    if not is_valid_url(data.get(CONF_URL, "")):
        errors[CONF_URL] = "invalid_url"
    auth = AuthType(data.get(CONF_AUTH_TYPE, AuthType.NONE))
    if not all(data.get(key) for key in _NEEDS.get(auth, ())):
        errors["base"] = "missing_credentials"
    errors |= _rule_errors(data)
    if data.get(CONF_CHECKIN_PATH) and not is_whole(
        data.get(CONF_MAX_AGE), 1, MAX_GRACE
    ):
        errors[CONF_MAX_AGE] = "invalid_duration"
    if data.get(CONF_CHECKIN_FORMAT) and not is_time_format(data[CONF_CHECKIN_FORMAT]):
        errors[CONF_CHECKIN_FORMAT] = "invalid_time_format"
    if data.get(CONF_TIMEZONE) and not is_zone_name(data[CONF_TIMEZONE]):
        errors[CONF_TIMEZONE] = "invalid_timezone"  # refused before any lookup
    if any(data.get(key) for key in (CONF_SECOND_URL, CONF_SECOND_PATH)):
        errors |= _second_endpoint_errors(data)
    errors |= _header_errors(data, auth)
    if auth is AuthType.SESSION:
        errors |= _login_errors(data)
    return errors


def _rule_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Paths that can be used, a rule, its expected value, a whole device filter."""
    errors: dict[str, str] = {}
    for key in (*_PATHS, CONF_TOKEN_PATH):
        if data.get(key) and not validate_path(data[key]):
            errors[key] = "invalid_path"
    if str(data.get(CONF_ID_KEY, "")).startswith("$") and not validate_path(
        data[CONF_ID_KEY]
    ):
        errors[CONF_ID_KEY] = "invalid_path"
    body_rule = data.get(CONF_COMPARISON) in TEXT_COMPARISONS
    if not (data.get(CONF_PATH) or data.get(CONF_VALUE_TEMPLATE) or body_rule):
        errors["base"] = "no_rule"
    if (
        (data.get(CONF_PATH) or body_rule)
        and data.get(CONF_COMPARISON) in _NEEDS_EXPECTED
        and not data.get(CONF_EXPECTED)
    ):
        errors[CONF_EXPECTED] = "expected_required"
    filter_keys = (CONF_FILTER_PATH, CONF_ID_KEY, CONF_ID_VALUE)
    if len({bool(data.get(key)) for key in filter_keys}) > 1:
        errors["base"] = "incomplete_filter"
    return errors


def _second_endpoint_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """A second endpoint needs its URL, a rule, and, to compare, a value.

    Its rule: its path, a text comparison, or the template (which sees both).
    """
    errors: dict[str, str] = {}
    if not is_valid_url(data.get(CONF_SECOND_URL, "")):
        errors[CONF_SECOND_URL] = "invalid_url"
    body_rule = data.get(CONF_SECOND_COMPARISON) in TEXT_COMPARISONS
    if not (data.get(CONF_SECOND_PATH) or body_rule or data.get(CONF_VALUE_TEMPLATE)):
        errors[CONF_SECOND_PATH] = "invalid_path"
    if (
        (data.get(CONF_SECOND_PATH) or body_rule)
        and data.get(CONF_SECOND_COMPARISON) in _NEEDS_EXPECTED
        and not data.get(CONF_SECOND_EXPECTED)
    ):
        errors[CONF_SECOND_EXPECTED] = "expected_required"
    return errors


def _header_errors(data: Mapping[str, Any], auth: AuthType) -> dict[str, str]:
    """`Name: value` lines, no header named twice (nor one the auth sends)."""
    errors: dict[str, str] = {}
    names: list[str] = {
        AuthType.BEARER: ["authorization"],
        AuthType.BASIC: ["authorization"],
        AuthType.API_KEY: [str(data.get(CONF_HEADER_NAME, "")).casefold()],
    }.get(auth, [])
    if auth is AuthType.SESSION:
        names.append("cookie")
        if is_token_header(token := str(data.get(CONF_TOKEN_HEADER, ""))):
            names.append(token.partition(":")[0].strip().casefold())
    for key in (CONF_HEADERS, CONF_SECRET_HEADERS):
        headers = parse_headers(data.get(key))
        if headers is None:
            errors[key] = "invalid_headers"
            continue
        for name, _ in headers:
            if name.casefold() in names:
                errors[key] = "duplicate_header"
            names.append(name.casefold())
    return errors


def _login_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """A login needs its URL, the password in its body (or its URL).

    And, with a token path, a header to send the token in.
    """
    errors: dict[str, str] = {}
    url = str(data.get(CONF_LOGIN_URL, ""))
    if not is_valid_url(url.replace(USERNAME_MARK, "u").replace(PASSWORD_MARK, "p")):
        errors[CONF_LOGIN_URL] = "invalid_url"
    body = data.get(CONF_LOGIN_BODY)
    if body and PASSWORD_MARK not in body and PASSWORD_MARK not in url:
        errors[CONF_LOGIN_BODY] = "login_without_password"
    if data.get(CONF_LOGIN_METHOD) == "GET" and PASSWORD_MARK not in url:
        errors[CONF_LOGIN_URL] = "login_without_password"
    header = data.get(CONF_TOKEN_HEADER)
    if header and not is_token_header(header):
        errors[CONF_TOKEN_HEADER] = "invalid_token_header"
    return errors


def _fill_in(data: dict[str, Any], stored: Mapping[str, Any] | None) -> None:
    """Only what is used is stored.

    No login settings without a login, no second request without its URL.
    """
    if data.get(CONF_AUTH_TYPE) != AuthType.SESSION:
        for key in LOGIN_FIELDS:
            data.pop(key, None)
    if not data.get(CONF_SECOND_URL):
        for key in SECOND_REQUEST_FIELDS:
            data.pop(key, None)


def _template_errors(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """A value template must parse (cheap: it is compiled in a thread later)."""
    template = data.get(CONF_VALUE_TEMPLATE)
    if template and syntax_error(template) is not None:
        return {CONF_VALUE_TEMPLATE: "invalid_template"}
    return {}


async def _async_errors(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """The checks that wait: a time zone, and a value template's compiling.

    The zone must exist (looked up in the executor); the template must compile,
    in a thread and within the form's time.
    """
    errors: dict[str, str] = {}
    if (zone := data.get(CONF_TIMEZONE)) and await async_time_zone(zone) is None:
        errors[CONF_TIMEZONE] = "invalid_timezone"
    if template := data.get(CONF_VALUE_TEMPLATE):
        try:
            await RuleTemplate(hass, template).async_compile(FLOW_SECONDS)
        except TemplateError:
            errors[CONF_VALUE_TEMPLATE] = "invalid_template"
        except RenderTimeoutError:
            errors[CONF_VALUE_TEMPLATE] = "template_too_slow"
    return errors


# --- the probe -------------------------------------------------------------------


def build_probe(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    timeout: float,
    icmp_privileged: bool | None,
    system: SystemRef,
) -> Probe:
    """Fetch the API and judge the answer with the system's rules."""
    check = CloudCheck.from_data(data)
    if check.template is None:  # a template suspended before is gone
        async_clear_too_slow(hass, system.system_id)
    return CloudProbe(hass, check, timeout, system=system)


KIND = Kind(
    kind=SystemKind.CLOUD,
    fields={
        vol.Required(CONF_URL): URL,
        vol.Required(CONF_METHOD, default="GET"): SelectSelector(
            SelectSelectorConfig(options=["GET", "POST"])
        ),
        vol.Optional(CONF_BODY): TextSelector(TextSelectorConfig(multiline=True)),
        vol.Required(CONF_VERIFY_TLS, default=True): BooleanSelector(),
    },
    sections=SECTIONS,
    open_sections=frozenset({CONF_RULE}),
    optional_sections=frozenset({CONF_LOGIN}),
    validate=_errors,
    fill_in=_fill_in,
    whole_numbers=(CONF_MAX_AGE,),
    hass_errors=_template_errors,
    async_errors=_async_errors,
    next_step="cloud_test",
    build_probe=build_probe,
)
