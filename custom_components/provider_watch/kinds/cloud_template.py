"""A cloud rule's template, rendered without holding up the event loop.

`Template.async_render` runs in the event loop with no time limit: a template that
loops for long, or computes a huge number, froze Home Assistant on every check.
Home Assistant's own test for such templates, `Template.async_render_will_timeout`
(the template developer tool's timeout), renders in a thread and raises TimeoutError
into it when time is up. That stops Python code (loops), but it compiles in the event
loop first, joins the thread in the event loop, and a single long C operation holds
the GIL whichever thread runs it (measured on this machine: `{{ 9 ** (9 ** 7) }}`
held the loop 16.9 s while compiling, `{{ value_json.n ** (9 ** 7) }}` 8.1 s with a
1 s timeout, because Jinja folds the constant while compiling and `**` is one C call).

So a rule's template here is:

- compiled and rendered in a thread of its own (Home Assistant's `ThreadWithException`,
  as `async_render_will_timeout` does); the event loop awaits the result for at most
  the bound, then raises TimeoutError into the thread and moves on, without joining;
- rendered by Home Assistant's template environment with Jinja's sandbox operator
  hook (`intercepted_binops`, documented for exactly this: bounding `**`) refusing
  a power, a repetition (`'a' * n`) or a `%` format whose result would be huge,
  before the C operation starts. Such a template fails with an error instead.

What no thread can bound remains: another single C call that runs long (a regular
expression that backtracks catastrophically, a filter given a huge width).
"""

import asyncio
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
import re
import threading
from typing import Any, override

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
import probatio as vol

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import TemplateError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.selector import TemplateSelector
from homeassistant.helpers.template import MAX_TEMPLATE_OUTPUT, TemplateEnvironment
from homeassistant.helpers.template.context import render_with_context
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.thread import ThreadWithException

from ..const import DOMAIN, LOGGER
from .base import SystemRef

FLOW_SECONDS = 1.0  # the form's test: on the answer it fetched
RUN_SECONDS = 2.0  # each check: twice the form's, room for a busy moment
THREAD_NAME = f"{DOMAIN} template"
MAX_POWER_BITS = 100_000  # a power's result: some 30 000 digits at most
MAX_REPEAT = 1_000_000  # characters or items of `'a' * n`
MAX_WIDTH = 100_000  # a `%` format's width or precision
_FORMAT_NUMBERS = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d*))?")
_ENVIRONMENT: HassKey[RuleEnvironment] = HassKey(f"{DOMAIN}_template_environment")


class RenderTimeoutError(Exception):
    """The template did not render within its time."""


def too_slow(seconds: float) -> str:
    """Why a template cannot be used: it took too long."""
    return f"the template did not render within {seconds:g} s"


# --- the environment ----------------------------------------------------------------


def _too_large(operator: str, left: object, right: object) -> str | None:
    """Why `left <operator> right` would make a huge result, or None."""
    if operator == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_POWER_BITS:
            return f"{left} ** {right} is too large"
    elif operator == "*":
        for items, times in ((left, right), (right, left)):
            if (
                isinstance(items, str | list | tuple)
                and isinstance(times, int)
                and len(items) * times > MAX_REPEAT
            ):
                return f"a repetition of {len(items) * times} is too large"
    elif operator == "%" and isinstance(left, str):
        for match in _FORMAT_NUMBERS.finditer(left):
            if any(part and int(part) > MAX_WIDTH for part in match.groups()):
                return "a format width is too large"
    return None


class RuleEnvironment(TemplateEnvironment):
    """Home Assistant's template environment, refusing huge `**`, `*` and `%`."""

    intercepted_binops = frozenset({"**", "*", "%"})

    @override
    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """The operator, unless its result would be huge."""
        if (problem := _too_large(operator, left, right)) is not None:
            raise SecurityError(problem)
        return super().call_binop(context, operator, left, right)


@cache
def _parser() -> RuleEnvironment:
    """For the syntax only (no hass: no states)."""
    return RuleEnvironment(None)


def syntax_error(source: str) -> str | None:
    """Why Jinja cannot parse a template, or None: cheap, in the event loop.

    Only parsed, not compiled: compiling may fold constants, and takes longer.
    """
    try:
        _parser().parse(source)
    except jinja2.TemplateSyntaxError as err:
        return str(err)
    return None


