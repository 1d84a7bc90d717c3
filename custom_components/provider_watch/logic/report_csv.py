"""The accountability report as CSV. Pure: no Home Assistant.

CSV column names are fixed identifiers, not words: spreadsheets and scripts rely
on them.
"""

from collections.abc import Mapping
import csv
import io
from typing import Any

from .report_input import minutes

CSV_COLUMNS = (
    "record",  # "system" or "outage"
    "system_id",
    "system",
    "monitored_since",
    "uptime_pct",
    "outages",
    "downtime_min",
    "longest_min",
    "outage_id",
    "start",
    "end",
    "duration_min",
    "cause",
    "detected_at",
    "noticed_after_min",
    "detected_kind",
    "detected_reason",
    "alert_sent",
    "acknowledged_at",
    "acknowledged_by",
    "provider_told",  # yes, no, or blank (not answered)
    "provider_note",
    "flaps",  # an outage: came back and dropped again inside it; a summary: in all
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str | None) -> str | None:
    """Text a spreadsheet must not run as a formula (names, a provider's reason)."""
    if value is not None and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def render_csv(data: Mapping[str, Any]) -> str:
    """The report as CSV: a row per system, per outage, then per summarised month.

    A summarised month ("summary") has the system, its outages, downtime and
    longest time offline, and its first and last time offline as start and end.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for s in data["systems"]:
        writer.writerow(
            {
                "record": "system",
                "system_id": s["id"],
                "system": csv_text(s["name"]),
                "monitored_since": s["monitored_since"],
                "uptime_pct": s["uptime_pct"],
                "outages": s["outages"],
                "downtime_min": s["downtime_min"],
                "longest_min": s["longest_min"],
            }
        )
    for o in data["outages"]:
        writer.writerow(
            {
                "record": "outage",
                "system_id": o["system_id"],
                "system": csv_text(o["system"]),
                "outage_id": o["id"],
                "start": o["start"],
                "end": o["end"],
                "duration_min": o["duration_min"],
                "cause": o["cause"],
                "detected_at": o["detected_at"],
                "noticed_after_min": minutes(o["noticed_after_s"]),
                "detected_kind": csv_text(o["detected_kind"]),
                "detected_reason": csv_text(o["detected_reason"]),
                "alert_sent": o["alert_sent"],
                "acknowledged_at": o["acknowledged_at"],
                "acknowledged_by": csv_text(o["acknowledged_by"]),
                "provider_told": {True: "yes", False: "no"}.get(o["provider_told"]),
                "provider_note": csv_text(o["provider_note"]),
                "flaps": o["flaps"],
            }
        )
    for m in data.get("summarised", []):
        writer.writerow(
            {
                "record": "summary",
                "system_id": m["system_id"],
                "system": csv_text(m["system"]),
                "outages": m["outages"],
                "downtime_min": m["downtime_min"],
                "longest_min": minutes(m["longest_s"]),
                "start": m["first"],
                "end": m["last"],
                "flaps": m["flaps"],
            }
        )
    return out.getvalue()
