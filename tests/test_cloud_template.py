"""A cloud rule's template: the operators it refuses, and its thread (issue 15, 4).

The forms and checks that use it are tested in test_cloud_form_checks.py and the
fault cases of faults/test_forms.py; here, what they rarely meet.
"""

import asyncio

import probatio as vol
import pytest

from custom_components.provider_watch.kinds.cloud_template import (
    MAX_TEMPLATE_OUTPUT,
    RuleTemplate,
    TemplateText,
    _too_large,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import TemplateError

from .loop_watch import join_template_threads, template_threads

# never ends by itself: 10 billion steps
ENDLESS = (
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
)


@pytest.mark.parametrize(
    ("operator", "left", "right", "refused"),
    [
        ("**", 9, 4_782_969, True),
        ("**", 2, 50_000, False),  # at most 2 bits x 50 000: the limit
        ("**", 2, 50_001, True),
        ("**", -7, 4_000_000, True),
        ("**", 1, 10**9, False),  # always 1
        ("**", 10, -(10**9), False),  # a small float
        ("**", 2.0, 10**9, False),  # a float overflows at once
        ("*", "a", 400_000_000, True),
        ("*", 400_000_000, "a", True),
        ("*", [0], 10**7, True),
        ("*", (0, 1), 10**6, True),
        ("*", "ab", 500_000, False),  # a million: the limit
        ("*", 10**9, 10**9, False),  # numbers
        ("%", "%0400000000d", 1, True),
        ("%", "%.400000000f", 1.0, True),
        ("%", "%-5d%%", 1, False),
        ("%", 10, 3, False),
    ],
)
def test_huge_results_refused(
    operator: str, left: object, right: object, refused: bool
) -> None:
    assert (_too_large(operator, left, right) is not None) is refused


def test_selector_parses_only() -> None:
    selector = TemplateText()
    assert selector("{{ 7 ** 4000000 > 1 }}") == "{{ 7 ** 4000000 > 1 }}"
    with pytest.raises(vol.Invalid):
        selector("{{ value_json.online ")
    with pytest.raises(vol.Invalid):
        selector(5)


async def test_output_too_large(hass: HomeAssistant) -> None:
    """Home Assistant's limit on a template's output holds here too."""
    template = RuleTemplate(hass, "{{ 'a' * 300000 }}")
    with pytest.raises(TemplateError, match=str(MAX_TEMPLATE_OUTPUT)):
        await template.async_render({}, 5)


async def test_cancelled_render_stops_its_thread(hass: HomeAssistant) -> None:
    """A check cancelled while its template renders (the system removed, Home
    Assistant stopping): the thread is stopped too, not left to run."""
    template = RuleTemplate(hass, ENDLESS)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5):
            await template.async_render({}, 60)
    await hass.async_add_executor_job(join_template_threads)
    assert template_threads() == []
