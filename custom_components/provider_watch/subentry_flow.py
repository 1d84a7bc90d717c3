"""The "monitored system" subentry flow: one form per kind of check."""

from collections.abc import Mapping
import secrets
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import probatio as vol

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.core import split_entity_id, valid_entity_id
from homeassistant.data_entry_flow import section
from homeassistant.exceptions import TemplateError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    EntityWithDeviceFilterSelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TemplateSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.template import Template

from .const import (
    CONF_AUTH,
    CONF_AUTH_TYPE,
    CONF_BODY,
    CONF_CHECKIN,
    CONF_CHECKIN_PATH,
    CONF_COMPARISON,
    CONF_ENTITIES,
    CONF_EXPECTED,
    CONF_EXPECTED_STATUS,
    CONF_FAIL_KEYWORD,
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_FILTER_PATH,
    CONF_GRACE,
    CONF_HEADER_NAME,
    CONF_HEADER_VALUE,
    CONF_HEAL_ATTEMPTS,
    CONF_HEAL_DAILY_MAX,
    CONF_HEAL_DELAY,
    CONF_HEAL_ENTITY,
    CONF_HEAL_NOTIFY,
    CONF_HEAL_OFF_TIME,
    CONF_HEAL_RECHECK,
    CONF_HOST,
    CONF_ID_KEY,
    CONF_ID_VALUE,
    CONF_KEYWORD,
    CONF_KIND,
    CONF_LOCAL_ONLY,
    CONF_MAX_AGE,
    CONF_MAX_SILENCE,
    CONF_METHOD,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PATH,
    CONF_PERIOD,
    CONF_POLL_INTERVAL,
    CONF_PORT,
    CONF_QUIET_AT_NIGHT,
    CONF_REQUIRE_ALL,
    CONF_RETRY_INTERVAL,
    CONF_RULE,
    CONF_SECOND,
    CONF_SECOND_COMPARISON,
    CONF_SECOND_EXPECTED,
    CONF_SECOND_PATH,
    CONF_SECOND_URL,
    CONF_SELF_HEAL,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_TIMEOUT,
    CONF_TIMEZONE,
    CONF_TIMING,
    CONF_TOKEN,
    CONF_URL,
    CONF_USERNAME,
    CONF_VALUE_TEMPLATE,
    CONF_VERIFY_TLS,
    CONF_WEBHOOK_ID,
    DEFAULT_EXPECTED_STATUS,
    DEFAULT_FAILURES_BEFORE_OFFLINE,
    DEFAULT_GRACE,
    DEFAULT_HEARTBEAT_GRACE,
    DEFAULT_HEARTBEAT_PERIOD,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_RETRY_INTERVAL,
    DEFAULT_SUCCESSES_BEFORE_ONLINE,
    DEFAULT_TIMEOUT,
    HEAL_DOMAINS,
    MAX_HEAL_DELAY,
    MAX_HEAL_OFF_TIME,
    MAX_HEAL_RECHECK,
    MAX_POLL_INTERVAL,
    MAX_RETRY_INTERVAL,
    MAX_THRESHOLD,
    MAX_TIMEOUT,
    MIN_HEAL_RECHECK,
    MIN_POLL_INTERVAL,
    MIN_RETRY_INTERVAL,
    MIN_TIMEOUT,
    SystemKind,
)
from .kinds.probes import CloudProbe
from .logic.self_heal import (
    DEFAULT_ATTEMPTS,
    DEFAULT_DAILY_MAX,
    DEFAULT_DELAY,
    DEFAULT_OFF_TIME,
    DEFAULT_RECHECK,
    MAX_ATTEMPTS,
    MAX_DAILY,
    HealNotify,
)
from .logic.state import Outcome
from .logic.validation import (
    clean_input,
    is_valid_host,
    is_valid_name,
    is_valid_url,
    is_whole,
    name_taken,
)
from .settings import Timing
from .sources.cloud import AuthType
from .sources.cloud_rule import Comparison, validate_path
from .sources.http import InvalidStatusCodesError, StatusCodes

_TEXT = TextSelector()
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
MAX_GRACE = 7 * 86_400


def _seconds(minimum: int, maximum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=1,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement="s",
        )
    )


_COUNT = NumberSelector(
    NumberSelectorConfig(min=1, max=MAX_THRESHOLD, step=1, mode=NumberSelectorMode.BOX)
)

