"""Config entry diagnostics, with every secret removed.

Secrets are removed three ways: the secret fields by name (async_redact_data);
every URL in every text by its structure (scrub_url: the scheme, host and path
shape stay; the userinfo, the query and fragment values and every path segment
that looks like a key, token or id go); and, belt and braces, any text that
contains the value of a secret field (a token echoed in a reason, say).
"""

from collections.abc import Iterable, Mapping
import re
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant

from .const import (
    CONF_BODY,
    CONF_LOGIN_BODY,
    CONF_NOTES,
    CONF_SECOND_BODY,
    CONF_SECRET_HEADERS,
    CONF_USERNAME,
    OUTBOUND_SECRET_FIELDS,
    SECRET_FIELDS,
)
from .hub import DATA_SELF_HEAL
from .logic.state import machine_to_dict
from .monitoring.coordinator import SystemCoordinator
from .runtime import ProviderWatchConfigEntry, is_internet_entry, is_provider_entry
from .sources.cloud import parse_headers

# secret fields, plus what identifies the owner or may carry credentials
TO_REDACT = (
    SECRET_FIELDS
    | OUTBOUND_SECRET_FIELDS
    | {
        CONF_USERNAME,
        CONF_BODY,
        CONF_NOTES,
        CONF_LOGIN_BODY,
        CONF_SECOND_BODY,
    }
)
# parameters whose names end like these carry secrets even in a short value
SECRET_PARAMETERS = (
    "token",
    "key",
    "apikey",
    "secret",
    "password",
    "passwd",
    "pwd",
    "pin",
    "otp",
    "sig",
    "signature",
    "auth",
    "code",
    "jwt",
    "sid",
    "session",
    "state",
    "nonce",
    "hash",
)
URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
LAST_OUTAGES = 10
MIN_SECRET_LENGTH = 4  # shorter values would redact ordinary words
# a query value this short, of letters and digits only, is kept (page=3, view=full)
PLAIN_VALUE = re.compile(r"[A-Za-z0-9]{1,5}")
# what a secret looks like in a path segment (or a parameter's name)
UUID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE)
HEX_RUN = re.compile(r"(?=[0-9a-f]*[0-9])[0-9a-f]{12,}|[0-9a-f]{16,}", re.IGNORECASE)
DIGIT_RUN = re.compile(r"[0-9]{10,}")
TOKEN_RUN = re.compile(r"[A-Za-z0-9+/_-]{20,}")  # base64 / base64url, JWT parts
MIXED_LENGTH = 16  # a segment this long mixing letters and digits is a secret
CASES_LENGTH = 24  # ... and one this long mixing cases


def _secret_parameter(name: str) -> bool:
    plain = name.lower().replace("-", "").replace("_", "")
    return plain.endswith(SECRET_PARAMETERS)


def _random_looking(text: str) -> bool:
    """Letters and digits mixed, or (a long text) lower and upper case mixed."""
    if any(char.isdigit() for char in text) and any(char.isalpha() for char in text):
        return True
    return (
        len(text) >= CASES_LENGTH
        and any(char.islower() for char in text)
        and any(char.isupper() for char in text)
    )


def looks_secret(segment: str) -> bool:
    """A path segment (or a name) that looks like a key, token or id, not a word.

    UUIDs, runs of hex or of digits, base64 runs that look random (JWTs
    included), long segments that do, and anything with a "=" in it.
    """
    text = unquote(segment)
    if "=" in text or UUID.search(text) or HEX_RUN.search(text):
        return True
    if DIGIT_RUN.search(text):
        return True
    if any(_random_looking(run) for run in TOKEN_RUN.findall(text)):
        return True
    return len(text) >= MIXED_LENGTH and _random_looking(text)


def _scrub_parameters(text: str) -> str:
    """Every value masked but a short plain one of a harmless-sounding name."""
    parts = []
    for part in text.split("&"):
        name, sep, value = part.partition("=")
        if looks_secret(name) if sep else bool(part):
            parts.append(REDACTED)  # a secret-looking name, or a bare value
        elif not value or (
            PLAIN_VALUE.fullmatch(value) and not _secret_parameter(name)
        ):
            parts.append(part)
        else:
            parts.append(f"{name}={REDACTED}")
    return "&".join(parts)


def _scrub_path(path: str) -> str:
    """The path's shape: every segment that looks like a secret masked."""
    return "/".join(
        REDACTED if looks_secret(segment) else segment for segment in path.split("/")
    )


