"""Form pieces every kind shares: selectors, the timing and self-heal sections.

Also the checks of those shared parts; each kind's own fields are checked by its
module.
"""

from collections.abc import Mapping
import math
from typing import Any

import probatio as vol

from homeassistant.core import split_entity_id, valid_entity_id
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    EntityWithDeviceFilterSelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from ..addresses import is_valid_host
from ..const import (
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_HEAL_ATTEMPTS,
    CONF_HEAL_DAILY_MAX,
    CONF_HEAL_DELAY,
    CONF_HEAL_ENTITY,
    CONF_HEAL_NOTIFY,
    CONF_HEAL_OFF_TIME,
    CONF_HEAL_RECHECK,
    CONF_HOST,
    CONF_NAME,
    CONF_POLL_INTERVAL,
    CONF_RETRY_INTERVAL,
    CONF_SUCCESSES_BEFORE_ONLINE,
    CONF_TIMEOUT,
    CONF_URL,
    DEFAULT_SUCCESSES_BEFORE_ONLINE,
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
)
from ..logic.self_heal import (
    DEFAULT_ATTEMPTS,
    DEFAULT_DAILY_MAX,
    DEFAULT_DELAY,
    DEFAULT_OFF_TIME,
    DEFAULT_RECHECK,
    MAX_ATTEMPTS,
    MAX_DAILY,
    HealNotify,
)
from ..logic.timing import defaults_for
from ..logic.validation import is_valid_name, is_whole

TEXT = TextSelector()
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
# secret lines (headers): a box of several lines cannot be a password box, but is
# stored, redacted and never shown again like one
SECRET_LINES = TextSelector(TextSelectorConfig(multiline=True))
SECRETS = (SECRET, SECRET_LINES)
MAX_GRACE = 7 * 86_400


class NumberBox(NumberSelector):
    """Home Assistant's number selector, letting NaN and infinity through to the form.

    Its own check turns a typed "nan" into NaN, which passes its min/max (every
    comparison with NaN is false), and refuses infinity with a bare schema error.
    Here neither is judged by the selector: the form's own check (`number_errors`)
    refuses both with a form error on the field.
    """

    def __call__(self, data: Any) -> float:
        """A number; in range unless it is not finite (the form refuses that)."""
        value: float = vol.Coerce(float)(data)
        if not math.isfinite(value):
            return value
        return super().__call__(value)