TIMING_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_POLL_INTERVAL, default=DEFAULT_POLL_INTERVAL): _seconds(
            MIN_POLL_INTERVAL, MAX_POLL_INTERVAL
        ),
        vol.Required(CONF_TIMEOUT, default=DEFAULT_TIMEOUT): _seconds(
            MIN_TIMEOUT, MAX_TIMEOUT
        ),
        vol.Required(CONF_RETRY_INTERVAL, default=DEFAULT_RETRY_INTERVAL): _seconds(
            MIN_RETRY_INTERVAL, MAX_RETRY_INTERVAL
        ),
        vol.Required(
            CONF_FAILURES_BEFORE_OFFLINE, default=DEFAULT_FAILURES_BEFORE_OFFLINE
        ): _COUNT,
        vol.Required(
            CONF_SUCCESSES_BEFORE_ONLINE, default=DEFAULT_SUCCESSES_BEFORE_ONLINE
        ): _COUNT,
    }
)

_GRACE = NumberSelector(
    NumberSelectorConfig(
        min=0,
        max=MAX_GRACE,
        step=1,
        mode=NumberSelectorMode.BOX,
        unit_of_measurement="s",
    )
)

KIND_FIELDS: dict[SystemKind, dict[vol.Marker, Any]] = {
    SystemKind.ICMP: {vol.Required(CONF_HOST): _TEXT},
    SystemKind.TCP: {
        vol.Required(CONF_HOST): _TEXT,
        vol.Required(CONF_PORT): NumberSelector(
            NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
        ),
    },
    SystemKind.HTTP: {
        vol.Required(CONF_URL): _URL,
        vol.Required(CONF_EXPECTED_STATUS, default=DEFAULT_EXPECTED_STATUS): _TEXT,
        vol.Optional(CONF_KEYWORD): _TEXT,
        vol.Required(CONF_VERIFY_TLS, default=True): BooleanSelector(),
    },
    SystemKind.ENTITIES: {
        vol.Required(CONF_ENTITIES): EntitySelector(
            EntitySelectorConfig(multiple=True)
        ),
        vol.Required(CONF_REQUIRE_ALL, default=False): BooleanSelector(),
        vol.Required(CONF_GRACE, default=DEFAULT_GRACE): _GRACE,
        vol.Required(CONF_MAX_SILENCE, default=0): _GRACE,
    },
    SystemKind.CLOUD: {
        vol.Required(CONF_URL): _URL,
        vol.Required(CONF_METHOD, default="GET"): SelectSelector(
            SelectSelectorConfig(options=["GET", "POST"])
        ),
        vol.Optional(CONF_BODY): TextSelector(TextSelectorConfig(multiline=True)),
        vol.Required(CONF_VERIFY_TLS, default=True): BooleanSelector(),
    },
    SystemKind.HEARTBEAT: {
        vol.Required(CONF_PERIOD, default=DEFAULT_HEARTBEAT_PERIOD): _seconds(
            MIN_POLL_INTERVAL, MAX_GRACE
        ),
        vol.Required(CONF_GRACE, default=DEFAULT_HEARTBEAT_GRACE): _GRACE,
        vol.Required(CONF_LOCAL_ONLY, default=True): BooleanSelector(),
        vol.Optional(CONF_FAIL_KEYWORD): _TEXT,
    },
}
POLLED_KINDS = (SystemKind.ICMP, SystemKind.TCP, SystemKind.HTTP)

_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


def _choice(options: list[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options, translation_key=key, mode=SelectSelectorMode.DROPDOWN
        )
    )


