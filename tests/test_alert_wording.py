"""Counted messages read right for one and for many, in every language.

A message with a count has two templates in the `exceptions` table of en.json,
`<key>_one` and `<key>_other` (docs/translations.md): the code picks one by the
count (logic/text.py `counted`), so "1 monitored system" and "2 monitored
systems", and a translator words each form as their language wants it.
"""

import json
from pathlib import Path
import string
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.provider_watch.alerting.manager import AlertManager
from custom_components.provider_watch.history.report_service import async_texts
from custom_components.provider_watch.logic.text import counted
from homeassistant.core import HomeAssistant
from testkit.simulated import LOCALHOST, SimulatedDevice

from .alerting import PANEL, manager, notes, outage, setup_provider
from .helpers import setup_internet

EN_JSON = (
    Path(__file__).parent.parent
    / "custom_components"
    / "provider_watch"
    / "translations"
    / "en.json"
)

# every counted message: its placeholders besides the count, and how it reads for
# a count of 1 and of 2
COUNTED: dict[str, tuple[dict[str, str], str, str]] = {
    "alert_cause_internet": (
        {"systems": "Alarm panel"},
        "Your internet is down — 1 monitored system unreachable: Alarm panel.",
        "Your internet is down — 2 monitored systems unreachable: Alarm panel.",
    ),
    "alert_flapping_message": (
        {"system": "Alarm panel"},
        (
            "Alarm panel went offline once in the last 2 h. Alerts for it are "
            "summarised until it settles."
        ),
        (
            "Alarm panel went offline 2 times in the last 2 h. Alerts for it are "
            "summarised until it settles."
        ),
    ),
    "alert_names_more": (
        {"names": "Alarm panel, Door lock"},
        "Alarm panel, Door lock and 1 more",
        "Alarm panel, Door lock and 2 more",
    ),
    "push_failed_message": (
        {"phone": "Pixel", "alert": "Alarm panel is offline", "error": "HTTP 429"},
        "Pixel did not get “Alarm panel is offline” after 1 try: HTTP 429",
        "Pixel did not get “Alarm panel is offline” after 2 tries: HTTP 429",
    ),
    "report_summary_outages": (
        {"lead": "The panel", "downtime": "5 min", "longest": "3 min"},
        "The panel was offline once, for 5 min.",
        (
            "The panel was offline 2 times, 5 min in total; the longest outage "
            "lasted 3 min."
        ),
    ),
}


def templates() -> dict[str, str]:
    data = json.loads(EN_JSON.read_text(encoding="utf-8"))
    return {key: entry["message"] for key, entry in data["exceptions"].items()}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_counted_template_has_both_forms() -> None:
    """A template that shows a count is a pair; the test knows every pair."""
    found = templates()
    counting = {key for key, text in found.items() if "count" in placeholders(text)}
    families = {key.removesuffix("_other") for key in found if key.endswith("_other")}
    assert families == set(COUNTED)
    for family in families:
        assert f"{family}_one" in found, family
        assert f"{family}_other" in found, family
    # the report's own families pick "_none" / "_one" / "_many" themselves
    ones = {key.removesuffix("_one") for key in found if key.endswith("_one")}
    for family in ones - families:
        assert f"{family}_many" in found, family
    # no count outside a pair (a number with a noun has two forms)
    forms = ("_one", "_other", "_many")
    paired = {f"{f}{form}" for f in families | ones for form in forms}
    # "…and {count} more" reads the same for one and for many
    assert counting - paired <= {"report_message_more"}
    # and no count under another name ({times} of self-heal lists clock times)
    assert not {"tries", "attempts", "number", "n"} & set().union(
        *(placeholders(text) for text in found.values())
    )


@pytest.mark.parametrize("family", list(COUNTED))
async def test_each_counted_message_for_one_and_for_two(
    hass: HomeAssistant, upstream: SimulatedDevice, family: str
) -> None:
    """Filled in by the integration's own words, as Home Assistant loads them."""
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")  # starts the alerts
    alerts: AlertManager = manager(hass)
    texts: Any = (
        await async_texts(hass) if family.startswith("report_") else alerts.text
    )
    others, one, two = COUNTED[family]
    assert counted(texts, family, 1, **others) == one
    assert counted(texts, family, 2, **others) == two


async def test_an_internet_outage_of_one_system_says_one_system(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device: SimulatedDevice,
    upstream: SimulatedDevice,
) -> None:
    await setup_internet(hass, f"{LOCALHOST}:{upstream.port}")
    await setup_provider(hass, {PANEL: device})
    await upstream.stop()
    await outage(hass, freezer, device)
    [note] = notes(hass).values()
    assert note["message"].endswith(
        "Your internet is down — 1 monitored system unreachable: Alarm panel."
    )
