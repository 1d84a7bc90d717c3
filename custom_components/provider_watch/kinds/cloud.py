"""Cloud: a system seen through the provider's cloud API (REST/JSON).

Its form: the request, then the auth, rule, check-in and second-endpoint sections;
after the form, the flow fetches once and shows what the rule sees and decides.
The settings and the probe are in cloud_probe.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass
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

from ..const import (
    CONF_AUTH,
    CONF_AUTH_TYPE,
    CONF_BODY,
    CONF_CHECKIN,
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
    CONF_RULE,
    CONF_SECOND,
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
    SystemKind,
)
from ..logic.state import Outcome
from ..logic.validation import is_valid_url, is_whole, is_zone_name
from ..sources import Probe
from ..sources.cloud import AuthType
from ..sources.cloud_rule import Comparison, SimpleRule, refusals, validate_path
from .base import Kind, SystemRef
from .cloud_probe import TOO_SLOW, CloudCheck, CloudProbe, async_time_zone
from .cloud_template import (
    FLOW_SECONDS,
    RenderTimeoutError,
    RuleTemplate,
    TemplateText,
    async_clear_too_slow,
    syntax_error,
    too_slow,
)
from .form import GRACE, MAX_GRACE, SECRET, TEXT, URL, choice

_COMPARISONS = [c.value for c in Comparison]
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
            vol.Optional(CONF_TIMEZONE): TEXT,
            vol.Required(CONF_QUIET_AT_NIGHT, default=False): BooleanSelector(),
        }
    ),
    CONF_SECOND: vol.Schema(
        {
            vol.Optional(CONF_SECOND_URL): URL,
            vol.Optional(CONF_SECOND_PATH): TEXT,
            vol.Required(
                CONF_SECOND_COMPARISON, default=Comparison.TRUTHY.value
            ): choice(_COMPARISONS, CONF_COMPARISON),
            vol.Optional(CONF_SECOND_EXPECTED): TEXT,
        }
    ),
}

# --- the form's checks -------------------------------------------------------------

_NEEDS = {
    AuthType.BEARER: (CONF_TOKEN,),
    AuthType.API_KEY: (CONF_HEADER_NAME, CONF_HEADER_VALUE),
    AuthType.BASIC: (CONF_USERNAME,),
}
_NEEDS_EXPECTED = (Comparison.EQUALS, Comparison.NOT_EQUALS, Comparison.IN_LIST)


def _errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Errors in a cloud system's request, rule, check-in and second endpoint."""
    errors: dict[str, str] = {}
    if not is_valid_url(data.get(CONF_URL, "")):
        errors[CONF_URL] = "invalid_url"
    auth = AuthType(data.get(CONF_AUTH_TYPE, AuthType.NONE))
    if not all(data.get(key) for key in _NEEDS.get(auth, ())):
        errors["base"] = "missing_credentials"
    for key in (CONF_PATH, CONF_FILTER_PATH, CONF_CHECKIN_PATH, CONF_SECOND_PATH):
        if data.get(key) and not validate_path(data[key]):
            errors[key] = "invalid_path"
    if not data.get(CONF_PATH) and not data.get(CONF_VALUE_TEMPLATE):
        errors["base"] = "no_rule"
    if (
        data.get(CONF_PATH)
        and data.get(CONF_COMPARISON) in _NEEDS_EXPECTED
        and not data.get(CONF_EXPECTED)
    ):
        errors[CONF_EXPECTED] = "expected_required"
    filter_keys = (CONF_FILTER_PATH, CONF_ID_KEY, CONF_ID_VALUE)
    if len({bool(data.get(key)) for key in filter_keys}) > 1:
        errors["base"] = "incomplete_filter"
    if data.get(CONF_CHECKIN_PATH) and not is_whole(
        data.get(CONF_MAX_AGE), 1, MAX_GRACE
    ):
        errors[CONF_MAX_AGE] = "invalid_duration"
    if data.get(CONF_TIMEZONE) and not is_zone_name(data[CONF_TIMEZONE]):
        errors[CONF_TIMEZONE] = "invalid_timezone"  # refused before any lookup
    if data.get(CONF_SECOND_URL) or data.get(CONF_SECOND_PATH):
        errors |= _second_endpoint_errors(data)
    return errors