_COMPARISONS = [c.value for c in Comparison]
CLOUD_SECTIONS: dict[str, vol.Schema] = {
    CONF_AUTH: vol.Schema(
        {
            vol.Required(CONF_AUTH_TYPE, default=AuthType.NONE.value): _choice(
                [a.value for a in AuthType], CONF_AUTH_TYPE
            ),
            vol.Optional(CONF_TOKEN): _SECRET,
            vol.Optional(CONF_HEADER_NAME): _TEXT,
            vol.Optional(CONF_HEADER_VALUE): _SECRET,
            vol.Optional(CONF_USERNAME): _TEXT,
            vol.Optional(CONF_PASSWORD): _SECRET,
        }
    ),
    CONF_RULE: vol.Schema(
        {
            vol.Optional(CONF_PATH): _TEXT,
            vol.Required(CONF_COMPARISON, default=Comparison.TRUTHY.value): _choice(
                _COMPARISONS, CONF_COMPARISON
            ),
            vol.Optional(CONF_EXPECTED): _TEXT,
            vol.Optional(CONF_FILTER_PATH): _TEXT,
            vol.Optional(CONF_ID_KEY): _TEXT,
            vol.Optional(CONF_ID_VALUE): _TEXT,
            vol.Optional(CONF_VALUE_TEMPLATE): TemplateSelector(),
        }
    ),
    CONF_CHECKIN: vol.Schema(
        {
            vol.Optional(CONF_CHECKIN_PATH): _TEXT,
            vol.Optional(CONF_MAX_AGE): _GRACE,
            vol.Optional(CONF_TIMEZONE): _TEXT,
            vol.Required(CONF_QUIET_AT_NIGHT, default=False): BooleanSelector(),
        }
    ),
    CONF_SECOND: vol.Schema(
        {
            vol.Optional(CONF_SECOND_URL): _URL,
            vol.Optional(CONF_SECOND_PATH): _TEXT,
            vol.Required(
                CONF_SECOND_COMPARISON, default=Comparison.TRUTHY.value
            ): _choice(_COMPARISONS, CONF_COMPARISON),
            vol.Optional(CONF_SECOND_EXPECTED): _TEXT,
        }
    ),
}


# Self-heal: what to power-cycle, press or run when the system goes offline (the
# section is optional; without a target entity none of its fields is stored)
SELF_HEAL_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_HEAL_ENTITY): EntitySelector(
            EntitySelectorConfig(
                filter=EntityWithDeviceFilterSelectorConfig(domain=list(HEAL_DOMAINS))
            )
        ),
        vol.Required(CONF_HEAL_DELAY, default=DEFAULT_DELAY): _seconds(
            0, MAX_HEAL_DELAY
        ),
        vol.Required(CONF_HEAL_ATTEMPTS, default=DEFAULT_ATTEMPTS): NumberSelector(
            NumberSelectorConfig(
                min=1, max=MAX_ATTEMPTS, step=1, mode=NumberSelectorMode.BOX
            )
        ),
        vol.Required(CONF_HEAL_DAILY_MAX, default=DEFAULT_DAILY_MAX): NumberSelector(
            NumberSelectorConfig(
                min=1, max=MAX_DAILY, step=1, mode=NumberSelectorMode.BOX
            )
        ),
        vol.Required(CONF_HEAL_OFF_TIME, default=DEFAULT_OFF_TIME): _seconds(
            1, MAX_HEAL_OFF_TIME
        ),
        vol.Required(CONF_HEAL_RECHECK, default=DEFAULT_RECHECK): _seconds(
            MIN_HEAL_RECHECK, MAX_HEAL_RECHECK
        ),
        vol.Required(CONF_HEAL_NOTIFY, default=HealNotify.QUIET.value): _choice(
            [n.value for n in HealNotify], CONF_HEAL_NOTIFY
        ),
    }
)
SELF_HEAL_FIELDS = tuple(str(key) for key in SELF_HEAL_SCHEMA.schema)


def kind_sections(kind: SystemKind) -> dict[str, vol.Schema]:
    """The collapsed sections of a kind's form (their fields are stored flat)."""
    sections: dict[str, vol.Schema] = {}
    if kind is SystemKind.CLOUD:
        sections |= CLOUD_SECTIONS
    if kind in (*POLLED_KINDS, SystemKind.CLOUD):
        sections[CONF_TIMING] = TIMING_SCHEMA
    sections[CONF_SELF_HEAL] = SELF_HEAL_SCHEMA
    return sections


def _system_schema(kind: SystemKind) -> vol.Schema:
    fields: dict[vol.Marker, Any] = {
        vol.Required(CONF_NAME): _TEXT,
        **KIND_FIELDS[kind],
    }
    for name, schema in kind_sections(kind).items():
        collapsed = not (kind is SystemKind.CLOUD and name == CONF_RULE)
        # self-heal is optional: a form sent without it has none
        marker = vol.Optional if name == CONF_SELF_HEAL else vol.Required
        fields[marker(name)] = section(schema, {"collapsed": collapsed})
    return vol.Schema(fields)


