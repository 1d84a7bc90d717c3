"""Constants for Provider Watch."""

from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "provider_watch"
LOGGER = logging.getLogger(__package__)

SUBENTRY_SYSTEM: Final = "system"
CONF_ENTRY_TYPE: Final = "entry_type"  # "internet" for the internet check's entry
CONF_TARGETS: Final = "targets"  # the internet check's targets

# Provider (config entry) fields
CONF_NAME: Final = "name"
CONF_SUPPORT_PHONE: Final = "support_phone"
CONF_SUPPORT_URL: Final = "support_url"
CONF_ACCOUNT_CONTACT: Final = "account_contact"
CONF_FEEDBACK_CONTACT: Final = "feedback_contact"
CONF_NOTES: Final = "notes"
CONF_SYSTEM: Final = "system"  # reauth: which cloud system the credentials are for

# Monitored system (config subentry) fields
CONF_KIND: Final = "kind"
CONF_HOST: Final = "host"
CONF_PORT: Final = "port"
CONF_URL: Final = "url"
CONF_EXPECTED_STATUS: Final = "expected_status"
CONF_KEYWORD: Final = "keyword"
CONF_VERIFY_TLS: Final = "verify_tls"
CONF_TIMING: Final = "timing"
# watched entities
CONF_ENTITIES: Final = "entities"
CONF_REQUIRE_ALL: Final = "require_all"
CONF_GRACE: Final = "grace"
CONF_MAX_SILENCE: Final = "max_silence"
# a device of another integration (every entity of it watched)
CONF_DEVICE: Final = "device"
# heartbeat
CONF_WEBHOOK_ID: Final = "webhook_id"
CONF_PERIOD: Final = "period"
CONF_LOCAL_ONLY: Final = "local_only"
CONF_FAIL_KEYWORD: Final = "fail_keyword"
# cloud API (form sections: auth, rule, checkin, second endpoint)
CONF_AUTH: Final = "auth"
CONF_RULE: Final = "rule"
CONF_CHECKIN: Final = "checkin"
CONF_SECOND: Final = "second_endpoint"
CONF_METHOD: Final = "method"
CONF_BODY: Final = "body"
CONF_AUTH_TYPE: Final = "auth_type"
CONF_TOKEN: Final = "token"  # noqa: S105
CONF_HEADER_NAME: Final = "header_name"
CONF_HEADER_VALUE: Final = "header_value"
CONF_USERNAME: Final = "username"
CONF_PASSWORD: Final = "password"  # noqa: S105
CONF_PATH: Final = "path"
CONF_COMPARISON: Final = "comparison"
CONF_EXPECTED: Final = "expected"
CONF_FILTER_PATH: Final = "filter_path"
CONF_ID_KEY: Final = "id_key"
CONF_ID_VALUE: Final = "id_value"
CONF_VALUE_TEMPLATE: Final = "value_template"
CONF_CHECKIN_PATH: Final = "checkin_path"
CONF_MAX_AGE: Final = "max_age"
CONF_TIMEZONE: Final = "timezone"
CONF_QUIET_AT_NIGHT: Final = "quiet_at_night"
CONF_SECOND_URL: Final = "second_url"
CONF_SECOND_PATH: Final = "second_path"
CONF_SECOND_COMPARISON: Final = "second_comparison"
CONF_SECOND_EXPECTED: Final = "second_expected"
# cloud API, round two (issue 20): extra headers, a session login, a check-in
# format, the second endpoint's method and body
CONF_HEADERS: Final = "headers"
CONF_SECRET_HEADERS: Final = "secret_headers"  # noqa: S105 - a field's name
CONF_LOGIN: Final = "login"  # form section
CONF_LOGIN_URL: Final = "login_url"
CONF_LOGIN_METHOD: Final = "login_method"
CONF_LOGIN_BODY: Final = "login_body"
CONF_TOKEN_PATH: Final = "token_path"  # noqa: S105 - a field's name
CONF_TOKEN_HEADER: Final = "token_header"  # noqa: S105 - a field's name
CONF_CHECKIN_FORMAT: Final = "checkin_format"
CONF_SECOND_METHOD: Final = "second_method"
CONF_SECOND_BODY: Final = "second_body"
# Fields that hold secrets: never logged, redacted in diagnostics.
SECRET_FIELDS: Final = frozenset(
    {"token", "header_value", "password", "webhook_id", CONF_SECRET_HEADERS}
)
# provider-level alert options
CONF_PHONES: Final = "phones"
CONF_ESCALATION_PHONES: Final = "escalation_phones"
CONF_ESCALATE_AFTER: Final = "escalate_after"
CONF_REPEAT: Final = "repeat"
CONF_CRITICAL: Final = "critical"
CONF_QUIET_START: Final = "quiet_start"
CONF_QUIET_END: Final = "quiet_end"
CONF_CRITICAL_IGNORES_QUIET: Final = "critical_ignores_quiet"
DEFAULT_REPEAT: Final = "30, 120"
# provider-level status page
CONF_STATUS_PAGE: Final = "status_page"
CONF_STATUS_COMPONENTS: Final = "status_components"
# provider-level contract: what the owner pays (the options form's "contract"
# section; the fields are stored flat)
CONF_CONTRACT: Final = "contract"
CONF_MONTHLY_FEE: Final = "monthly_fee"
CONF_CURRENCY: Final = "currency"
CONF_RENEWAL_DATE: Final = "renewal_date"
MAX_MONTHLY_FEE: Final = 1_000_000
CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_TIMEOUT: Final = "timeout"
CONF_RETRY_INTERVAL: Final = "retry_interval"
CONF_FAILURES_BEFORE_OFFLINE: Final = "failures_before_offline"
CONF_SUCCESSES_BEFORE_ONLINE: Final = "successes_before_online"
# internet check: the outbound heartbeat (a dead-man's switch outside the home)
CONF_OUTBOUND_URL: Final = "outbound_url"
CONF_OUTBOUND_FAIL_URL: Final = "outbound_fail_url"
CONF_OUTBOUND_INTERVAL: Final = "outbound_interval"  # minutes
CONF_OUTBOUND_METHOD: Final = "outbound_method"
# the ping URLs are secrets (anyone can report "alive" with them): never logged
OUTBOUND_SECRET_FIELDS: Final = frozenset({CONF_OUTBOUND_URL, CONF_OUTBOUND_FAIL_URL})
DEFAULT_OUTBOUND_INTERVAL: Final = 5
MAX_OUTBOUND_INTERVAL: Final = 1440
OUTBOUND_METHODS: Final = ("GET", "POST")


