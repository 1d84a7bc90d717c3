"""Host names and URLs typed into the forms, checked by Home Assistant's helper."""

from yarl import URL

from homeassistant.util.network import is_host_valid


def is_valid_host(host: str) -> bool:
    """A host name or an IPv4/IPv6 address (surrounding blanks ignored)."""
    host = host.strip()
    return bool(host) and len(host) <= 253 and is_host_valid(host)


def is_valid_url(url: str) -> bool:
    """An absolute http(s) URL with a valid host."""
    try:
        parsed = URL(url.strip())
        host = parsed.host  # decoding a broken punycode host raises here
    except ValueError, TypeError:  # UnicodeError is a ValueError
        return False
    return (
        parsed.scheme in ("http", "https") and host is not None and is_valid_host(host)
    )
