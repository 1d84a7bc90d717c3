"""Heartbeat floods and what they cost: shared by the tests and scripts/devtools.

`count_saves` counts the save requests (Store.async_save and async_delay_save) of
Provider Watch's stores, whatever Home Assistant then writes; `flood` is a sequence
of beats (request keyword arguments for an aiohttp client) of a named pattern, with
the failure signal in each of the forms a sender may use.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

from homeassistant.helpers.storage import Store

DOMAIN_PREFIX = "provider_watch."
KEYWORD = "fail"

# a beat that reports a failure (keyword "fail"), in every form a sender may use
FAILURES: tuple[dict[str, Any], ...] = (
    {"method": "GET", "params": {"status": KEYWORD}},
    {"method": "POST", "json": {"status": KEYWORD, "zone": 3}},
    {"method": "POST", "data": {"status": KEYWORD}},  # a form
    {"method": "POST", "data": KEYWORD},  # plain text
)
# good beats, some with the keyword where it is no failure signal (issue 15)
OKS: tuple[dict[str, Any], ...] = (
    {"method": "GET"},
    {"method": "POST", "json": {"status": "ok", "failures": 0}},
    {"method": "HEAD", "params": {"status": KEYWORD}},  # HEAD is never a failure
    {"method": "GET", "params": {"x": "failover"}},
)
PATTERNS = ("ok", "failures", "alternating", "bursts")


def beat_kind(pattern: str, index: int) -> bool:
    """True when beat `index` of a flood of `pattern` reports a failure.

    ok: none; failures: all; alternating: every other one (the first is ok);
    bursts: nine failures and one ok, over and over.
    """
    match pattern:
        case "ok":
            return False
        case "failures":
            return True
        case "alternating":
            return index % 2 == 1
        case "bursts":
            return index % 10 != 9
    raise ValueError(pattern)


def flood(pattern: str, count: int) -> Iterator[dict[str, Any]]:
    """`count` beats of `pattern`, cycling through the forms of each kind."""
    for index in range(count):
        forms = FAILURES if beat_kind(pattern, index) else OKS
        yield dict(forms[index % len(forms)])


@contextmanager
def count_saves() -> Iterator[Counter[str]]:
    """Count the save requests of Provider Watch's stores, by store key.

    The stores still save as they would: the methods are wrapped, not replaced.
    """
    counts: Counter[str] = Counter()
    save = Store.async_save
    delay_save = Store.async_delay_save

    async def counted_save(self: Store[Any], data: Any) -> None:
        if self.key.startswith(DOMAIN_PREFIX):
            counts[self.key] += 1
        await save(self, data)

    def counted_delay_save(self: Store[Any], *args: Any, **kwargs: Any) -> None:
        if self.key.startswith(DOMAIN_PREFIX):
            counts[self.key] += 1
        delay_save(self, *args, **kwargs)

    with (
        patch.object(Store, "async_save", counted_save),
        patch.object(Store, "async_delay_save", counted_delay_save),
    ):
        yield counts
