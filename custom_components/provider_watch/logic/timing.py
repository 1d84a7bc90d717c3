"""Timing defaults by where a system is: the home network, the internet, a cloud API.

A check of a device on the home network (ping, a TCP port, its web page at a private
address) costs next to nothing on either side, so it runs more often and is
confirmed by more, quicker re-checks: offline within 26 s of a clean failure. A
provider's cloud API is asked politely (once a minute). docs/timing.md has the
arithmetic. Only what a system does not store itself is a default: a system keeps
the numbers stored with it (every system made with the earlier form stores all five).
"""

import ipaddress
from typing import NamedTuple

from yarl import URL

# host names that only resolve on the home network (RFC 6762, RFC 8375, common ones)
LOCAL_SUFFIXES = (".local", ".lan", ".home", ".home.arpa", ".internal", ".localdomain")


class TimingDefaults(NamedTuple):
    """A system's timing when it stores none (seconds; counts)."""

    poll_interval: int
    timeout: int
    retry_interval: int
    failures_before_offline: int
    successes_before_online: int


# a device on the home network: checked every 10 s, offline after 9 failed checks
# (the regular one and 8 re-checks 2 s apart): a clean failure is confirmed within
# 10 + 8 x 2 = 26 s; bursty loss: 0.09 false alarms per system-month (timing.md)
HOME_NETWORK = TimingDefaults(10, 3, 2, 9, 2)
# anything else on the internet (a web site, a router's public address)
INTERNET = TimingDefaults(30, 5, 3, 7, 2)
# a provider's cloud API: once a minute (its Retry-After is honoured on top)
CLOUD_API = TimingDefaults(60, 5, 3, 7, 2)

LOCAL_KINDS = ("icmp", "tcp", "http")  # the kinds that check an address directly


def is_local_host(host: object) -> bool:
    """Whether a host name or IP address is on the home network.

    Private, loopback and link-local addresses; names without a dot, localhost and
    names under a home-network suffix (printer.local, nas.home.arpa).
    """
    if not isinstance(host, str):
        return False
    name = host.strip().strip("[]").rstrip(".").lower()
    if not name:
        return False
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return "." not in name or name == "localhost" or name.endswith(LOCAL_SUFFIXES)
    return address.is_private or address.is_loopback or address.is_link_local


def url_host(url: object) -> str | None:
    """The host of a URL (None when it is not one)."""
    if not isinstance(url, str):
        return None
    try:
        return URL(url.strip()).host
    except ValueError:
        return None


def defaults_for(kind: str, host: object = None, url: object = None) -> TimingDefaults:
    """The timing of a system of this kind at this address, unless it stores its own."""
    if kind == "cloud":
        return CLOUD_API
    if kind in LOCAL_KINDS and is_local_host(host if url is None else url_host(url)):
        return HOME_NETWORK
    return INTERNET
