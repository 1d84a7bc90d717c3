"""The provider's own integration as evidence: its config entry's state (no HA imports).

A system seen through another integration's entities (the "entities" and "device"
kinds) depends on that integration's config entry. When the entry cannot be set up
(it retries, it failed), or waits for the owner to sign in again, that explains the
system's outage: the provider's cloud, or its credentials. When the owner stopped the
integration (disabled it), its entities going unavailable is no outage at all.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Home Assistant's ConfigEntryState values this module reads
LOADED = "loaded"
NOT_LOADED = "not_loaded"
SETUP_RETRY = "setup_retry"
FAILED_STATES = frozenset({"setup_error", "failed_unload", "migration_error"})
# on the way from one state to another: what was known before still holds
PASSING_STATES = frozenset({"setup_in_progress", "unload_in_progress"})


class Trouble(StrEnum):
    """What is wrong with the provider's integration (worst first)."""

    AUTH = "auth"  # a re-authentication flow waits for the owner
    CLOUD = "cloud"  # it retries its set-up: it cannot reach the provider's cloud
    FAILED = "failed"  # its set-up failed, or it stopped after having run


_ORDER = tuple(Trouble)


@dataclass(frozen=True, kw_only=True, slots=True)
class EntryView:
    """One config entry as seen now."""

    state: str  # its ConfigEntryState value
    disabled: bool  # disabled (by the owner): no outage
    was_loaded: bool  # it has run since Provider Watch started watching it
    reauth: bool  # a re-authentication flow is in progress for it


@dataclass(frozen=True, kw_only=True, slots=True)
class EntryTrouble:
    """A config entry in trouble, and since when."""

    trouble: Trouble
    since: datetime
    title: str  # the entry's title ("Ring", an account name…)


def trouble_of(view: EntryView) -> Trouble | None:
    """What the entry's state says about the provider's side (None: nothing wrong)."""
    if view.disabled:
        return None
    if view.reauth:
        return Trouble.AUTH
    if view.state == SETUP_RETRY:
        return Trouble.CLOUD
    if view.state in FAILED_STATES or (view.state == NOT_LOADED and view.was_loaded):
        return Trouble.FAILED
    return None


def next_trouble(
    before: EntryTrouble | None, view: EntryView, title: str, now: datetime
) -> EntryTrouble | None:
    """The entry's trouble after a look: kept (with its start) while it stays.

    Its set-up retried again and again is one trouble, since the first failure.
    """
    if view.state in PASSING_STATES and not view.disabled and not view.reauth:
        return before
    trouble = trouble_of(view)
    if trouble is None:
        return None
    if before is not None and before.trouble is trouble:
        return (
            before
            if before.title == title
            else EntryTrouble(trouble=trouble, since=before.since, title=title)
        )
    return EntryTrouble(trouble=trouble, since=now, title=title)


def worst(troubles: Iterable[EntryTrouble | None]) -> EntryTrouble | None:
    """The trouble that best explains an outage: credentials, cloud, failure.

    Of equal ones, the one that began first.
    """
    found = [t for t in troubles if t is not None]
    if not found:
        return None
    return min(found, key=lambda t: (_ORDER.index(t.trouble), t.since))