class TemplateText(TemplateSelector):
    """The template selector, without compiling in the event loop.

    Home Assistant's selector compiles the template while it checks the form, in the
    event loop; here the form only parses it, and the flow compiles it in a thread.
    """

    def __call__(self, data: Any) -> str:
        """A template that parses."""
        if not isinstance(data, str):
            raise vol.Invalid("template value should be a string")
        if (error := syntax_error(data)) is not None:
            raise vol.Invalid(f"invalid template ({error})")
        return data


# --- a rule's template ----------------------------------------------------------------


class RuleTemplate:
    """A cloud rule's template: compiled and rendered in a thread, within a bound."""

    def __init__(self, hass: HomeAssistant, source: str) -> None:
        """Nothing is compiled yet."""
        if (environment := hass.data.get(_ENVIRONMENT)) is None:
            environment = hass.data[_ENVIRONMENT] = RuleEnvironment(hass)
        self._environment = environment
        self.source = source
        self._compiled: jinja2.Template | None = None

    def _compile(self) -> jinja2.Template:
        if self._compiled is None:
            self._compiled = self._environment.from_string(self.source)
        return self._compiled

    def _render(self, variables: Mapping[str, Any]) -> str:
        """As Template.async_render(parse_result=False) renders; in the thread."""
        text = render_with_context(self.source, self._compile(), **variables)
        if len(text) > MAX_TEMPLATE_OUTPUT:
            raise TemplateError(
                f"Template output exceeded maximum size of {MAX_TEMPLATE_OUTPUT}"
                " characters"
            )
        return text.strip()

    async def async_compile(self, seconds: float) -> None:
        """Compile within `seconds`: TemplateError, RenderTimeoutError."""

        def compile_it() -> str:
            self._compile()
            return ""

        await _async_bounded(compile_it, seconds)

    async def async_render(self, variables: Mapping[str, Any], seconds: float) -> str:
        """Render within `seconds`: TemplateError, RenderTimeoutError."""
        return await _async_bounded(lambda: self._render(variables), seconds)


@dataclass(slots=True)
class _Job:
    """Whether the job's thread is inside the work (under the lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    running: bool = False
    stopped: bool = False


async def _async_bounded(work: Callable[[], str], seconds: float) -> str:
    """Run `work` in a thread of its own; give up after `seconds`."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()
    job = _Job()

    def settle(text: str, error: TemplateError | None) -> None:
        if done.done():  # given up on already
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(text)

    def run() -> None:
        try:
            with job.lock:
                job.running = True
            text, error = "", None
            try:
                text = work()
            except TemplateError as err:
                error = err
            except Exception as err:  # noqa: BLE001 - Jinja may raise anything
                error = TemplateError(err)
            with job.lock:
                job.running = False
            with suppress(RuntimeError):  # the event loop has closed
                loop.call_soon_threadsafe(settle, text, error)
        except TimeoutError:
            return  # given up on: the result is not wanted

    thread = ThreadWithException(target=run, name=THREAD_NAME, daemon=True)
    thread.start()
    try:
        async with asyncio.timeout(seconds):
            return await done
    except TimeoutError:
        _stop(thread, job)
        raise RenderTimeoutError from None
    except asyncio.CancelledError:
        _stop(thread, job)
        raise


def _stop(thread: ThreadWithException, job: _Job) -> None:
    """Raise TimeoutError into the thread, once, if it is still working."""
    with job.lock:
        if job.running and not job.stopped:
            job.stopped = True
            with suppress(ValueError):  # it has just ended
                thread.raise_exc(TimeoutError)


# --- the repair issue of a template that took too long at run time ----------------


def issue_id(system_id: str) -> str:
    """The repair issue of a system whose template was suspended."""
    return f"template_too_slow_{system_id}"


def async_report_too_slow(hass: HomeAssistant, system: SystemRef) -> None:
    """The template took too long: it is suspended, and a repair issue says so."""
    LOGGER.warning(
        "%s (%s): its template did not render within %g s; it is not used again "
        "until the system is changed or Home Assistant restarts",
        system.name,
        system.provider,
        RUN_SECONDS,
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(system.system_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="template_too_slow",
        translation_placeholders={
            "system": system.name,
            "provider": system.provider,
            "seconds": f"{RUN_SECONDS:g}",
        },
    )


def async_clear_too_slow(hass: HomeAssistant, system_id: str) -> None:
    """The template rendered in time (or is gone): no repair issue."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(system_id))
