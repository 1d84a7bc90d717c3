"""Small wording helpers shared by the core and the sources."""

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
