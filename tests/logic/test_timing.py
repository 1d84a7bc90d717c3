"""Timing defaults by where a system is (logic/timing.py)."""

import pytest

from custom_components.provider_watch.logic.timing import (
    CLOUD_API,
    HOME_NETWORK,
    INTERNET,
    defaults_for,
    is_local_host,
)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1.2.3",
        "169.254.3.3",
        "fe80::1",
        "[fd00::5]",
        "::1",
        "printer.local",
        "nas.home.arpa",
        "router.lan",
        "nas",
        "localhost",
        " Panel.Local. ",
    ],
)
def test_home_network_hosts(host: str) -> None:
    assert is_local_host(host)


@pytest.mark.parametrize(
    "host", ["8.8.8.8", "example.com", "2001:4860::8888", "100.64.0.1", "", None, 5]
)
def test_hosts_elsewhere(host: object) -> None:
    assert not is_local_host(host)


def test_defaults_follow_the_kind_and_the_address() -> None:
    assert defaults_for("icmp", host="127.0.0.1") == HOME_NETWORK
    assert defaults_for("tcp", host="example.com") == INTERNET
    assert defaults_for("http", url="http://127.0.0.1:8080/status") == HOME_NETWORK
    assert defaults_for("http", url="https://example.com/") == INTERNET
    assert defaults_for("http", url="not a url") == INTERNET
    assert defaults_for("http", url=None) == INTERNET
    assert defaults_for("http", url="http://[bad") == INTERNET
    # a provider's cloud API is asked once a minute, wherever it is
    assert defaults_for("cloud", url="http://127.0.0.1/api") == CLOUD_API
    assert CLOUD_API.poll_interval >= 60


def test_home_network_detection_within_30_seconds() -> None:
    """A clean failure: the next regular check plus the re-checks that confirm it."""
    d = HOME_NETWORK
    worst = d.poll_interval + (d.failures_before_offline - 1) * d.retry_interval
    assert worst <= 30
    assert d.timeout < d.poll_interval