class SystemKind(StrEnum):
    """How a monitored system is checked."""

    ICMP = "icmp"
    TCP = "tcp"
    HTTP = "http"
    CLOUD = "cloud"  # the provider's cloud API (REST/JSON)
    ENTITIES = "entities"  # entities of the provider's own HA integration
    DEVICE = "device"  # every entity of a device of another integration
    HEARTBEAT = "heartbeat"  # the device (or its cloud) calls a webhook


# Timing defaults; docs/timing.md gives the arithmetic behind them.
DEFAULT_POLL_INTERVAL: Final = 30
MIN_POLL_INTERVAL: Final = 10
MAX_POLL_INTERVAL: Final = 86_400
DEFAULT_TIMEOUT: Final = 5
MIN_TIMEOUT: Final = 1
MAX_TIMEOUT: Final = 60
DEFAULT_RETRY_INTERVAL: Final = 3
MIN_RETRY_INTERVAL: Final = 1
MAX_RETRY_INTERVAL: Final = 600
DEFAULT_FAILURES_BEFORE_OFFLINE: Final = 7
DEFAULT_SUCCESSES_BEFORE_ONLINE: Final = 2
MAX_THRESHOLD: Final = 20
DEFAULT_EXPECTED_STATUS: Final = "200-399"
DEFAULT_GRACE: Final = 300  # watched entities: unavailable this long = offline
DEFAULT_HEARTBEAT_PERIOD: Final = 300
DEFAULT_HEARTBEAT_GRACE: Final = 60

# Bus events for automations
EVENT_SYSTEM_OFFLINE: Final = f"{DOMAIN}_system_offline"
EVENT_SYSTEM_ONLINE: Final = f"{DOMAIN}_system_online"

# How long a "last seen" change may wait before it is written to disk.
STATE_SAVE_DELAY: Final = 30

# Self-heal (per system, the subentry form's "self_heal" section; stored flat, and
# only when a target entity is picked)
CONF_SELF_HEAL: Final = "self_heal"
CONF_HEAL_ENTITY: Final = "heal_entity"
CONF_HEAL_OFF_TIME: Final = "heal_off_time"
CONF_HEAL_DELAY: Final = "heal_delay"
CONF_HEAL_ATTEMPTS: Final = "heal_attempts"
CONF_HEAL_DAILY_MAX: Final = "heal_daily_max"
CONF_HEAL_RECHECK: Final = "heal_recheck"
CONF_HEAL_NOTIFY: Final = "heal_notify"
HEAL_DOMAINS: Final = ("switch", "button", "script")
MAX_HEAL_OFF_TIME: Final = 600
MAX_HEAL_DELAY: Final = 86_400
MIN_HEAL_RECHECK: Final = 30
MAX_HEAL_RECHECK: Final = 3_600
EVENT_SELF_HEAL: Final = f"{DOMAIN}_self_heal"
SIGNAL_MAINTENANCE: Final = f"{DOMAIN}_maintenance"
