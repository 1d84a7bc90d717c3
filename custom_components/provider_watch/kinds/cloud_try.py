"""The cloud form's test step: fetch once, show what is sent and what the rule sees.

What is sent is shown with every credential masked (the token, the API key, the
password, the secret headers, the login's session); what the rule sees is the
answer's beginning, the value found, the check-in time and its age, the verdict.
A rule that cannot be used on the answer (a path the library refuses, a path
that matches several values, a template that fails or takes too long) cannot be
saved.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import TemplateError
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_CHECKIN_FORMAT,
    CONF_CHECKIN_PATH,
    CONF_FILTER_PATH,
    CONF_PATH,
    CONF_SECOND_PATH,
    CONF_VALUE_TEMPLATE,
)
from ..diagnostics import scrub_url
from ..logic.state import Outcome
from ..logic.text import format_duration
from ..sources.cloud import NOT_JSON, CloudAnswer
from ..sources.cloud_login import MASK
from ..sources.cloud_rule import SimpleRule, ambiguities, refusals
from .cloud_probe import TOO_SLOW, CloudCheck, CloudProbe
from .cloud_template import FLOW_SECONDS, RenderTimeoutError, RuleTemplate, too_slow

_VERDICTS = {
    Outcome.UP: "online",
    Outcome.DOWN: "offline",
    Outcome.UNKNOWN: "unknown",
}
ANSWER_CHARS = 300


@dataclass(frozen=True, kw_only=True, slots=True)
class TryOutcome:
    """What the test step shows, and the fields the rule cannot be saved with."""

    placeholders: dict[str, str]
    errors: dict[str, str]


async def async_try_once(
    hass: HomeAssistant, data: Mapping[str, Any], timeout: float
) -> TryOutcome:
    """Fetch once: what is sent, and what the rule sees and decides.

    The rule is used exactly as a check uses it; a template that does not render
    within the form's time on the answer (or, with no answer, on `{}`) or fails on
    the answer cannot be saved.
    """
    probe = CloudProbe(
        hass, CloudCheck.from_data(data), timeout, template_seconds=FLOW_SECONDS
    )
    result = await probe()
    seen = dict(probe.last_seen)
    errors: dict[str, str] = {}
    reason = result.reason
    if probe.template_problem is None and "main" not in probe.answers:
        await _async_time_template(hass, data, probe)
    if probe.template_problem is not None:
        errors[CONF_VALUE_TEMPLATE] = probe.template_problem
        reason = probe.template_reason
    refused = _paths_found(probe.check, probe.answers, refusals)
    ambiguous = _paths_found(probe.check, probe.answers, ambiguities)
    for field in refused:
        errors[field] = "path_refused"
    for field in ambiguous if not refused else ():
        errors[field] = "path_ambiguous"
    if refused or ambiguous:
        reason = "; ".join((refused or ambiguous).values())
    if data.get(CONF_CHECKIN_FORMAT) and probe.checkin_seen is None and probe.answers:
        errors[CONF_CHECKIN_FORMAT] = "checkin_unreadable"
    return TryOutcome(
        placeholders={
            "sent": _sent(probe),
            "status": str(seen.get("status") or "-"),
            "answer": _answer(probe.answers.get("main")),
            "value": _shorten(seen.get("value", "-")),
            "checkin": _checkin(probe, data),
            "verdict": _VERDICTS[result.outcome],
            "reason": reason or "-",
        },
        errors=errors,
    )


type Finder = Any  # refusals or ambiguities: (rule, data) -> {"filter"|"path": why}


def _paths_found(
    check: CloudCheck, answers: Mapping[str, CloudAnswer], finder: Finder
) -> dict[str, str]:
    """The fields whose path `finder` finds a problem with on the answers -> why.

    Each rule's paths are tried as a check evaluates them, on the answer of its
    own endpoint.
    """
    tried: list[tuple[SimpleRule, str, str, str]] = []  # rule, answer, fields
    if check.rule is not None:
        tried.append((check.rule, "main", CONF_FILTER_PATH, CONF_PATH))
    if check.checkin is not None:
        tried.append((check.checkin.rule, "main", CONF_FILTER_PATH, CONF_CHECKIN_PATH))
    if check.second is not None and check.second.rule is not None:
        tried.append((check.second.rule, "second", CONF_SECOND_PATH, CONF_SECOND_PATH))
    found: dict[str, str] = {}
    for rule, answer, filter_field, path_field in tried:
        if answer not in answers or answers[answer].data is NOT_JSON:
            continue
        for where, why in finder(rule, answers[answer].data).items():
            field = filter_field if where == "filter" else path_field
            if finder is refusals:
                path = rule.filter_path if where == "filter" else rule.path
                why = f"{path} cannot be used on this answer: {why}"  # noqa: PLW2901
            found.setdefault(field, why)
    return found


def _sent(probe: CloudProbe) -> str:
    """Every request of the check, credentials masked, as a block of text."""
    check = probe.check
    session = probe.login.headers if probe.login is not None else None
    requests = [check.request]
    if check.second is not None:
        requests.append(check.second.request)
    requests = [replace(request, session=session or ()) for request in requests]
    if check.login is not None:
        requests.insert(0, check.login.request(check.request, password=MASK))
    blocks = []
    for request in requests:
        lines = request.shown(MASK)
        lines[0] = f"{request.method} {scrub_url(request.url)}"
        blocks.append("\n".join(lines))
    text = "\n\n".join(blocks).replace("`", "'")
    return f"```\n{text}\n```"


def _answer(answer: CloudAnswer | None) -> str:
    """The answer's beginning on one line (said when it is not JSON)."""
    if answer is None:
        return "-"
    text = re.sub(r"\s+", " ", answer.text).strip().replace("`", "'")
    text = _shorten(text, ANSWER_CHARS)
    return f"{text} (not JSON)" if answer.data is NOT_JSON else text


def _checkin(probe: CloudProbe, data: Mapping[str, Any]) -> str:
    """The check-in time found and its age, or why there is none."""
    if probe.check.checkin is None or "main" not in probe.answers:
        return "-"
    when = probe.checkin_seen
    if when is None:
        return f"none readable at {data.get(CONF_CHECKIN_PATH)}"
    age = (dt_util.utcnow() - when).total_seconds()
    ago = f"{format_duration(age)} ago" if age >= 0 else "in the future"
    return f"{when.isoformat()} ({ago})"


async def _async_time_template(
    hass: HomeAssistant, data: Mapping[str, Any], probe: CloudProbe
) -> None:
    """No answer to render the template on: at least it must render `{}` in time."""
    if not (template := data.get(CONF_VALUE_TEMPLATE)):
        return
    try:
        await RuleTemplate(hass, template).async_render(
            {"value_json": {}, "value": ""}, FLOW_SECONDS
        )
    except TemplateError:
        pass  # it may well need the answer
    except RenderTimeoutError:
        probe.template_problem = TOO_SLOW
        probe.template_reason = too_slow(FLOW_SECONDS)


def _shorten(value: object, limit: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
