"""Home Assistant's real Store on real files, for the tests that need a disk.

The test harness (pytest-homeassistant-custom-component's `hass_storage` fixture,
which the `hass` fixture uses) serves every Store from memory: it patches
`Store._async_load`, `Store._async_write_data` and `Store.async_remove` for the whole
test. `real_files` puts Home Assistant's own methods back for a while, with the
config folder in a temporary directory: files are read, migrated, serialised and
written (atomically, with fsync where the Store asks for it) as in a real
installation, and what is on disk can be read back.

The originals are taken when this module is imported, before any fixture patches
them.
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

import atomicwrites

from homeassistant.core import HomeAssistant
from homeassistant.helpers import storage

REAL_STORE = {
    name: getattr(storage.Store, name)
    for name in ("_async_load", "_async_write_data", "async_remove")
}


@contextmanager
def real_files(hass: HomeAssistant, folder: Path) -> Iterator[Path]:
    """Stores on real files in `folder` (the config folder); yields .storage/.

    Only Stores created inside the block use the folder (a Store keeps its path).
    """
    hass.config.config_dir = str(folder)
    storage_dir = folder / storage.STORAGE_DIR
    storage_dir.mkdir(exist_ok=True)
    with ExitStack() as stack:
        for name, method in REAL_STORE.items():
            stack.enter_context(patch.object(storage.Store, name, method))
        yield storage_dir


def fd_path(fd: int) -> str:
    """The path of an open file descriptor (Linux)."""
    return str(Path(f"/proc/self/fd/{fd}").readlink())


@contextmanager
def disk_syncs() -> Iterator[list[tuple[str, ...]]]:
    """What reaches the disk through atomicwrites (Home Assistant's atomic writes).

    Yields a list that gets ("fsync", path) for every fsync of a file or folder and
    ("replace", temporary file, target) for every rename into place, in order. The
    real functions run: this only watches them.
    """
    seen: list[tuple[str, ...]] = []
    fsync = atomicwrites._proper_fsync
    replace = atomicwrites._replace_atomic

    def watched_fsync(fd: int) -> Any:
        seen.append(("fsync", fd_path(fd)))
        return fsync(fd)

    def watched_replace(src: str, dst: str) -> Any:
        seen.append(("replace", str(src), str(dst)))
        return replace(src, dst)

    with (
        patch.object(atomicwrites, "_proper_fsync", watched_fsync),
        patch.object(atomicwrites, "_replace_atomic", watched_replace),
    ):
        yield seen


def synced_writes(seen: list[tuple[str, ...]]) -> list[str]:
    """The targets written all or nothing and durably: the temporary file was
    fsync'd before it was renamed into place, and the folder after."""
    done = []
    for n, event in enumerate(seen):
        if event[0] != "replace":
            continue
        _, src, dst = event
        before = {e[1] for e in seen[:n] if e[0] == "fsync"}
        after = {e[1] for e in seen[n + 1 :] if e[0] == "fsync"}
        if src in before and str(Path(dst).parent) in after:
            done.append(dst)
    return done


def stored_files(folder: Path) -> dict[str, Any]:
    """The Store files in a .storage folder, by key (as hass_storage holds them)."""
    found: dict[str, Any] = {}
    for path in folder.iterdir():
        try:
            data = json.loads(path.read_bytes())
        except ValueError, OSError:
            continue
        if isinstance(data, dict) and data.get("key") == path.name:
            found[path.name] = data
    return found


def contents(folder: Path, prefix: str) -> list[bytes]:
    """The contents of the files in `folder` whose names begin with `prefix`."""
    return [p.read_bytes() for p in folder.iterdir() if p.name.startswith(prefix)]