def validate_system(kind: SystemKind, data: Mapping[str, Any]) -> dict[str, str]:
    """Form errors for a monitored system's fields."""
    errors: dict[str, str] = {}
    if not is_valid_name(data.get(CONF_NAME, "")):
        errors[CONF_NAME] = "invalid_name"
    errors |= _target_errors(kind, data)
    errors |= _self_heal_errors(data)
    for key in (CONF_GRACE, CONF_MAX_SILENCE):
        if key in data and not is_whole(data[key], 0, MAX_GRACE):
            errors[key] = "invalid_duration"
    for key in (CONF_FAILURES_BEFORE_OFFLINE, CONF_SUCCESSES_BEFORE_ONLINE):
        if key in data and not is_whole(data[key], 1, MAX_THRESHOLD):
            errors["base"] = "invalid_threshold"
    if data.get(CONF_TIMEOUT, DEFAULT_TIMEOUT) >= data.get(
        CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL
    ):
        errors["base"] = "timeout_not_below_interval"
    return errors


def _target_errors(kind: SystemKind, data: Mapping[str, Any]) -> dict[str, str]:
    """Errors in what identifies the system: host, port, URL, entities, period."""
    errors: dict[str, str] = {}
    if kind in (SystemKind.ICMP, SystemKind.TCP) and not is_valid_host(
        data.get(CONF_HOST, "")
    ):
        errors[CONF_HOST] = "invalid_host"
    if kind is SystemKind.TCP and not is_whole(data.get(CONF_PORT), 1, 65535):
        errors[CONF_PORT] = "invalid_port"
    if kind is SystemKind.HTTP:
        if not is_valid_url(data.get(CONF_URL, "")):
            errors[CONF_URL] = "invalid_url"
        try:
            StatusCodes.parse(data.get(CONF_EXPECTED_STATUS, ""))
        except InvalidStatusCodesError:
            errors[CONF_EXPECTED_STATUS] = "invalid_status_codes"
    if kind is SystemKind.ENTITIES and not data.get(CONF_ENTITIES):
        errors[CONF_ENTITIES] = "no_entities"
    if kind is SystemKind.HEARTBEAT and not is_whole(
        data.get(CONF_PERIOD), MIN_POLL_INTERVAL, MAX_GRACE
    ):
        errors[CONF_PERIOD] = "invalid_duration"
    if kind is SystemKind.CLOUD:
        errors |= _cloud_errors(data)
    return errors


_NEEDS = {
    AuthType.BEARER: (CONF_TOKEN,),
    AuthType.API_KEY: (CONF_HEADER_NAME, CONF_HEADER_VALUE),
    AuthType.BASIC: (CONF_USERNAME,),
}
_NEEDS_EXPECTED = (Comparison.EQUALS, Comparison.NOT_EQUALS, Comparison.IN_LIST)


def _cloud_errors(data: Mapping[str, Any]) -> dict[str, str]:
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
    if data.get(CONF_TIMEZONE) and not _is_timezone(data[CONF_TIMEZONE]):
        errors[CONF_TIMEZONE] = "invalid_timezone"
    if data.get(CONF_SECOND_URL) or data.get(CONF_SECOND_PATH):
        errors |= _second_endpoint_errors(data)
    return errors


_HEAL_LIMITS = {
    CONF_HEAL_DELAY: (0, MAX_HEAL_DELAY),
    CONF_HEAL_ATTEMPTS: (1, MAX_ATTEMPTS),
    CONF_HEAL_DAILY_MAX: (1, MAX_DAILY),
    CONF_HEAL_OFF_TIME: (1, MAX_HEAL_OFF_TIME),
    CONF_HEAL_RECHECK: (MIN_HEAL_RECHECK, MAX_HEAL_RECHECK),
}