def scrub_url(url: str) -> str:
    """A URL's structure without its secrets.

    Kept: the scheme, the host and port, the path's shape and the parameters'
    names. Masked: the userinfo, every path segment that looks like a secret, and
    every query and fragment value (but short plain ones such as page=3).
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            _scrub_path(parts.path),
            _scrub_parameters(parts.query),
            _scrub_parameters(parts.fragment),
        )
    )


def scrub_text(text: str, secrets: Iterable[str]) -> str:
    """Every URL in a text scrubbed, and every known secret value removed."""
    text = URL.sub(lambda match: scrub_url(match[0]), text)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _scrub(data: Any, secrets: list[str]) -> Any:
    if isinstance(data, str):
        return scrub_text(data, secrets)
    if isinstance(data, Mapping):
        return {key: _scrub(value, secrets) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_scrub(value, secrets) for value in data]
    return data


def _secret_values[R](entry: ConfigEntry[R]) -> list[str]:
    """The values of every secret field of the entry and its subentries."""
    sources: list[Mapping[str, Any]] = [entry.data, entry.options]
    sources += [subentry.data for subentry in entry.subentries.values()]
    values = {
        str(source[key])
        for source in sources
        for key in TO_REDACT
        if source.get(key) and len(str(source[key])) >= MIN_SECRET_LENGTH
    }
    values |= {  # each secret header's value on its own, too
        value
        for source in sources
        for _, value in parse_headers(str(source.get(CONF_SECRET_HEADERS, ""))) or ()
        if len(value) >= MIN_SECRET_LENGTH
    }
    return sorted(values, key=len, reverse=True)  # longest first


def _clean[R](entry: ConfigEntry[R], data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = _scrub(
        async_redact_data(data, TO_REDACT), _secret_values(entry)
    )
    return result


def _settings[R](entry: ConfigEntry[R]) -> dict[str, Any]:
    return {
        "title": entry.title,
        "state": entry.state.value,
        "data": dict(entry.data),
        "options": dict(entry.options),
    }


def _system(system: SystemCoordinator) -> dict[str, Any]:
    snapshot = system.data
    return {
        "name": system.subentry.title,
        "kind": system.kind.value,
        "machine": machine_to_dict(snapshot.machine),
        "cause": snapshot.cause.value if snapshot.cause else None,
        "auth_failed": system.auth_failed,
        "unreachable": snapshot.unreachable,
        "latency_ms": snapshot.latency_ms,
        "last_update_success": system.last_update_success,
        "probes": [
            {
                "time": probe.time.isoformat(),
                "outcome": probe.outcome,
                "latency_ms": probe.latency_ms,
                "reason": probe.reason,
            }
            for probe in system.probes
        ],
    } | _self_heal(system)


def _self_heal(system: SystemCoordinator) -> dict[str, Any]:
    """A system's self-heal (only for systems that have one)."""
    manager = system.hass.data.get(DATA_SELF_HEAL)
    heal = manager.diagnostics(system.system_id) if manager is not None else None
    return {"self_heal": heal} if heal is not None else {}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: ProviderWatchConfigEntry
) -> dict[str, Any]:
    """What support needs to see, with every secret removed."""
    loaded = entry.state is ConfigEntryState.LOADED
    if is_internet_entry(entry):
        internet: dict[str, Any] = {"settings": _settings(entry)}
        if loaded:
            check = entry.runtime_data.check
            internet |= {
                "targets": list(check.targets),
                "up": check.data.up,
                "reachable": list(check.data.reachable),
                "machine": machine_to_dict(check.data.machine),
            }
            if (outbound := entry.runtime_data.outbound) is not None:
                internet["outbound_heartbeat"] = outbound.as_dict()
        return _clean(entry, internet)
    data: dict[str, Any] = {
        "settings": _settings(entry),
        "subentries": [
            {
                "subentry_id": subentry.subentry_id,
                "type": subentry.subentry_type,
                "title": subentry.title,
                "data": dict(subentry.data),
            }
            for subentry in entry.subentries.values()
        ],
    }
    if loaded and is_provider_entry(entry):
        runtime = entry.runtime_data
        page = runtime.status_page
        data |= {
            "systems": {
                system_id: _system(system)
                for system_id, system in runtime.systems.items()
            },
            "status_page": None
            if page is None
            else {
                "problem": page.has_problem,
                "incident": page.data.incident,
                "unknown_reason": page.data.unknown_reason,
                "components_down": [c.name for c in page.data.problems],
            },
            "history": {
                "writable": runtime.history.writable,
                "outages": len(runtime.history.outages),
                "last_outages": [
                    r.to_dict() for r in runtime.history.latest(LAST_OUTAGES)
                ],
            },
        }
    return _clean(entry, data)