def _second_endpoint_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """A second endpoint needs its URL, its path and, to compare, a value."""
    errors: dict[str, str] = {}
    if not is_valid_url(data.get(CONF_SECOND_URL, "")):
        errors[CONF_SECOND_URL] = "invalid_url"
    if not data.get(CONF_SECOND_PATH):
        errors[CONF_SECOND_PATH] = "invalid_path"
    if data.get(CONF_SECOND_COMPARISON) in _NEEDS_EXPECTED and not data.get(
        CONF_SECOND_EXPECTED
    ):
        errors[CONF_SECOND_EXPECTED] = "expected_required"
    return errors


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


# --- the test step and the probe ---------------------------------------------------

_VERDICTS = {
    Outcome.UP: "online",
    Outcome.DOWN: "offline",
    Outcome.UNKNOWN: "unknown",
}


@dataclass(frozen=True, kw_only=True)
class TryOutcome:
    """What the test step shows, and the fields the rule cannot be saved with."""

    placeholders: dict[str, str]
    errors: dict[str, str]


async def async_try_once(
    hass: HomeAssistant, data: Mapping[str, Any], timeout: float
) -> TryOutcome:
    """Fetch once: what the rule sees and decides, as the test step shows it.

    The rule is used exactly as a check uses it; a template that does not render
    within the form's time on the answer (or, with no answer, on `{}`) or fails on
    the answer cannot be saved.
    """
    probe = CloudProbe(
        hass, CloudCheck.from_data(data), timeout, template_seconds=FLOW_SECONDS
    )
    result = await probe()
    seen = dict(probe.last_seen)
    errors: dict[str, str] = {}
    reason = result.reason
    if probe.template_problem is None and "main" not in probe.answers:
        await _async_time_template(hass, data, probe)
    if probe.template_problem is not None:
        errors[CONF_VALUE_TEMPLATE] = probe.template_problem
        reason = probe.template_reason
    refused = _refused_paths(probe.check, probe.answers)
    if refused:
        for field in refused:
            errors[field] = "path_refused"
        reason = "; ".join(refused.values())
    return TryOutcome(
        placeholders={
            "status": str(seen.get("status") or "-"),
            "value": _shorten(seen.get("value", "-")),
            "verdict": _VERDICTS[result.outcome],
            "reason": reason or "-",
        },
        errors=errors,
    )


def _refused_paths(check: CloudCheck, answers: Mapping[str, object]) -> dict[str, str]:
    """The fields whose path jsonpath-python refuses on the answers -> why.

    Each rule's paths are tried as a check evaluates them (`refusals`), on the
    answer of its own endpoint.
    """
    tried: list[tuple[SimpleRule, str, str, str]] = []  # rule, answer, fields
    if check.rule is not None:
        tried.append((check.rule, "main", CONF_FILTER_PATH, CONF_PATH))
    if check.checkin is not None:
        tried.append((check.checkin.rule, "main", CONF_FILTER_PATH, CONF_CHECKIN_PATH))
    if check.second is not None:
        tried.append((check.second.rule, "second", CONF_SECOND_PATH, CONF_SECOND_PATH))
    refused: dict[str, str] = {}
    for rule, answer, filter_field, path_field in tried:
        if answer not in answers:
            continue
        for where, why in refusals(rule, answers[answer]).items():
            field = filter_field if where == "filter" else path_field
            path = rule.filter_path if where == "filter" else rule.path
            refused.setdefault(field, f"{path} cannot be used on this answer: {why}")
    return refused


async def _async_time_template(
    hass: HomeAssistant, data: Mapping[str, Any], probe: CloudProbe
) -> None:
    """No answer to render the template on: at least it must render `{}` in time."""
    if not (template := data.get(CONF_VALUE_TEMPLATE)):
        return
    try:
        await RuleTemplate(hass, template).async_render(
            {"value_json": {}}, FLOW_SECONDS
        )
    except TemplateError:
        pass  # it may well need the answer
    except RenderTimeoutError:
        probe.template_problem = TOO_SLOW
        probe.template_reason = too_slow(FLOW_SECONDS)


def _shorten(value: object, limit: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    validate=_errors,
    whole_numbers=(CONF_MAX_AGE,),
    hass_errors=_template_errors,
    async_errors=_async_errors,
    next_step="cloud_test",
    build_probe=build_probe,
)