def _self_heal_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Self-heal needs a switch, button or script, and whole numbers in range."""
    entity_id = data.get(CONF_HEAL_ENTITY)
    if entity_id is None:
        return {}  # no self-heal: its other fields are not kept
    errors: dict[str, str] = {}
    if (
        not isinstance(entity_id, str)
        or not valid_entity_id(entity_id)
        or split_entity_id(entity_id)[0] not in HEAL_DOMAINS
    ):
        errors[CONF_HEAL_ENTITY] = "invalid_heal_entity"
    for key, (low, high) in _HEAL_LIMITS.items():
        if key in data and not is_whole(data[key], low, high):
            errors[key] = "invalid_heal_number"
    if data.get(CONF_HEAL_NOTIFY, HealNotify.QUIET) not in list(HealNotify):
        errors[CONF_HEAL_NOTIFY] = "invalid_heal_notify"
    return errors


def _resolve_heal_entity(hass: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The entity selector may give an entity registry id: store the entity id."""
    value = data.get(CONF_HEAL_ENTITY)
    if isinstance(value, str) and not valid_entity_id(value):
        resolved = er.async_resolve_entity_id(er.async_get(hass), value)
        if resolved is not None:  # (anything else is refused by the validation)
            data[CONF_HEAL_ENTITY] = resolved
    return data


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


def _is_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError, ValueError, OSError:  # OSError: name too long
        return False
    return True


