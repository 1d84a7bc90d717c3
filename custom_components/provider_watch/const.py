"""Constants for Provider Watch."""

from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "provider_watch"
LOGGER = logging.getLogger(__package__)

SUBENTRY_SYSTEM: Final = "system"

# Provider (config entry) fields
CONF_NAME: Final = "name"
CONF_SUPPORT_PHONE: Final = "support_phone"
CONF_SUPPORT_URL: Final = "support_url"
CONF_ACCOUNT_CONTACT: Final = "account_contact"
CONF_FEEDBACK_CONTACT: Final = "feedback_contact"
CONF_NOTES: Final = "notes"

# Monitored system (config subentry) fields
CONF_KIND: Final = "kind"
CONF_HOST: Final = "host"
CONF_PORT: Final = "port"
CONF_URL: Final = "url"
CONF_EXPECTED_STATUS: Final = "expected_status"
CONF_KEYWORD: Final = "keyword"
CONF_VERIFY_TLS: Final = "verify_tls"
CONF_TIMING: Final = "timing"
CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_TIMEOUT: Final = "timeout"
CONF_RETRY_INTERVAL: Final = "retry_interval"
CONF_FAILURES_BEFORE_OFFLINE: Final = "failures_before_offline"
CONF_SUCCESSES_BEFORE_ONLINE: Final = "successes_before_online"


class SystemKind(StrEnum):
    """How a monitored system is checked."""

    ICMP = "icmp"
    TCP = "tcp"
    HTTP = "http"


# Timing defaults; README "Timing defaults" gives the arithmetic behind them.
DEFAULT_POLL_INTERVAL: Final = 30
MIN_POLL_INTERVAL: Final = 10
MAX_POLL_INTERVAL: Final = 86_400
DEFAULT_TIMEOUT: Final = 10
MIN_TIMEOUT: Final = 1
MAX_TIMEOUT: Final = 60
DEFAULT_RETRY_INTERVAL: Final = 5
MIN_RETRY_INTERVAL: Final = 1
MAX_RETRY_INTERVAL: Final = 600
DEFAULT_FAILURES_BEFORE_OFFLINE: Final = 4
DEFAULT_SUCCESSES_BEFORE_ONLINE: Final = 2
MAX_THRESHOLD: Final = 20
DEFAULT_EXPECTED_STATUS: Final = "200-399"

# Bus events for automations
EVENT_SYSTEM_OFFLINE: Final = f"{DOMAIN}_system_offline"
EVENT_SYSTEM_ONLINE: Final = f"{DOMAIN}_system_online"

# How long a "last seen" change may wait before it is written to disk.
STATE_SAVE_DELAY: Final = 30
