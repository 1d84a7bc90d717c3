"""The history file on disk: the Store, and what happens to a file that is bad.

A history file that cannot be read never stops the integration and is never
overwritten: it is renamed aside (`<file>.corrupt-<UTC time>`), a repair issue
says where it went, and a fresh history starts. Loaded data with unreadable records
is kept as a copy next to it, with the same repair issue.
"""

import json
from pathlib import Path
from typing import Any, cast, override

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..logic.history_file import (
    HISTORY_VERSION,
    migrate_v1,
    migrate_v2_1,
    migrate_v2_2,
)

ISSUE_HISTORY_CORRUPT = "history_corrupt"


def history_key(entry_id: str) -> str:
    """The Store key of a provider's history."""
    return f"{DOMAIN}.{entry_id}.history"


class HistoryStore(Store[dict[str, Any]]):
    """The Store, with the migration from earlier layouts.

    The history is serialised in the executor (serialize_in_event_loop=False): what
    it is given to save is a snapshot nothing changes afterwards
    (HistoryIndex.snapshot).
    """

    @override
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: Any
    ) -> dict[str, Any]:
        if old_major_version == 1:
            old_data = migrate_v2_1(migrate_v1(old_data))
        elif old_major_version == HISTORY_VERSION and old_minor_version < 2:
            old_data = migrate_v2_1(old_data)
        elif old_major_version != HISTORY_VERSION or not isinstance(old_data, dict):
            raise ValueError(f"cannot migrate a version {old_major_version} history")
        if old_major_version == 1 or old_minor_version < 3:
            # folding a long flapping history is work: not in the event loop
            old_data = await self.hass.async_add_executor_job(migrate_v2_2, old_data)
        return cast("dict[str, Any]", old_data)  # a newer minor: the same layout


def inspect_file(path: Path) -> str | None:
    """Why the history file cannot be loaded, or None (fine, or no file).

    Runs in the executor before the Store reads the file, so that a bad file is
    set aside by Provider Watch (with its own repair issue) whatever is wrong.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        return f"unreadable ({err.strerror or err})"
    try:
        data = json.loads(raw)
    except ValueError as err:  # includes UnicodeDecodeError
        return f"not valid JSON ({err})"
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        return "not a Provider Watch history"
    version = data.get("version")
    if not isinstance(version, int) or not 1 <= version <= HISTORY_VERSION:
        return f"unsupported version {version!r}"
    return None


def stamp_now() -> str:
    """The UTC time in the name of a file set aside."""
    return dt_util.utcnow().strftime("%Y%m%dT%H%M%S%fZ")


def move_aside(path: Path, stamp: str) -> Path | None:
    """Rename a bad file aside; None when there is no file or it cannot be moved."""
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    if not path.exists() or target.exists():
        return None
    try:
        path.rename(target)
    except OSError as err:
        LOGGER.error("Could not move %s aside: %s", path, err)
        return None
    return target


def write_copy(path: Path, stamp: str, data: object) -> Path:
    """Keep a copy of loaded data that had unreadable records."""
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    return target


def raise_corrupt_issue(
    hass: HomeAssistant, entry_id: str, title: str, problem: str, kept: Path
) -> None:
    """Log that a provider's history could not be read, and raise the repair issue.

    `kept` is where the bad data is now (the copy, or the file if it stayed).
    """
    LOGGER.error(
        "The outage history of %s could not be read (%s); it was kept as %s "
        "and a new history was started",
        title,
        problem,
        kept,
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{ISSUE_HISTORY_CORRUPT}_{entry_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_HISTORY_CORRUPT,
        translation_placeholders={
            "provider": title,
            "error": problem,
            "path": str(kept),
        },
    )
