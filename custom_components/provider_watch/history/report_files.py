"""The report's files and dates: names nobody can guess, dates a report can use.

A file is named <provider>-<period>-<entry id>-<random token>.html (and .md, .csv): two
providers whose names read the same ("Acme Alarm", "Acme-Alarm") never share a
file, and a name cannot be guessed from the provider and the period. Writing a
provider's report for a period again replaces its earlier files for that period.

Dates: a report covers days between 1970 and 9998 (a month of year 0 is not a
month; year 1 or 9999 cannot be shown in every time zone), and an outage history
edited by hand to a date outside that range is named in a clear error, never a
raw ValueError or OverflowError.
"""

from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path
import re
import secrets

from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import slugify

from ..const import DOMAIN
from ..logic.outages import OutageRecord

FILE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\.(html|md|csv)")
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9998, 12, 31)
_FIRST = datetime(1970, 1, 1, tzinfo=UTC)
_LAST = datetime(9999, 1, 1, tzinfo=UTC)
MAX_SLUG = 60
TOKEN_BYTES = 8  # 16 hex digits


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated service validation error."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


# --- names ------------------------------------------------------------------------


def _entry_key(entry_id: str) -> str:
    return re.sub(r"[^a-z0-9]", "", entry_id.lower())


def report_stem(title: str, entry_id: str, label: str) -> str:
    """A new file name (without suffix) for a provider's report of a period."""
    slug = (slugify(title, separator="-") or "report")[:MAX_SLUG].strip("-")
    token = secrets.token_hex(TOKEN_BYTES)
    return f"{slug or 'report'}-{label}-{_entry_key(entry_id)}-{token}".lower()


def write_report(
    folder: Path,
    stem: str,
    texts: dict[str, str],
    *,
    entry_id: str,
    label: str,
) -> dict[str, Path]:
    """Write a report's files (suffix -> text); the earlier ones of its period go.

    Runs in the executor.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = {suffix: folder / f"{stem}.{suffix}" for suffix in texts}
    for suffix, path in written.items():
        path.write_text(texts[suffix], encoding="utf-8")
    mine = f"-{label}-{_entry_key(entry_id)}-"
    for old in folder.iterdir():
        if (
            mine in old.name
            and FILE_NAME.fullmatch(old.name)
            and old not in written.values()
        ):
            old.unlink(missing_ok=True)
    return written


# --- dates ------------------------------------------------------------------------


def check_days(*days: date) -> None:
    """Every day of a report's period between 1970 and 9998."""
    if any(not FIRST_DAY <= day <= LAST_DAY for day in days):
        raise invalid(
            "report_dates_out_of_range",
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )


def _times(value: object) -> Iterable[datetime]:
    if isinstance(value, datetime):
        yield value
    elif hasattr(value, "__dataclass_fields__"):
        for item in fields(value):  # type: ignore[arg-type]
            yield from _times(getattr(value, item.name))


def check_history(
    provider: str,
    outages: Iterable[OutageRecord],
    added: Iterable[tuple[str, datetime | None]],
) -> None:
    """Every time of the outages (and when systems were added) a report can use."""
    for outage in outages:
        for when in _times(outage):
            if not _usable(when):
                raise _history_error(provider, outage.system, when)
    for system, since in added:
        if since is not None and not _usable(since):
            raise _history_error(provider, system, since)


def _usable(when: datetime) -> bool:
    return _FIRST <= (when if when.tzinfo else when.replace(tzinfo=UTC)) < _LAST


def _history_error(
    provider: str, system: str, when: datetime
) -> ServiceValidationError:
    return invalid(
        "report_history_out_of_range",
        provider=provider,
        system=system,
        date=f"{when.year:04d}-{when.month:02d}-{when.day:02d}",
    )
