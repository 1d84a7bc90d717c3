"""HTTP(S): a system with a web page or an HTTP endpoint."""

from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import probatio as vol
import yarl

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import BooleanSelector

from ..addresses import is_valid_url
from ..const import (
    CONF_EXPECTED_STATUS,
    CONF_KEYWORD,
    CONF_URL,
    CONF_VERIFY_TLS,
    DEFAULT_EXPECTED_STATUS,
    SystemKind,
)
from ..sources import Probe, ProbeResult
from ..sources.http import InvalidStatusCodesError, StatusCodes, probe_http
from .base import Kind, SystemRef
from .form import TEXT, URL


@dataclass(frozen=True, kw_only=True, slots=True)
class HttpCheck:
    """The URL to get, and what a good answer is."""

    url: str
    expected: StatusCodes
    keyword: str | None
    verify_tls: bool

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> HttpCheck:
        """Read an HTTP system's settings."""
        return cls(
            url=data[CONF_URL],
            expected=StatusCodes.parse(
                data.get(CONF_EXPECTED_STATUS, DEFAULT_EXPECTED_STATUS)
            ),
            keyword=data.get(CONF_KEYWORD) or None,
            verify_tls=bool(data.get(CONF_VERIFY_TLS, True)),
        )


def build_probe(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    timeout: float,
    icmp_privileged: bool | None,
    system: SystemRef,
) -> Probe:
    """Get the URL; judge the status code and, if given, the keyword."""
    check = HttpCheck.from_data(data)
    session = async_get_clientsession(hass, verify_ssl=check.verify_tls)
    try:
        url: str | yarl.URL = yarl.URL(check.url)  # parsed once, not at every check
    except ValueError:
        url = check.url  # (each check then says why it cannot be used)
    return HttpProbe(check, session, url, timeout)


class HttpProbe:
    """A system's HTTP check, ready to run (a few slots: one per system is kept)."""

    __slots__ = ("_check", "_session", "_timeout", "_url")

    def __init__(
        self,
        check: HttpCheck,
        session: aiohttp.ClientSession,
        url: str | yarl.URL,
        timeout: float,
    ) -> None:
        """Keep what each check needs."""
        self._check = check
        self._session = session
        self._url = url
        self._timeout = timeout

    def __call__(self) -> Coroutine[Any, Any, ProbeResult]:
        """One check."""
        check = self._check
        return probe_http(
            self._session,
            self._url,
            timeout=self._timeout,
            expected=check.expected,
            keyword=check.keyword,
            verify_tls=check.verify_tls,
        )


def _errors(data: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not is_valid_url(data.get(CONF_URL, "")):
        errors[CONF_URL] = "invalid_url"
    try:
        StatusCodes.parse(data.get(CONF_EXPECTED_STATUS, ""))
    except InvalidStatusCodesError:
        errors[CONF_EXPECTED_STATUS] = "invalid_status_codes"
    return errors


KIND = Kind(
    kind=SystemKind.HTTP,
    fields={
        vol.Required(CONF_URL): URL,
        vol.Required(CONF_EXPECTED_STATUS, default=DEFAULT_EXPECTED_STATUS): TEXT,
        vol.Optional(CONF_KEYWORD): TEXT,
        vol.Required(CONF_VERIFY_TLS, default=True): BooleanSelector(),
    },
    validate=_errors,
    build_probe=build_probe,
)