class SystemSubentryFlow(ConfigSubentryFlow):
    """Add or change a monitored system of a provider."""

    _data: dict[str, Any]
    _title: str

    async def async_step_user(
        self,
        user_input: dict[str, Any] | None = None,
    ) -> SubentryFlowResult:
        """Pick how the system is checked."""
        return self.async_show_menu(
            step_id="user", menu_options=[kind.value for kind in SystemKind]
        )

    async def async_step_icmp(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system answered by ping."""
        return await self._async_system_form(SystemKind.ICMP, user_input)

    async def async_step_tcp(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system with an open TCP port."""
        return await self._async_system_form(SystemKind.TCP, user_input)

    async def async_step_http(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system with a web page or HTTP endpoint."""
        return await self._async_system_form(SystemKind.HTTP, user_input)

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system seen through entities of the provider's own integration."""
        return await self._async_system_form(SystemKind.ENTITIES, user_input)

    async def async_step_heartbeat(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system that calls home to a webhook."""
        return await self._async_system_form(SystemKind.HEARTBEAT, user_input)

    async def async_step_cloud(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A system seen through the provider's cloud API."""
        return await self._async_system_form(SystemKind.CLOUD, user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a system: the form of its kind, filled in."""
        kind = SystemKind(self._get_reconfigure_subentry().data[CONF_KIND])
        return await self._async_system_form(kind, user_input)

    async def async_step_heartbeat_url(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Show the heartbeat URL to copy into the device or the provider's portal."""
        if user_input is not None:
            return self._async_finish()
        return self.async_show_form(
            step_id="heartbeat_url",
            description_placeholders={
                "url": _heartbeat_url(
                    self.hass,
                    self._data[CONF_WEBHOOK_ID],
                    local_only=self._data.get(CONF_LOCAL_ONLY, True),
                )
            },
        )

    async def _async_system_form(
        self, kind: SystemKind, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        reconfiguring = self.source == "reconfigure"
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _flatten(user_input)
            data = _resolve_heal_entity(self.hass, data)
            errors = validate_system(kind, data)
            if not errors and self._system_name_taken(data[CONF_NAME]):
                errors[CONF_NAME] = "name_exists"
            if (template := data.get(CONF_VALUE_TEMPLATE)) and not _template_ok(
                self.hass, template
            ):
                errors[CONF_VALUE_TEMPLATE] = "invalid_template"
            if not errors:
                self._title = data.pop(CONF_NAME)
                self._data = _normalize(kind, data)
                if kind is SystemKind.HEARTBEAT:
                    self._data[CONF_WEBHOOK_ID] = (
                        self._get_reconfigure_subentry().data[CONF_WEBHOOK_ID]
                        if reconfiguring
                        else secrets.token_hex(32)
                    )
                    return await self.async_step_heartbeat_url()
                if kind is SystemKind.CLOUD:
                    return await self.async_step_cloud_test()
                return self._async_finish()
        suggested: Mapping[str, Any] | None = user_input
        if suggested is None and getattr(self, "_data", None):
            suggested = _nest(kind, {**self._data, CONF_NAME: self._title})
        elif suggested is None and reconfiguring:
            subentry = self._get_reconfigure_subentry()
            suggested = _nest(kind, {**subentry.data, CONF_NAME: subentry.title})
        return self.async_show_form(
            step_id="reconfigure" if reconfiguring else kind.value,
            data_schema=self.add_suggested_values_to_schema(
                _system_schema(kind), suggested
            ),
            errors=errors,
        )

    async def async_step_cloud_test(
        self,
        user_input: dict[str, Any] | None = None,
    ) -> SubentryFlowResult:
        """Fetch once and show exactly what the rule sees and decides."""
        probe = CloudProbe(self.hass, self._data, Timing.from_data(self._data).timeout)
        result = await probe()
        seen = dict(probe.last_seen)
        verdict = {
            Outcome.UP: "online",
            Outcome.DOWN: "offline",
            Outcome.UNKNOWN: "unknown",
        }[result.outcome]
        return self.async_show_menu(
            step_id="cloud_test",
            menu_options=["cloud_save", "cloud_edit"],
            description_placeholders={
                "status": str(seen.get("status") or "-"),
                "value": _shorten(seen.get("value", "-")),
                "verdict": verdict,
                "reason": result.reason or "-",
            },
        )

    async def async_step_cloud_save(
        self,
        user_input: dict[str, Any] | None = None,
    ) -> SubentryFlowResult:
        """Keep the tested settings."""
        return self._async_finish()

    async def async_step_cloud_edit(
        self,
        user_input: dict[str, Any] | None = None,
    ) -> SubentryFlowResult:
        """Back to the form, filled in with what was tested."""
        return await self._async_system_form(SystemKind.CLOUD, None)

    def _async_finish(self) -> SubentryFlowResult:
        if self.source == "reconfigure":
            return self.async_update_and_abort(
                self._get_entry(),
                self._get_reconfigure_subentry(),
                title=self._title,
                data=self._data,
            )
        return self.async_create_entry(title=self._title, data=self._data)

    def _system_name_taken(self, name: str) -> bool:
        own = (
            self._get_reconfigure_subentry().subentry_id
            if self.source == "reconfigure"
            else None
        )
        return name_taken(
            name,
            (
                subentry.title
                for subentry in self._get_entry().subentries.values()
                if subentry.subentry_id != own
            ),
        )


def _template_ok(hass: Any, template: str) -> bool:
    try:
        Template(template, hass).ensure_valid()
    except TemplateError:
        return False
    return True


def _shorten(value: object, limit: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _heartbeat_url(hass: Any, webhook_id: str, *, local_only: bool) -> str:
    """The full URL when Home Assistant knows its own address, else the path."""
    try:
        return webhook.async_generate_url(
            hass, webhook_id, allow_ip=True, prefer_external=not local_only
        )
    except NoURLAvailableError:
        return webhook.async_generate_path(webhook_id)


def _normalize(kind: SystemKind, data: dict[str, Any]) -> dict[str, Any]:
    """Whole numbers as ints, and the kind recorded."""
    for key in (
        CONF_PORT,
        CONF_MAX_AGE,
        CONF_GRACE,
        CONF_MAX_SILENCE,
        CONF_PERIOD,
        CONF_FAILURES_BEFORE_OFFLINE,
        CONF_SUCCESSES_BEFORE_ONLINE,
        CONF_HEAL_DELAY,
        CONF_HEAL_ATTEMPTS,
        CONF_HEAL_DAILY_MAX,
        CONF_HEAL_OFF_TIME,
        CONF_HEAL_RECHECK,
    ):
        if key in data:
            data[key] = int(data[key])
    if CONF_HEAL_ENTITY not in data:  # no self-heal: none of its settings is kept
        for key in SELF_HEAL_FIELDS:
            data.pop(key, None)
    data[CONF_KIND] = kind.value
    return data


def _flatten(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Lift every section's fields to the top level and tidy the text."""
    flat: dict[str, Any] = {}
    for key, value in user_input.items():
        if isinstance(value, Mapping):
            flat.update(value)
        else:
            flat[key] = value
    data = clean_input(flat)
    for key, value in data.items():
        if isinstance(value, float) and value.is_integer():
            data[key] = int(value)
    return data


def _nest(kind: SystemKind, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored (flat) settings in the form's shape, for suggested values."""
    sections = kind_sections(kind)
    in_section = {
        str(key): name for name, schema in sections.items() for key in schema.schema
    }
    nested: dict[str, Any] = {name: {} for name in sections}
    for key, value in data.items():
        if key in in_section:
            nested[in_section[key]][key] = value
        else:
            nested[key] = value
    return nested
