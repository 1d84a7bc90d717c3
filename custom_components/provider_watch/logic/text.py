"""Small wording helpers shared by the core and the sources."""

from collections.abc import Callable
import math


def format_duration(seconds: float) -> str:
    """A short age for a reason text: '45 s', '5 min', '2 h 5 min', '3 d 4 h'.

    Rounded down to the unit shown; negative durations read as '0 s'.
    """
    whole = max(0, math.floor(seconds)) if math.isfinite(seconds) else 0
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def plural_form(count: int) -> str:
    """The form of a counted message for `count`: "one" or "other".

    English's rule (and that of most languages Home Assistant is translated into
    that have two forms); the forms are CLDR's plural category names.
    """
    return "one" if count == 1 else "other"


def counted(
    texts: Callable[..., str], key: str, count: int, **placeholders: str
) -> str:
    """A counted message: the template `<key>_one` or `<key>_other`, filled in.

    `{count}` is the count; a translation words each form as its language needs
    (docs/translations.md).
    """
    return texts(f"{key}_{plural_form(count)}", count=str(count), **placeholders)