def number_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Every number of a form must be finite: NaN and infinity are refused."""
    errors: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, float) and not math.isfinite(value):
            errors[key] = "not_a_number"
    return errors


def seconds(minimum: int, maximum: int) -> NumberSelector:
    """A whole number of seconds, typed into a box."""
    return NumberBox(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=1,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement="s",
        )
    )


def count(maximum: int) -> NumberSelector:
    """A whole number from 1, typed into a box."""
    return NumberBox(
        NumberSelectorConfig(min=1, max=maximum, step=1, mode=NumberSelectorMode.BOX)
    )


def choice(options: list[str], key: str) -> SelectSelector:
    """A drop-down of translated options."""
    return SelectSelector(
        SelectSelectorConfig(
            options=options, translation_key=key, mode=SelectSelectorMode.DROPDOWN
        )
    )


GRACE = seconds(0, MAX_GRACE)


def duration_errors(data: Mapping[str, Any], *keys: str) -> dict[str, str]:
    """Whole seconds from 0 up to a week (grace times, maximum silence)."""
    errors: dict[str, str] = {}
    for key in keys:
        if key in data and not is_whole(data[key], 0, MAX_GRACE):
            errors[key] = "invalid_duration"
    return errors


def host_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """A host name or an IP address (ping and TCP)."""
    if not is_valid_host(data.get(CONF_HOST, "")):
        return {CONF_HOST: "invalid_host"}
    return {}


# --- the name and the timing (every polled kind) ---------------------------------

# Left empty, the check interval, timeout, re-check interval and failures follow
# where the system is (logic/timing.py: the home network, the internet, a cloud API)
# and are not stored: a later version's better defaults reach the system too.
TIMING_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_POLL_INTERVAL): seconds(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL),
        vol.Optional(CONF_TIMEOUT): seconds(MIN_TIMEOUT, MAX_TIMEOUT),
        vol.Optional(CONF_RETRY_INTERVAL): seconds(
            MIN_RETRY_INTERVAL, MAX_RETRY_INTERVAL
        ),
        vol.Optional(CONF_FAILURES_BEFORE_OFFLINE): count(MAX_THRESHOLD),
        vol.Required(
            CONF_SUCCESSES_BEFORE_ONLINE, default=DEFAULT_SUCCESSES_BEFORE_ONLINE
        ): count(MAX_THRESHOLD),
    }
)


def name_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """A display name that is not blank, nor too long."""
    if not is_valid_name(data.get(CONF_NAME, "")):
        return {CONF_NAME: "invalid_name"}
    return {}


def timing_errors(kind: str, data: Mapping[str, Any]) -> dict[str, str]:
    """Whole thresholds in range, and a timeout shorter than the poll interval."""
    errors: dict[str, str] = {}
    for key in (CONF_FAILURES_BEFORE_OFFLINE, CONF_SUCCESSES_BEFORE_ONLINE):
        if key in data and not is_whole(data[key], 1, MAX_THRESHOLD):
            errors["base"] = "invalid_threshold"
    defaults = defaults_for(kind, data.get(CONF_HOST), data.get(CONF_URL))
    if data.get(CONF_TIMEOUT, defaults.timeout) >= data.get(
        CONF_POLL_INTERVAL, defaults.poll_interval
    ):
        errors["base"] = "timeout_not_below_interval"
    return errors


# --- self-heal (every kind) ------------------------------------------------------

# What to power-cycle, press or run when the system goes offline (the section is
# optional; without a target entity none of its fields is stored)
SELF_HEAL_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_HEAL_ENTITY): EntitySelector(
            EntitySelectorConfig(
                filter=EntityWithDeviceFilterSelectorConfig(domain=list(HEAL_DOMAINS))
            )
        ),
        vol.Required(CONF_HEAL_DELAY, default=DEFAULT_DELAY): seconds(
            0, MAX_HEAL_DELAY
        ),
        vol.Required(CONF_HEAL_ATTEMPTS, default=DEFAULT_ATTEMPTS): count(MAX_ATTEMPTS),
        vol.Required(CONF_HEAL_DAILY_MAX, default=DEFAULT_DAILY_MAX): count(MAX_DAILY),
        vol.Required(CONF_HEAL_OFF_TIME, default=DEFAULT_OFF_TIME): seconds(
            1, MAX_HEAL_OFF_TIME
        ),
        vol.Required(CONF_HEAL_RECHECK, default=DEFAULT_RECHECK): seconds(
            MIN_HEAL_RECHECK, MAX_HEAL_RECHECK
        ),
        vol.Required(CONF_HEAL_NOTIFY, default=HealNotify.QUIET.value): choice(
            [n.value for n in HealNotify], CONF_HEAL_NOTIFY
        ),
    }
)
SELF_HEAL_FIELDS = tuple(str(key) for key in SELF_HEAL_SCHEMA.schema)

# the self-heal numbers: key -> (lowest, highest)
HEAL_LIMITS = {
    CONF_HEAL_DELAY: (0, MAX_HEAL_DELAY),
    CONF_HEAL_ATTEMPTS: (1, MAX_ATTEMPTS),
    CONF_HEAL_DAILY_MAX: (1, MAX_DAILY),
    CONF_HEAL_OFF_TIME: (1, MAX_HEAL_OFF_TIME),
    CONF_HEAL_RECHECK: (MIN_HEAL_RECHECK, MAX_HEAL_RECHECK),
}

# the shared fields stored as int (each kind lists its own)
WHOLE_NUMBERS = (
    CONF_FAILURES_BEFORE_OFFLINE,
    CONF_SUCCESSES_BEFORE_ONLINE,
    *HEAL_LIMITS,
)


def self_heal_errors(data: Mapping[str, Any]) -> dict[str, str]:
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
    for key, (low, high) in HEAL_LIMITS.items():
        if key in data and not is_whole(data[key], low, high):
            errors[key] = "invalid_heal_number"
    if data.get(CONF_HEAL_NOTIFY, HealNotify.QUIET) not in list(HealNotify):
        errors[CONF_HEAL_NOTIFY] = "invalid_heal_notify"
    return errors
